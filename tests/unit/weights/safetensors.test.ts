/**
 * safetensors read/write. dtypes.safetensors and tiny-bert/model.safetensors were written by the
 * Python writer in tests/fixtures/model/make_model.py (struct + json, as the reference writes);
 * dtypes.json holds the values numpy decodes from the same bytes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/engine/errors.ts';
import {
  MAX_HEADER_BYTES,
  readSafetensors,
  toFloat32,
  toIntegers,
  writeSafetensors,
} from '../../../src/engine/weights/safetensors.ts';
import { MODEL_FIXTURES, TINY_BERT } from '../model/golden.ts';

/** A safetensors file from a header object and a data section (header padded with spaces). */
function build(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const text = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

function userErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

const two = (a: [number, number], b: [number, number], dtypeA = 'F32') => ({
  a: { dtype: dtypeA, shape: [2], data_offsets: a },
  b: { dtype: 'F32', shape: [2], data_offsets: b },
});

describe('readSafetensors on Python-written files', () => {
  it('decodes F16, BF16, F64, F32 to float32 and I32, I64 to integers as numpy does', () => {
    const bytes = new Uint8Array(readFileSync(join(MODEL_FIXTURES, 'dtypes.safetensors')));
    const expected = JSON.parse(
      readFileSync(join(MODEL_FIXTURES, 'dtypes.json'), 'utf8'),
    ) as Record<string, number[]>;
    const st = readSafetensors(bytes, 'dtypes.safetensors');
    expect(st.metadata).toEqual({ format: 'pt' });
    for (const name of ['half', 'brain', 'double', 'single']) {
      const got = [...toFloat32(st.tensors.get(name)!, name, st.file)];
      expect(got).toEqual(expected[name]!.map((v) => Math.fround(v)));
    }
    expect(st.tensors.get('half')!.shape).toEqual([2, 4]);
    expect(toIntegers(st.tensors.get('ints')!, 'ints', st.file)).toEqual(expected.ints);
    expect(toIntegers(st.tensors.get('embeddings.position_ids')!, 'p', st.file)).toEqual(
      expected['embeddings.position_ids'],
    );
    expect(() => toFloat32(st.tensors.get('ints')!, 'ints', st.file)).toThrow(
      /"ints" has dtype I32/,
    );
  });

  it('reads the tiny-bert checkpoint (bert. prefix, MLM head, I64 position_ids)', () => {
    const st = readSafetensors(new Uint8Array(readFileSync(join(TINY_BERT, 'model.safetensors'))));
    expect(st.tensors.get('bert.embeddings.word_embeddings.weight')!.shape).toEqual([292, 32]);
    expect(st.tensors.get('bert.embeddings.position_ids')!.dtype).toBe('I64');
    expect(st.tensors.has('cls.predictions.bias')).toBe(true);
  });
});

describe('writeSafetensors', () => {
  it('writes __metadata__ {format: pt}, sorted names, an 8-byte padded header, and reads back bit-exact', () => {
    const tensors = new Map([
      ['z.weight', { shape: [2, 3], data: new Float32Array([1, -2, 3.5, 1e-30, -0, Math.PI]) }],
      ['a.bias', { shape: [1], data: new Float32Array([Number.NaN]) }],
    ]);
    const bytes = writeSafetensors(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(
      header.startsWith(
        '{"__metadata__":{"format":"pt"},"a.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"z.weight"',
      ),
    ).toBe(true);
    expect(header.endsWith(' ') || header.endsWith('}')).toBe(true);
    const st = readSafetensors(bytes, 'x.safetensors');
    expect([...st.tensors.keys()]).toEqual(['a.bias', 'z.weight']);
    const z = toFloat32(st.tensors.get('z.weight')!, 'z.weight', 'x');
    expect(new Uint8Array(z.buffer)).toEqual(new Uint8Array(tensors.get('z.weight')!.data.buffer));
    expect(Number.isNaN(toFloat32(st.tensors.get('a.bias')!, 'a.bias', 'x')[0])).toBe(true);
  });
});

describe('readSafetensors rejects malformed files with a UserError naming file and tensor', () => {
  const data16 = new Uint8Array(16);

  it('a file shorter than 8 bytes', () => {
    expect(userErrorOf(() => readSafetensors(new Uint8Array(5), 'm.safetensors'))).toMatch(
      /^m\.safetensors: is 5 bytes long/,
    );
  });

  it('a truncated file (data cut short)', () => {
    const full = build(two([0, 8], [8, 16]), data16);
    const msg = userErrorOf(() =>
      readSafetensors(full.subarray(0, full.length - 4), 'm.safetensors'),
    );
    expect(msg).toMatch(
      /m\.safetensors: tensor "b" has data_offsets \[8, 16\] past the end of the data section \(12 bytes\)/,
    );
  });

  it('a header length past the end of the file', () => {
    const bytes = build(two([0, 8], [8, 16]), data16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(bytes.length), true);
    expect(userErrorOf(() => readSafetensors(bytes, 'm.safetensors'))).toMatch(
      /header length \d+ runs past the end of the file/,
    );
  });

  it('a header length over the 100 MB limit', () => {
    const bytes = build(two([0, 8], [8, 16]), data16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(userErrorOf(() => readSafetensors(bytes, 'm.safetensors'))).toMatch(
      /over the 100000000-byte limit/,
    );
  });

  it('overlapping offsets', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(two([0, 8], [4, 12]), new Uint8Array(12)), 'm.safetensors'),
    );
    expect(msg).toMatch(/tensor "b" \(bytes 4-12\) overlaps tensor "a", which ends at 8/);
  });

  it('a gap between offsets', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(two([0, 8], [12, 20]), new Uint8Array(20)), 'm.safetensors'),
    );
    expect(msg).toMatch(/tensor "b" starts at byte 12, leaving a gap after byte 8/);
  });

  it('bytes left over after the last tensor', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(two([0, 8], [8, 16]), new Uint8Array(20)), 'm.safetensors'),
    );
    expect(msg).toMatch(/cover 16 bytes of data but the data section holds 20/);
  });

  it('a dtype whose size does not match the offsets (F16 [2] over 8 bytes)', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(two([0, 8], [8, 16], 'F16'), data16), 'm.safetensors'),
    );
    expect(msg).toMatch(
      /tensor "a" has dtype F16 and shape \[2\], which take 4 bytes, but its data_offsets \[0, 8\] span 8/,
    );
  });

  it('an unknown dtype', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(two([0, 8], [8, 16], 'F128'), data16), 'm.safetensors'),
    );
    expect(msg).toMatch(/tensor "a" has unknown dtype "F128"/);
  });

  it('a header that is not JSON', () => {
    const msg = userErrorOf(() =>
      readSafetensors(build(null, data16, '{"a": {"dtype": '), 'm.safetensors'),
    );
    expect(msg).toMatch(/m\.safetensors: header is not valid JSON/);
  });

  it('a header that is not UTF-8', () => {
    const bytes = build(null, data16, '{"a":1}  ');
    bytes[9] = 0xff;
    expect(userErrorOf(() => readSafetensors(bytes, 'm.safetensors'))).toMatch(
      /header is not valid UTF-8/,
    );
  });

  it('bad shapes and offsets fields', () => {
    const bad = { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } };
    expect(userErrorOf(() => readSafetensors(build(bad, new Uint8Array(4)), 'm'))).toMatch(
      /tensor "a" has an invalid shape \[-1\]/,
    );
    const rev = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } };
    expect(userErrorOf(() => readSafetensors(build(rev, new Uint8Array(4)), 'm'))).toMatch(
      /tensor "a" has invalid data_offsets \[4,0\]/,
    );
  });
});
