/**
 * The coordinator's K replicas (parallel/protocol.ts). The Trainer keeps the loop, checkpoints
 * and evaluation; a pool turns a batch into the whole batch's gradients (weights out through
 * shared memory, each replica's shard, the K gradient slots summed in replica order) or, with
 * Adam / AdamW, into the applied update itself (`step`: the replicas update their shares, ZeRO-1,
 * shardedAdam.ts).
 */
import type { ExperimentConfig } from '../../config/schema.ts';
import { addRowsInPlace } from '../../kernels/index.ts';
import * as tf from '../../tf.ts';
import type { EncoderBundle } from '../encoderSetup.ts';
import type { GradResult } from '../gradCache.ts';
import type { AdamHyper } from '../optim/adam.ts';
import type { ChunkPlan, StepInput } from '../step.ts';
import type { TaskBatch } from '../tasks.ts';
import type {
  FromReplica,
  ModelSpec,
  PoolTimings,
  ReplicaPort,
  ReplicaTimings,
  SharedBuffers,
  VarSlot,
} from './protocol.ts';
import { ShardedAdam, shardedAdamSpec } from './shardedAdam.ts';
import {
  addInto,
  allocateBuffers,
  Barrier,
  gradSlot,
  momentViews,
  rowListCells,
  slotsOf,
  sparseSlot,
  sumOfSquares,
  tensorOfShared,
} from './shared.ts';
import { SharedWeights } from './sharedWeights.ts';

type Done = Extract<FromReplica, { type: 'done' }>;
type ToStep = Extract<Parameters<ReplicaPort['post']>[0], { type: 'step' }>;
/**
 * A step's batch as the replicas get it: each tokenises its own chunks. `next`, the next step's
 * batch drawn early, they encode while they wait at this step's barriers.
 */
export type PoolInput = Omit<StepInput, 'toks'> & { next?: { batch: TaskBatch; plan: ChunkPlan } };
/** A round's answers, whether it sent the weights, and when it started, sent and ended. */
type Round = { done: Done[]; sent: boolean; t0: number; t1: number; t2: number };

/** A sharded step's outcome (the update is applied when `applied`). */
export interface StepOutcome {
  loss: number;
  gradNorm: number;
  applied: boolean;
}

export interface PoolOptions {
  spawn: () => ReplicaPort;
  size: number;
  config: ExperimentConfig;
  bundle: EncoderBundle;
  /** Every trainable variable by HF name (the Trainer's `vars`). */
  vars: Map<string, tf.Variable>;
  backend: 'cpu' | 'wasm';
  wasmPaths?: string;
  /** Adam / AdamW to shard over the replicas (`step`), or absent: gradients only. */
  adam?: AdamHyper | null;
}

const F32_MAX = 3.4028234663852886e38;

interface Pending {
  resolve(m: FromReplica): void;
  reject(e: Error): void;
}

export class ReplicaPool {
  private readonly pending: (Pending | null)[];
  private failure: Error | null = null;
  private disposed = false;
  /** Where the last step's time went (the bench reads it). */
  lastTimings: PoolTimings | null = null;

  /** The sharded optimiser (the replicas hold its moments), or null: use `gradients`. */
  readonly optimizer: ShardedAdam | null;

  /** The coordinator's variables ⇔ the shared weights (sent when changed, taken back when read). */
  private readonly weights: SharedWeights;
  /** Settles when the step in flight has (never rejects), or null: none is. */
  private inFlight: Promise<void> | null = null;

  private constructor(
    private readonly ports: ReplicaPort[],
    private readonly buffers: SharedBuffers,
    private readonly slots: VarSlot[],
    adam: AdamHyper | null,
  ) {
    this.optimizer =
      adam && buffers.layout.moments >= 0
        ? new ShardedAdam(shardedAdamSpec(adam, slots), slots, momentViews(buffers))
        : null;
    this.weights = new SharedWeights(buffers, slots);
    this.pending = ports.map(() => null);
    ports.forEach((port, k) => {
      port.onMessage((m) => {
        // A replica that fails has aborted the barrier: the whole pool fails with it. Replicas
        // that failed only because of it say so; the cause arrives from its own replica (or
        // the coordinator already failed the pool).
        if (m.type === 'error') {
          if (!m.peer) this.fail(new Error(`replica ${k + 1}: ${m.message}`));
          return;
        }
        const p = this.pending[k];
        this.pending[k] = null;
        port.unref?.();
        p?.resolve(m);
      });
      port.onError((e) => this.fail(new Error(`replica ${k + 1} stopped: ${e.message}`)));
    });
  }

  get size(): number {
    return this.ports.length;
  }

