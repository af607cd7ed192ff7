/**
 * The Trainer's side of a data-parallel run: its replica pool, started on first use, and the
 * optimiser's hand-over. With Adam / AdamW the replicas shard the update (ZeRO-1,
 * shardedAdam.ts): the moments move into shared memory and the pool's ShardedAdam stands in for
 * the Trainer's optimiser (checkpoints read and restore it there); when the run ends they move
 * back, so a later one-worker step or checkpoint finds them in the plain optimiser.
 */
import { Adam } from '../optim/adam.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { type PoolOptions, ReplicaPool } from './pool.ts';
import type { PoolTimings } from './protocol.ts';

export class ReplicaHandover {
  private pool: ReplicaPool | null = null;
  /** While the replicas shard Adam, the optimiser their ShardedAdam stands in for. */
  private plain: Optimizer | null = null;
  /** Why the run's weights in memory are incomplete (replicas failed mid-update), or null. */
  private lost: Error | null = null;

  /**
   * The running pool, started now if it is not (with the sharded update when `optimizer` is
   * Adam), and the optimiser the Trainer uses while it runs. A start that fails leaves nothing
   * running and the Trainer's optimiser as it was.
   */
  async ensure(
    start: Omit<PoolOptions, 'adam'>,
    optimizer: Optimizer,
  ): Promise<{ pool: ReplicaPool; optimizer: Optimizer }> {
    if (this.lost) throw this.lost;
    if (this.pool) return { pool: this.pool, optimizer };
    const pool = await ReplicaPool.start({
      ...start,
      adam: optimizer instanceof Adam ? optimizer : null,
    });
    let current = optimizer;
    if (pool.optimizer) {
      // The moments move to shared memory (a restored checkpoint's included).
      try {
        pool.optimizer.setState(await optimizer.getState());
      } catch (e) {
        pool.dispose();
        throw e;
      }
      this.plain = optimizer;
      current = pool.optimizer;
    }
    this.pool = pool;
    return { pool, optimizer: current };
  }

  /**
   * The Trainer's variables take the replicas' last update, if they have not yet (pool.ts
   * `takeBack`): before anything but the next step reads or writes them. Throws, with the reason,
   * when the replicas failed in the middle of an update.
   */
  takeBack(): void {
    if (this.lost) throw this.lost;
    this.pool?.takeBack();
  }

  /** Resolves once no data-parallel step is in flight (then `takeBack` may read). */
  async settled(): Promise<void> {
    await this.pool?.settled();
  }

  /** Why the weights in memory are incomplete, or null (they are whole). */
  get lostWeights(): Error | null {
    return this.lost;
  }

  /** Where the last data-parallel step's time went (null before the first). */
  get timings(): PoolTimings | null {
    return this.pool?.lastTimings ?? null;
  }

  /**
   * Stops the replicas and returns the optimiser the Trainer uses after: `current` itself, or,
   * when the replicas held the moments, the plain optimiser holding them again. The variables
   * take the replicas' last update first (failed replicas included: a round that failed before
   * the update left it whole); where it may be part-written, `lostWeights` says so.
   */
  async stop(current: Optimizer): Promise<Optimizer> {
    const pool = this.pool;
    this.pool = null;
    if (!pool) return current;
    try {
      pool.takeBack();
    } catch (e) {
      this.lost = e instanceof Error ? e : new Error(String(e));
    }
    let after = current;
    if (this.plain) {
      const state = await current.getState();
      after = this.plain;
      this.plain = null;
      after.setState(state);
    }
    pool.dispose();
    return after;
  }

  /** Stops the replicas at once (the Trainer is being disposed) and frees the plain optimiser. */
  dispose(): void {
    this.pool?.dispose();
    this.pool = null;
    this.plain?.dispose();
    this.plain = null;
  }
}
