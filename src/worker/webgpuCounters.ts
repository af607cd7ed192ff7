/**
 * Counts what a piece of work asks of the GPU, at the WebGPU API itself (issue 12, point 4): we
 * cannot time a real GPU here, so the bench counts, for one training step, the three things that
 * make a WebGPU step slow on any GPU:
 *
 * - compute dispatches: `GPUComputePassEncoder.dispatchWorkgroups` (one per kernel launch);
 * - bytes uploaded: tensor data written into GPU buffers (tfjs-backend-webgpu creates a buffer
 *   `mappedAtCreation` and fills it, once per tensor that came from the CPU), and
 *   `GPUQueue.writeBuffer` into storage buffers; apart from these, `writeBuffer` into *uniform*
 *   buffers is how tfjs-backend-webgpu hands every dispatch its shapes, strides and scalars
 *   (a few dozen bytes per dispatch), counted on its own;
 * - readbacks: `GPUBuffer.mapAsync(READ)` of a staging buffer (`tensor.data()`), and synchronous
 *   reads (`dataSync()`, which tfjs-backend-webgpu does through a canvas, no mapAsync), counted
 *   when the backend is handed over with `watchSyncReads`;
 * - and, as the sign that shapes are kept few, the GPU buffers allocated (tfjs pools them by
 *   exact size: a step whose shapes were all seen before allocates none).
 *
 * The counting wraps the prototypes once, in the Worker that runs the step, and only adds to
 * integers; nothing about the work changes. Where the WebGPU interfaces are absent (Node, a
 * browser without WebGPU) `installWebgpuCounters` returns null. Imports nothing.
 */

export interface WebgpuCounts {
  dispatches: number;
  /** `GPUQueue.submit` calls (tfjs batches up to 15 dispatches per submit, and submits at a read). */
  submits: number;
  /** Tensor uploads: buffers created mapped (then filled) plus `writeBuffer` into storage buffers. */
  uploads: number;
  uploadBytes: number;
  /** `writeBuffer` into uniform buffers: each dispatch's shapes / strides / scalar parameters. */
  uniformWrites: number;
  uniformBytes: number;
  /** GPU → CPU reads: `mapAsync(READ)`, plus synchronous reads when watched. */
  readbacks: number;
  readbackBytes: number;
  /** Of `readbacks`, the synchronous ones (`dataSync`), each a stall of the whole queue. */
  syncReadbacks: number;
  /**
   * GPU buffers allocated (`createBuffer`, upload staging buffers not counted): tfjs pools buffers
   * by exact size, so with shapes kept few a step after the first allocates none.
   */
  buffersCreated: number;
  /** The tensor uploads by size: bytes → how many (what is uploaded, at a glance). */
  uploadSizes: Record<string, number>;
}

/** The counted numbers (every field but uploadSizes). */
export const COUNT_FIELDS = [
  'dispatches',
  'submits',
  'uploads',
  'uploadBytes',
  'uniformWrites',
  'uniformBytes',
  'readbacks',
  'readbackBytes',
  'syncReadbacks',
  'buffersCreated',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

export function zeroCounts(): WebgpuCounts {
  const c = { uploadSizes: {} } as WebgpuCounts;
  for (const k of COUNT_FIELDS) c[k] = 0;
  return c;
}

/** b − a, field by field (sizes whose count did not change are left out). */
export function diffCounts(a: WebgpuCounts, b: WebgpuCounts): WebgpuCounts {
  const out = zeroCounts();
  for (const k of COUNT_FIELDS) out[k] = b[k] - a[k];
  for (const [size, n] of Object.entries(b.uploadSizes)) {
    const d = n - (a.uploadSizes[size] ?? 0);
    if (d) out.uploadSizes[size] = d;
  }
  return out;
}

export interface WebgpuCounter {
  /** The running totals since installation (a copy). */
  snapshot(): WebgpuCounts;
  /** Runs `work` and returns what it asked of the GPU (work running meanwhile is counted too). */
  count<T>(work: () => Promise<T>): Promise<{ value: T; counts: WebgpuCounts }>;
}

// The WebGPU constants, by value (the GPUBufferUsage / GPUMapMode globals need not exist here).
const USAGE_UNIFORM = 0x0040;
const USAGE_MAP_WRITE = 0x0002;
const MAP_READ = 0x0001;

type Proto = Record<string, unknown>;
type Fn = (this: unknown, ...args: unknown[]) => unknown;

const totals = zeroCounts();
let installed = false;

function protoOf(name: string): Proto | null {
  const ctor = (globalThis as Record<string, unknown>)[name] as { prototype?: Proto } | undefined;
  return ctor?.prototype ?? null;
}

function wrap(proto: Proto, method: string, before: (self: unknown, args: unknown[]) => void) {
  const original = proto[method] as Fn | undefined;
  if (typeof original !== 'function') return;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    before(this, args);
    return original.apply(this, args);
  };
}

