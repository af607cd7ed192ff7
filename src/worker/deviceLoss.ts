/**
 * A lost WebGPU device (the driver reset the GPU, the browser reclaimed it, or it was destroyed).
 * TF.js does not say so: a run fails with whatever its next GPU call hit ("mapAsync … Buffer was
 * unmapped before mapping was resolved"). The worker watches the device TF.js uses, tells the
 * user in plain words, and before the next run replaces the lost backend with a fresh
 * registration, whose first use asks the browser for a new adapter and device.
 */
import * as tf from '../engine/tf.ts';

interface LostInfo {
  reason?: string;
  message?: string;
}
interface DeviceLike {
  lost: Promise<LostInfo>;
  queue: { onSubmittedWorkDone(): Promise<void> };
}

/** TF.js's own priority for the WebGPU backend (tfjs-backend-webgpu/src/base.ts). */
const WEBGPU_PRIORITY = 3;

export class DeviceWatch {
  private device: DeviceLike | null = null;
  private lostInfo: LostInfo | null = null;
  /** isLost() found the device lost (its queue failed) before `lost` said why. */
  private lostSeen = false;

  /** After a run's backend was set: watch the WebGPU device TF.js now uses (if any). */
  watchCurrent(): void {
    if (tf.getBackend() !== 'webgpu') return;
    const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
    if (!device || device === this.device) return;
    this.device = device;
    this.lostInfo = null;
    this.lostSeen = false;
    void device.lost.then((info) => {
      if (this.device === device) this.lostInfo = info;
    });
  }

  /** Whether the device has been seen lost (without waiting). */
  get wasLost(): boolean {
    return this.lostInfo !== null || this.lostSeen;
  }

  /**
   * Whether the watched device is lost. A loss that has happened but not yet been delivered is
   * seen too: a lost device's `lost` promise settles before its queue reports work done.
   */
  async isLost(): Promise<boolean> {
    const d = this.device;
    if (!d) return false;
    if (this.lostInfo) return true;
    const lost = await Promise.race([
      d.lost.then(() => true),
      d.queue.onSubmittedWorkDone().then(
        () => false,
        () => true,
      ),
    ]);
    if (lost) this.lostSeen = true;
    return lost;
  }

  /** "the device was destroyed" / the browser's own words for why. */
  why(): string {
    const i = this.lostInfo;
    if (!i) return 'the browser gave no reason';
    if (i.reason === 'destroyed') return 'the device was destroyed';
    return i.message?.trim() || `reason: ${i.reason ?? 'unknown'}`;
  }

  /**
   * Drops a lost WebGPU backend and registers its factory again, so the next run that asks for
   * WebGPU gets a new adapter and device (or a clear "could not start" when none comes back).
   */
  resetIfLost(): boolean {
    if (!this.wasLost) return false;
    this.device = null;
    this.lostInfo = null;
    this.lostSeen = false;
    let factory: ReturnType<typeof tf.findBackendFactory> | null = null;
    try {
      factory = tf.findBackendFactory('webgpu');
    } catch {
      factory = null;
    }
    if (!factory) return true;
    try {
      tf.removeBackend('webgpu');
    } catch {
      // Disposing a backend on a lost device may throw; it is gone either way.
    }
    tf.registerBackend('webgpu', factory, WEBGPU_PRIORITY);
    return true;
  }
}

/** The plain sentence for a run that stopped because its GPU device was lost. */
export function deviceLostMessage(step: number, why: string, checkpointStep: number): string {
  const kept =
    checkpointStep > 0
      ? ` The run is kept with its checkpoint at step ${checkpointStep}: Resume continues from it, on a new WebGPU device, or on WASM if WebGPU cannot start again.`
      : ' No checkpoint had been saved yet, so Start trains it again from the beginning.';
  return `The GPU device was lost at step ${step + 1} (${why}), so training stopped.${kept}`;
}
