/**
 * Poolers on a hand-made encoder output (checked against plain-JS sums), SimCSE's MLP head and the
 * classification head (checked against x·W + b written out in JS).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ClassifierHead,
  type EncoderOutput,
  MlpHead,
  parsePooling,
  pool,
} from '../../../src/engine/model/index.ts';
import * as tf from '../../../src/engine/tf.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** h[b][l][k] = layer*100 + b*10 + l + k/10 for B=2, L=3, H=2; 2 layers. */
function handMade(): EncoderOutput {
  const layer = (n: number) =>
    tf.tensor3d(
      Array.from({ length: 2 }, (_, b) =>
        Array.from({ length: 3 }, (_, l) => [0, 1].map((k) => n * 100 + b * 10 + l + k / 10)),
      ),
    );
  const hiddenStates = [layer(0), layer(1), layer(2)];
  return {
    hiddenStates,
    lastHiddenState: hiddenStates[2]!,
    poolerOutput: tf.tensor2d([
      [7, 8],
      [9, 10],
    ]),
  };
}
const mask = () =>
  tf.tensor2d(
    [
      [1, 1, 1],
      [1, 1, 0],
    ],
    undefined,
    'int32',
  );

/** Plain-JS masked mean of h(layer) for row b over its first n tokens. */
function jsMean(layers: number[], b: number, n: number): number[] {
  return [0, 1].map((k) => {
    let s = 0;
    for (const layer of layers) for (let l = 0; l < n; l++) s += layer * 100 + b * 10 + l + k / 10;
    return s / (n * layers.length);
  });
}

describe('pool (SimCSE definitions)', () => {
  it('cls, cls_before_pooler, mean, avg_first_last (embeddings + last), avg_top2 (last two layers)', () => {
    const out = handMade();
    const m = mask();
    const get = (p: string) => {
      const t = pool(out, m, parsePooling(p));
      const v = t.arraySync() as number[][];
      t.dispose();
      return v;
    };
    expect(get('cls')).toEqual([
      [7, 8],
      [9, 10],
    ]);
    const c = get('cls_before_pooler');
    expect(c[0]![0]).toBeCloseTo(200, 5);
    expect(c[1]![1]).toBeCloseTo(210.1, 4);
    const want: Record<string, number[]> = { mean: [2], avg_first_last: [0, 2], avg_top2: [1, 2] };
    for (const [p, layers] of Object.entries(want)) {
      const v = get(p);
      [jsMean(layers, 0, 3), jsMean(layers, 1, 2)].forEach((row, b) => {
        row.forEach((x, k) => {
          expect(v[b]![k]).toBeCloseTo(x, 4);
        });
      });
    }
    tf.dispose([out, m]);
  });

  it('an unknown pooling is a UserError listing the valid ones', () => {
    expect(() => parsePooling('max', '--pooling')).toThrow(
      'Unknown --pooling "max"; choose one of cls, cls_before_pooler, mean, avg_first_last, avg_top2.',
    );
  });
});

/** x·W + b in plain JS, W stored [in, out]. */
function jsLinear(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => b.map((bj, j) => row.reduce((s, xi, i) => s + xi * w[i]![j]!, bj)));
}

describe('MlpHead', () => {
  it('is tanh(x·W + b) with HF names mlp.dense.weight / mlp.dense.bias', () => {
    const head = MlpHead.random(4, 3, 0.5);
    const v = head.variables();
    expect([...v.keys()]).toEqual(['mlp.dense.weight', 'mlp.dense.bias']);
    const w = v.get('mlp.dense.weight')!.arraySync() as number[][];
    v.get('mlp.dense.bias')!.assign(tf.tensor1d([0.1, -0.2, 0.3, 0]));
    const x = [
      [1, 2, 3, 4],
      [-1, 0.5, 0, 2],
    ];
    const y = head.forward(tf.tensor2d(x));
    const want = jsLinear(x, w, [0.1, -0.2, 0.3, 0]).map((r) => r.map(Math.tanh));
    (y.arraySync() as number[][]).forEach((r, i) => {
      r.forEach((val, j) => {
        expect(val).toBeCloseTo(want[i]![j]!, 5);
      });
    });
    y.dispose();
    head.dispose();
  });
});

describe('ClassifierHead', () => {
  const xs = [
    [1, -1, 0.5, 2],
    [0, 3, -2, 1],
  ];
  let x: tf.Tensor2D;
  beforeAll(() => {
    x = tf.tensor2d(xs);
  });

  it('in eval mode is x·W + b, [B, numLabels]; numLabels = 1 is a regression output [B, 1]', () => {
    const w = [
      [1, 0, -1],
      [0.5, 2, 0],
      [0, 0, 1],
      [-1, 1, 0.25],
    ];
    const b = [0.1, 0.2, 0.3];
    const head = ClassifierHead.fromWeights(
      4,
      3,
      new Map<string, tf.Tensor>([
        ['classifier.weight', tf.tensor2d(w)],
        ['classifier.bias', tf.tensor1d(b)],
      ]),
    );
    expect([...head.variables().keys()]).toEqual(['classifier.weight', 'classifier.bias']);
    const y = head.forward(x, { training: false, dropoutSeed: 1 });
    const want = jsLinear(xs, w, b);
    (y.arraySync() as number[][]).forEach((r, i) => {
      r.forEach((val, j) => {
        expect(val).toBeCloseTo(want[i]![j]!, 5);
      });
    });
    const reg = ClassifierHead.random(4, 1, 2);
    const r = reg.forward(x, { training: false });
    expect(r.shape).toEqual([2, 1]);
    tf.dispose([y, r]);
    head.dispose();
    reg.dispose();
  });

  it('dropout in training is replayable by seed and differs across seeds', () => {
    const head = ClassifierHead.random(4, 3, 5, 0.5, 1);
    const ev = head.forward(x, { training: false });
    const a = head.forward(x, { training: true, dropoutSeed: 1 });
    const a2 = head.forward(x, { training: true, dropoutSeed: 1 });
    const c = head.forward(x, { training: true, dropoutSeed: 2 });
    const d = (p: tf.Tensor, q: tf.Tensor) => tf.max(tf.abs(p.sub(q))).dataSync()[0]!;
    expect(d(a, a2)).toBe(0);
    expect(d(a, c)).toBeGreaterThan(0);
    expect(d(a, ev)).toBeGreaterThan(0);
    tf.dispose([ev, a, a2, c]);
    head.dispose();
  });
});
