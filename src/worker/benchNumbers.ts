/**
 * Test hook (tests/e2e/numbers.e2e.ts): the numbers a backend computes, for the browser suite to
 * compare with the PyTorch fixtures. Sent as a `{ type: 'bench' }` command whose request has
 * `kind: 'numbers'` (src/worker/bench.ts dispatches it); no comparison happens here, only the
 * computation, so the test decides what is right.
 *
 * - `encode`: the model folder at `modelUrl` in eval mode on the given batches: last_hidden_state
 *   and every pooler; one batch again under each hidden_act; one batch twice in training mode with
 *   the same dropout seed (the replay GradCache relies on).
 * - `trainStep`: `Trainer.create(config)` then one `trainStep()`: the step's loss and gradient norm
 *   and the exported model.safetensors (every weight after the update).
 *
 * Imports only the engine; plain numbers and bytes out.
 */
import { type BackendOptions, chooseBackend } from '../engine/backend.ts';
import type { DataIO } from '../engine/data/index.ts';
import {
  BertModel,
  type EncoderInputs,
  HIDDEN_ACTS,
  POOLINGS,
  parseBertConfig,
  pool,
} from '../engine/model/index.ts';
import * as tf from '../engine/tf.ts';
import type { ModelIO } from '../engine/train/encoderSetup.ts';
import { Trainer } from '../engine/train/trainer.ts';
import { loadModelFolder, urlSource } from '../engine/weights/modelFolder.ts';

export interface EncoderBatch {
  input_ids: number[][];
  attention_mask: number[][];
  token_type_ids: number[][];
  position_ids?: number[][];
}

export type NumbersRequest =
  | {
      kind: 'numbers';
      check: 'encode';
      backend: 'webgpu' | 'wasm';
      /** A model folder served over HTTP (config.json, model.safetensors, vocab.txt). */
      modelUrl: string;
      batches: Record<string, EncoderBatch>;
      /** Run again under every HIDDEN_ACTS value (the weights of `modelUrl`). */
      activationBatch: EncoderBatch;
      /** Which of `batches` runs twice in training mode with one dropout seed. */
      dropoutBatch: string;
    }
  | {
      kind: 'numbers';
      check: 'trainStep';
      /** An experiment config; its `backend` is the one that runs. Sources are URLs. */
      config: unknown;
    };

export interface NumbersResult {
  /** The backend that actually ran (tf.getBackend() after the work). */
  backend: string;
  adapter?: string;
  wasmMultithread?: boolean;
  /** WASM: the products ran on the own GEMM ('relaxed' or 'simd'); absent: on XNNPACK. */
  wasmGemm?: 'relaxed' | 'simd';
  /** encode: `<batch>.last_hidden_state`, `<batch>.<pooling>`, `act.<act>.last_hidden_state`,
   * `act.<act>.pooler_output`, `dropout.a` / `dropout.b`; row-major values. */
  outputs?: Record<string, number[]>;
  /** trainStep: the step's loss (before the update) and global gradient norm. */
  loss?: number;
  gradNorm?: number;
  /** trainStep: the exported model folder's model.safetensors. */
  safetensors?: Uint8Array;
  /** Tensors alive after the check minus before (0: nothing leaked). */
  tensorGrowth: number;
}

export function isNumbersRequest(r: unknown): r is NumbersRequest {
  return typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'numbers';
}

