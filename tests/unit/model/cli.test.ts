/**
 * `cplay embed` / `cplay eval` run on the tiny-bert fixture folder. Expected numbers come from
 * tests/fixtures/model/make_model.py: golden.json's text.embeddings (each sentence tokenised by the
 * script's BasicTokenizer + WordPiece and embedded alone, unpadded, by plain torch) and
 * text.sts_eval_mean (cosine of mean-pooled embeddings, scipy spearmanr / pearsonr × 100).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../cli/commands/common.ts';
import { runEmbed } from '../../../cli/commands/embed.ts';
import { runEval } from '../../../cli/commands/eval.ts';
import * as tf from '../../../src/engine/tf.ts';
import { golden, maxAbsDiff, TINY_BERT } from './golden.ts';

let dir: string;
let inputFile: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'cplay-cli-'));
  inputFile = join(dir, 'sentences.txt');
  writeFileSync(inputFile, `${golden().text.sentences.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CliIO & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => {
      io.stdout += t;
    },
    err: (t: string) => {
      io.stderr += t;
    },
  };
  return io;
}

/** Parse a .npy v1.0 '<f4' C-order 2-D file (checks the layout numpy.load relies on). */
function readNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const hlen = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  expect((10 + hlen) % 64).toBe(0);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + hlen));
  expect(header.endsWith('\n')).toBe(true);
  const m = /^\{'descr': '<f4', 'fortran_order': False, 'shape': \((\d+), (\d+)\), \} *\n$/.exec(
    header,
  );
  expect(m).not.toBeNull();
  const shape = [Number(m![1]), Number(m![2])];
  const body = bytes.slice(10 + hlen);
  expect(body.length).toBe(shape[0]! * shape[1]! * 4);
  return { shape, data: new Float32Array(body.buffer) };
}

describe('cplay embed', () => {
  for (const pooling of ['cls', 'cls_before_pooler', 'mean', 'avg_first_last', 'avg_top2']) {
    it(`--pooling ${pooling} writes [n, 32] float32 .npy equal to torch within 1e-4 (batched, sorted, padded)`, async () => {
      const out = join(dir, `${pooling}.npy`);
      const io = capture();
      const code = await runEmbed(
        [
          '--model',
          TINY_BERT,
          '--input',
          inputFile,
          '--out',
          out,
          '--pooling',
          pooling,
          '--batch-size',
          '5',
        ],
        io,
      );
      expect(io.stderr).toMatch(/^cplay embed: 17 sentences → .* \[17, 32\]/);
      expect(code).toBe(0);
      const npy = readNpy(new Uint8Array(readFileSync(out)));
      expect(npy.shape).toEqual([17, 32]);
      const d = maxAbsDiff(npy.data, golden().text.embeddings[pooling]!);
      console.log(`cplay embed --pooling ${pooling}: max abs diff vs torch ${d.toExponential(2)}`);
      expect(d).toBeLessThan(1e-4);
    });
  }

  it("without --pooling uses the folder's 1_Pooling (mean); .json output holds the same numbers", async () => {
    const out = join(dir, 'default.json');
    const io = capture();
    expect(await runEmbed(['--model', TINY_BERT, '--input', inputFile, '--out', out], io)).toBe(0);
    expect(io.stderr).toMatch(/\(mean pooling, max length 40\)/);
    const rows = JSON.parse(readFileSync(out, 'utf8')) as number[][];
    expect(rows).toHaveLength(17);
    expect(maxAbsDiff(rows.flat(), golden().text.embeddings.mean!)).toBeLessThan(1e-4);
  });

  it('--backend wasm gives the same embeddings', async () => {
    const out = join(dir, 'wasm.npy');
    try {
      expect(
        await runEmbed(
          [
            '--model',
            TINY_BERT,
            '--input',
            inputFile,
            '--out',
            out,
            '--backend',
            'wasm',
            '--pooling',
            'cls',
          ],
          capture(),
        ),
      ).toBe(0);
      expect(tf.getBackend()).toBe('wasm');
    } finally {
      await tf.setBackend('cpu');
    }
    expect(
      maxAbsDiff(readNpy(new Uint8Array(readFileSync(out))).data, golden().text.embeddings.cls!),
    ).toBeLessThan(1e-4);
  });
});

describe('cplay eval', () => {
  it('prints {"spearman","pearson","n"} × 100 matching scipy on the same pairs', async () => {
    const tsv = join(dir, 'pairs.tsv');
    const pairs = golden().text.sts_pairs;
    writeFileSync(
      tsv,
      `sentence1\tsentence2\tscore\n${pairs.map((p) => p.join('\t')).join('\n')}\n`,
    );
    const io = capture();
    expect(await runEval(['--model', TINY_BERT, '--data', tsv, '--pooling', 'mean'], io)).toBe(0);
    expect(io.stdout.split('\n')).toHaveLength(2);
    const got = JSON.parse(io.stdout) as { spearman: number; pearson: number; n: number };
    const want = (golden().text as unknown as { sts_eval_mean: typeof got }).sts_eval_mean;
    expect(got.n).toBe(want.n);
    expect(got.spearman).toBeCloseTo(want.spearman, 6);
    expect(got.pearson).toBeCloseTo(want.pearson, 3);
  });
});

