/**
 * The coordinator's variables and the weights in shared memory (parallel/protocol.ts): written
 * out only when a variable changed since the two last agreed, and, after the replicas' sharded
 * update, taken back only when something reads them.
 */
import { copyValuesInto, writeValuesInPlace } from '../../kernels/index.ts';
import type * as tf from '../../tf.ts';
import type { SharedBuffers, VarSlot } from './protocol.ts';
import { Barrier, tensorOfShared, weightsView } from './shared.ts';

export class SharedWeights {
  /**
   * Each slot's variable and the data it held when the shared weights last equalled it, or null.
   * The shared weights are then current (or newer: `behind`) and nothing is written: after a
   * sharded step the replicas updated them, and the variables keep their data until they take
   * the update back in place. Anything else that changes a variable (the coordinator's own
   * update, a restore, an `assign`) gives it new data, and they are written again; the only
   * writer into a variable's own data is the take-back (kernels/backendMemory.ts).
   */
  private written: { v: tf.Variable; dataId: object }[] | null = null;
  /**
   * The variables the last sharded steps updated in shared memory and that have not taken the
   * update yet (`takeBack`), or null: they are current. Copying 4.4 M weights back after every
   * step cost the bert-tiny K = 2 step 3–13 ms on the coordinator while both replicas waited for
   * the next step; the loop reads the weights far less often (evaluation, checkpoints, export).
   */
  private behind: Map<string, tf.Variable> | null = null;
  /** The shared weights may be part-updated: a round failed after a replica announced its share. */
  private torn: Error | null = null;

  constructor(
    private readonly buffers: SharedBuffers,
    private readonly slots: VarSlot[],
  ) {}

  /** Whether the variables are behind the shared weights (`takeBack` would copy). */
  get isBehind(): boolean {
    return this.behind !== null;
  }

  /**
   * Writes `vars` into shared memory unless the shared weights equal them already (or are newer:
   * then `vars` must not have changed since). Returns whether it wrote.
   */
  async sendIfChanged(vars: Map<string, tf.Variable>): Promise<boolean> {
    if (this.equal(vars)) return false;
    if (this.behind)
      throw new Error(
        'the coordinator changed its weights while the replicas held newer ones (takeBack must come first)',
      );
    await this.write(vars);
    return true;
  }

  /**
   * The coordinator's weights into shared memory: on wasm straight from the backend's heap, else
   * by async reads (the worker's loop is not blocked).
   */
  async write(vars: Map<string, tf.Variable>): Promise<void> {
    this.written = null;
    const w = weightsView(this.buffers);
    const rest = this.slots.filter((s) => !copyValuesInto(vars.get(s.name)!, w, s.offset));
    const data = await Promise.all(rest.map((s) => vars.get(s.name)!.data()));
    for (const [i, s] of rest.entries()) w.set(data[i] as Float32Array, s.offset);
    this.noteWritten(vars);
  }

  /** The replicas applied an update to the shared weights: `vars` are behind until `takeBack`. */
  updated(vars: Map<string, tf.Variable>): void {
    this.behind = vars;
  }

  /**
   * A step with the sharded update failed with `e`. Where the variables are behind and a replica
   * had announced its update, the shared weights may be part-written: `takeBack` refuses then.
   */
  failed(e: unknown): void {
    if (!this.behind || !Barrier.updateAnnounced(this.buffers.control)) return;
    const why = e instanceof Error ? e.message : String(e);
    this.torn = new Error(
      `the replicas failed while applying a step's update (${why}), so the run's weights in memory are incomplete; its last checkpoint holds them`,
    );
  }

  /**
   * The variables take the weights the replicas' last steps updated, where they have not yet
   * (written where the backend keeps them, else assigned). Throws when a failed step may have
   * left those weights part-updated. The caller makes sure no step is writing them now.
   */
  takeBack(): void {
    if (this.torn) throw this.torn;
    const vars = this.behind;
    if (!vars) return;
    const w = weightsView(this.buffers);
    for (const slot of this.slots) {
      const v = vars.get(slot.name)!;
      if (writeValuesInPlace(v, w, slot.offset)) continue;
      const t = tensorOfShared(w.subarray(slot.offset, slot.offset + slot.size), slot.shape);
      v.assign(t);
      t.dispose();
    }
    this.behind = null;
    this.noteWritten(vars);
  }

  /** The shared weights equal `vars` now: remember which data each variable holds. */
  private noteWritten(vars: Map<string, tf.Variable>): void {
    this.written = this.slots.map((s) => {
      const v = vars.get(s.name)!;
      return { v, dataId: v.dataId };
    });
  }

  /** Whether the shared weights still equal `vars` (the same variables, holding the same data). */
  private equal(vars: Map<string, tf.Variable>): boolean {
    const w = this.written;
    return (
      w !== null &&
      this.slots.every((s, i) => {
        const v = vars.get(s.name);
        return v === w[i]!.v && !v.isDisposed && v.dataId === w[i]!.dataId;
      })
    );
  }
}
