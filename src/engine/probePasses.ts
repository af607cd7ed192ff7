/**
 * What the backend probe runs on a candidate backend: a screen (one FFN-shaped matrix product) and
 * encoder passes (a random BERT of the run's shape, forward and backward, as a training step).
 */
import type { ProbeCandidate, ProbePlan } from './backendProbe.ts';
import { BertModel, builtinBertConfig } from './model/index.ts';
import { simcseUnsup } from './objectives/index.ts';
import { mixSeed } from './rng.ts';
import * as tf from './tf.ts';
import { globalNorm } from './train/optim/clip.ts';

/**
 * The probe's work on the CURRENT backend. `screen`: one [screenRows, H] × [H, I] product.
 * `pass`: a random BERT of the plan's shape on random ids at full length, dropout on, SimCSE's
 * loss over the two halves of the rows, every gradient, and the loss with the gradients' global
 * norm read back in one `data()`, as a training step does.
 */
export function encoderPasses(
  plan: ProbePlan,
  seed = 0,
): Required<Pick<ProbeCandidate, 'setup' | 'screen' | 'pass' | 'release'>> {
  let model: BertModel | null = null;
  let draws = 0;
  const H = plan.run.hidden;
  const build = () => {
    if (!model) {
      model = BertModel.random(
        builtinBertConfig({
          layers: plan.layers,
          hidden: H,
          heads: plan.run.heads,
          intermediate: plan.run.intermediate,
          maxLength: plan.length,
          vocabSize: plan.vocabSize,
        }),
        seed,
      );
    }
    return model;
  };
  return {
    async setup() {
      build();
    },
    async screen() {
      const a = tf.randomNormal([plan.screenRows, H], 0, 1, 'float32', seed); // [M, H]
      const b = tf.randomNormal([H, plan.run.intermediate], 0, 1, 'float32', seed + 1); // [H, I]
      const once = async () => {
        const t = performance.now();
        const out = tf.tidy(() => tf.sum(tf.matMul(a, b))); // []
        try {
          await out.data();
        } finally {
          out.dispose();
        }
        return performance.now() - t;
      };
      try {
        await once(); // compiles, allocates
        return Math.min(await once(), await once());
      } finally {
        tf.dispose([a, b]);
      }
    },
    async pass(rows: number) {
      const m = build();
      const L = plan.length;
      const inputSeed = mixSeed(seed, ++draws);
      const { value, grads } = tf.variableGrads(
        () =>
          tf.tidy(() => {
            const inputIds = tf.randomUniform(
              [rows, L],
              1,
              plan.vocabSize,
              'int32',
              inputSeed,
            ) as tf.Tensor2D; // [R, L]
            const attentionMask = tf.onesLike(inputIds) as tf.Tensor2D; // [R, L]
            const out = m.forward({ inputIds, attentionMask }, { training: true });
            const cls = out.lastHiddenState.slice([0, 0, 0], [rows, 1, H]).reshape([rows, H]); // [R, H]
            const half = Math.floor(rows / 2);
            // SimCSE needs two rows a view (a negative); fewer rows: any loss of the same pass.
            if (half < 2) return tf.sum(tf.square(cls)) as tf.Scalar;
            return simcseUnsup(
              cls.slice([0, 0], [half, H]) as tf.Tensor2D, // [R/2, H]
              cls.slice([half, 0], [half, H]) as tf.Tensor2D, // [R/2, H]
            );
          }),
        [...m.variables().values()],
      );
      const read = tf.tidy(() => tf.stack([value, globalNorm(Object.values(grads))])); // [2]
      try {
        await read.data();
      } finally {
        tf.dispose([value, read, ...Object.values(grads)]);
      }
    },
    release() {
      model?.dispose();
      model = null;
    },
  };
}
