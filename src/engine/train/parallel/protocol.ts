/**
 * Data-parallel training: what the coordinator (the Trainer, which owns the loop) and its K
 * replicas (Web Workers or worker_threads, which only compute) say to each other, and the shared
 * memory they use instead of messages for the bulk numbers.
 *
 *   coordinator                          replica k (of K)
 *   weights → `weights` buffer  ──step→  copy the weights in; encode its shard (its chunks)
 *                                        write its representations to `reps`; barrier (all K)
 *                                        the loss over every chunk's representations; back-
 *                                        propagate its own rows (GradCache's split)
 *                                        write its gradients to its slot of `grads`; barrier;
 *                                        sum its 1/K of the parameters over the K slots
 *   gradients from the summed slot ←done─
 *   clip, one read, optimiser update (the same update every replica receives next step)
 *
 * With Adam / AdamW the update is sharded too (ZeRO-1, shardedAdam.ts): after the sum each
 * replica writes its squares and its loss to `norms`, waits for the others, and updates its
 * share of the weights and moments in shared memory; the coordinator takes the weights back
 * when its loop reads them (pool.ts `takeBack`).
 */
import type { ExperimentConfig } from '../../config/schema.ts';
import type { BertConfig } from '../../model/index.ts';
import type { TokenizerState } from '../../tokenizer/index.ts';
import type { ChunkPlan } from '../step.ts';
import type { TaskBatch } from '../tasks.ts';
import type { UpdateOrder } from './replicaUpdate.ts';
import type { ShardedAdamSpec } from './shardedAdam.ts';

/** One replica as the coordinator holds it: a Web Worker or a worker_thread behind its port. */
export interface ReplicaPort {
  post(message: ToReplica): void;
  onMessage(handler: (message: FromReplica) => void): void;
  /** The replica died: an uncaught error, or its thread exited. */
  onError(handler: (error: Error) => void): void;
  /** Node: hold the process open while a request is in flight (ref), and not while idle (unref). */
  ref?(): void;
  unref?(): void;
  terminate(): void;
  /** Hands a healthy replica back to its host for a later run (hosts that keep them warm). */
  release?(): void;
}

/** The coordinator's side as a replica sees it. */
export interface ReplicaEndpoint {
  post(message: FromReplica): void;
  onMessage(handler: (message: ToReplica) => void): void;
}

/** What a host offers for replicas (TrainerHost.replicas). */
export interface ReplicaHost {
  /** In words, for the log: "worker_threads", "Web Workers". */
  kind: string;
  /** Cores available: `workers: null` means this many replicas. */
  cores: number;
  /** Starts one replica; absent where none can start here (then `missing` says why). */
  spawn?: () => ReplicaPort;
  missing?: string;
}

/** Where variable `name` lives in the weights buffer and in each replica's gradient slot. */
export interface VarSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

export interface ModelSpec {
  bert: BertConfig;
  /** SimCSE's MLP head is present. */
  mlp: boolean;
  classifier: { numLabels: number; dropout: number } | null;
  /** Every trainable variable, in the buffers' order (HF names, as the checkpoints know them). */
  slots: VarSlot[];
}

/** Where the arena's arrays start (bytes; −1 = absent) and their sizes (shared.ts). */
export interface ArenaLayout {
  /** P, the floats of every trainable variable together. */
  parameters: number;
  replicas: number;
  /** Float32 [P]: the coordinator's weights (the sharded update writes them in place). */
  weights: number;
  /** Float32 [K × P]: replica k's gradients in slot k; after a step, slot 0 holds their sum. */
  grads: number;
  /** Float32 [2P]: exp_avg then exp_avg_sq (the sharded update), or −1. */
  moments: number;
  /** Float32 [K × tableSumFloats]: replica k's sum of the word-table rows of its block, or −1. */
  tableSums: number;
  tableSumFloats: number;
}

