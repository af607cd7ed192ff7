/**
 * Chunked reading: uploads are read in 1 MiB slices (never whole), lines and multi-byte
 * characters that straddle slices come out intact, line numbers stay right deep into a file,
 * and a limit stops reading early.
 */
import { describe, expect, it } from 'vitest';
import { parseFile } from '../../../src/engine/data/parseFile.ts';
import { CHUNK_BYTES, firstInvalidUtf8 } from '../../../src/engine/data/text.ts';
import { bytesOf, textOf } from './helpers.ts';

/** A Blob that records the byte ranges read from it. */
class SpyBlob extends Blob {
  readonly reads: [number, number][] = [];
  override slice(start?: number, end?: number, type?: string): Blob {
    this.reads.push([start ?? 0, end ?? this.size]);
    return super.slice(start, end, type);
  }
}

describe('chunked reading', () => {
  it('a 2.8 MB Chinese TSV read in slices equals a whole-string split of the same file', async () => {
    const blob = new SpyBlob([bytesOf('afqmc', 'train.tsv')]);
    const ds = await parseFile('train.tsv', blob, 'labeled-pairs');
    const reads = blob.reads.filter(([a, b]) => b - a > 64 * 1024);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...blob.reads.map(([a, b]) => b - a))).toBeLessThanOrEqual(CHUNK_BYTES);
    const rows = textOf('afqmc', 'train.tsv')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t').map((f) => f.trim())); // file line 12,079 starts with a stray U+FEFF, which trim() drops
    expect(ds.examples).toHaveLength(34334);
    expect(ds.examples.map((e) => [e.text, e.text2, String(e.label)])).toEqual(rows);
  });

  it('a 3x SST-2 train file (11 MB, 202,047 rows) parses without holding it as one string', async () => {
    const one = bytesOf('sst2', 'train.tsv');
    const body = one.subarray(one.indexOf(10) + 1);
    const blob = new SpyBlob([one, body, body]);
    const ds = await parseFile('train3.tsv', blob, 'labeled', undefined, undefined, {
      dedup: false,
    });
    expect(ds.report.rowsRead).toBe(3 * 67349);
    expect(ds.report.kept).toBe(3 * 67349);
    expect(Math.max(...blob.reads.map(([a, b]) => b - a))).toBeLessThanOrEqual(CHUNK_BYTES);
    expect(ds.examples[67349]).toEqual(ds.examples[0]);
  });

  it('a limit stops reading after the first slice', async () => {
    const blob = new SpyBlob([bytesOf('afqmc', 'train.tsv')]);
    const ds = await parseFile('train.tsv', blob, 'labeled-pairs', undefined, 100);
    expect(ds.report).toMatchObject({ kept: 100, truncatedAtLimit: true });
    expect(blob.reads.filter(([a]) => a >= CHUNK_BYTES)).toHaveLength(0);
  });

  it('a bad byte three slices in is reported on its own line', async () => {
    const bytes = bytesOf('afqmc', 'train.tsv').slice();
    const text = textOf('afqmc', 'train.tsv');
    const lines = text.split('\n');
    const target = 30000; // 1-based line number
    const offset = new TextEncoder().encode(`${lines.slice(0, target - 1).join('\n')}\n`).length;
    expect(offset).toBeGreaterThan(2 * CHUNK_BYTES);
    bytes[offset] = 0xe9; // Latin-1 "é" where a Chinese character starts
    bytes[offset + 1] = 0x41;
    await expect(parseFile('train.tsv', new Blob([bytes]), 'labeled-pairs')).rejects.toThrow(
      `train.tsv is not UTF-8 text: line ${target} has a byte sequence that is not valid UTF-8 (re-save the file as UTF-8).`,
    );
  });
});

describe('firstInvalidUtf8', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('accepts valid text and a character cut at the end of a slice', () => {
    expect(firstInvalidUtf8(enc('abc 中文 é 😀'), false)).toBe(-1);
    const cut = enc('ab中').subarray(0, 3); // "ab" + first byte of 中
    expect(firstInvalidUtf8(cut, true)).toBe(-1);
    expect(firstInvalidUtf8(cut, false)).toBe(2);
  });
  it('finds stray continuation bytes, overlong forms and surrogates', () => {
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x80]), false)).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0xc0, 0x80]), false)).toBe(1);
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]), false)).toBe(0);
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xe9, 0x41]), true)).toBe(2);
  });
});
