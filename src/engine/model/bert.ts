/**
 * BERT encoder, computing what Hugging Face's `BertModel` computes (transformers
 * `models/bert/modeling_bert.py`), one small class per concept:
 *
 *   BertEmbeddings   word + position + token-type lookup → LayerNorm → dropout
 *   BertAttention    multi-head self-attention (additive padding mask) → dense → dropout → +x → LayerNorm
 *   BertFeedForward  dense → hidden_act → dense → dropout → +x → LayerNorm
 *   BertLayer        attention, then feed-forward
 *   BertPooler       dense + tanh over the [CLS] row
 *
 * Shapes: B batch, L sequence length, H hidden_size, nh heads, dh = H / nh, I intermediate_size.
 * Variables carry Hugging Face names without the `bert.` prefix; Linear weights are stored
 * [in, out] (see params.ts).
 */
import { UserError } from '../errors.ts';
import { attentionContext, attentionScores } from '../kernels/index.ts';
import { mixSeed } from '../rng.ts';
import * as tf from '../tf.ts';
import type { BertConfig } from './config.ts';
import { embeddingLookup } from './embeddingLookup.ts';
import { activation, type DropoutPlan, LayerNorm, Linear, siteDropout } from './layers.ts';
import { ParamStore } from './params.ts';
import type { Probe } from './probe.ts';

/**
 * int32 [B, L] tensors. positionIds may be permuted per row (ConSERT token shuffle).
 * (A type, not an interface, so `tf.dispose(inputs)` accepts it as a TensorContainer.)
 */
export type EncoderInputs = {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  tokenTypeIds?: tf.Tensor2D;
  positionIds?: tf.Tensor2D;
};

export interface ForwardOptions {
  /** Dropout on (at every site BERT has it) only when true. */
  training: boolean;
  /** Rate after embeddings, attention output and FFN output; default config.hidden_dropout_prob. */
  hiddenDropout?: number;
  /** Rate on the attention probabilities; default config.attention_probs_dropout_prob. */
  attentionDropout?: number;
  /**
   * The pass's dropout seed. Same seed → same masks (GradCache replays a pass); different seed →
   * different masks. When training without one, the model draws a fresh seed per pass.
   */
  dropoutSeed?: number;
  /** Acts on the embedding output (after LayerNorm + dropout), before layer 0 (ConSERT views). */
  embeddingHook?: (embeddings: tf.Tensor3D) => tf.Tensor3D;
  /** Observes the dropout masks (tests; see ./probe.ts). */
  probe?: Probe;
}

/** `tf.dispose(output)` frees it (lastHiddenState is also the last of hiddenStates). */
export type EncoderOutput = {
  /** [B, L, H], the same tensor as hiddenStates[num_hidden_layers]. */
  lastHiddenState: tf.Tensor3D;
  /** Embedding output (after the hook) then each layer's output, like HF output_hidden_states. */
  hiddenStates: tf.Tensor3D[];
  /** [B, H] tanh(dense(lastHiddenState[:, 0])). */
  poolerOutput: tf.Tensor2D;
};

/**
 * The additive attention mask, HF's `(1 - mask) * finfo(float32).min`. Any value whose exp
 * underflows to exactly 0 gives the identical softmax on rows with at least one real token
 * (always: [CLS] is real); -1e9 does, and stays finite on every backend.
 */
export const MASK_BIAS = -1e9;

// Dropout sites, numbered in the order a pass meets them; the mask seed is mixSeed(passSeed, site).
const EMBEDDING_SITE = 0;
const SITES_PER_LAYER = 3; // attention probs, attention output, FFN output
const layerSite = (layer: number, k: 0 | 1 | 2) => 1 + layer * SITES_PER_LAYER + k;

class BertEmbeddings {
  readonly word: tf.Variable; // [V, H]
  readonly position: tf.Variable; // [P, H]
  readonly tokenType: tf.Variable; // [T, H]
  readonly norm: LayerNorm;

  constructor(params: ParamStore, c: BertConfig) {
    const H = c.hidden_size;
    this.word = params.create(
      'embeddings.word_embeddings.weight',
      [c.vocab_size, H],
      'normal',
      c.pad_token_id,
    );
    this.position = params.create(
      'embeddings.position_embeddings.weight',
      [c.max_position_embeddings, H],
      'normal',
    );
    this.tokenType = params.create(
      'embeddings.token_type_embeddings.weight',
      [c.type_vocab_size, H],
      'normal',
    );
    this.norm = new LayerNorm(params, 'embeddings.LayerNorm', H, c.layer_norm_eps);
  }