export interface SharedBuffers {
  /** Int32: the barrier's arrival count and the abort flag (see shared.ts). */
  control: SharedArrayBuffer;
  /** The bulk floats in one shared WebAssembly memory, laid out by `layout`. */
  arena: WebAssembly.Memory;
  layout: ArenaLayout;
  /** Float32: every chunk's representations, chunk c's rows at `repOffset(c)`. */
  reps: SharedArrayBuffer;
  /**
   * Int32 [K × (V + 1)]: replica k's word-table rows (shared.ts SPARSE_ROWS_NAME): their count,
   * then their ids; the rows' gradients lie packed at the start of the table's region of slot k.
   */
  rows: SharedArrayBuffer;
  /** The sharded update's: Float64 [2K], replica k's Σ g² of its share at k, its loss at K + k. */
  norms?: SharedArrayBuffer;
  /** Uint8 [K × slots]: replica k's present flags. */
  presence?: SharedArrayBuffer;
}

export type ToReplica =
  | {
      type: 'init';
      index: number;
      size: number;
      config: ExperimentConfig;
      model: ModelSpec;
      buffers: SharedBuffers;
      backend: 'cpu' | 'wasm';
      wasmPaths?: string;
      /** The replicas apply Adam / AdamW themselves (shardedAdam.ts). */
      adam?: ShardedAdamSpec;
      /** The coordinator's tokenizer: each replica tokenises its own chunks. */
      tokenizer: TokenizerState;
    }
  | {
      type: 'step';
      batch: TaskBatch;
      stepSeed: number;
      plan: ChunkPlan;
      /** This replica's chunks: [first, end). */
      own: [number, number];
      /** The sharded update of this step (with `adam` at init). */
      update?: UpdateOrder;
      /**
       * The next step's batch, drawn early, and this replica's chunks of it: it encodes their
       * texts while it waits at this step's barriers, and takes them at the next step.
       */
      next?: { batch: TaskBatch; plan: ChunkPlan; own: [number, number] };
    };

export type FromReplica =
  | { type: 'ready' }
  | {
      type: 'done';
      /** The whole batch's loss (every replica computes it; the coordinator reads replica 0's). */
      loss: number;
      /** present[i] = 1 when this replica wrote a gradient for slot i. */
      present: Uint8Array;
      /**
       * Σ g² in float64 over this replica's share of the summed dense gradient (the word table's
       * rows excepted: the coordinator sums those), for the global gradient norm.
       */
      squares: number;
      /** The sharded update's global norm and whether it was applied (with `update`). */
      gradNorm?: number;
      applied?: boolean;
      timings: ReplicaTimings;
      /** Tensors this replica holds after the step (flat from step to step: nothing leaks). */
      tensors: number;
    }
  | {
      type: 'error';
      message: string;
      /** It failed only because another replica did (that one reports the cause). */
      peer?: true;
    };

/** Where a replica's step time went, ms (the bench's compute-vs-communication model). */
export interface ReplicaTimings {
  /** Tokenising its own chunks. */
  tokenise: number;
  /** Copying the weights in from shared memory. */
  copyIn: number;
  /** Its shard's forward, up to handing its representations over. */
  forward: number;
  /**
   * Waiting at the two barriers (the others' representations; every gradient slot written),
   * encoding the next step's texts meanwhile.
   */
  wait: number;
  /** The loss and its shard's backward (and, with GradCache, the replay). */
  backward: number;
  /** Writing its gradients to its slot. */
  writeOut: number;
  /** Summing its 1/K of the parameters over the K slots. */
  reduce: number;
  /** The sharded update: its table rows, the norm exchange (with its wait) and its share's Adam. */
  update: number;
  /**
   * Rows: of the next step's own texts, how many it encoded while waiting; of this step's, how
   * many it had encoded so (absent in records before 2026-12-04).
   */
  encodedAhead?: number;
  takenAhead?: number;
}

/** Where the coordinator's share of a data-parallel step went, ms. */
export interface PoolTimings {
  /** Writing the weights to shared memory (0 when they were current). */
  weightsOut: number;
  /**
   * Whether this step wrote them: not after a sharded step, whose update the replicas made in
   * shared memory (pool.ts `sharedWeightsAre`).
   */
  weightsSent: boolean;
  /** From posting the step to the last replica's answer. */
  round: number;
  /**
   * Making gradient tensors of the summed slot; with the sharded update the bookkeeping only
   * (the variables take the weights back when the loop reads them: pool.ts `takeBack`).
   */
  sum: number;
  replicas: ReplicaTimings[];
  /** Each replica's tensor count after the step. */
  tensors: number[];
}
