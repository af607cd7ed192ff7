import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runTrain } from '../../../cli/commands/train.ts';
import { readSafetensors, toFloat32 } from '../../../src/engine/weights/safetensors.ts';
import { FIXTURES } from '../../helpers/paths.ts';

/**
 * `cplay train` with SGD (lr 0.1), shuffle off, dropout 0 and maxSteps 1, from the weights in
 * tests/fixtures/train/tiny-bert-cls, must equal one SGD step of the PyTorch reference
 * (tests/fixtures/train/make_train.py) on the same batch: the loss, the gradient norm and every
 * updated BERT weight within 1e-5.
 */
const dir = join(FIXTURES, 'train');
const golden = JSON.parse(readFileSync(join(dir, 'sgd_step.json'), 'utf8')) as Record<
  string,
  { loss: number; gradNorm: number }
>;
const out = mkdtempSync(join(tmpdir(), 'cplay-train-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function tensors(path: string): Map<string, Float32Array> {
  const f = readSafetensors(new Uint8Array(readFileSync(path)), path);
  const m = new Map<string, Float32Array>();
  for (const [name, entry] of f.tensors) {
    if (entry.dtype.startsWith('F'))
      m.set(name.replace(/^bert\./, ''), toFloat32(entry, name, path));
  }
  return m;
}

describe('cplay train: one SGD step equals the PyTorch reference', () => {
  for (const kind of ['simcse-unsup', 'simcse-sup', 'rdrop']) {
    it(kind, async () => {
      const o = join(out, kind);
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const code = await runTrain(['--config', join(dir, `sgd-${kind}.config.json`), '--out', o]);
      stderr.mockRestore();
      expect(code).toBe(0);
      const step = JSON.parse(readFileSync(join(o, 'metrics.jsonl'), 'utf8').split('\n')[0]!);
      // The loss of the step (before the update) and the global gradient norm.
      expect(step.loss).toBeCloseTo(golden[kind]!.loss, 5);
      expect(
        Math.abs(step.gradNorm - golden[kind]!.gradNorm) / golden[kind]!.gradNorm,
      ).toBeLessThan(1e-5);
      const ours = tensors(join(o, 'model', 'model.safetensors'));
      const ref = tensors(join(dir, `sgd-${kind}.safetensors`));
      let worst = 0;
      let compared = 0;
      for (const [name, want] of ref) {
        const got = ours.get(name);
        expect(got, `${name} is missing from the exported model`).toBeDefined();
        expect(got!.length).toBe(want.length);
        for (let i = 0; i < want.length; i++)
          worst = Math.max(worst, Math.abs(got![i]! - want[i]!));
        compared++;
      }
      expect(compared).toBe(39); // every BERT weight: embeddings, 2 layers, pooler
      expect(worst).toBeLessThan(1e-5);
    });
  }
});
