/**
 * The safetensors format (github.com/huggingface/safetensors):
 *
 *   [8 bytes: N, u64 little-endian] [N bytes: JSON header] [data section]
 *
 * The header maps each tensor name to `{ dtype, shape, data_offsets: [begin, end] }` (offsets into
 * the data section) plus an optional `__metadata__` string→string map. A valid file's tensors,
 * sorted by offset, tile the data section exactly: no overlap, no gap, nothing left over.
 * The reader applies the reference implementation's checks, each failing with a UserError that
 * names the file (and the tensor); the writer writes what the Python reference writes.
 */
import { UserError } from '../errors.ts';

/** Bytes per element of every dtype the format defines. */
export const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;
export type SafeDtype = keyof typeof DTYPE_SIZES;

/** The reference implementation's limit on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafeTensorEntry {
  dtype: SafeDtype;
  shape: number[];
  /** The tensor's bytes (a view into the file; little-endian, C order). */
  bytes: Uint8Array;
}

export interface SafeTensorsFile {
  /** The file's name, for messages. */
  file: string;
  metadata: Record<string, string> | null;
  /** In header order. */
  tensors: Map<string, SafeTensorEntry>;
}

function isDtype(s: unknown): s is SafeDtype {
  return typeof s === 'string' && Object.hasOwn(DTYPE_SIZES, s);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

const fmtShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Parse and check a safetensors file; tensor bytes are views into `bytes` (not copied). */
export function readSafetensors(bytes: Uint8Array, file = 'model.safetensors'): SafeTensorsFile {
  const fail = (msg: string): never => {
    throw new UserError(`${file}: ${msg}`);
  };
  if (bytes.length < 8)
    fail(
      `is ${bytes.length} bytes long, too short for a safetensors file (the header length alone takes 8).`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    fail(
      `header length ${headerLen} is over the ${MAX_HEADER_BYTES}-byte limit; the file is not safetensors or is corrupt.`,
    );
  }
  const n = Number(headerLen);
  if (8 + n > bytes.length) {
    fail(
      `header length ${n} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8.');
  }
  if (!text.startsWith('{')) fail('header does not start with "{"; the file is not safetensors.');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return fail('header is not a JSON object.');
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> | null = null;
  const infos: { name: string; dtype: SafeDtype; shape: number[]; begin: number; end: number }[] =
    [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null) continue;
      if (
        typeof raw !== 'object' ||
        Array.isArray(raw) ||
        !Object.values(raw).every((v) => typeof v === 'string')
      ) {
        fail('__metadata__ must be an object of string values.');
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    const where = `tensor "${name}"`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      fail(`${where} has no {dtype, shape, data_offsets} entry.`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (!isDtype(dtype))
      fail(
        `${where} has unknown dtype ${JSON.stringify(dtype)}; known: ${Object.keys(DTYPE_SIZES).join(', ')}.`,
      );
    if (!Array.isArray(shape) || !shape.every(isIndex))
      fail(`${where} has an invalid shape ${JSON.stringify(shape)}.`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every(isIndex) ||
      offsets[0]! > offsets[1]!
    ) {
      fail(
        `${where} has invalid data_offsets ${JSON.stringify(offsets)}; expected [begin, end] with begin <= end.`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const dims = shape as number[];
    const expected = dims.reduce((a, d) => a * d, 1) * DTYPE_SIZES[dtype as SafeDtype];
    if (expected !== end - begin) {
      fail(
        `${where} has dtype ${dtype} and shape ${fmtShape(dims)}, which take ${expected} bytes, but its data_offsets [${begin}, ${end}] span ${end - begin}.`,
      );
    }
    if (end > dataLength) {
      fail(
        `${where} has data_offsets [${begin}, ${end}] past the end of the data section (${dataLength} bytes); the file is truncated.`,
      );
    }
    infos.push({ name, dtype: dtype as SafeDtype, shape: dims, begin, end });
  }

  // Sorted by offset, the tensors must tile the data section exactly.
  const sorted = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const t of sorted) {
    if (t.begin < covered)
      fail(
        `tensor "${t.name}" (bytes ${t.begin}-${t.end}) overlaps tensor "${previous}", which ends at ${covered}.`,
      );
    if (t.begin > covered)
      fail(
        `tensor "${t.name}" starts at byte ${t.begin}, leaving a gap after byte ${covered}${previous ? ` (end of "${previous}")` : ''}.`,
      );
    covered = t.end;
    previous = t.name;
  }
  if (covered !== dataLength) {
    fail(
      `the tensors cover ${covered} bytes of data but the data section holds ${dataLength}; the file is corrupt.`,
    );
  }

  const tensors = new Map<string, SafeTensorEntry>();
  for (const t of infos) {
    tensors.set(t.name, {
      dtype: t.dtype,
      shape: t.shape,
      bytes: bytes.subarray(dataStart + t.begin, dataStart + t.end),
    });
  }
  return { file, metadata, tensors };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half → float32 bits, exact (subnormals, infinities, NaN). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A float tensor (F32, F16, BF16, F64) as float32 values; other dtypes are a UserError. */
export function toFloat32(entry: SafeTensorEntry, name: string, file: string): Float32Array {
  const { bytes, dtype } = entry;
  const count = bytes.length / DTYPE_SIZES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN) {
        new Uint8Array(out.buffer).set(bytes);
      } else {
        for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      }
      return out;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    case 'BF16': {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    default:
      throw new UserError(
        `${file}: tensor "${name}" has dtype ${dtype}, but a weight must be F32, F16, BF16 or F64.`,
      );
  }
}

/** An integer tensor (I32, I64, and the small int types) as numbers; I64 values must be safe integers. */
export function toIntegers(entry: SafeTensorEntry, name: string, file: string): number[] {
  const { bytes, dtype } = entry;
  const count = bytes.length / DTYPE_SIZES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'I64': {
        const v = view.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new UserError(`${file}: tensor "${name}" holds ${v}, too large for this reader.`);
        }
        out[i] = Number(v);
        break;
      }
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(i);
        break;
      case 'U8':
      case 'BOOL':
        out[i] = view.getUint8(i);
        break;
      default:
        throw new UserError(`${file}: tensor "${name}" has dtype ${dtype}, not an integer dtype.`);
    }
  }
  return out;
}

export interface F32Tensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Serialise float32 tensors as the Python reference does: `__metadata__` first, tensors sorted by
 * name and packed back to back, the header padded with spaces to a multiple of 8 bytes.
 */
export function writeSafetensors(
  tensors: Map<string, F32Tensor>,
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.data.length) {
      throw new Error(
        `tensor ${name}: shape ${fmtShape(t.shape)} needs ${count} values, got ${t.data.length}`,
      );
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let text = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(text.length / 8) * 8;
  if (padded !== text.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces
    p.set(text);
    text = p;
  }
  const out = new Uint8Array(8 + text.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  let at = 8 + text.length;
  for (const name of names) {
    const { data } = tensors.get(name)!;
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(at + i * 4, data[i]!, true);
    }
    at += data.byteLength;
  }
  return out;
}
