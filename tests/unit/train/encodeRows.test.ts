import { describe, expect, it } from 'vitest';
import { installNodeAssetLoader } from '../../../src/engine/node/assets.ts';
import { BertTokenizer } from '../../../src/engine/tokenizer/index.ts';
import { tokeniseSegments } from '../../../src/engine/train/encodeRows.ts';
import type { EncoderBundle } from '../../../src/engine/train/encoderSetup.ts';

describe('tokeniseSegments', () => {
  it('pads to the length bucket exactly as the tokenizer pads with padTo', async () => {
    installNodeAssetLoader();
    const tokenizer = await BertTokenizer.builtin();
    const bundle = { tokenizer } as unknown as EncoderBundle;
    const a = ['A man is playing a guitar.', 'Two dogs run.'];
    const b = ['A woman slices an onion on the table.', 'Birds.'];
    const tok = tokeniseSegments(
      bundle,
      [
        { texts: a, view: 1 },
        { texts: b, pairs: ['x y', 'z'], view: 2 },
      ],
      32,
    );
    // The longest row has 12 tokens or fewer, so the bucket is 16 (buckets 8, 16, 32…).
    expect(tok.length).toBe(16);
    const ref = tokenizer.encodeBatch([...a, ...b], {
      maxLength: 32,
      padTo: 16,
      pairs: ['', '', 'x y', 'z'],
    });
    expect(tok.inputIds).toEqual(ref.inputIds);
    expect(tok.attentionMask).toEqual(ref.attentionMask);
    expect(tok.tokenTypeIds).toEqual(ref.tokenTypeIds);
    expect(tok.segments).toEqual([
      { start: 0, count: 2, view: 1 },
      { start: 2, count: 2, view: 2 },
    ]);
  });
});
