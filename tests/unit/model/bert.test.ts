/**
 * The TF.js BertModel against the PyTorch reference in tests/fixtures/model/make_model.py
 * (plain-torch HF BertModel, float32, eval mode; weights in tests/fixtures/model/tiny-bert).
 * Tolerance: 1e-4 max abs on every output (measured: ~1e-6, see the logged values).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BertModel,
  type EncoderOutput,
  HIDDEN_ACTS,
  POOLINGS,
  parseBertConfig,
  pool,
} from '../../../src/engine/model/index.ts';
import { folderSource } from '../../../src/engine/node/folderSource.ts';
import * as tf from '../../../src/engine/tf.ts';
import { loadModelFolder } from '../../../src/engine/weights/modelFolder.ts';
import { golden, inputsOf, maxAbsDiff, TINY_BERT } from './golden.ts';

const TOL = 1e-4;
let model: BertModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = (await loadModelFolder(folderSource(TINY_BERT))).model;
});
afterAll(() => model.dispose());

function evalForward(m: BertModel, batch: ReturnType<typeof inputsOf>): EncoderOutput {
  return m.forward(batch, { training: false });
}

describe('BertModel vs PyTorch (golden.json)', () => {
  for (const name of ['en', 'zh', 'pair', 'en_shuffled']) {
    it(`batch "${name}": last_hidden_state and every pooler within ${TOL}`, () => {
      const b = golden().batches[name]!;
      const inputs = inputsOf(b.inputs);
      const out = evalForward(model, inputs);
      const diffs: Record<string, number> = {
        last_hidden_state: maxAbsDiff(out.lastHiddenState, b.outputs.last_hidden_state),
      };
      for (const p of POOLINGS) {
        const pooled = pool(out, inputs.attentionMask, p);
        diffs[p] = maxAbsDiff(pooled, b.outputs.pooled[p]!);
        pooled.dispose();
      }
      console.log(`max abs diff vs torch, batch ${name}:`, diffs);
      for (const d of Object.values(diffs)) expect(d).toBeLessThan(TOL);
      tf.dispose([out, inputs]);
    });
  }

  it('hiddenStates are the embedding output then each layer (HF output_hidden_states)', () => {
    const b = golden().batches.en!;
    const inputs = inputsOf(b.inputs);
    const out = evalForward(model, inputs);
    expect(out.hiddenStates).toHaveLength(3);
    expect(out.hiddenStates[2]).toBe(out.lastHiddenState);
    for (let i = 0; i < 2; i++)
      expect(maxAbsDiff(out.hiddenStates[i]!, b.outputs.hidden_states![i]!)).toBeLessThan(TOL);
    tf.dispose([out, inputs]);
  });

  it('shuffled position ids change the output (the en_shuffled golden differs from en)', () => {
    const g = golden().batches;
    expect(
      maxAbsDiff(
        new Float32Array((g.en!.outputs.last_hidden_state as number[][][]).flat(2)),
        g.en_shuffled!.outputs.last_hidden_state,
      ),
    ).toBeGreaterThan(0.1);
  });

  it('padding does not change a row: a row alone equals the same row in a padded batch', () => {
    const b = golden().batches.en!.inputs;
    const n = b.attention_mask[2]!.reduce((a, v) => a + v, 0);
    const alone = inputsOf({
      input_ids: [b.input_ids[2]!.slice(0, n)],
      attention_mask: [b.attention_mask[2]!.slice(0, n)],
      token_type_ids: [b.token_type_ids[2]!.slice(0, n)],
    });
    const full = inputsOf(b);
    const a = evalForward(model, alone);
    const f = evalForward(model, full);
    const row = f.lastHiddenState.slice([2, 0, 0], [1, n, 32]);
    expect(tf.max(tf.abs(row.sub(a.lastHiddenState))).dataSync()[0]).toBeLessThan(1e-5);
    tf.dispose([a, f, row, alone, full]);
  });
});

describe('hidden_act variants vs PyTorch', () => {
  const acts = golden().activations;
  for (const act of HIDDEN_ACTS) {
    it(`${act}: last_hidden_state and pooler_output within ${TOL}`, async () => {
      const folder = await loadModelFolder(folderSource(TINY_BERT));
      const config = parseBertConfig({ ...golden().config, hidden_act: act });
      const m = BertModel.fromWeights(config, folder.model.variables());
      const inputs = inputsOf(acts.inputs);
      const out = evalForward(m, inputs);
      const d1 = maxAbsDiff(out.lastHiddenState, acts[act]!.last_hidden_state);
      const d2 = maxAbsDiff(out.poolerOutput, acts[act]!.pooler_output);
      console.log(`${act}: max abs diff ${d1.toExponential(2)} / pooler ${d2.toExponential(2)}`);
      expect(d1).toBeLessThan(TOL);
      expect(d2).toBeLessThan(TOL);
      tf.dispose([out, inputs]);
      m.dispose();
      folder.model.dispose();
    });
  }

  it('the goldens tell the erf and tanh GELUs apart (so the checks above can fail)', () => {
    expect(
      maxAbsDiff(
        new Float32Array((acts.gelu!.last_hidden_state as number[][][]).flat(2)),
        acts.gelu_new!.last_hidden_state,
      ),
    ).toBeGreaterThan(3 * TOL);
  });
});

describe('dropout', () => {
  const b = () => inputsOf(golden().batches.en!.inputs);
  const diff = (x: tf.Tensor, y: tf.Tensor) => tf.max(tf.abs(x.sub(y))).dataSync()[0]!;

  it('eval mode applies none, whatever the seed and rates', () => {
    const inputs = b();
    const a = model.forward(inputs, {
      training: false,
      dropoutSeed: 1,
      hiddenDropout: 0.5,
      attentionDropout: 0.5,
    });
    expect(
      maxAbsDiff(a.lastHiddenState, golden().batches.en!.outputs.last_hidden_state),
    ).toBeLessThan(TOL);
    tf.dispose([a, inputs]);
  });

  it('same dropoutSeed → bit-identical outputs and gradients; different seed → different', () => {
    const inputs = b();
    const run = (seed: number) => model.forward(inputs, { training: true, dropoutSeed: seed });
    const a = run(7);
    const a2 = run(7);
    const c = run(8);
    expect(diff(a.lastHiddenState, a2.lastHiddenState)).toBe(0);
    expect(diff(a.poolerOutput, a2.poolerOutput)).toBe(0);
    expect(diff(a.lastHiddenState, c.lastHiddenState)).toBeGreaterThan(1e-2);
    const ev = model.forward(inputs, { training: false });
    expect(diff(a.lastHiddenState, ev.lastHiddenState)).toBeGreaterThan(1e-2);

    // GradCache replays a pass for its gradient: the same seed must give the same gradient.
    const vars = [...model.variables().values()];
    const grads = (seed: number) =>
      tf.variableGrads(() => {
        const o = model.forward(inputs, { training: true, dropoutSeed: seed });
        return pool(o, inputs.attentionMask, 'cls').square().sum() as tf.Scalar;
      }, vars);
    const g1 = grads(3);
    const g2 = grads(3);
    for (const [name, g] of Object.entries(g1.grads)) expect(diff(g, g2.grads[name]!)).toBe(0);
    tf.dispose([a, a2, c, ev, inputs, g1.value, g2.value, g1.grads, g2.grads]);
  });

  it('masks differ per row: the batch [x, x] gives two different views (unsupervised SimCSE)', () => {
    const e = golden().batches.en!.inputs;
    const twice = inputsOf({
      input_ids: [e.input_ids[0]!, e.input_ids[0]!],
      attention_mask: [e.attention_mask[0]!, e.attention_mask[0]!],
      token_type_ids: [e.token_type_ids[0]!, e.token_type_ids[0]!],
    });
    const out = model.forward(twice, { training: true, dropoutSeed: 11 });
    const z = pool(out, twice.attentionMask, 'cls_before_pooler');
    const [r0, r1] = tf.split(z, 2);
    expect(diff(r0!, r1!)).toBeGreaterThan(1e-2);
    tf.dispose([out, z, r0!, r1!, twice]);
  });

  it('without a dropoutSeed, successive training passes differ', () => {
    const inputs = b();
    const a = model.forward(inputs, { training: true });
    const c = model.forward(inputs, { training: true });
    expect(diff(a.lastHiddenState, c.lastHiddenState)).toBeGreaterThan(1e-2);
    tf.dispose([a, c, inputs]);
  });

  it('hiddenDropout p drops ~p of the embedding output and scales the rest by 1/(1-p)', () => {
    const inputs = b();
    const ev = model.forward(inputs, { training: false });
    const tr = model.forward(inputs, {
      training: true,
      dropoutSeed: 5,
      hiddenDropout: 0.5,
      attentionDropout: 0,
    });
    const e0 = ev.hiddenStates[0]!.dataSync();
    const t0 = tr.hiddenStates[0]!.dataSync();
    let dropped = 0;
    for (let i = 0; i < e0.length; i++) {
      if (t0[i] === 0) dropped++;
      else expect(Math.abs(t0[i]! - 2 * e0[i]!)).toBeLessThan(1e-5);
    }
    expect(dropped / e0.length).toBeGreaterThan(0.45);
    expect(dropped / e0.length).toBeLessThan(0.55);
    tf.dispose([ev, tr, inputs]);
  });

  it('attention dropout alone changes the output; both rates 0 in training equals eval', () => {
    const inputs = b();
    const ev = model.forward(inputs, { training: false });
    const att = model.forward(inputs, {
      training: true,
      dropoutSeed: 2,
      hiddenDropout: 0,
      attentionDropout: 0.3,
    });
    const none = model.forward(inputs, {
      training: true,
      dropoutSeed: 2,
      hiddenDropout: 0,
      attentionDropout: 0,
    });
    expect(diff(att.hiddenStates[0]!, ev.hiddenStates[0]!)).toBe(0); // embeddings untouched
    expect(diff(att.lastHiddenState, ev.lastHiddenState)).toBeGreaterThan(1e-2);
    expect(diff(none.lastHiddenState, ev.lastHiddenState)).toBe(0);
    tf.dispose([ev, att, none, inputs]);
  });
});

describe('embeddingHook', () => {
  it('sees the embedding output and its result is hiddenStates[0] and feeds layer 0', () => {
    const b = golden().batches.en!;
    const inputs = inputsOf(b.inputs);
    let seen = Number.NaN;
    const out = model.forward(inputs, {
      training: false,
      embeddingHook: (e) => {
        seen = maxAbsDiff(e, b.outputs.hidden_states![0]!);
        return e.mul(0.5);
      },
    });
    expect(seen).toBeLessThan(TOL);
    const half = tf.tensor(b.outputs.hidden_states![0]! as number[][][]).mul(0.5);
    expect(maxAbsDiff(out.hiddenStates[0]!, half.arraySync() as number[][][])).toBeLessThan(TOL);
    expect(maxAbsDiff(out.lastHiddenState, b.outputs.last_hidden_state)).toBeGreaterThan(1e-2);
    tf.dispose([out, inputs, half]);
  });
});

describe('BertModel.random and variables()', () => {
  const config = parseBertConfig({ ...golden().config });

  it('has exactly the HF BertModel parameter names (without bert.) and shapes ([in, out] Linear weights)', async () => {
    const m = BertModel.random(config, 1);
    const names = [...m.variables().keys()];
    expect(names).toHaveLength(5 + 2 * 16 + 2);
    expect(names).toContain('encoder.layer.0.attention.self.query.weight');
    expect(names).toContain('encoder.layer.1.output.LayerNorm.bias');
    expect(m.variables().get('encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([32, 64]);
    expect(m.variables().get('encoder.layer.0.output.dense.weight')!.shape).toEqual([64, 32]);
    m.dispose();
  });

  it('initialises as BERT: normal(0, 0.02) weights, zero biases, LayerNorm 1/0, pad row 0; seeded', () => {
    const m = BertModel.random(config, 1);
    const m2 = BertModel.random(config, 1);
    const m3 = BertModel.random(config, 2);
    const v = m.variables();
    const w = v.get('encoder.layer.0.intermediate.dense.weight')!;
    const { mean, variance } = tf.moments(w);
    expect(Math.abs(mean.dataSync()[0]!)).toBeLessThan(0.003);
    expect(Math.sqrt(variance.dataSync()[0]!)).toBeCloseTo(0.02, 2);
    expect(tf.max(tf.abs(v.get('encoder.layer.0.intermediate.dense.bias')!)).dataSync()[0]).toBe(0);
    expect([...v.get('embeddings.LayerNorm.weight')!.dataSync()].every((x) => x === 1)).toBe(true);
    const word = v.get('embeddings.word_embeddings.weight')!;
    expect(tf.max(tf.abs(word.slice([0, 0], [1, 32]))).dataSync()[0]).toBe(0); // pad_token_id 0
    expect(tf.max(tf.abs(word.slice([1, 0], [1, 32]))).dataSync()[0]).toBeGreaterThan(0);
    expect(
      tf
        .max(tf.abs(w.sub(m2.variables().get('encoder.layer.0.intermediate.dense.weight')!)))
        .dataSync()[0],
    ).toBe(0);
    expect(
      tf
        .max(tf.abs(w.sub(m3.variables().get('encoder.layer.0.intermediate.dense.weight')!)))
        .dataSync()[0],
    ).toBeGreaterThan(0);
    tf.dispose([mean, variance]);
    for (const x of [m, m2, m3]) x.dispose();
  });

  it('every variable gets a gradient from a pooled loss', () => {
    const m = BertModel.random(config, 3);
    const inputs = inputsOf(golden().batches.pair!.inputs);
    const vars = [...m.variables().values()];
    const { value, grads } = tf.variableGrads(() => {
      const o = m.forward(inputs, { training: true, dropoutSeed: 1 });
      return pool(o, inputs.attentionMask, 'cls')
        .sum()
        .add(pool(o, inputs.attentionMask, 'mean').square().sum()) as tf.Scalar;
    }, vars);
    expect(Object.keys(grads)).toHaveLength(vars.length);
    for (const g of Object.values(grads))
      expect(tf.max(tf.abs(g)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([value, grads, inputs]);
    m.dispose();
  });

  it('forward, pool and training passes leave no tensors behind once the output is disposed', () => {
    const inputs = inputsOf(golden().batches.pair!.inputs);
    const before = tf.memory().numTensors;
    for (const training of [false, true]) {
      const out = model.forward(inputs, {
        training,
        dropoutSeed: 4,
        embeddingHook: (e) => e.mul(1.5),
      });
      const z = pool(out, inputs.attentionMask, 'avg_first_last');
      tf.dispose([out, z]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(inputs);
  });

  it('a sequence longer than max_position_embeddings is a UserError', () => {
    const L = config.max_position_embeddings + 1;
    const ids = tf.ones([1, L], 'int32') as tf.Tensor2D;
    expect(() => model.forward({ inputIds: ids, attentionMask: ids }, { training: false })).toThrow(
      /max_position_embeddings \(40\)/,
    );
    ids.dispose();
  });
});