  /** Starts `size` replicas holding the model's current weights; resolves when all are ready. */
  static async start(o: PoolOptions): Promise<ReplicaPool> {
    const slots = slotsOf(o.vars);
    const hidden = o.bundle.model.config.hidden_size;
    const adam = o.adam ?? null;
    const buffers = allocateBuffers(slots, o.size, o.config.batchSize, hidden, adam !== null);
    const ports = Array.from({ length: o.size }, () => o.spawn());
    const pool = new ReplicaPool(ports, buffers, slots, adam);
    await pool.weights.write(o.vars);
    const c = o.bundle.classifier;
    const model: ModelSpec = {
      bert: o.bundle.model.config,
      mlp: o.bundle.mlp !== null,
      classifier: c ? { numLabels: c.numLabels, dropout: c.dropoutRate } : null,
      slots,
    };
    try {
      await Promise.all(
        ports.map((_, k) =>
          pool.request(k, {
            type: 'init',
            index: k,
            size: o.size,
            config: o.config,
            model,
            buffers,
            backend: o.backend,
            ...(o.wasmPaths ? { wasmPaths: o.wasmPaths } : {}),
            ...(pool.optimizer ? { adam: pool.optimizer.spec } : {}),
            tokenizer: o.bundle.tokenizer.state(),
          }),
        ),
      );
    } catch (e) {
      pool.dispose();
      throw e;
    }
    return pool;
  }

  /**
   * The whole batch's loss and gradients (keyed by the coordinator's tf.Variable names, as the
   * one-worker step gives them), computed by the replicas from the weights in `vars` now.
   */
  gradients(input: PoolInput, vars: Map<string, tf.Variable>): Promise<GradResult> {
    return this.exclusive(() => this.gradientsNow(input, vars));
  }

  private async gradientsNow(
    input: PoolInput,
    vars: Map<string, tf.Variable>,
  ): Promise<GradResult> {
    const round = await this.round(input, vars);
    const { done } = round;
    // The replicas have summed every slot into slot 0 (replica.ts, reduce-scatter).
    const sum = gradSlot(this.buffers, 0);
    const table = sparseSlot(this.slots);
    const grads = new Map<string, tf.Tensor>();
    // The global norm from the replicas' squares of their shares and the table rows' below.
    let squares = done.reduce((a, d) => a + d.squares, 0);
    this.slots.forEach((slot, i) => {
      if (!done.some((d) => d.present[i])) return; // no replica reached it: no gradient, as on one
      let g: tf.Tensor;
      if (slot === table) {
        const t = this.tableGradient(slot);
        g = t.grad;
        squares += t.squares;
      } else {
        g = tensorOfShared(sum.subarray(slot.offset, slot.offset + slot.size), slot.shape);
      }
      grads.set(vars.get(slot.name)!.name, g);
    });
    this.timed(round);
    // float32, as the one-worker norm: Σ g² past float32's range is Inf there too (a divergence).
    const gradNorm = squares > F32_MAX ? Infinity : Math.fround(Math.sqrt(squares));
    return { loss: tf.scalar(done[0]!.loss), grads, gradNorm };
  }

  /**
   * One whole step with the sharded update (`optimizer` set): the replicas compute the gradients,
   * the norm, clip and update their shares of the weights and moments in shared memory. `vars`
   * take the updated weights at `takeBack`, which must come before anything else reads or writes
   * them (Trainer.bundle does it). Nothing changes when the step diverged (`applied` false).
   */
  step(
    input: PoolInput,
    vars: Map<string, tf.Variable>,
    lr: number,
    clipNorm: number | null,
  ): Promise<StepOutcome> {
    return this.exclusive(() => this.stepNow(input, vars, lr, clipNorm));
  }

  private async stepNow(
    input: PoolInput,
    vars: Map<string, tf.Variable>,
    lr: number,
    clipNorm: number | null,
  ): Promise<StepOutcome> {
    const opt = this.optimizer;
    if (!opt) throw new Error('ReplicaPool.step needs the sharded optimiser (start with adam)');
    let round: Round;
    try {
      round = await this.round(input, vars, { lr, clipNorm, steps: opt.steps });
    } catch (e) {
      this.weights.failed(e);
      throw e;
    }
    const { done } = round;
    const first = done[0]!;
    if (done.some((d) => d.applied !== first.applied || d.gradNorm === undefined))
      throw new Error('the replicas disagree on whether the update was applied');
    if (first.applied) {
      this.weights.updated(vars);
      opt.counted(this.slots.map((_, i) => done.some((d) => d.present[i])));
    }
    this.timed(round);
    return { loss: first.loss, gradNorm: first.gradNorm!, applied: first.applied === true };
  }

  /**
   * `vars` take the weights the replicas' last steps updated, where they have not yet (written
   * where the backend keeps them, else assigned). Throws when a failed round may have left those
   * weights part-updated, and while a step is in flight (its update may be half-written: await
   * `settled` first).
   */
  takeBack(): void {
    if (this.inFlight && this.weights.isBehind)
      throw new Error(
        'the weights were read while a data-parallel step was updating them (await the step first)',
      );
    this.weights.takeBack();
  }

