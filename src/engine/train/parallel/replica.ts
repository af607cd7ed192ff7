/**
 * A replica: the model, and one shard of every step (parallel/protocol.ts). It holds no optimiser
 * and no loop: before each step it copies the coordinator's weights from shared memory, so every
 * replica starts each step from the same, once-applied update. Runs in a Web Worker
 * (src/worker/replicaWorker.ts) or a worker_thread (src/engine/node/replicaThread.mjs).
 */
import type { EmbeddingViewPass } from '../../augment/consert.ts';
import {
  adamKernelOn,
  wasmKernelsReady,
  writeRowsInPlace,
  writeValuesInPlace,
} from '../../kernels/index.ts';
import { BertModel, ClassifierHead, MlpHead } from '../../model/index.ts';
import * as tf from '../../tf.ts';
import { BertTokenizer, EncodedAhead } from '../../tokenizer/index.ts';
import { segmentTexts, type TokenisedRows } from '../encodeRows.ts';
import type { EncoderBundle } from '../encoderSetup.ts';
import { chunkSegments, type StepModel, stepParts, tokeniseChunk } from '../step.ts';
import { makeTask } from '../tasks.ts';
import type { FromReplica, ReplicaEndpoint, ToReplica, VarSlot } from './protocol.ts';
import { applyShare, tableRowBlock, type UpdateShare } from './replicaUpdate.ts';
import { hyperOf } from './shardedAdam.ts';
import { type Exchange, shardFullBatchStep, shardGradCacheStep } from './shardStep.ts';
import {
  addInto,
  Barrier,
  gradSlot,
  momentViews,
  PeerFailed,
  reduceRanges,
  repPlace,
  rowListCells,
  sparseSlot,
  sumOfSquares,
  tableSumView,
  tensorOfShared,
  touchedRows,
  weightsView,
} from './shared.ts';

type Init = Extract<ToReplica, { type: 'init' }>;
type Step = Extract<ToReplica, { type: 'step' }>;

interface State {
  init: Init;
  model: StepModel;
  /** The variables in slot order. */
  vars: tf.Variable[];
  weights: Float32Array;
  /** This replica's gradient slot, [P]. */
  grads: Float32Array;
  /** Replica k's gradient slot, [P]. */
  slotOf(k: number): Float32Array;
  reps: Float32Array;
  barrier: Barrier;
  /** The word table's slot (sent as its touched rows only), or null. */
  table: VarSlot | null;
  /** This replica's row list: [count, ids…]. */
  rowList: Int32Array;
  /** The sharded optimiser step's share (init's `adam`), or null. */
  share: UpdateShare | null;
  /** Rows of the coming step's own texts, encoded while the last step waited (or null). */
  ahead: EncodedAhead | null;
}

/** Answers the coordinator's messages one at a time, in order. */
export function serveReplica(end: ReplicaEndpoint): void {
  let state: State | null = null;
  let chain = Promise.resolve();
  end.onMessage((m) => {
    chain = chain.then(async () => {
      try {
        if (m.type === 'init') {
          // A kept replica starts its next run: the last run's model goes.
          if (state) disposeState(state);
          state = null;
          state = await initReplica(m);
          end.post({ type: 'ready' });
        } else {
          if (!state) throw new Error('step before init');
          end.post(runStep(state, m));
        }
      } catch (e) {
        if (state) Barrier.abort(state.init.buffers.control);
        else if (m.type === 'init') Barrier.abort(m.buffers.control);
        const message = e instanceof Error ? e.message : String(e);
        end.post({ type: 'error', message, ...(e instanceof PeerFailed ? { peer: true } : {}) });
      }
    });
  });
}

