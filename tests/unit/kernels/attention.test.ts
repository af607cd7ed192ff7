import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionContext, attentionScores } from '../../../src/engine/kernels/attention.ts';
import {
  setWasmKernelsEnabled,
  wasmKernelsReady,
} from '../../../src/engine/kernels/wasmKernels.ts';
import type { BertModel, EncoderInputs } from '../../../src/engine/model/index.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import { loadModelFolder } from '../../../src/engine/weights/modelFolder.ts';
import { useNodeWasmBackend } from '../../helpers/backends.ts';
import { golden, inputsOf, maxAbsDiff, TINY_BERT } from '../model/golden.ts';

/**
 * attention.ts on wasm (the own kernels) against its stock path (the ops bert.ts used before:
 * split → tf.matMul → div / merge) on cpu and on wasm, and the whole encoder on wasm with the
 * own kernels against PyTorch's golden outputs and against itself with them turned off.
 */

/** Max of |x - y| / (1 + |y|). */
function relDiff(x: tf.Tensor, y: tf.Tensor): number {
  expect(x.shape).toEqual(y.shape);
  const xs = x.dataSync();
  const ys = y.dataSync();
  let m = 0;
  for (let i = 0; i < xs.length; i++)
    m = Math.max(m, Math.abs(xs[i]! - ys[i]!) / (1 + Math.abs(ys[i]!)));
  return m;
}

/** scores → softmax → context with value and gradients w.r.t. q, k, v, as bert.ts chains them. */
function attentionPass(heads: number) {
  return tf.tidy(() => {
    const q = tf.randomNormal([3, 11, 24], 0, 1, 'float32', 1) as tf.Tensor3D;
    const k = tf.randomNormal([3, 11, 24], 0, 1, 'float32', 2) as tf.Tensor3D;
    const v = tf.randomNormal([3, 11, 24], 0, 1, 'float32', 3) as tf.Tensor3D;
    const r = tf.randomNormal([3, 11, 24], 0, 1, 'float32', 4);
    const f = (qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) => {
      const s = attentionScores(qi as tf.Tensor3D, ki as tf.Tensor3D, heads);
      return attentionContext(tf.softmax(s) as tf.Tensor4D, vi as tf.Tensor3D, heads);
    };
    const scores = attentionScores(q, k, heads);
    const out = f(q, k, v);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(f(a, b, c).mul(r)))(
      [q, k, v],
    );
    return [scores, out, ...grads];
  });
}

/** Encoder outputs and every variable's gradient of sum(last·r) + sum(pooler), training mode. */
function trainingPass(model: BertModel, inputs: EncoderInputs): tf.Tensor[] {
  return tf.tidy(() => {
    const opts = { training: true, dropoutSeed: 77 };
    const out = model.forward(inputs, opts);
    const r = tf.randomNormal(out.lastHiddenState.shape, 0, 1, 'float32', 5);
    const vars = [...model.variables().values()];
    const { grads } = tf.variableGrads(() => {
      const o = model.forward(inputs, opts);
      return tf.add(tf.sum(o.lastHiddenState.mul(r)), tf.sum(o.poolerOutput)) as tf.Scalar;
    }, vars);
    return [out.lastHiddenState, out.poolerOutput, ...vars.map((v) => grads[v.name]!)];
  });
}

describe('attention products', () => {
  let restore: () => Promise<void>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    restore = await useNodeWasmBackend();
  });
  afterAll(async () => {
    setWasmKernelsEnabled(true);
    await restore();
  });

  for (const heads of [1, 3, 4]) {
    it(`own kernels on wasm = stock ops on cpu and on wasm: scores, context and ∂q ∂k ∂v within 2e-5 (${heads} heads)`, async () => {
      expect(wasmKernelsReady()).toBe(true);
      const ours = attentionPass(heads);
      setWasmKernelsEnabled(false);
      expect(wasmKernelsReady()).toBe(false);
      const stockWasm = attentionPass(heads);
      setWasmKernelsEnabled(true);
      await tf.setBackend('cpu');
      const stockCpu = attentionPass(heads);
      await tf.setBackend('wasm');
      expect(ours[0]!.shape).toEqual([3, heads, 11, 11]);
      expect(ours[1]!.shape).toEqual([3, 11, 24]);
      for (let i = 0; i < ours.length; i++) {
        expect(relDiff(ours[i]!, stockWasm[i]!)).toBeLessThan(2e-5);
        expect(relDiff(ours[i]!, stockCpu[i]!)).toBeLessThan(2e-5);
      }
      tf.dispose([...ours, ...stockWasm, ...stockCpu]);
    });
  }

  describe('the whole encoder on wasm (tests/fixtures/model/tiny-bert: hidden 32, 4 heads, 2 layers)', () => {
    let model: BertModel;
    beforeAll(async () => {
      model = (await loadModelFolder(folderSource(TINY_BERT))).model;
    });
    afterAll(() => model.dispose());

    for (const name of ['en', 'zh', 'pair']) {
      it(`eval forward with the own kernels matches PyTorch's last_hidden_state within 1e-4 (batch "${name}")`, () => {
        expect(wasmKernelsReady()).toBe(true);
        const b = golden().batches[name]!;
        const inputs = inputsOf(b.inputs);
        const out = model.forward(inputs, { training: false });
        expect(maxAbsDiff(out.lastHiddenState, b.outputs.last_hidden_state)).toBeLessThan(1e-4);
        tf.dispose([out, inputs]);
      });
    }

    it('training forward (dropout on) and all 39 gradients equal the stock wasm path within 1e-4 relative', () => {
      const inputs = inputsOf(golden().batches.en!.inputs);
      const ours = trainingPass(model, inputs);
      setWasmKernelsEnabled(false);
      const stock = trainingPass(model, inputs);
      setWasmKernelsEnabled(true);
      expect(ours).toHaveLength(2 + 39);
      // Gradients pass through LayerNorm (1/σ amplifies rounding); 1e-4 of 1 + |g|.
      for (let i = 0; i < ours.length; i++) expect(relDiff(ours[i]!, stock[i]!)).toBeLessThan(1e-4);
      // and not trivially: the gradients are not all zero.
      expect(tf.max(tf.abs(ours[5]!)).dataSync()[0]).toBeGreaterThan(1e-3);
      tf.dispose([...ours, ...stock, inputs]);
    });
  });
});