  /** Resolves once no step is in flight (a failed one included). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Runs one step, marked in flight until it has settled. */
  private async exclusive<T>(f: () => Promise<T>): Promise<T> {
    if (this.inFlight) throw new Error('a data-parallel step is already in flight');
    let settle!: () => void;
    this.inFlight = new Promise((r) => {
      settle = r;
    });
    try {
      return await f();
    } finally {
      this.inFlight = null;
      settle();
    }
  }

  /** Weights out (unless current), every replica's shard of `input`, and their answers. */
  private async round(
    input: PoolInput,
    vars: Map<string, tf.Variable>,
    update?: ToStep['update'],
  ): Promise<Round> {
    const t0 = performance.now();
    // No replica is running now (one step at a time): a failure from here on with the flag set is
    // this round's.
    Barrier.clearUpdate(this.buffers.control);
    const sent = await this.weights.sendIfChanged(vars);
    const t1 = performance.now();
    const { next } = input;
    const replies = await Promise.all(
      this.ports.map((_, k) =>
        this.request(k, {
          type: 'step',
          batch: input.batch,
          stepSeed: input.stepSeed,
          plan: input.plan,
          own: this.chunksOf(k, input.plan),
          ...(update ? { update } : {}),
          ...(next ? { next: { ...next, own: this.chunksOf(k, next.plan) } } : {}),
        }),
      ),
    );
    const done = replies.map((r) => {
      if (r.type !== 'done') throw new Error(`a replica answered ${r.type} to a step`);
      return r;
    });
    return { done, sent, t0, t1, t2: performance.now() };
  }

  /** Replica k's chunks of a step: [first, end). */
  private chunksOf(k: number, plan: ChunkPlan): [number, number] {
    const K = this.size;
    const C = plan.chunks;
    return [Math.floor((k * C) / K), Math.floor(((k + 1) * C) / K)];
  }

  private timed(r: Round): void {
    const { done, t0, t1, t2 } = r;
    this.lastTimings = {
      weightsOut: t1 - t0,
      weightsSent: r.sent,
      round: t2 - t1,
      sum: performance.now() - t2,
      replicas: done.map((d): ReplicaTimings => d.timings),
      tensors: done.map((d) => d.tensors),
    };
  }

  /**
   * The word table's dense gradient from the replicas' touched rows (shared.ts SPARSE_ROWS_NAME),
   * added in replica order into zeros as the dense slots are: rows no replica touched stay zero.
   * The rows are added where the backend keeps the tensor (no [V, H] array made and copied each
   * step). With it Σ g² over the rows touched (float64), for the global norm.
   */
  private tableGradient(slot: VarSlot): { grad: tf.Tensor; squares: number } {
    const [V, H] = slot.shape as [number, number];
    const cells = rowListCells(slot);
    const shards = Array.from({ length: this.size }, (_, k) => {
      const list = new Int32Array(this.buffers.rows, k * cells * 4, cells);
      const n = list[0]!;
      return {
        ids: list.subarray(1, 1 + n),
        packed: gradSlot(this.buffers, k).subarray(slot.offset, slot.offset + n * H),
      };
    });
    let grad = tf.zeros([V, H]);
    let values: Float32Array | null = null;
    for (const s of shards) {
      values = addRowsInPlace(grad, s.packed, s.ids);
      if (!values) break;
    }
    if (!values) {
      // A backend whose memory is not written in place: the dense array, then a tensor of it.
      grad.dispose();
      values = new Float32Array(V * H);
      for (const s of shards)
        s.ids.forEach((id, r) => {
          addInto(values!.subarray(id * H, (id + 1) * H), s.packed.subarray(r * H, (r + 1) * H));
        });
      grad = tf.tensor(values, [V, H]);
    }
    const touched = new Uint8Array(V);
    let squares = 0;
    for (const s of shards)
      for (const id of s.ids) {
        if (touched[id]) continue;
        touched[id] = 1;
        squares += sumOfSquares(values.subarray(id * H, (id + 1) * H));
      }
    return { grad, squares };
  }

  /** Stops the replicas; healthy ones go back to a host that keeps them (ReplicaPort.release). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const healthy = !this.failure && this.pending.every((p) => p === null);
    this.fail(new Error('the replicas were stopped'));
    for (const p of this.ports) {
      if (healthy && p.release) p.release();
      else p.terminate();
    }
  }

  private request(k: number, message: Parameters<ReplicaPort['post']>[0]): Promise<FromReplica> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending[k] = { resolve, reject };
      this.ports[k]!.ref?.();
      this.ports[k]!.post(message);
    });
  }

  /** A replica died: wake the others from the barrier and fail every request in flight. */
  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    Barrier.abort(this.buffers.control);
    this.pending.forEach((p, k) => {
      this.pending[k] = null;
      this.ports[k]!.unref?.();
      p?.reject(this.failure!);
    });
  }
}
