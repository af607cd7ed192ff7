/**
 * Pads encoded rows into the row-major `[B, L]` int32 arrays the encoder takes.
 */
import { UserError } from '../errors.ts';

export interface EncodedRow {
  ids: number[];
  typeIds: number[];
}

export interface EncodedBatch {
  /** [B, L] token ids, `padId` after each row's end. */
  inputIds: Int32Array;
  /** [B, L] 1 on real tokens (specials included), 0 on padding. */
  attentionMask: Int32Array;
  /** [B, L] 0 for the first sentence, 1 for the second of a pair, 0 on padding. */
  tokenTypeIds: Int32Array;
  batchSize: number;
  seqLength: number;
}

/**
 * Right-pads `rows` to `padTo` (which must be at least the longest row) or, without it, to the
 * longest row.
 */
export function padRows(rows: readonly EncodedRow[], padId: number, padTo?: number): EncodedBatch {
  const longest = rows.reduce((m, r) => Math.max(m, r.ids.length), 0);
  if (padTo !== undefined && (!Number.isInteger(padTo) || padTo < longest)) {
    throw new UserError(
      `padTo (${padTo}) must be an integer of at least the longest encoded row (${longest} tokens).`,
    );
  }
  const B = rows.length;
  const L = padTo ?? longest;
  const inputIds = new Int32Array(B * L).fill(padId); // [B, L]
  const attentionMask = new Int32Array(B * L); // [B, L]
  const tokenTypeIds = new Int32Array(B * L); // [B, L]
  rows.forEach((row, b) => {
    inputIds.set(row.ids, b * L);
    attentionMask.fill(1, b * L, b * L + row.ids.length);
    tokenTypeIds.set(row.typeIds, b * L);
  });
  return { inputIds, attentionMask, tokenTypeIds, batchSize: B, seqLength: L };
}