describe('bad input: non-zero exit, one clear line on stderr, no stack trace', () => {
  async function fails(run: (io: CliIO) => Promise<number>, pattern: RegExp) {
    const io = capture();
    const code = await run(io);
    expect(code).not.toBe(0);
    expect(io.stdout).toBe('');
    const lines = io.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
    expect(io.stderr).not.toMatch(/\n\s+at /);
  }
  const embed =
    (...args: string[]) =>
    (io: CliIO) =>
      runEmbed(args, io);

  it('missing model folder', async () => {
    await fails(
      embed('--model', join(dir, 'nope'), '--input', inputFile, '--out', join(dir, 'x.npy')),
      /^cplay embed: Model folder .*nope does not exist\.$/,
    );
  });

  it('unknown pooling', async () => {
    await fails(
      embed(
        '--model',
        TINY_BERT,
        '--input',
        inputFile,
        '--out',
        join(dir, 'x.npy'),
        '--pooling',
        'max',
      ),
      /^cplay embed: Unknown --pooling "max"; choose one of cls, /,
    );
  });

  it('malformed safetensors', async () => {
    const broken = join(dir, 'broken-model');
    cpSync(TINY_BERT, broken, { recursive: true });
    truncateSync(join(broken, 'model.safetensors'), 5000);
    await fails(
      embed('--model', broken, '--input', inputFile, '--out', join(dir, 'x.npy')),
      /^cplay embed: .*broken-model\/model\.safetensors: tensor "[^"]+" has data_offsets \[\d+, \d+\] past the end of the data section/,
    );
  });

  it('pickle-only model folder', async () => {
    const pk = join(dir, 'pk');
    cpSync(TINY_BERT, pk, { recursive: true });
    rmSync(join(pk, 'model.safetensors'));
    writeFileSync(join(pk, 'pytorch_model.bin'), 'not really a pickle');
    await fails(
      embed('--model', pk, '--input', inputFile, '--out', join(dir, 'x.npy')),
      /has only pytorch_model\.bin, a pickle checkpoint, which is refused for safety/,
    );
  });

  it('non-UTF-8 input file names the line', async () => {
    const bad = join(dir, 'latin1.txt');
    writeFileSync(
      bad,
      Buffer.concat([
        Buffer.from('fine\nalso fine\n'),
        Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
      ]),
    );
    await fails(
      embed('--model', TINY_BERT, '--input', bad, '--out', join(dir, 'x.npy')),
      /^cplay embed: input file .*latin1\.txt is not valid UTF-8 \(first bad byte on line 3\)\.$/,
    );
  });

  it('missing and unknown flags, bad --out, --max-length over the position table', async () => {
    await fails(
      embed('--model', TINY_BERT, '--out', join(dir, 'x.npy')),
      /^cplay embed: --input is required\.$/,
    );
    await fails(
      embed(
        '--model',
        TINY_BERT,
        '--input',
        inputFile,
        '--out',
        join(dir, 'x.npy'),
        '--poolin',
        'cls',
      ),
      /unknown flag --poolin/,
    );
    await fails(
      embed('--model', TINY_BERT, '--input', inputFile, '--out', join(dir, 'x.csv')),
      /--out .*x\.csv must end in \.npy or \.json/,
    );
    await fails(
      embed(
        '--model',
        TINY_BERT,
        '--input',
        inputFile,
        '--out',
        join(dir, 'x.npy'),
        '--max-length',
        '41',
      ),
      /--max-length 41 is longer than the model's max_position_embeddings \(40\)/,
    );
    await fails(
      embed(
        '--model',
        TINY_BERT,
        '--input',
        inputFile,
        '--out',
        join(dir, 'x.npy'),
        '--backend',
        'webgpu',
      ),
      /--backend webgpu is not one of cpu, wasm, auto/,
    );
  });

  it('eval: missing header, bad score, missing file', async () => {
    const noHeader = join(dir, 'nohead.tsv');
    writeFileSync(noHeader, 'a\tb\t1\nc\td\t2\n');
    await fails(
      (io) => runEval(['--model', TINY_BERT, '--data', noHeader], io),
      /nohead\.tsv: line 1 must be a header naming the columns sentence1, sentence2 and score/,
    );
    const badScore = join(dir, 'bad.tsv');
    writeFileSync(badScore, 'sentence1\tsentence2\tscore\na\tb\t1\nc\td\thigh\n');
    await fails(
      (io) => runEval(['--model', TINY_BERT, '--data', badScore], io),
      /bad\.tsv: line 3: score "high" is not a number/,
    );
    await fails(
      (io) => runEval(['--model', TINY_BERT, '--data', join(dir, 'none.tsv')], io),
      /data file .*none\.tsv does not exist/,
    );
  });
});
