import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parseFlags } from '../../../cli/args.ts';
import { runTrain } from '../../../cli/commands/train.ts';
import { main } from '../../../cli/main.ts';
import {
  applyAssignments,
  parseAssignment,
  setDotted,
} from '../../../src/engine/config/dottedKeys.ts';
import { PRESETS, presetConfig } from '../../../src/engine/config/presets.ts';

/**
 * `cplay train --preset ID`: the page's presets by id, changed with the URL hash's dotted keys
 * (`--set`), shrunk here to a tiny encoder (hidden 32, one layer) and a few rows so each run
 * takes seconds; `--max-steps 0` evaluates and exports the untrained start.
 */
const out = mkdtempSync(join(tmpdir(), 'cplay-preset-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const TINY_SET = [
  '--set',
  'encoder.builtin={"layers":1,"hidden":32,"heads":2,"intermediate":64}',
  '--set',
  'encoder.maxLength=16',
  '--set',
  'data.train.limit=300',
  '--set',
  'data.eval.limit=40',
  '--set',
  'batchSize=8',
  '--backend',
  'cpu',
];

/** Runs with stderr captured; returns the exit code and what was written there. */
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

const lines = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('dotted keys (the URL hash form) for --set', () => {
  it('parses key=value: JSON values, bare strings kept, "=" inside the value', () => {
    expect(parseAssignment('optimizer.lr=1e-4')).toEqual({ key: 'optimizer.lr', value: 1e-4 });
    expect(parseAssignment('objective.kind=simcse-sup')).toEqual({
      key: 'objective.kind',
      value: 'simcse-sup',
    });
    expect(parseAssignment('data.eval=null').value).toBeNull();
    expect(parseAssignment('augment.dropout=false').value).toBe(false);
    expect(parseAssignment('data.train.source=https://x.org/a?b=c').value).toBe(
      'https://x.org/a?b=c',
    );
    expect(parseAssignment('data.train.columns.text="1"').value).toBe('1');
  });

  it('refuses what is not key=value, with one sentence naming the flag', () => {
    expect(() => parseAssignment('optimizer.lr')).toThrow(
      /^--set "optimizer\.lr" is not key=value/,
    );
    expect(() => parseAssignment('optimizer..lr=1')).toThrow(/is not a dotted config key/);
    expect(() => parseAssignment('__proto__.x=1')).toThrow(/is not a dotted config key/);
    expect(() => parseAssignment('optimizer.lr=')).toThrow(/needs a value/);
  });

  it('sets nested paths in a copy, creating objects through null', () => {
    const base = { data: { eval: null as unknown }, seed: 0 };
    const next = setDotted(base, 'data.eval.source', 'builtin:stsb-dev');
    expect(next).toEqual({ data: { eval: { source: 'builtin:stsb-dev' } }, seed: 0 });
    expect(base.data.eval).toBeNull();
    const c = applyAssignments(presetConfig('default'), ['optimizer.lr=1', 'optimizer.lr=2']);
    expect(c.optimizer?.lr).toBe(2);
  });

  it('--set may repeat, and --name=value keeps "=" in the value', () => {
    const f = parseFlags(['--set', 'a=1', '--set=b.c=2', '--out=x'], {
      set: 'list',
      out: 'string',
    });
    expect(f.list('set')).toEqual(['a=1', 'b.c=2']);
    expect(f.string('out')).toBe('x');
  });
});

describe('cplay train --preset', () => {
  it('--max-steps 0 evaluates the untrained default on STS-B dev and exports it', async () => {
    const dir = join(out, 'zero');
    const { value: code, stderr } = await quiet(() =>
      runTrain(['--preset', 'default', '--max-steps', '0', ...TINY_SET, '--out', dir]),
    );
    expect(code).toBe(0);
    const m = lines(dir);
    expect(m).toHaveLength(1);
    expect(m[0]).toMatchObject({ event: 'eval', step: 0, protocol: 'sts-pairs' });
    expect(typeof m[0]!.spearman).toBe('number');
    const b = m[0]!.baselines as { bagOfWords: number; tfidf: number };
    expect(Number.isFinite(b.bagOfWords) && Number.isFinite(b.tfidf)).toBe(true);
    expect(stderr).toMatch(/Evaluating on STS-B dev\./);
    expect(stderr).toMatch(/bag-of-words -?\d+\.\d\d, TF-IDF -?\d+\.\d\d/);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.maxSteps).toBe(0);
    expect(config.encoder.builtin).toEqual({ layers: 1, hidden: 32, heads: 2, intermediate: 64 });
    expect(config.data.train).toMatchObject({ source: 'builtin:wordnet-pairs', kind: 'pairs' });
    expect(config.objective).toMatchObject({ kind: 'simcse-unsup', symmetric: true });
    const hf = JSON.parse(readFileSync(join(dir, 'model', 'config.json'), 'utf8'));
    expect([hf.hidden_size, hf.num_hidden_layers]).toEqual([32, 1]);
    expect(existsSync(join(dir, 'model', 'model.safetensors'))).toBe(true);
  }, 60_000);

  it('--max-steps 2 with --set optimizer values: the steps run at the learning rate set', async () => {
    const dir = join(out, 'two');
    const { value: code } = await quiet(() =>
      runTrain([
        '--preset',
        'default',
        '--max-steps',
        '2',
        ...TINY_SET,
        '--set',
        'optimizer.lr=1e-4',
        '--set',
        'optimizer.warmupSteps=0',
        '--set',
        'optimizer.schedule=constant',
        '--out',
        dir,
      ]),
    );
    expect(code).toBe(0);
    const m = lines(dir);
    expect(m.map((x) => `${x.event}@${x.step}`)).toEqual(['eval@0', 'step@1', 'step@2', 'eval@2']);
    for (const s of m.filter((x) => x.event === 'step')) expect(s.lr).toBeCloseTo(1e-4, 12);
    expect(m[3]!.baselines).toBeUndefined();
  }, 60_000);

  it('every preset id resolves to a valid config', () => {
    for (const p of PRESETS) expect(() => presetConfig(p.id), p.id).not.toThrow();
  });

  it('a bare string reaches the schema: objective.kind=simcse-sup needs triplets', async () => {
    await expect(
      runTrain([
        '--preset',
        'default',
        '--set',
        'objective.kind=simcse-sup',
        '--out',
        join(out, 'x'),
      ]),
    ).rejects.toThrow(/simcse-sup needs training data of kind triplets, got pairs/);
  });

  it('bad use is one clear line: unknown preset, malformed --set, --preset with --config', async () => {
    const cfg = join(out, 'c.json');
    writeFileSync(cfg, '{}');
    const cases: [string[], RegExp][] = [
      [
        ['--preset', 'nope'],
        /^cplay train: There is no preset "nope"; the presets are default, eda, consert, simcse-unsup, /,
      ],
      [['--preset', 'default', '--set', 'lr'], /^cplay train: --set "lr" is not key=value/],
      [
        ['--preset', 'default', '--config', cfg],
        /^cplay train: give --preset or --config, not both\./,
      ],
      [
        ['--preset', 'default', '--max-steps', '-1'],
        /^cplay train: --max-steps must be a whole number/,
      ],
      [[], /^cplay train: give --preset ID \(a playground preset\) or --config FILE\.json\./],
    ];
    for (const [args, want] of cases) {
      const { value: code, stderr } = await quiet(() =>
        main(['train', ...args, '--out', join(out, 'bad')]),
      );
      expect(code, args.join(' ')).toBe(1);
      expect(stderr, args.join(' ')).toMatch(want);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});
