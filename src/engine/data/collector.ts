/**
 * Turns rows (already split into columns by a format reader) into `Example`s: applies the column
 * map, validates scores and labels, drops empty rows and duplicates, stops at the limit, and
 * finally maps class labels to indices. Every format reader feeds one of these, so the rules are
 * the same for TSV, CSV, JSONL, TXT, Parquet and the Hub.
 */
import { UserError } from '../errors.ts';
import { type ResolvedColumns, resolveColumns } from './columns.ts';
import type { ColumnMap, DataKind, Dataset, Example, ParseOptions } from './types.ts';

export interface CollectorOptions extends ParseOptions {
  name: string;
  kind: DataKind;
  columns?: ColumnMap;
  limit?: number;
}

/** Where a row came from, for messages: "line 12" (text formats) or "row 12" (Parquet, JSON). */
export type RowUnit = 'line' | 'row';

const INT_LIKE = /^[+-]?\d+$/;

export class ExampleCollector {
  private readonly opts: CollectorOptions;
  private readonly examples: Example[] = [];
  /** Raw label of each kept example, mapped to indices in `finish()`. */
  private readonly rawLabels: string[] = [];
  private readonly labelAt: string[] = [];
  private readonly seen = new Set<string>();
  private readonly dedup: boolean;
  private rowsRead = 0;
  private emptyRemoved = 0;
  private duplicatesRemoved = 0;
  private truncated = false;
  private sawHeader = false;
  private fileName = '';
  private header: readonly string[] = [];
  private unit: RowUnit = 'line';
  private cols: ResolvedColumns = {};
  private fileLabelNames: string[] | undefined;