function inputsOf(b: EncoderBatch): EncoderInputs {
  return {
    inputIds: tf.tensor2d(b.input_ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(b.attention_mask, undefined, 'int32'),
    tokenTypeIds: tf.tensor2d(b.token_type_ids, undefined, 'int32'),
    ...(b.position_ids ? { positionIds: tf.tensor2d(b.position_ids, undefined, 'int32') } : {}),
  };
}

async function read(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

async function encode(
  req: Extract<NumbersRequest, { check: 'encode' }>,
  options: BackendOptions,
  io: ModelIO,
): Promise<NumbersResult> {
  const choice = await chooseBackend(req.backend, options);
  const before = tf.memory().numTensors;
  const folder = await loadModelFolder(urlSource(req.modelUrl, { fetch: io.fetch }));
  const { model } = folder;
  tf.dispose([...folder.heads.values()]);
  const outputs: Record<string, number[]> = {};
  try {
    for (const [name, b] of Object.entries(req.batches)) {
      const inputs = inputsOf(b);
      const out = model.forward(inputs, { training: false });
      outputs[`${name}.last_hidden_state`] = await read(out.lastHiddenState); // [B, L, H]
      for (const p of POOLINGS) {
        const z = pool(out, inputs.attentionMask, p); // [B, H]
        outputs[`${name}.${p}`] = await read(z);
        z.dispose();
      }
      tf.dispose([out, inputs]);
    }
    for (const act of HIDDEN_ACTS) {
      const m = BertModel.fromWeights(
        parseBertConfig({ ...folder.config, hidden_act: act }),
        model.variables(),
      );
      const inputs = inputsOf(req.activationBatch);
      const out = m.forward(inputs, { training: false });
      outputs[`act.${act}.last_hidden_state`] = await read(out.lastHiddenState);
      outputs[`act.${act}.pooler_output`] = await read(out.poolerOutput);
      tf.dispose([out, inputs]);
      m.dispose();
    }
    const d = req.batches[req.dropoutBatch];
    if (!d) throw new Error(`dropoutBatch ${req.dropoutBatch} is not one of the batches`);
    const inputs = inputsOf(d);
    for (const k of ['a', 'b']) {
      const out = model.forward(inputs, { training: true, dropoutSeed: 3 });
      outputs[`dropout.${k}`] = await read(out.lastHiddenState);
      tf.dispose(out);
    }
    tf.dispose(inputs);
  } finally {
    model.dispose();
  }
  return {
    backend: tf.getBackend(),
    ...(choice.adapter ? { adapter: choice.adapter } : {}),
    ...(choice.wasmMultithread !== undefined ? { wasmMultithread: choice.wasmMultithread } : {}),
    ...(choice.wasmGemm ? { wasmGemm: choice.wasmGemm } : {}),
    outputs,
    tensorGrowth: tf.memory().numTensors - before,
  };
}

async function trainStep(
  req: Extract<NumbersRequest, { check: 'trainStep' }>,
  options: BackendOptions,
  io: DataIO & ModelIO,
): Promise<NumbersResult> {
  let step: { loss: number; gradNorm: number } | null = null;
  let failure: string | null = null;
  let adapter: string | undefined;
  let wasmMultithread: boolean | undefined;
  let wasmGemm: 'relaxed' | 'simd' | undefined;
  const trainer = await Trainer.create(req.config, {
    runId: 'numbers',
    io,
    backendOptions: options,
    emit(e) {
      if (e.type === 'ready') {
        adapter = e.adapter;
        wasmMultithread = e.wasmMultithread;
        wasmGemm = e.wasmGemm;
      } else if (e.type === 'step') step = { loss: e.loss, gradNorm: e.gradNorm ?? Number.NaN };
      else if (e.type === 'error') failure = e.message;
    },
  });
  try {
    const before = tf.memory().numTensors;
    if (!(await trainer.trainStep())) throw new Error(`the step failed: ${failure ?? '?'}`);
    const tensorGrowth = tf.memory().numTensors - before;
    const files = await trainer.exportModel();
    const safetensors = files.get('model.safetensors');
    const s = step as { loss: number; gradNorm: number } | null;
    if (!safetensors || !s) throw new Error('no step event or no model.safetensors');
    return {
      backend: tf.getBackend(),
      ...(adapter ? { adapter } : {}),
      ...(wasmMultithread !== undefined ? { wasmMultithread } : {}),
      ...(wasmGemm ? { wasmGemm } : {}),
      loss: s.loss,
      gradNorm: s.gradNorm,
      safetensors,
      tensorGrowth,
    };
  } finally {
    trainer.dispose();
  }
}

export function runNumbers(
  req: NumbersRequest,
  options: BackendOptions,
  io: DataIO & ModelIO,
): Promise<NumbersResult> {
  return req.check === 'encode' ? encode(req, options, io) : trainStep(req, options, io);
}
