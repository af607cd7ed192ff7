/** Words for the preview's token marks (pure; the legend and the hover text use them). */
import type { PreviewToken, TokenMark, ViewPreview } from '../../engine/augment/preview.ts';

export const MARK_LEGEND: { kind: TokenMark['kind']; label: string }[] = [
  { kind: 'replaced', label: 'replaced by a synonym' },
  { kind: 'inserted', label: 'inserted synonym' },
  { kind: 'swapped', label: 'swapped' },
  { kind: 'deleted', label: 'deleted' },
  { kind: 'cut', label: 'cut off (zeroed)' },
  { kind: 'shuffled', label: 'position shuffled' },
];

export function describeMark(m: TokenMark): string {
  switch (m.kind) {
    case 'kept':
      return 'kept';
    case 'replaced':
      return `replaced “${m.original}”`;
    case 'inserted':
      return `inserted (a synonym of “${m.synonymOf}”)`;
    case 'swapped':
      return `swapped (was word ${m.originalPosition + 1})`;
    case 'deleted':
      return 'deleted';
    case 'cut':
      return 'cut off';
    case 'shuffled':
      return `position id ${m.positionId}`;
  }
}

/** The edits of a token in words ('' for an untouched token). */
export function tokenDescription(t: PreviewToken): string {
  return t.marks
    .filter((m) => m.kind !== 'kept')
    .map(describeMark)
    .join('; ');
}

/** Counts of each mark over both views (the test and the summary line use it). */
export function countMarks(views: readonly ViewPreview[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of views) {
    for (const t of [...v.tokens, ...(v.embedding?.tokens ?? [])]) {
      for (const m of t.marks) if (m.kind !== 'kept') out[m.kind] = (out[m.kind] ?? 0) + 1;
    }
  }
  return out;
}

/** A loose check of what the worker sent (the protocol types `views` as unknown). */
export function asViews(v: unknown): [ViewPreview, ViewPreview] | null {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const ok = v.every(
    (x) => x && typeof x === 'object' && typeof x.text === 'string' && Array.isArray(x.tokens),
  );
  return ok ? (v as [ViewPreview, ViewPreview]) : null;
}
