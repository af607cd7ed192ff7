/**
 * Helpers for the data tests: real files from ../shared/data as bytes or as lazy Blobs.
 */
import { openAsBlob, readFileSync } from 'node:fs';
import { sharedData } from '../../helpers/paths.ts';

/** The whole file as bytes. */
export function bytesOf(...parts: string[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(sharedData(...parts)));
}

/** The file as a lazy Blob (read in chunks, like a browser upload). */
export function blobOf(...parts: string[]): Promise<Blob> {
  return openAsBlob(sharedData(...parts));
}

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

export function textOf(...parts: string[]): string {
  return readFileSync(sharedData(...parts), 'utf8');
}

/** How many examples carry each label index. */
export function labelCounts(examples: readonly { label?: number }[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const e of examples) {
    const k = e.label as number;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}
