import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { chapterById, chapterConfig } from '../../../src/engine/lab/chapters.ts';
import {
  describeRecipe,
  type EvalRecord,
  formatBytes,
  formatSeconds,
  LOSS_WINDOW,
  memoryCell,
  optimizerStateBytes,
  orderingVerdicts,
  pendingRow,
  type ResultRow,
  resultRow,
  resultsCsv,
  resultsMarkdown,
  type StepRecord,
  scoreCell,
} from '../../../src/engine/lab/results.ts';
import * as tf from '../../../src/engine/tf.ts';
import { createOptimizer } from '../../../src/engine/train/optim/optimizer.ts';

const ch = (id: string) => chapterById(id);
const cfg = (id: string) => parseExperiment(chapterConfig(ch(id), 'quick'));

/** 20 steps, loss 20 − step (so the last 10 average to 4.5), 0.5 s a step. */
const steps: StepRecord[] = Array.from({ length: 20 }, (_, i) => ({
  step: i + 1,
  loss: 20 - (i + 1),
  elapsedMs: (i + 1) * 500,
}));
const evals: EvalRecord[] = [
  {
    step: 0,
    spearman: 40,
    alignment: 0.2,
    uniformity: -1,
    baselines: { bagOfWords: 50, tfidf: 60 },
  },
  { step: 10, spearman: 45, alignment: 0.3, uniformity: -2 },
  { step: 20, spearman: 47.5 },
];

/** A finished row with only the end score set (for the ordering checks). */
function rowWithEnd(id: string, end: number | null): ResultRow {
  const ev: EvalRecord[] =
    end === null
      ? []
      : [
          { step: 0, spearman: 0, accuracy: 0 },
          { step: 5, spearman: end, accuracy: end },
        ];
  return resultRow(ch(id), cfg(id), [], ev, end === null ? 'waiting' : 'finished');
}

describe('a chapter row from its run events', () => {
  it('reads start (step 0), end (last eval), Δ, the last alignment/uniformity, the loss tail, steps and time', () => {
    const r = resultRow(ch('simcse-unsup'), cfg('simcse-unsup'), steps, evals, 'finished');
    expect(r).toMatchObject({
      chapter: 'simcse-unsup',
      metric: 'spearman',
      start: 40,
      end: 47.5,
      delta: 7.5,
    });
    // Alignment and uniformity from the last eval that has them (step 10; step 20 has none).
    expect([r.alignment, r.uniformity]).toEqual([0.3, -2]);
    expect(LOSS_WINDOW).toBe(10);
    expect(r.loss).toBeCloseTo((9 + 0) / 2, 12); // mean of 9, 8, …, 0
    expect([r.steps, r.seconds]).toEqual([20, 10]);
    expect(r.paper?.value).toBe(82.5);
    expect(r.recipe).toBe('bert-tiny-en · wiki · simcse-unsup · dropout 0.1 · τ 0.05 · batch 64');
    // No memory given: both cells empty.
    expect([r.optimizerBytes, r.peakBytes]).toEqual([null, null]);
    const m = resultRow(ch('adafactor'), cfg('adafactor'), steps, evals, 'finished', undefined, {
      optimizerBytes: 68360,
      peakBytes: 96 * 2 ** 20,
    });
    expect([m.optimizerBytes, m.peakBytes]).toEqual([68360, 96 * 2 ** 20]);
    expect(memoryCell(m)).toBe('66.8 KiB · 96.0 MiB');
    expect(memoryCell(r)).toBe('—');
  });

  it('reads accuracy for a classifier chapter, and nothing for a run that has not started', () => {
    const r = resultRow(
      ch('ce'),
      cfg('ce'),
      steps.slice(0, 3),
      [
        { step: 0, accuracy: 25 },
        { step: 3, accuracy: 31 },
      ],
      'stopped',
    );
    expect([r.metric, r.start, r.end, r.delta, r.steps, r.status]).toEqual([
      'accuracy',
      25,
      31,
      6,
      3,
      'stopped',
    ]);
    const p = pendingRow(ch('ce'), cfg('ce'));
    expect([p.start, p.end, p.delta, p.loss, p.seconds, p.steps, p.status]).toEqual([
      null,
      null,
      null,
      null,
      null,
      0,
      'waiting',
    ]);
  });

  it('gives a failed run no end score (its last eval is where it broke), so no ordering uses it', () => {
    const r = resultRow(
      ch('dropout-0'),
      cfg('dropout-0'),
      [],
      [{ step: 0, spearman: 22 }],
      'failed',
      'boom',
    );
    expect([r.start, r.end, r.delta, r.error]).toEqual([22, null, null, 'boom']);
    expect(scoreCell(r)).toBe('failed: boom');
    const ok = resultRow(ch('simcse-unsup'), cfg('simcse-unsup'), steps, evals, 'finished');
    expect(orderingVerdicts([ok, r])[0]).toMatchObject({ worse: null, agrees: null });
    const stopped = resultRow(ch('dropout-0'), cfg('dropout-0'), steps, evals, 'stopped');
    expect(scoreCell(stopped)).toBe('40.0 → 47.5 (stopped)');
    expect(scoreCell(ok)).toBe('40.0 → 47.5');
  });

  it('describes recipes from the resolved config', () => {
    expect(describeRecipe(cfg('consert'))).toBe(
      'bert-tiny-en · wiki · simcse-unsup · shuffle | feature-cutoff + dropout 0 · τ 0.1 · batch 64',
    );
    expect(describeRecipe(cfg('gradcache'))).toMatch(/batch 256 \(GradCache 64\)$/);
    expect(describeRecipe(cfg('wordnet'))).toMatch(
      /^random-init BERT h128 · wordnet-pairs · simcse-unsup/,
    );
    expect(describeRecipe(cfg('simcse-sup'))).toMatch(/τ 0\.05 · log α 0 · batch 64/);
    expect(describeRecipe(cfg('fixed-mask'))).toBe(
      'bert-tiny-en · wiki · simcse-unsup · dropout 0.1 (one mask for both views) · τ 0.05 · batch 64',
    );
    // The journey's optimiser (AdamW) is not named; any other is.
    expect(describeRecipe(cfg('adafactor'))).toMatch(
      /batch 256 \(GradCache 64\) · Adafactor \(relative step\)$/,
    );
  });
});

