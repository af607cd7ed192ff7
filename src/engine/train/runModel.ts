/**
 * A run's model: the encoder and its heads, their variables as the step uses them, and where the
 * current weights are. With one worker they are in the variables. With replicas and the sharded
 * update they are in shared memory after each step, and the variables take them back when
 * something reads the model (parallel/handover.ts, pool.ts `takeBack`).
 */
import type { BackendChoice } from '../backend.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import * as tf from '../tf.ts';
import type { TensorRecord } from './checkpoint.ts';
import type { EncoderBundle } from './encoderSetup.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { ReplicaHandover } from './parallel/handover.ts';
import type { ReplicaPool } from './parallel/pool.ts';
import type { PoolTimings } from './parallel/protocol.ts';
import type { TrainerHost } from './runParts.ts';
import { checkpointTensors } from './runSetup.ts';
import { applyUpdate, planChunks, type StepModel, type UpdateResult } from './step.ts';
import type { Task, TaskBatch } from './tasks.ts';

export class RunModel {
  /**
   * Every trainable variable by HF name, as the step hands them to the replicas or updates them
   * itself. Their values may be behind the replicas': read them through `currentVars`.
   */
  readonly vars = new Map<string, tf.Variable>();
  /** What the one-worker step computes with. */
  readonly stepModel: StepModel;
  private readonly replicas = new ReplicaHandover();

  constructor(
    private readonly encoder: EncoderBundle,
    task: Task,
    private readonly config: ExperimentConfig,
  ) {
    for (const [k, v] of encoder.model.variables()) this.vars.set(k, v);
    const encoderVars = [...this.vars.values()];
    const heads: [string, tf.Variable][] = [
      ...(encoder.mlp ? [...encoder.mlp.variables()] : []),
      ...(encoder.classifier ? [...encoder.classifier.variables()] : []),
    ];
    // SimCSE's MLP sits on the representation path (inside the encoder for GradCache);
    // the classifier is a head on top of it.
    for (const [k, v] of heads) this.vars.set(k, v);
    if (encoder.mlp && task.contrastive) encoderVars.push(...encoder.mlp.variables().values());
    const headVars = encoder.classifier ? [...encoder.classifier.variables().values()] : [];
    this.stepModel = { config, task, bundle: encoder, encoderVars, headVars };
  }

  /**
   * The encoder, its tokenizer and heads, holding the run's current weights: in a data-parallel
   * run the replicas' last update is taken back first. Throws, with the reason, where replicas
   * that failed mid-update left the weights in memory incomplete, and while a step is writing them
   * (`currentBundle` waits for it).
   */
  get bundle(): EncoderBundle {
    this.replicas.takeBack();
    return this.encoder;
  }

  /** `bundle` once no data-parallel step is in flight. */
  async currentBundle(): Promise<EncoderBundle> {
    await this.replicas.settled();
    return this.bundle;
  }

  /** `vars` holding the current weights (as `bundle`), once no step is in flight. */
  async currentVars(): Promise<Map<string, tf.Variable>> {
    await this.replicas.settled();
    this.replicas.takeBack();
    return this.vars;
  }

  /** The current weights, read out (a checkpoint's). */
  async weightRecords(): Promise<Record<string, TensorRecord>> {
    const weights: Record<string, TensorRecord> = {};
    for (const [name, v] of await this.currentVars())
      weights[name] = { shape: [...v.shape], data: (await v.data()) as Float32Array };
    return weights;
  }

  /** A checkpoint's weights into the variables, every one checked first (runSetup.ts). */
  async restoreWeights(weights: Record<string, TensorRecord>): Promise<void> {
    for (const [v, rec] of checkpointTensors(await this.currentVars(), weights)) {
      const t = tf.tensor(rec.data, rec.shape);
      v.assign(t);
      t.dispose();
    }
  }

  get parameters(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /**
   * The run's `size` replicas, started on first use, and the optimiser the Trainer uses while
   * they run (the sharded one with Adam / AdamW); null where the host starts none.
   */
  async replicaPool(
    size: number,
    host: TrainerHost,
    backend: BackendChoice,
    optimizer: Optimizer,
  ): Promise<{ pool: ReplicaPool; optimizer: Optimizer } | null> {
    const spawn = host.replicas?.spawn;
    if (size <= 1 || !spawn) return null;
    const wasmPaths = host.backendOptions?.wasmPaths;
    return this.replicas.ensure(
      {
        spawn,
        size,
        config: this.config,
        bundle: this.encoder,
        vars: this.vars,
        backend: backend.name === 'wasm' ? 'wasm' : 'cpu',
        ...(wasmPaths ? { wasmPaths } : {}),
      },
      optimizer,
    );
  }

  /**
   * One step on the replicas: each tokenises its own chunks of `batch`, and of `next` (the next
   * step's, drawn early) while it waits at the barriers. With Adam / AdamW they apply the update
   * too (ZeRO-1, parallel/shardedAdam.ts); another optimiser updates here from their summed
   * gradients.
   */
  async replicaStep(
    pool: ReplicaPool,
    step: { batch: TaskBatch; stepSeed: number; next: TaskBatch | null },
    lr: number,
    optimizer: Optimizer,
  ): Promise<UpdateResult> {
    const { batch, stepSeed, next } = step;
    const plan = planChunks(this.config, batch.size, pool.size);
    const input = {
      batch,
      stepSeed,
      plan,
      ...(next
        ? { next: { batch: next, plan: planChunks(this.config, next.size, pool.size) } }
        : {}),
    };
    const clip = this.config.optimizer.clipNorm;
    if (pool.optimizer) return pool.step(input, this.vars, lr, clip);
    return applyUpdate(await pool.gradients(input, this.vars), this.vars, optimizer, clip, lr);
  }

  /** Where the last data-parallel step's time went (null with one worker). */
  get parallelTimings(): PoolTimings | null {
    return this.replicas.timings;
  }

  /**
   * Stops the replicas: the variables take their last update, and the optimiser the Trainer uses
   * after comes back (the plain one holding the moments again). `lost` says why the weights in
   * memory are incomplete, where replicas failed mid-update.
   */
  async stopReplicas(current: Optimizer): Promise<{ optimizer: Optimizer; lost: Error | null }> {
    const optimizer = await this.replicas.stop(current);
    return { optimizer, lost: this.replicas.lostWeights };
  }

  dispose(): void {
    this.replicas.dispose();
    this.encoder.model.dispose();
    this.encoder.mlp?.dispose();
    this.encoder.classifier?.dispose();
  }
}
