import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crossEntropy,
  logitContrast,
  mse,
  rdrop,
  rdropRegression,
  scl,
  simcseSup,
  simcseUnsup,
  supcon,
} from '../../../src/engine/objectives/index.ts';
import * as tf from '../../../src/engine/tf.ts';
import {
  flat,
  maxAbsDiff,
  measured,
  type ObjectiveCase,
  objectiveCases,
  record,
  tensorOf,
} from './golden.ts';

/**
 * Every objective against PyTorch: the loss value AND d loss / d input for every input
 * tensor (tf.valueAndGrads on the cpu backend, float32) versus torch autograd in float64 on
 * the same float32 inputs (tests/fixtures/objectives/make_objectives.py). Tolerance: 1e-5
 * absolute on the loss and on every gradient element.
 */
const TOL = 1e-5;

type Loss = (xs: tf.Tensor[], c: ObjectiveCase) => tf.Scalar;

const labelsOf = (c: ObjectiveCase) => c.options.labels as number[];
const num = (c: ObjectiveCase, key: string) => c.options[key] as number | undefined;
const t2 = (x: tf.Tensor | undefined) => x as tf.Tensor2D;

const LOSSES: Record<string, Loss> = {
  simcseUnsup: ([z1, z2], c) => {
    const queue = c.options.queueKey ? t2(tensorOf(c.consts.queue!)) : null;
    try {
      return simcseUnsup(t2(z1), t2(z2), {
        temperature: num(c, 'temperature'),
        symmetric: c.options.symmetric === true,
        queue,
      });
    } finally {
      queue?.dispose();
    }
  },
  simcseSup: ([z1, z2, z3], c) =>
    simcseSup(t2(z1), t2(z2), t2(z3), {
      temperature: num(c, 'temperature'),
      hardNegativeWeight: num(c, 'hardNegativeWeight'),
    }),
  supcon: ([f], c) => supcon(t2(f), labelsOf(c), { temperature: num(c, 'temperature') }),
  scl: ([logits, f], c) =>
    scl(t2(logits), t2(f), labelsOf(c), {
      temperature: num(c, 'temperature'),
      lambda: num(c, 'lambda'),
    }),
  crossEntropy: ([logits], c) => crossEntropy(t2(logits), labelsOf(c)),
  mse: ([pred, target]) => mse(pred!, target!),
  rdrop: ([l1, l2], c) => rdrop(t2(l1), t2(l2), labelsOf(c), { alpha: num(c, 'alpha') }),
  rdropRegression: ([p1, p2, y], c) => rdropRegression(p1!, p2!, y!, { alpha: num(c, 'alpha') }),
  logitContrast: ([l1, l2, h1, h2], c) =>
    logitContrast(t2(l1), t2(l2), t2(h1), t2(h2), labelsOf(c), {
      temperature: num(c, 'temperature'),
      alpha: num(c, 'alpha'),
    }),
};

describe('objectives vs PyTorch golden values (loss and gradients, 1e-5)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    console.log('objectives: worst |TF.js − PyTorch|', measured);
  });

  for (const [kind, loss] of Object.entries(LOSSES)) {
    for (const c of objectiveCases(kind)) {
      it(`${c.name}: ${c.note}`, () => {
        const before = tf.memory().numTensors;
        const names = Object.keys(c.inputs);
        const xs = names.map((k) => tensorOf(c.inputs[k]!));
        const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => loss(args, c))(xs);

        const lossErr = Math.abs(value.dataSync()[0]! - c.loss);
        record(`${kind} loss`, lossErr);
        expect(lossErr, `loss ${value.dataSync()[0]} vs torch ${c.loss}`).toBeLessThan(TOL);
        names.forEach((k, i) => {
          const err = maxAbsDiff(grads[i]!.dataSync(), flat(c.grads[k]!));
          record(`${kind} grad`, err);
          expect(err, `d loss / d ${k}`).toBeLessThan(TOL);
        });

        tf.dispose([value, ...grads, ...xs]);
        expect(tf.memory().numTensors, 'no tensor leaked').toBe(before);
      });
    }
  }

  it('the fixtures are not trivial: gradients are non-zero where a loss depends on its input', () => {
    for (const kind of Object.keys(LOSSES)) {
      for (const c of objectiveCases(kind)) {
        if (c.name === 'supcon all anchors without positives') continue;
        expect(c.loss, c.name).toBeGreaterThan(0.05);
        for (const [k, g] of Object.entries(c.grads)) {
          const big = Math.max(...flat(g).map(Math.abs));
          expect(big, `${c.name} d/d${k}`).toBeGreaterThan(1e-3);
        }
      }
    }
  });
});