  /** → [B, L, H] */
  apply(inputs: EncoderInputs, plan: DropoutPlan | null): tf.Tensor3D {
    const [B, L] = inputs.inputIds.shape;
    const words = embeddingLookup(this.word as tf.Tensor2D, inputs.inputIds); // [B, L, H]
    const positions = inputs.positionIds
      ? embeddingLookup(this.position as tf.Tensor2D, inputs.positionIds) // [B, L, H]
      : embeddingLookup(this.position as tf.Tensor2D, tf.range(0, L, 1, 'int32')); // [L, H], broadcast
    const types = embeddingLookup(
      this.tokenType as tf.Tensor2D,
      inputs.tokenTypeIds ?? tf.zeros([B, L], 'int32'),
    ); // [B, L, H]
    const x = this.norm.apply(words.add(positions).add(types)); // [B, L, H]
    return siteDropout(x, plan, 'hidden', EMBEDDING_SITE) as tf.Tensor3D;
  }
}

class BertAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  readonly norm: LayerNorm;
  private readonly heads: number;

  constructor(
    params: ParamStore,
    prefix: string,
    c: BertConfig,
    private readonly layer: number,
  ) {
    const H = c.hidden_size;
    this.heads = c.num_attention_heads;
    this.query = new Linear(params, `${prefix}.self.query`, H, H);
    this.key = new Linear(params, `${prefix}.self.key`, H, H);
    this.value = new Linear(params, `${prefix}.self.value`, H, H);
    this.output = new Linear(params, `${prefix}.output.dense`, H, H);
    this.norm = new LayerNorm(params, `${prefix}.output.LayerNorm`, H, c.layer_norm_eps);
  }

  /**
   * @param x        [B, L, H]
   * @param maskBias [B, 1, 1, L] 0 for real tokens, MASK_BIAS for padding
   */
  apply(x: tf.Tensor3D, maskBias: tf.Tensor4D, plan: DropoutPlan | null): tf.Tensor3D {
    // PERF (issue 12): q, k, v stay [B, L, H]; attentionScores / attentionContext read the heads
    // in place (on wasm one own kernel each; elsewhere the stock split → matMul → merge).
    const q = this.query.apply(x) as tf.Tensor3D; // [B, L, H], head h at columns h·dh…
    const k = this.key.apply(x) as tf.Tensor3D; // [B, L, H]
    const v = this.value.apply(x) as tf.Tensor3D; // [B, L, H]
    const scores = attentionScores(q, k, this.heads).add(maskBias); // [B, nh, L, L], q·kᵀ/√dh + mask
    let probs = tf.softmax(scores) as tf.Tensor4D; // [B, nh, L, L], softmax over keys
    probs = siteDropout(probs, plan, 'attention', layerSite(this.layer, 0)) as tf.Tensor4D;
    const context = attentionContext(probs, v, this.heads); // [B, L, H], heads merged
    const out = siteDropout(this.output.apply(context), plan, 'hidden', layerSite(this.layer, 1)); // [B, L, H]
    return this.norm.apply(out.add(x)) as tf.Tensor3D;
  }
}

class BertFeedForward {
  readonly intermediate: Linear;
  readonly output: Linear;
  readonly norm: LayerNorm;
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(
    params: ParamStore,
    prefix: string,
    c: BertConfig,
    private readonly layer: number,
  ) {
    this.intermediate = new Linear(
      params,
      `${prefix}.intermediate.dense`,
      c.hidden_size,
      c.intermediate_size,
    );
    this.output = new Linear(params, `${prefix}.output.dense`, c.intermediate_size, c.hidden_size);
    this.norm = new LayerNorm(
      params,
      `${prefix}.output.LayerNorm`,
      c.hidden_size,
      c.layer_norm_eps,
    );
    this.act = activation(c.hidden_act);
  }

  /** [B, L, H] → [B, L, H] */
  apply(x: tf.Tensor3D, plan: DropoutPlan | null): tf.Tensor3D {
    const h = this.act(this.intermediate.apply(x)); // [B, L, I]
    const out = siteDropout(this.output.apply(h), plan, 'hidden', layerSite(this.layer, 2)); // [B, L, H]
    return this.norm.apply(out.add(x)) as tf.Tensor3D;
  }
}

class BertLayer {
  readonly attention: BertAttention;
  readonly feedForward: BertFeedForward;

  constructor(params: ParamStore, c: BertConfig, layer: number) {
    const prefix = `encoder.layer.${layer}`;
    this.attention = new BertAttention(params, `${prefix}.attention`, c, layer);
    this.feedForward = new BertFeedForward(params, prefix, c, layer);
  }

  /** [B, L, H] → [B, L, H] */
  apply(x: tf.Tensor3D, maskBias: tf.Tensor4D, plan: DropoutPlan | null): tf.Tensor3D {
    return this.feedForward.apply(this.attention.apply(x, maskBias, plan), plan);
  }
}

class BertPooler {
  readonly dense: Linear;

