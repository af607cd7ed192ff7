/**
 * Column mapping: which column of a file feeds each field of an `Example`.
 *
 * An explicit `ColumnMap` always wins. A field it leaves out is guessed from the header by the
 * alias lists below (case-insensitive, first alias that matches an unused column). A file with no
 * header names its columns "1", "2", … and, when no map is given, takes them in order
 * (text, text2, text3 / label / score). A map value made of digits names a 1-based position when
 * no column carries that name.
 */
import { UserError } from '../errors.ts';
import type { ColumnMap, ColumnRole, DataKind } from './types.ts';

/** The fields each kind needs, in header-less column order. */
export const KIND_ROLES: Record<DataKind, readonly ColumnRole[]> = {
  sentences: ['text'],
  pairs: ['text', 'text2'],
  triplets: ['text', 'text2', 'text3'],
  labeled: ['text', 'label'],
  'labeled-pairs': ['text', 'text2', 'label'],
  sts: ['text', 'text2', 'score'],
};

const ROLE_WORDS: Record<ColumnRole, string> = {
  text: 'first sentence (text)',
  text2: 'second sentence (text2)',
  text3: 'hard negative (text3)',
  label: 'class label (label)',
  score: 'similarity score (score)',
};

/**
 * Header names recognised per field, most specific first. Sources: the Hub cards of the
 * catalogue's sets (sentence1/sentence2/score; sent0/sent1/hard_neg; anchor/positive/negative;
 * text/positive/negative; premise/hypothesis/label; idx/sentence/label; text/coarse_label;
 * query/title/neg_title) and the headers of ../shared/data.
 */
const SINGLE_TEXT_ALIASES = [
  'sentence',
  'text',
  'sentence1',
  'sentence_a',
  'sent0',
  'sent',
  'content',
  'review',
  'question',
  'query',
  'anchor',
  'premise',
  's1',
];
const PAIR_TEXT_ALIASES = [
  'sentence1',
  'sentence_a',
  'sent0',
  'text1',
  'text_a',
  'anchor',
  'query',
  'premise',
  'question1',
  'q1',
  's1',
  'sentence',
  'text',
];
const ALIASES: Record<Exclude<ColumnRole, 'text'>, string[]> = {
  text2: [
    'sentence2',
    'sentence_b',
    'sent1',
    'text2',
    'text_b',
    'positive',
    'pos',
    'hypothesis',
    'question2',
    'q2',
    's2',
    'title',
    'entailment',
  ],
  text3: ['hard_neg', 'hard_negative', 'negative', 'neg', 'sent2', 'neg_title', 'contradiction'],
  label: [
    'label',
    'labels',
    'gold_label',
    'coarse_label',
    'class',
    'category',
    'target',
    'y',
    'entailment_judgment',
    'score',
  ],
  score: [
    'score',
    'similarity_score',
    'relatedness_score',
    'similarity',
    'sim',
    'gold_score',
    'label',
  ],
};

function aliasesFor(role: ColumnRole, kind: DataKind): string[] {
  if (role === 'text') {
    return kind === 'sentences' || kind === 'labeled' ? SINGLE_TEXT_ALIASES : PAIR_TEXT_ALIASES;
  }
  return ALIASES[role];
}

/** Role → column index, for the roles the kind needs. */
export type ResolvedColumns = Partial<Record<ColumnRole, number>>;

/**
 * Decide which column feeds each field the kind needs.
 * @param header column names ("1", "2", … for a header-less file)
 * @param headerless whether `header` was made up from positions
 */
export function resolveColumns(
  fileName: string,
  header: readonly string[],
  headerless: boolean,
  kind: DataKind,
  columns: ColumnMap | undefined,
): ResolvedColumns {
  const roles = KIND_ROLES[kind];
  const out: ResolvedColumns = {};
  const used = new Set<number>();
  const lower = header.map((h) => h.trim().toLowerCase());
  const listed = header.map((h) => `"${h}"`).join(', ');

  for (const role of roles) {
    const wanted = columns?.[role];
    if (wanted === undefined || wanted === '') continue;
    let idx = header.indexOf(wanted);
    if (idx < 0) idx = lower.indexOf(wanted.trim().toLowerCase());
    if (idx < 0 && /^\d+$/.test(wanted)) {
      const pos = Number(wanted) - 1;
      if (pos >= 0 && pos < header.length) idx = pos;
    }
    if (idx < 0) {
      const where = headerless
        ? `it has no header and ${header.length} column(s), so name columns by position 1–${header.length}`
        : `its columns are ${listed}`;
      throw new UserError(
        `${fileName} has no column "${wanted}" for the ${ROLE_WORDS[role]}: ${where}.`,
      );
    }
    out[role] = idx;
    used.add(idx);
  }

  // Header-less: the unmapped roles take the columns the map left free, in order.
  const free = header.map((_, i) => i).filter((i) => !used.has(i));
  const unmapped = roles.filter((r) => out[r] === undefined);
  for (const role of roles) {
    if (out[role] !== undefined) continue;
    let idx = -1;
    if (headerless) {
      const k = unmapped.indexOf(role);
      if (k < free.length) idx = free[k] as number;
    } else if (kind === 'sentences' && role === 'text' && header.length === 1) {
      idx = 0;
    } else {
      for (const alias of aliasesFor(role, kind)) {
        const j = lower.findIndex((h, i) => h === alias && !used.has(i));
        if (j >= 0) {
          idx = j;
          break;
        }
      }
    }
    if (idx < 0) {
      const hint = headerless
        ? `it has no header and only ${header.length} column(s)`
        : `none of its columns (${listed}) is an obvious match, so map it with columns.${role}`;
      throw new UserError(`${fileName} has no column for the ${ROLE_WORDS[role]}: ${hint}.`);
    }
    out[role] = idx;
    used.add(idx);
  }
  return out;
}

/** Every header name the guesser knows, lower-case (used to decide whether a first row is a header). */
export const KNOWN_COLUMN_NAMES: ReadonlySet<string> = new Set([
  ...SINGLE_TEXT_ALIASES,
  ...PAIR_TEXT_ALIASES,
  ...Object.values(ALIASES).flat(),
]);

const NAME_LIKE = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Whether the first row of a delimited file is a header: every field looks like a column name
 * (letters, digits, `_ . -`, no spaces) and at least one is a known name or one the map asks for.
 */
export function looksLikeHeader(
  fields: readonly string[],
  columns: ColumnMap | undefined,
): boolean {
  if (fields.length === 0) return false;
  const trimmed = fields.map((f) => f.trim());
  if (!trimmed.every((f) => NAME_LIKE.test(f))) return false;
  const wanted = new Set(
    Object.values(columns ?? {})
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.toLowerCase()),
  );
  return trimmed.some(
    (f) => KNOWN_COLUMN_NAMES.has(f.toLowerCase()) || wanted.has(f.toLowerCase()),
  );
}

/** "1", "2", … for a header-less file of `n` columns. */
export function positionalHeader(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i + 1));
}