async function initReplica(m: Init): Promise<State> {
  if (m.backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (m.wasmPaths) wasm.setWasmPaths(m.wasmPaths);
    // One thread per replica: the replicas are the parallelism.
    wasm.setThreadsCount(1);
  }
  if (!(await tf.setBackend(m.backend))) throw new Error(`the ${m.backend} backend did not start`);
  await tf.ready();
  // On wasm, instantiates the own kernels now (installing their bodies over the stock ones, the
  // GEMM's included), as backend.ts does for the coordinator: the first step runs them too.
  if (m.backend === 'wasm') wasmKernelsReady();
  const weights = weightsView(m.buffers);
  const read = (slots: VarSlot[]) =>
    new Map(
      slots.map((s) => [s.name, tf.tensor(weights.slice(s.offset, s.offset + s.size), s.shape)]),
    );
  const { bert, classifier } = m.model;
  const all = m.model.slots;
  const group = (f: (name: string) => boolean) => read(all.filter((s) => f(s.name)));
  const isMlp = (n: string) => n.startsWith('mlp.');
  const isHead = (n: string) => n.startsWith('classifier.');
  const bertW = group((n) => !isMlp(n) && !isHead(n));
  const mlpW = m.model.mlp ? group(isMlp) : null;
  const headW = classifier ? group(isHead) : null;
  const bundle = {
    model: BertModel.fromWeights(bert, bertW),
    mlp: mlpW ? MlpHead.fromWeights(bert.hidden_size, mlpW) : null,
    classifier:
      classifier && headW
        ? ClassifierHead.fromWeights(
            bert.hidden_size,
            classifier.numLabels,
            headW,
            classifier.dropout,
          )
        : null,
    pooling: m.config.encoder.pooling,
    baseModel: '',
    // Each replica tokenises its own chunks, with the coordinator's tokenizer.
    tokenizer: BertTokenizer.fromState(m.tokenizer),
  } as unknown as EncoderBundle;
  for (const w of [bertW, mlpW, headW]) for (const t of w?.values() ?? []) t.dispose();
  const byName = new Map<string, tf.Variable>([
    ...bundle.model.variables(),
    ...(bundle.mlp?.variables() ?? []),
    ...(bundle.classifier?.variables() ?? []),
  ]);
  const vars = all.map((s) => {
    const v = byName.get(s.name);
    if (!v) throw new Error(`the replica's model has no variable ${s.name}`);
    return v;
  });
  const task = makeTask(m.config);
  const encoderVars = [...bundle.model.variables().values()];
  if (bundle.mlp && task.contrastive) encoderVars.push(...bundle.mlp.variables().values());
  const headVars = bundle.classifier ? [...bundle.classifier.variables().values()] : [];
  const table = sparseSlot(all);
  let share: UpdateShare | null = null;
  const b = m.buffers;
  const sum = tableSumView(b, m.index);
  if (m.adam && b.norms && b.presence) {
    const block = table ? tableRowBlock(table.shape[0]!, m.index, m.size) : null;
    share = {
      hyper: hyperOf(m.adam, all),
      slots: all,
      weights,
      ...momentViews(b),
      kernel: adamKernelOn(b.arena),
      norms: new Float64Array(b.norms),
      presence: new Uint8Array(b.presence),
      table: table && block && sum ? { slot: table, first: block[0], end: block[1], sum } : null,
      index: m.index,
      size: m.size,
    };
  }
  return {
    init: m,
    model: { config: m.config, task, bundle, encoderVars, headVars },
    vars,
    weights,
    grads: gradSlot(m.buffers, m.index),
    slotOf: (k) => gradSlot(m.buffers, k),
    reps: new Float32Array(m.buffers.reps),
    barrier: new Barrier(m.buffers.control, m.size),
    table,
    rowList: new Int32Array(m.buffers.rows, m.index * rowListCells(table) * 4, rowListCells(table)),
    share,
    ahead: null,
  };
}

function disposeState(s: State): void {
  s.model.bundle.model.dispose();
  s.model.bundle.mlp?.dispose();
  s.model.bundle.classifier?.dispose();
}