describe("checking the papers' orderings on our rows", () => {
  it('agrees, disagrees, or waits, from the end scores alone', () => {
    const rows = [
      rowWithEnd('simcse-unsup', 50),
      rowWithEnd('dropout-0', 60),
      rowWithEnd('dropout-0.5', 40),
      rowWithEnd('eda', null),
    ];
    const v = orderingVerdicts(rows);
    const by = Object.fromEntries(v.map((x) => [x.ordering.worse, x]));
    expect(Object.keys(by).sort()).toEqual(['dropout-0', 'dropout-0.5', 'eda']);
    expect(by['dropout-0']).toMatchObject({ better: 50, worse: 60, agrees: false });
    expect(by['dropout-0.5']).toMatchObject({ better: 50, worse: 40, agrees: true });
    expect(by.eda).toMatchObject({ better: 50, worse: null, agrees: null });
  });

  it("'≥' accepts a tie, '>' does not", () => {
    const tie = orderingVerdicts([
      rowWithEnd('rdrop', 70),
      rowWithEnd('ce', 70),
      rowWithEnd('logit-contrast', 70),
    ]);
    expect(tie.map((x) => [x.ordering.better, x.ordering.worse, x.agrees])).toEqual([
      ['rdrop', 'ce', true],
      ['ce', 'logit-contrast', false],
    ]);
  });
});