  constructor(params: ParamStore, c: BertConfig) {
    this.dense = new Linear(params, 'pooler.dense', c.hidden_size, c.hidden_size);
  }

  /** [B, L, H] → [B, H] tanh(dense(x[:, 0])) */
  apply(x: tf.Tensor3D): tf.Tensor2D {
    const [B, , H] = x.shape;
    const cls = x.slice([0, 0, 0], [B, 1, H]).reshape([B, H]); // [B, H]
    return tf.tanh(this.dense.apply(cls)) as tf.Tensor2D;
  }
}

export class BertModel {
  private readonly embeddings: BertEmbeddings;
  private readonly layers: BertLayer[];
  private readonly pooler: BertPooler;
  private readonly vars: Map<string, tf.Variable>;
  private passCounter = 0;

  private constructor(
    readonly config: BertConfig,
    params: ParamStore,
    private readonly passSeed: number,
  ) {
    this.embeddings = new BertEmbeddings(params, config);
    this.layers = Array.from(
      { length: config.num_hidden_layers },
      (_, i) => new BertLayer(params, config, i),
    );
    this.pooler = new BertPooler(params, config);
    this.vars = params.variables;
  }

  /** BERT's init: normal(0, initializer_range) weights and embeddings (pad row 0), zero biases, LayerNorm 1 / 0. */
  static random(config: BertConfig, seed: number): BertModel {
    return new BertModel(
      config,
      ParamStore.random(seed, config.initializer_range),
      mixSeed(seed, 1),
    );
  }

  /**
   * From tensors keyed like `variables()` (HF names without `bert.`, Linear weights [in, out]).
   * The variables share the tensors' data; the caller still disposes its tensors.
   */
  static fromWeights(config: BertConfig, tensors: Map<string, tf.Tensor>): BertModel {
    return new BertModel(config, ParamStore.fromWeights(tensors, 'BertModel'), 0);
  }

  /** The trainable variables by HF name without the `bert.` prefix, e.g. `encoder.layer.0.attention.self.query.weight`. */
  variables(): Map<string, tf.Variable> {
    return this.vars;
  }

  forward(inputs: EncoderInputs, opts: ForwardOptions): EncoderOutput {
    this.checkInputs(inputs);
    const plan = this.dropoutPlan(opts);
    return tf.tidy(() => {
      let x = this.embeddings.apply(inputs, plan); // [B, L, H]
      if (opts.embeddingHook) {
        const hooked = opts.embeddingHook(x);
        if (!tf.util.arraysEqual(hooked.shape, x.shape)) {
          throw new Error(`embeddingHook returned shape [${hooked.shape}], expected [${x.shape}]`);
        }
        x = hooked;
      }
      const hiddenStates: tf.Tensor3D[] = [x];
      const [B, L] = inputs.attentionMask.shape;
      const maskBias = tf
        .scalar(1)
        .sub(inputs.attentionMask.toFloat())
        .mul(MASK_BIAS)
        .reshape([B, 1, 1, L]) as tf.Tensor4D; // [B, 1, 1, L]
      for (const layer of this.layers) {
        x = layer.apply(x, maskBias, plan); // [B, L, H]
        hiddenStates.push(x);
      }
      return { lastHiddenState: x, hiddenStates, poolerOutput: this.pooler.apply(x) };
    });
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
  }

  private dropoutPlan(opts: ForwardOptions): DropoutPlan | null {
    if (!opts.training) return null;
    const hidden = opts.hiddenDropout ?? this.config.hidden_dropout_prob;
    const attention = opts.attentionDropout ?? this.config.attention_probs_dropout_prob;
    for (const [name, rate] of [
      ['hiddenDropout', hidden],
      ['attentionDropout', attention],
    ] as const) {
      if (!(rate >= 0 && rate < 1)) throw new UserError(`${name} must be in [0, 1), got ${rate}.`);
    }
    if (hidden === 0 && attention === 0) return null;
    const seed = opts.dropoutSeed ?? mixSeed(this.passSeed, this.passCounter++);
    return { hidden, attention, seed, ...(opts.probe ? { probe: opts.probe } : {}) };
  }

  private checkInputs(inputs: EncoderInputs): void {
    const { inputIds, attentionMask, tokenTypeIds, positionIds } = inputs;
    const shape = inputIds.shape;
    for (const [name, t] of Object.entries({ attentionMask, tokenTypeIds, positionIds })) {
      if (t && !tf.util.arraysEqual(t.shape, shape)) {
        throw new Error(`${name} has shape [${t.shape}] but inputIds has [${shape}]`);
      }
    }
    const L = shape[1];
    if (L > this.config.max_position_embeddings) {
      throw new UserError(
        `A sequence of ${L} tokens is longer than the model's max_position_embeddings (${this.config.max_position_embeddings}); lower the max length.`,
      );
    }
  }
}