function runStep(s: State, m: Step): FromReplica {
  const t0 = performance.now();
  const [first, end] = m.own;
  if (!(0 <= first && first < end && end <= m.plan.chunks))
    throw new Error(`its chunks [${first}, ${end}) are not among the step's ${m.plan.chunks}`);
  const own = Array.from({ length: end - first }, (_, i) => first + i);
  const ahead = s.ahead ?? undefined;
  s.ahead = null;
  const toks: (TokenisedRows | undefined)[] = [];
  for (const c of own)
    toks[c] = tokeniseChunk(s.model.bundle, s.model.config, m.batch, m.plan, c, ahead);
  const takenAhead = ahead?.rows.size ?? 0;
  const tTokenised = performance.now();
  const encoding = m.next ? encodeAheadWork(s, m.next) : null;
  s.barrier.idle = encoding?.idle ?? null;
  try {
    return stepAfterTokens(s, m, { t0, tTokenised, own, toks, takenAhead, encoding });
  } finally {
    s.barrier.idle = null;
    if (encoding) s.ahead = encoding.rows;
  }
}

/**
 * The next step's texts of this replica's chunks, as units of work for the barrier's waits
 * (Barrier.idle): one row per call, into `rows`. What is not encoded by the end of this step is
 * encoded at the next, as it would be without.
 */
function encodeAheadWork(
  s: State,
  next: NonNullable<Step['next']>,
): { rows: EncodedAhead; idle: () => boolean; done(): number } {
  const { tokenizer } = s.model.bundle;
  const rows = new EncodedAhead(s.model.config.encoder.maxLength);
  const todo: [string, string | undefined][] = [];
  for (let c = next.own[0]; c < next.own[1]; c++) {
    const { texts, pairs } = segmentTexts(chunkSegments(next.batch, next.plan, c));
    for (const [i, t] of texts.entries()) todo.push([t, pairs?.[i]]);
  }
  let i = 0;
  return {
    rows,
    idle: () => {
      const row = todo[i++];
      if (row) tokenizer.encodeAhead(rows, row[0], row[1]);
      return i < todo.length;
    },
    done: () => Math.min(i, todo.length),
  };
}

interface Tokenised {
  t0: number;
  tTokenised: number;
  own: number[];
  toks: (TokenisedRows | undefined)[];
  takenAhead: number;
  encoding: { done(): number } | null;
}

