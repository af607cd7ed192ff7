import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { labConfigs, runLab } from '../../../cli/commands/lab.ts';
import { main } from '../../../cli/main.ts';
import { parseChapterList } from '../../../src/engine/lab/chapters.ts';
import type { ResultRow } from '../../../src/engine/lab/results.ts';
import { readSafetensors } from '../../../src/engine/weights/safetensors.ts';

/**
 * `cplay lab --quick` in Node with tiny overrides over every chapter: a random-init encoder
 * (hidden 32, one layer; the pre-trained built-in lands later), a few rows, 2 steps, cpu.
 * Each chapter is a real Trainer run; the table must be the runs' own metrics.
 */
const out = mkdtempSync(join(tmpdir(), 'cplay-lab-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TINY = [
  'encoder.source=builtin',
  'encoder.builtin={"layers":1,"hidden":32,"heads":2,"intermediate":64}',
  'encoder.maxLength=16',
  'data.train.limit=64',
  'data.eval.limit=40',
  'batchSize=8',
].flatMap((s) => ['--set', s]);

async function quiet<T>(f: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { value: await f(), stderr };
  } finally {
    spy.mockRestore();
  }
}

const jsonl = (p: string) =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number | string>);

describe('cplay lab', () => {
  it('runs three chapters one after another and writes the table, the metrics and each model', async () => {
    const dir = join(out, 'quick');
    const { value: code, stderr } = await quiet(() =>
      runLab([
        '--quick',
        '--chapters',
        'dropout-0,simcse-unsup,ce',
        '--max-steps',
        '2',
        ...TINY,
        '--backend',
        'cpu',
        '--out',
        dir,
      ]),
    );
    expect(code, stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      length: string;
      rows: ResultRow[];
      orderings: { ordering: { better: string; worse: string }; agrees: boolean | null }[];
    };
    expect(results.length).toBe('quick');
    // The journey's order, not the order asked for.
    expect(results.rows.map((r) => r.chapter)).toEqual(['simcse-unsup', 'dropout-0', 'ce']);
    for (const r of results.rows) {
      expect(r.status, r.chapter).toBe('finished');
      expect(r.steps).toBe(2);
      // The row's scores are the run's own step-0 and last evaluations in metrics.jsonl.
      const evals = jsonl(join(dir, r.chapter, 'metrics.jsonl')).filter((e) => e.event === 'eval');
      const key = r.metric;
      expect(evals[0]!.step).toBe(0);
      expect(r.start).toBe(evals[0]![key]);
      expect(r.end).toBe(evals.at(-1)![key]);
      expect(r.delta).toBeCloseTo((r.end as number) - (r.start as number), 10);
      expect(existsSync(join(dir, r.chapter, 'model', 'model.safetensors'))).toBe(true);
      expect(existsSync(join(dir, r.chapter, 'model', 'config.json'))).toBe(true);
      const config = JSON.parse(readFileSync(join(dir, r.chapter, 'config.json'), 'utf8'));
      expect(config.encoder.builtin.hidden).toBe(32);
      expect(config.backend).toBe('cpu');
    }
    const [unsup, p0, ce] = results.rows;
    expect(unsup!.metric).toBe('spearman');
    expect(ce!.metric).toBe('accuracy');
    expect(p0!.recipe).toContain('dropout 0 ');
    // The ordering between the two rows present is checked on their end scores.
    expect(results.orderings).toHaveLength(1);
    expect(results.orderings[0]).toMatchObject({
      ordering: { better: 'simcse-unsup', worse: 'dropout-0' },
      agrees: (unsup!.end as number) > (p0!.end as number),
    });
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md).toMatch(/^Setting: quick, --max-steps 2, --set encoder\.source=builtin /);
    expect(md).toContain(`| ${unsup!.start!.toFixed(1)} → ${unsup!.end!.toFixed(1)} |`);
    expect(md).toContain('| simcse-unsup > dropout-0 |');
    expect(readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
    expect(stderr).toMatch(/cplay lab: \[1\/3\] simcse-unsup: /);
  });

  it("fills the memory columns: the optimiser's exact state, a step's peak (GradCache + AdamW vs Adafactor)", async () => {
    const dir = join(out, 'memory');
    const { value: code, stderr } = await quiet(() =>
      runLab([
        '--quick',
        '--chapters',
        'adafactor,gradcache',
        '--max-steps',
        '1',
        ...TINY,
        '--set',
        'gradCache.chunkSize=4',
        '--backend',
        'cpu',
        '--out',
        dir,
      ]),
    );
    expect(code, stderr).toBe(0);
    const { rows } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      rows: ResultRow[];
    };
    expect(rows.map((r) => r.chapter)).toEqual(['gradcache', 'adafactor']);
    const [adamw, ada] = rows as [ResultRow, ResultRow];
    // Every weight the step reaches has a gradient and so optimiser slots; with mean pooling the
    // pooler is never reached (no gradient, no slots, as a torch parameter whose .grad is None).
    const shapes = [
      ...readSafetensors(readFileSync(join(dir, 'gradcache', 'model', 'model.safetensors')))
        .tensors,
    ]
      .filter(([name]) => !name.includes('pooler'))
      .map(([, t]) => t.shape);
    const numel = (s: number[]) => s.reduce((a, d) => a * d, 1);
    // float32: AdamW's exp_avg + exp_avg_sq; Adafactor's row + column averages per matrix (its
    // last two dims), the whole vector otherwise.
    const adamwBytes = shapes.reduce((a, s) => a + 4 * 2 * numel(s), 0);
    const adaBytes = shapes.reduce((a, s) => a + 4 * (s.length >= 2 ? s[0]! + s[1]! : numel(s)), 0);
    expect(adamw.optimizerBytes).toBe(adamwBytes);
    expect(ada.optimizerBytes).toBe(adaBytes);
    expect(adaBytes * 10).toBeLessThan(adamwBytes);
    for (const r of rows) {
      // The peak holds the weights and the optimiser state at least.
      expect(r.peakBytes!, r.chapter).toBeGreaterThan(adamwBytes / 2 + r.optimizerBytes!);
      // The measured step is not the run's: one step in the row and in metrics.jsonl.
      expect(r.steps).toBe(1);
      const lines = jsonl(join(dir, r.chapter, 'metrics.jsonl'));
      expect(lines.filter((e) => e.event === 'step')).toHaveLength(1);
    }
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/,status,optimizer_bytes,peak_bytes$/);
    expect(csv[1]).toMatch(new RegExp(`,finished,${adamwBytes},${adamw.peakBytes}$`));
    expect(readFileSync(join(dir, 'results.md'), 'utf8')).toContain(
      '| Memory: optimiser state · step peak |',
    );
    expect(stderr).toMatch(
      /cplay lab: adafactor: .*memory \(optimiser state · step peak\) [\d.]+ KiB · /,
    );
  });

  it('--merge joins the two tables above into one, in the journey order, orderings recomputed', async () => {
    // Reads what the first two tests wrote (quick: simcse-unsup, dropout-0, ce; memory:
    // gradcache, adafactor); nothing is trained here.
    const dir = join(out, 'merged');
    const read = (d: string) =>
      JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')) as {
        length: string;
        overrides: string[];
        rows: ResultRow[];
        orderings: { ordering: { better: string; worse: string } }[];
      };
    const { value: code, stderr } = await quiet(() =>
      main([
        'lab',
        '--merge',
        `${join(out, 'memory')},${join(out, 'quick', 'results.json')}`,
        '--out',
        dir,
      ]),
    );
    expect(code, stderr).toBe(0);
    const merged = read(dir);
    const parts = [...read(join(out, 'quick')).rows, ...read(join(out, 'memory')).rows];
    expect(merged.length).toBe('quick');
    expect(merged.rows.map((r) => r.chapter)).toEqual([
      'simcse-unsup',
      'dropout-0',
      'ce',
      'gradcache',
      'adafactor',
    ]);
    // Each row is the part's own row, unchanged.
    for (const r of merged.rows) expect(r).toEqual(parts.find((p) => p.chapter === r.chapter));
    expect(merged.orderings.map((o) => `${o.ordering.better}>${o.ordering.worse}`)).toEqual([
      'simcse-unsup>dropout-0',
    ]);
    expect(merged.overrides).toContain('gradCache.chunkSize=4');
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md).toMatch(
      /^Setting: quick, merged from .*memory[/\\]results\.json \(gradcache, adafactor; --set /,
    );
    expect(readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(6);
    // The same table twice: every chapter would appear twice.
    const twice = await quiet(() =>
      main([
        'lab',
        '--merge',
        `${join(out, 'quick')},${join(out, 'quick')}`,
        '--out',
        join(out, 'm2'),
      ]),
    );
    expect(twice.value).toBe(1);
    expect(twice.stderr).toMatch(/^cplay lab: chapter simcse-unsup is in both /);
    const training = await quiet(() =>
      main(['lab', '--merge', join(out, 'quick'), '--chapters', 'eda', '--out', join(out, 'm3')]),
    );
    expect(training.stderr).toMatch(
      /--merge reads finished tables and trains nothing: drop --chapters/,
    );
    const missing = await quiet(() =>
      main(['lab', '--merge', join(out, 'nowhere'), '--out', join(out, 'm4')]),
    );
    expect(missing.stderr).toMatch(/--merge: .*nowhere does not exist/);
    expect(existsSync(join(out, 'm2'))).toBe(false);
  });

  it('records a failing chapter as a row with its error and still runs the rest (exit 1)', async () => {
    const dir = join(out, 'fail');
    const { value: code } = await quiet(() =>
      runLab([
        '--quick',
        '--chapters',
        'wordnet,ce',
        '--max-steps',
        '1',
        ...TINY,
        // --set applies to every chapter: both fail, each its own row, one after the other.
        '--set',
        'data.eval.source=builtin:no-such-set',
        '--backend',
        'cpu',
        '--out',
        dir,
      ]),
    );
    expect(code).toBe(1);
    const { rows } = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      rows: ResultRow[];
    };
    expect(rows.map((r) => [r.chapter, r.status])).toEqual([
      ['wordnet', 'failed'],
      ['ce', 'failed'],
    ]);
    expect(rows[0]!.error).toMatch(/no-such-set/);
  });

  it('refuses a bad chapter list or a bad --set before anything trains', async () => {
    const { value: code, stderr } = await quiet(() =>
      main(['lab', '--chapters', 'eda,nope', '--out', join(out, 'x')]),
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cplay lab: --chapters: there is no chapter "nope"/);
    expect(() =>
      labConfigs(parseChapterList('tau-1'), 'quick', ['objective.temperature=0']),
    ).toThrow(/^chapter tau-1: .*objective\.temperature/);
    expect(existsSync(join(out, 'x'))).toBe(false);
  });
});