describe('the table as Markdown and CSV', () => {
  const rows = [
    resultRow(ch('simcse-unsup'), cfg('simcse-unsup'), steps, evals, 'finished', undefined, {
      optimizerBytes: 11892736,
      peakBytes: 40 * 2 ** 20,
    }),
    rowWithEnd('dropout-0', 41),
    pendingRow(ch('eda'), cfg('eda')),
  ];

  it('prints one line per chapter and the orderings with ours beside them', () => {
    const md = resultsMarkdown(rows, { setting: 'quick' });
    const lines = md.split('\n');
    expect(lines[0]).toBe('Setting: quick.');
    expect(md).toContain(
      '| Chapter | Recipe | Paper | Ours: start → end | Δ | Alignment | Uniformity | Loss | Steps | Time | Memory: optimiser state · step peak |',
    );
    const unsup = lines.find((l) => l.startsWith('| simcse-unsup ('))!;
    expect(unsup).toContain(
      '| 40.0 → 47.5 | +7.5 | 0.300 | -2.000 | 4.500 | 20 | 10s | 11.3 MiB · 40.0 MiB |',
    );
    expect(unsup).toContain('82.5 (SimCSE');
    expect(lines.find((l) => l.startsWith('| eda ('))).toContain('| waiting | — |');
    expect(md).toContain('| simcse-unsup > dropout-0 |');
    expect(lines.find((l) => l.startsWith('| simcse-unsup > dropout-0 |'))).toMatch(
      /\| 47\.50 vs 41\.00 \| yes \|$/,
    );
    expect(lines.find((l) => l.startsWith('| simcse-unsup > eda |'))).toMatch(/\| pending \|$/);
    // Every table line has the header's number of cells (no stray '|' from a citation).
    for (const l of lines.filter((x) => x.startsWith('| ') && !x.includes('The paper'))) {
      const cells = l.replace(/\\\|/g, '').split('|').length;
      expect([13, 6]).toContain(cells);
    }
  });

  it('writes CSV with a header, quoted commas and empty unmeasured cells', () => {
    const csv = resultsCsv(rows);
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(
      'chapter,title,metric,recipe,paper,paper_source,paper_measure,start,end,delta,alignment,uniformity,loss,steps,seconds,status,optimizer_bytes,peak_bytes',
    );
    const cells = splitCsv(lines[1]!);
    expect(cells).toHaveLength(18);
    expect(cells.slice(7)).toEqual([
      '40',
      '47.5',
      '7.5',
      '0.3',
      '-2',
      '4.5',
      '20',
      '10',
      'finished',
      '11892736',
      String(40 * 2 ** 20),
    ]);
    expect(cells[4]).toBe('82.5');
    // The paper's measure holds commas: quoted, and read back whole.
    expect(lines[1]).toContain(
      '"STS-B dev Spearman, BERT-base, 10⁶ Wikipedia sentences, batch 64"',
    );
    expect(cells[6]).toBe('STS-B dev Spearman, BERT-base, 10⁶ Wikipedia sentences, batch 64');
    expect(splitCsv(lines[3]!).slice(7, 13)).toEqual(['', '', '', '', '', '']);
    expect(splitCsv(lines[3]!).slice(16)).toEqual(['', '']);
  });

  it('formats times', () => {
    expect([
      formatSeconds(7.2),
      formatSeconds(83),
      formatSeconds(3725),
      formatSeconds(null),
    ]).toEqual(['7s', '1m 23s', '1h 2m', '—']);
    expect([
      formatBytes(512),
      formatBytes(68360),
      formatBytes(11892736),
      formatBytes(3 * 2 ** 30),
      formatBytes(null),
    ]).toEqual(['512 B', '66.8 KiB', '11.3 MiB', '3.0 GiB', '—']);
  });
});

describe("the optimiser state's bytes, from its slots", () => {
  it('AdamW: two floats per weight; Adafactor: a row and a column per matrix, one per vector weight', async () => {
    await tf.setBackend('cpu');
    // A [3, 4] matrix (12 weights) and a [4] vector: 16 weights.
    const vars = new Map([
      ['w', tf.variable(tf.ones([3, 4]))],
      ['b', tf.variable(tf.ones([4]))],
    ]);
    const grads = new Map<string, tf.Tensor>([
      ['w', tf.fill([3, 4], 0.5)],
      ['b', tf.fill([4], 0.5)],
    ]);
    const sizes: Record<string, number> = {};
    for (const kind of ['adamw', 'adafactor', 'sgd'] as const) {
      const opt = createOptimizer({ kind, ...(kind === 'sgd' ? { momentum: 0.9 } : {}) });
      opt.apply(vars, grads, 1e-3);
      sizes[kind] = optimizerStateBytes(await opt.getState());
      opt.dispose();
    }
    // float32: exp_avg + exp_avg_sq = 2 × 16 floats; exp_avg_sq_row (3) + exp_avg_sq_col (4)
    // + the vector's exp_avg_sq (4) = 11 floats; SGD's momentum_buffer = 16 floats.
    expect(sizes).toEqual({ adamw: 4 * 2 * 16, adafactor: 4 * (3 + 4 + 4), sgd: 4 * 16 });
    for (const t of [...vars.values(), ...grads.values()]) t.dispose();
  });
});

/** A minimal RFC 4180 field splitter (quotes, doubled quotes), to read back what we wrote. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') q = false;
      else cur += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}