function stepAfterTokens(s: State, m: Step, k: Tokenised): FromReplica {
  const { t0, tTokenised, own, toks } = k;
  let tGather = t0;
  let tBarrier = t0;
  const slots = s.init.model.slots;
  // The word-table rows this shard looks up: the only rows its step reads (the lookup) and
  // writes a gradient for (shared.ts SPARSE_ROWS_NAME).
  const ids = s.table
    ? touchedRows(
        own.map((c) => toks[c]!),
        s.table.shape[0]!,
      )
    : null;
  // The coordinator's weights after its last update. Of the word table only the rows looked up
  // are refreshed: the others are not read this step, and a step that looks them up refreshes
  // them first. Written where the backend keeps each variable (no tensor made, assigned and
  // freed per slot each step: those allocations cost a replica 7–20 ms in some steps while the
  // other waited at the barrier); a variable whose memory is shared is assigned.
  slots.forEach((slot, i) => {
    const v = s.vars[i]!;
    if (
      slot === s.table
        ? writeRowsInPlace(v, s.weights, slot.offset, ids!)
        : writeValuesInPlace(v, s.weights, slot.offset)
    )
      return;
    const t = tensorOfShared(s.weights.subarray(slot.offset, slot.offset + slot.size), slot.shape);
    v.assign(t);
    t.dispose();
  });
  const tCopied = performance.now();
  const nSeg = m.batch.segments.length;
  const hidden = s.init.model.bert.hidden_size;
  const place = (c: number) => repPlace(m.plan, m.batch.size, nSeg, hidden, c);
  const exchange: Exchange = {
    own,
    heads: s.init.index === 0,
    gather: (mine) => {
      mine.forEach((r, i) => {
        s.reps.set(r.dataSync() as Float32Array, place(own[i]!).offset);
      });
      tGather = performance.now();
      s.barrier.wait();
      tBarrier = performance.now();
      return Array.from({ length: m.plan.chunks }, (_, c) => {
        const i = own.indexOf(c);
        if (i >= 0) return mine[i]!;
        const { offset, rows } = place(c);
        return tf.tensor2d(s.reps.slice(offset, offset + rows * hidden), [rows, hidden]);
      });
    },
  };
  const passes: EmbeddingViewPass[] = [];
  const input = { batch: m.batch, stepSeed: m.stepSeed, plan: m.plan, toks };
  const { parts, dispose } = stepParts(s.model, input, passes);
  let raw: ReturnType<typeof shardFullBatchStep>;
  try {
    raw =
      s.model.config.gradCache && own.length > 1
        ? shardGradCacheStep(parts, exchange)
        : shardFullBatchStep(parts, exchange);
  } finally {
    dispose();
    for (const p of passes) p.dispose();
  }
  const tComputed = performance.now();
  const present = new Uint8Array(slots.length);
  slots.forEach((slot, i) => {
    const g = raw.grads.get(s.vars[i]!.name);
    if (slot === s.table) {
      // Only the rows this shard looked up (shared.ts SPARSE_ROWS_NAME), packed, ids beside.
      if (!g) {
        s.rowList[0] = 0;
        return;
      }
      const rows = tf.tidy(() => tf.gather(g, tf.tensor1d(ids!, 'int32')));
      s.grads.set(rows.dataSync() as Float32Array, slot.offset);
      rows.dispose();
      s.rowList[0] = ids!.length;
      s.rowList.set(ids!, 1);
      present[i] = 1;
    } else if (g) {
      s.grads.set(g.dataSync() as Float32Array, slot.offset);
      present[i] = 1;
    } else {
      // Zeros where this replica has no gradient, so that the sum below needs no flags.
      s.grads.fill(0, slot.offset, slot.offset + slot.size);
    }
  });
  const loss = raw.loss.dataSync()[0]!;
  raw.loss.dispose();
  for (const g of raw.grads.values()) g.dispose();
  if (s.share) s.share.presence.set(present, s.init.index * slots.length);
  const tWritten = performance.now();
  // Reduce-scatter: once every slot is written, replica k sums its 1/K of the parameters over
  // all slots (in replica order) into slot 0, so the sum costs P/K per replica, not K·P at the
  // coordinator. Each store rounds to float32, as tf.add would.
  s.barrier.wait();
  const tReady = performance.now();
  const { index, size } = s.init;
  // The word table's rows are summed by the coordinator (pool.ts), not here. The squares of the
  // sum are taken while it is in cache, for the global norm.
  let squares = 0;
  for (const [lo, hi] of reduceRanges(s.weights.length, s.table, index, size)) {
    const sum = s.slotOf(0).subarray(lo, hi);
    for (let k = 1; k < size; k++) addInto(sum, s.slotOf(k).subarray(lo, hi));
    squares += sumOfSquares(sum);
  }
  const tReduced = performance.now();
  let outcome: { gradNorm: number; applied: boolean } | null = null;
  if (s.share && m.update) {
    const cells = rowListCells(s.table);
    const H = s.table?.shape[1] ?? 0;
    outcome = applyShare(
      s.share,
      m.update,
      loss,
      squares,
      s.slotOf(0),
      (k) => {
        const list = new Int32Array(s.init.buffers.rows, k * cells * 4, cells);
        const n = list[0]!;
        const at = s.table!.offset;
        return { ids: list.subarray(1, 1 + n), packed: s.slotOf(k).subarray(at, at + n * H) };
      },
      s.barrier,
    );
  }
  const timings = {
    tokenise: tTokenised - t0,
    copyIn: tCopied - tTokenised,
    forward: tGather - tCopied,
    wait: tBarrier - tGather + (tReady - tWritten),
    backward: tComputed - tBarrier,
    writeOut: tWritten - tComputed,
    reduce: tReduced - tReady,
    update: outcome ? performance.now() - tReduced : 0,
    encodedAhead: k.encoding?.done() ?? 0,
    takenAhead: k.takenAhead,
  };
  return {
    type: 'done',
    loss,
    present,
    squares,
    ...(outcome ?? {}),
    timings,
    tensors: tf.memory().numTensors,
  };
}
