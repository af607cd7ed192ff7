/**
 * Batching: seeded shuffles, epochs, no repeated sentence in a batch (on the real wiki1m head,
 * which repeats 366 sentences), exact resume from a saved state, and the padding buckets.
 */
import { describe, expect, it } from 'vitest';
import { Batcher, bucketLength } from '../../../src/engine/data/batcher.ts';
import { parseFile } from '../../../src/engine/data/parseFile.ts';
import type { Example } from '../../../src/engine/data/types.ts';
import { isUserError } from '../../../src/engine/errors.ts';
import { bytesOf } from './helpers.ts';

const numbered = (n: number): Example[] => Array.from({ length: n }, (_, i) => ({ text: `s${i}` }));

async function wikiWithRepeats(): Promise<Example[]> {
  const ds = await parseFile(
    'wiki1m_head.txt',
    bytesOf('wiki1m-subset', 'wiki1m_head.txt'),
    'sentences',
    undefined,
    undefined,
    {
      dedup: false,
    },
  );
  expect(ds.examples).toHaveLength(11914);
  return ds.examples;
}

function take(b: Batcher, k: number) {
  return Array.from({ length: k }, () => b.next());
}

describe('Batcher', () => {
  it('an epoch visits every example once, in batches of the requested size', () => {
    const ex = numbered(103);
    const b = new Batcher(ex, { batchSize: 10, seed: 7, shuffle: true });
    const epoch0 = take(b, 11);
    expect(epoch0.map((x) => x.examples.length)).toEqual([
      10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3,
    ]);
    expect(epoch0.map((x) => x.indexInEpoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(epoch0.every((x) => x.epoch === 0)).toBe(true);
    const seen = epoch0.flatMap((x) => x.examples);
    expect(new Set(seen)).toEqual(new Set(ex));
    expect(seen.map((e) => e.text)).not.toEqual(ex.map((e) => e.text)); // shuffled
    const next = b.next();
    expect(next).toMatchObject({ epoch: 1, indexInEpoch: 0 });
    expect(b.batchesPerEpoch).toBe(11);
  });

  it('the same seed gives the same batches; another seed or epoch another order', () => {
    const ex = numbered(50);
    const texts = (b: Batcher, k: number) => take(b, k).map((x) => x.examples.map((e) => e.text));
    const a = texts(new Batcher(ex, { batchSize: 8, seed: 1, shuffle: true }), 14);
    const again = texts(new Batcher(ex, { batchSize: 8, seed: 1, shuffle: true }), 14);
    const other = texts(new Batcher(ex, { batchSize: 8, seed: 2, shuffle: true }), 14);
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    expect(a.slice(7, 14)).not.toEqual(a.slice(0, 7)); // epoch 1 is reshuffled
    const plain = texts(new Batcher(ex, { batchSize: 8, seed: 1, shuffle: false }), 7).flat();
    expect(plain).toEqual(ex.map((e) => e.text));
  });

  it('dropLast keeps only full batches', () => {
    const b = new Batcher(numbered(103), { batchSize: 10, seed: 3, shuffle: true, dropLast: true });
    const batches = take(b, 25);
    expect(batches.every((x) => x.examples.length === 10)).toBe(true);
    expect(batches[10]).toMatchObject({ epoch: 1, indexInEpoch: 0 });
    expect(b.batchesPerEpoch).toBe(10);
  });

  it('no sentence repeats inside a batch, and none is lost from the epoch (real wiki1m head)', async () => {
    const ex = await wikiWithRepeats();
    const b = new Batcher(ex, {
      batchSize: 64,
      seed: 11,
      shuffle: true,
      dropDuplicatesInBatch: true,
    });
    const epoch: Example[] = [];
    for (;;) {
      const batch = b.next();
      if (batch.epoch > 0) break;
      const texts = batch.examples.map((e) => e.text);
      expect(new Set(texts).size).toBe(texts.length);
      epoch.push(...batch.examples);
    }
    expect(epoch).toHaveLength(11914);
    expect(new Set(epoch)).toEqual(new Set(ex));

    // Without the option, this seed does put a repeated sentence in some batch.
    const plain = new Batcher(ex, { batchSize: 64, seed: 11, shuffle: true });
    let repeated = false;
    for (let i = 0; i < 187; i++) {
      const t = plain.next().examples.map((e) => e.text);
      if (new Set(t).size < t.length) repeated = true;
    }
    expect(repeated).toBe(true);
  });

  it('resumes exactly from a saved state, mid-epoch, with deferred duplicates', () => {
    const ex: Example[] = [...numbered(40), ...numbered(40), ...numbered(10)];
    const opts = { batchSize: 16, seed: 5, shuffle: true, dropDuplicatesInBatch: true };
    const a = new Batcher(ex, opts);
    take(a, 3);
    const state = JSON.parse(JSON.stringify(a.getState()));
    expect(state.deferred.length).toBeGreaterThan(0);
    const expected = take(a, 20);
    const b = new Batcher(ex, opts);
    b.setState(state);
    expect(take(b, 20)).toEqual(expected);
  });

  it('refuses a state from other data or other options', () => {
    const a = new Batcher(numbered(30), { batchSize: 4, seed: 1, shuffle: true });
    a.next();
    const state = a.getState();
    const other = new Batcher([...numbered(29), { text: 'x' }], {
      batchSize: 4,
      seed: 1,
      shuffle: true,
    });
    expect(() => other.setState(state)).toThrow(
      "The checkpoint's batch order was made for different data (30 examples, now 30).",
    );
    const bigger = new Batcher(numbered(30), { batchSize: 8, seed: 1, shuffle: true });
    expect(() => bigger.setState(state)).toThrow(
      "The checkpoint's batcher used batchSize = 4 but this run uses 8.",
    );
    expect(() => bigger.setState({ version: 2 })).toThrow(
      'The checkpoint has no batcher state this version can read.',
    );
  });

  it('refuses impossible settings', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isUserError(e)).toBe(true);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(() => new Batcher([], { batchSize: 4, seed: 1, shuffle: true }))).toBe(
      'There are no examples to make batches from.',
    );
    expect(err(() => new Batcher(numbered(3), { batchSize: 0, seed: 1, shuffle: true }))).toBe(
      'The batch size must be a positive whole number, got 0.',
    );
    const dup = [...numbered(3), ...numbered(3)];
    expect(
      err(
        () =>
          new Batcher(dup, {
            batchSize: 4,
            seed: 1,
            shuffle: true,
            dropLast: true,
            dropDuplicatesInBatch: true,
          }),
      ),
    ).toBe(
      'The data has 3 distinct example(s), fewer than the batch size 4, so no full batch can be made.',
    );
  });
});

describe('bucketLength', () => {
  const cases: [number, number, number][] = [
    [0, 32, 8],
    [1, 32, 8],
    [8, 32, 8],
    [9, 32, 16],
    [17, 32, 32],
    [40, 32, 32],
    [33, 128, 48],
    [49, 128, 64],
    [65, 128, 96],
    [97, 128, 128],
    [129, 512, 192],
    [300, 512, 384],
    [400, 512, 512],
    [3, 6, 6],
    [5, 4, 4],
  ];
  it.each(cases)('%i tokens with maxLength %i pad to %i', (n, max, want) => {
    expect(bucketLength(n, max)).toBe(want);
  });

  it('gives few distinct lengths', () => {
    const lengths = new Set(Array.from({ length: 128 }, (_, i) => bucketLength(i + 1, 128)));
    expect([...lengths]).toEqual([8, 16, 32, 48, 64, 96, 128]);
    expect(new Set(Array.from({ length: 32 }, (_, i) => bucketLength(i + 1, 32))).size).toBe(3);
  });

  it('refuses a bad maxLength', () => {
    expect(() => bucketLength(3, 0)).toThrow('maxLength must be a positive whole number, got 0.');
  });
});
