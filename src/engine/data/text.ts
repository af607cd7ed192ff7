/**
 * Chunked reading of uploaded bytes (a `Uint8Array` or a `Blob`) as UTF-8 lines, so a 100 MB
 * file is never decoded into one string: at most one chunk (1 MiB) plus a partial line is held.
 * Invalid UTF-8, NUL bytes (binary files) and UTF-16 are refused with the line they occur on.
 */
import { UserError } from '../errors.ts';
import type { ByteSource, DataProgress } from './types.ts';

export const CHUNK_BYTES = 1 << 20;

export function byteLength(src: ByteSource): number {
  return src instanceof Uint8Array ? src.byteLength : src.size;
}

/** Bytes [start, end) of the source. */
export async function readRange(src: ByteSource, start: number, end: number): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src.subarray(start, end);
  return new Uint8Array(await src.slice(start, end).arrayBuffer());
}

/** The source in chunks of `chunkBytes`, in order. */
export async function* byteChunks(
  src: ByteSource,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  const n = byteLength(src);
  for (let start = 0; start < n; start += chunkBytes) {
    yield await readRange(src, start, Math.min(n, start + chunkBytes));
  }
}

/**
 * Offset of the first byte that starts an invalid UTF-8 sequence, or -1. A sequence cut off by
 * the end of `bytes` counts as valid when `partialEndOk` (the next chunk may complete it).
 */
export function firstInvalidUtf8(bytes: Uint8Array, partialEndOk: boolean): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= n) {
      // The sequence runs past the end of the buffer.
      if (!partialEndOk) return i;
      for (let k = i + 1; k < n; k++) if (((bytes[k] as number) & 0xc0) !== 0x80) return i;
      return -1;
    }
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k] as number;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  let i = bytes.indexOf(10);
  while (i >= 0 && i < end) {
    n++;
    i = bytes.indexOf(10, i + 1);
  }
  return n;
}

/** Refuse compressed archives and UTF-16 by their first bytes, with a clear sentence. */
export function refuseNonText(name: string, head: Uint8Array): void {
  const b0 = head[0];
  const b1 = head[1];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    throw new UserError(`${name} is UTF-16 text; save it as UTF-8 and upload it again.`);
  }
  if (b0 === 0x1f && b1 === 0x8b) {
    throw new UserError(`${name} is gzip-compressed; decompress it and upload the file inside.`);
  }
  if (b0 === 0x50 && b1 === 0x4b && head[2] === 3 && head[3] === 4) {
    throw new UserError(`${name} is a ZIP archive; extract it and upload the file inside.`);
  }
}

export interface Line {
  text: string;
  /** 1-based line number. */
  no: number;
}

/**
 * The source as lines of UTF-8 text (a leading BOM dropped, `\r\n` and `\n` both end a line, a
 * final newline does not start an extra line). Progress is reported per chunk as bytes.
 */
export async function* textLines(
  name: string,
  src: ByteSource,
  onProgress?: (p: DataProgress) => void,
): AsyncGenerator<Line> {
  const total = byteLength(src);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let carry = '';
  let lineNo = 1;
  let bytesDone = 0;
  let first = true;
  for await (const chunk of byteChunks(src)) {
    if (first) refuseNonText(name, chunk);
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      const at = lineNo + countNewlines(chunk, nul);
      throw new UserError(
        `${name} contains a NUL byte on line ${at}, so it looks like a binary file, not text.`,
      );
    }
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      // Up to 3 leading continuation bytes finish a character begun in the previous chunk.
      let skip = 0;
      while (skip < 3 && skip < chunk.length && ((chunk[skip] as number) & 0xc0) === 0x80) skip++;
      const rel = firstInvalidUtf8(chunk.subarray(skip), true);
      const bad = rel < 0 ? 0 : rel + skip;
      const at = lineNo + countNewlines(chunk, bad);
      throw new UserError(
        `${name} is not UTF-8 text: line ${at} has a byte sequence that is not valid UTF-8 (re-save the file as UTF-8).`,
      );
    }
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    first = false;
    bytesDone += chunk.byteLength;
    const parts = (carry + text).split('\n');
    carry = parts.pop() as string;
    for (const p of parts) {
      yield { text: p.endsWith('\r') ? p.slice(0, -1) : p, no: lineNo++ };
    }
    onProgress?.({ phase: 'parse', loaded: bytesDone, total });
  }
  try {
    carry += decoder.decode();
  } catch {
    throw new UserError(
      `${name} is not UTF-8 text: its last line ends in the middle of a UTF-8 character.`,
    );
  }
  if (carry !== '') yield { text: carry.endsWith('\r') ? carry.slice(0, -1) : carry, no: lineNo };
}