  constructor(opts: CollectorOptions) {
    if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
      throw new UserError(`The row limit must be a positive whole number, got ${opts.limit}.`);
    }
    const r = opts.scoreRange;
    if (r && !(Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0])) {
      throw new UserError(`The score range must be two numbers [low, high] with low < high.`);
    }
    this.opts = opts;
    this.dedup = opts.dedup ?? opts.kind === 'sentences';
  }

  /** True once the limit is reached; readers stop reading. */
  get done(): boolean {
    return this.truncated;
  }

  /** The reader knows more rows exist beyond the limit (e.g. another Hub shard). */
  markTruncated(): void {
    this.truncated = true;
  }

  get keptCount(): number {
    return this.examples.length;
  }

  /**
   * Start a file (or a Hub shard): resolve its columns once.
   * @param classLabels class names per column that the file itself declares (Hugging Face
   *   ClassLabel metadata); used for the label column unless the caller gave `labelNames`
   */
  begin(
    fileName: string,
    header: readonly string[],
    headerless: boolean,
    unit: RowUnit,
    classLabels?: Record<string, string[]>,
  ): void {
    this.fileName = fileName;
    this.header = header;
    this.unit = unit;
    this.sawHeader ||= !headerless;
    this.cols = resolveColumns(fileName, header, headerless, this.opts.kind, this.opts.columns);
    const labelCol = this.cols.label === undefined ? undefined : header[this.cols.label];
    const names = labelCol === undefined ? undefined : classLabels?.[labelCol];
    if (names && !this.fileLabelNames) this.fileLabelNames = names;
  }

  /** Names of the columns this kind reads (for readers that can skip the others). */
  neededColumns(): string[] {
    return Object.values(this.cols).map((i) => this.header[i] as string);
  }

  private where(at: number, col?: number): string {
    const c = col === undefined ? '' : `, column "${this.header[col]}"`;
    return `${this.fileName} ${this.unit} ${at}${c}`;
  }

  private text(values: readonly unknown[], col: number | undefined, at: number): string {
    if (col === undefined) return '';
    const v = values[col];
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v.trim();
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    throw new UserError(`${this.where(at, col)} holds a list or record, not text.`);
  }

  /**
   * Add one data row. `values` is indexed by column; `at` is its 1-based line or row number.
   * Returns false when reading should stop (the limit is reached).
   */
  add(values: readonly unknown[], at: number): boolean {
    if (this.truncated) return false;
    const { kind, limit } = this.opts;
    const c = this.cols;
    const text = this.text(values, c.text, at);
    const text2 = c.text2 === undefined ? undefined : this.text(values, c.text2, at);
    const text3 = c.text3 === undefined ? undefined : this.text(values, c.text3, at);
    const allEmpty = text === '' && !text2 && !text3;
    if (limit !== undefined && this.examples.length >= limit) {
      if (allEmpty) return true;
      this.truncated = true;
      return false;
    }
    this.rowsRead++;
    if (text === '' || text2 === '' || text3 === '') {
      this.emptyRemoved++;
      return true;
    }
    const ex: Example = { text };
    if (text2 !== undefined) ex.text2 = text2;
    if (text3 !== undefined) ex.text3 = text3;

    let rawLabel: string | undefined;
    if (c.label !== undefined) {
      rawLabel = this.text(values, c.label, at);
      if (rawLabel === '') throw new UserError(`${this.where(at, c.label)} has no class label.`);
      if (INT_LIKE.test(rawLabel) && Number(rawLabel) < 0) {
        throw new UserError(
          `${this.where(at, c.label)} has the negative label ${rawLabel}, which marks an unlabelled row (a test split?).`,
        );
      }
    }
    if (c.score !== undefined) {
      const raw = this.text(values, c.score, at);
      const num = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(num)) {
        const shown = raw === '' ? 'is empty' : `"${raw}" is not a number`;
        throw new UserError(`${this.where(at, c.score)}: the score ${shown}.`);
      }
      const range = this.opts.scoreRange;
      if (range) {
        const [lo, hi] = range;
        const eps = 1e-9 * (hi - lo);
        if (num < lo - eps || num > hi + eps) {
          throw new UserError(
            `${this.where(at, c.score)}: the score ${raw} is outside this set's range ${lo}–${hi}.`,
          );
        }
        ex.score = Math.min(1, Math.max(0, (num - lo) / (hi - lo)));
      } else {
        ex.score = num;
      }
      ex.rawScore = num;
    }

    if (this.dedup) {
      const key =
        kind === 'sentences'
          ? text
          : [text, text2 ?? '', text3 ?? '', rawLabel ?? '', ex.rawScore ?? ''].join('\u0000');
      if (this.seen.has(key)) {
        this.duplicatesRemoved++;
        return true;
      }
      this.seen.add(key);
    }
    this.examples.push(ex);
    if (rawLabel !== undefined) {
      this.rawLabels.push(rawLabel);
      this.labelAt.push(this.where(at, c.label));
    }
    return true;
  }

  /** Map labels, check something was loaded, and return the data set. */
  finish(): Dataset {
    const { kind, name } = this.opts;
    if (this.examples.length === 0) {
      if (this.rowsRead === 0) {
        throw new UserError(
          this.sawHeader
            ? `${name} has a header line but no data rows.`
            : `${name} has no data rows.`,
        );
      }
      throw new UserError(
        `${name} has ${this.rowsRead} data row(s) but every one has an empty sentence field.`,
      );
    }
    const ds: Dataset = {
      kind,
      name,
      examples: this.examples,
      report: {
        rowsRead: this.rowsRead,
        kept: this.examples.length,
        emptyRemoved: this.emptyRemoved,
        duplicatesRemoved: this.duplicatesRemoved,
        truncatedAtLimit: this.truncated,
      },
    };
    if (this.opts.scoreRange) ds.scoreRange = [this.opts.scoreRange[0], this.opts.scoreRange[1]];
    if (this.rawLabels.length > 0) {
      const names = this.mapLabels();
      if (names) ds.labelNames = names;
    }
    return ds;
  }

  /** Fill `label` on every example; returns the class names when there are any. */
  private mapLabels(): string[] | undefined {
    const given = this.opts.labelNames ?? this.fileLabelNames;
    const raws = this.rawLabels;
    if (given && given.length > 0) {
      const exact = new Map(given.map((n, i) => [n, i]));
      const folded = new Map(given.map((n, i) => [n.toLowerCase(), i]));
      for (let i = 0; i < raws.length; i++) {
        const raw = raws[i] as string;
        let idx = exact.get(raw) ?? folded.get(raw.toLowerCase());
        if (idx === undefined && INT_LIKE.test(raw) && Number(raw) < given.length)
          idx = Number(raw);
        if (idx === undefined) {
          throw new UserError(
            `${this.labelAt[i]}: the label "${raw}" is not one of ${given.map((g) => `"${g}"`).join(', ')}.`,
          );
        }
        (this.examples[i] as Example).label = idx;
      }
      return [...given];
    }
    if (raws.every((r) => INT_LIKE.test(r))) {
      for (let i = 0; i < raws.length; i++) (this.examples[i] as Example).label = Number(raws[i]);
      return undefined;
    }
    // String classes: sorted, so every split of a set gets the same indices.
    const names = [...new Set(raws)].sort();
    const index = new Map(names.map((n, i) => [n, i]));
    for (let i = 0; i < raws.length; i++) {
      (this.examples[i] as Example).label = index.get(raws[i] as string) as number;
    }
    return names;
  }
}