/** Bytes `writeBuffer(buffer, offset, data, dataOffset?, size?)` writes (size is in elements for a typed array). */
function writtenBytes(args: unknown[]): number {
  const data = args[2] as ArrayBuffer | ArrayBufferView;
  const perElement = ArrayBuffer.isView(data)
    ? ((data as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1)
    : 1;
  const length = ArrayBuffer.isView(data) ? data.byteLength / perElement : data.byteLength;
  const dataOffset = (args[3] as number | undefined) ?? 0;
  const size = (args[4] as number | undefined) ?? length - dataOffset;
  return size * perElement;
}

/** Wraps the WebGPU prototypes once; null where WebGPU's interfaces are absent. */
export function installWebgpuCounters(): WebgpuCounter | null {
  const pass = protoOf('GPUComputePassEncoder');
  const queue = protoOf('GPUQueue');
  const device = protoOf('GPUDevice');
  const buffer = protoOf('GPUBuffer');
  if (!pass || !queue || !device || !buffer) return null;
  if (!installed) {
    installed = true;
    const upload = (bytes: number) => {
      totals.uploads++;
      totals.uploadBytes += bytes;
      totals.uploadSizes[bytes] = (totals.uploadSizes[bytes] ?? 0) + 1;
    };
    const dispatch = () => {
      totals.dispatches++;
    };
    wrap(pass, 'dispatchWorkgroups', dispatch);
    wrap(pass, 'dispatchWorkgroupsIndirect', dispatch);
    wrap(queue, 'submit', () => {
      totals.submits++;
    });
    wrap(queue, 'writeBuffer', (_, args) => {
      const target = args[0] as { usage?: number };
      const bytes = writtenBytes(args);
      if ((target.usage ?? 0) & USAGE_UNIFORM) {
        totals.uniformWrites++;
        totals.uniformBytes += bytes;
      } else upload(bytes);
    });
    wrap(device, 'createBuffer', (_, args) => {
      const desc = args[0] as { size?: number; usage?: number; mappedAtCreation?: boolean };
      if (desc?.mappedAtCreation) upload(desc.size ?? 0);
      if (((desc?.usage ?? 0) & USAGE_MAP_WRITE) === 0) totals.buffersCreated++;
    });
    wrap(buffer, 'mapAsync', (self, args) => {
      if (((args[0] as number) & MAP_READ) !== 0) {
        totals.readbacks++;
        totals.readbackBytes += (self as { size?: number }).size ?? 0;
      }
    });
  }
  const snapshot = () => ({ ...totals, uploadSizes: { ...totals.uploadSizes } });
  return {
    snapshot,
    async count(work) {
      const a = snapshot();
      const value = await work();
      return { value, counts: diffCounts(a, snapshot()) };
    },
  };
}

interface SyncReader {
  readSync(dataId: object): unknown;
  tensorMap?: { get(dataId: object): { values?: unknown; dtype?: string; shape?: number[] } };
}

/**
 * Counts the synchronous reads of a tfjs-backend-webgpu backend (`tf.backend()` while it is
 * current): `readSync` of a tensor whose values are not already on the CPU is a GPU readback that
 * the API-level counters do not see (it goes through a canvas). Idempotent per backend.
 */
export function watchSyncReads(backend: unknown): void {
  const b = backend as SyncReader & { __cplaySyncReadsWatched?: boolean };
  if (typeof b?.readSync !== 'function' || b.__cplaySyncReadsWatched) return;
  b.__cplaySyncReadsWatched = true;
  const original = b.readSync.bind(b);
  b.readSync = (dataId: object) => {
    const data = b.tensorMap?.get(dataId);
    if (data && data.values == null && data.dtype !== 'string') {
      const n = (data.shape ?? []).reduce((p, d) => p * d, 1);
      totals.readbacks++;
      totals.syncReadbacks++;
      totals.readbackBytes += 4 * n;
    }
    return original(dataId);
  };
}
