/**
 * What a run's evaluations say in one line, and the reference lines of the score chart (pure, so
 * they are tested in Node):
 *   "STS-B dev 61.2 → 66.1 (+4.9)"  — the step-0 evaluation (before any update) → the latest,
 *   "bag of words 56.5 · TF-IDF 76.0" — lexical-overlap baselines on the same STS set.
 * Scores are the engine's: STS Spearman × 100 (cosine, no regressor) or accuracy in %.
 */
import type { EvalPoint, RunData } from '../state/runRecord.ts';

export type ScoreKind = 'spearman' | 'accuracy';

/** Spearman × 100 of lexical overlap on the eval set, as the step-0 STS evaluation reports it. */
export interface Baselines {
  bagOfWords: number;
  tfidf: number;
}

export interface ScoreSummary {
  kind: ScoreKind;
  /** "STS-B dev", or "accuracy" / "<set> accuracy" for a labelled set. */
  label: string;
  /** The score at step 0 (before training), when the run evaluated there. */
  start?: number;
  latest: number;
  latestStep: number;
  baselines?: Baselines;
}

/** One decimal, as the status line and the chart labels show scores. */
export function fmtScore(v: number): string {
  return v.toFixed(1);
}

/** Which score a run reports: STS Spearman when it has any, else accuracy; null when neither. */
export function runScoreKind(run: RunData): ScoreKind | null {
  if (run.evals.some((e) => e.spearman !== undefined)) return 'spearman';
  if (run.evals.some((e) => e.accuracy !== undefined)) return 'accuracy';
  return null;
}

function isBaselines(b: unknown): b is Baselines {
  const o = b as Partial<Baselines> | null | undefined;
  return Number.isFinite(o?.bagOfWords) && Number.isFinite(o?.tfidf);
}

/** The baselines a run's evaluations carry (the step-0 one on an STS set), if any. */
export function runBaselines(run: RunData): Baselines | undefined {
  const e = run.evals.find((x: EvalPoint) => isBaselines(x.baselines));
  return e?.baselines;
}

/** The run's score at step 0 and its latest score, with the eval set's name; null before any. */
export function scoreSummary(run: RunData, kind = runScoreKind(run)): ScoreSummary | null {
  if (!kind) return null;
  const scored = run.evals.filter((e) => Number.isFinite(e[kind]));
  const last = scored[scored.length - 1];
  if (!last) return null;
  const name = run.ready?.evalName;
  const label =
    kind === 'spearman' ? (name ?? 'STS Spearman') : name ? `${name} accuracy` : 'accuracy';
  const out: ScoreSummary = { kind, label, latest: last[kind]!, latestStep: last.step };
  const first = scored.find((e) => e.step === 0);
  if (first) out.start = first[kind]!;
  const b = runBaselines(run);
  if (b && kind === 'spearman') out.baselines = b;
  return out;
}

/**
 * "STS-B dev 61.2 → 66.1 (+4.9)". The change is taken between the shown (rounded) scores so the
 * line adds up. Only the latest when there is no step-0 score; "… 61.2 at step 0" before step 1.
 */
export function summaryText(s: ScoreSummary): string {
  const latest = fmtScore(s.latest);
  if (s.start === undefined) return `${s.label} ${latest}`;
  const start = fmtScore(s.start);
  if (s.latestStep === 0) return `${s.label} ${start} at step 0`;
  const d = Number(latest) - Number(start);
  const delta = `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(1)}`;
  return `${s.label} ${start} → ${latest} (${delta})`;
}

/** "bag of words 56.5 · TF-IDF 76.0". */
export function baselinesText(b: Baselines): string {
  return `bag of words ${fmtScore(b.bagOfWords)} · TF-IDF ${fmtScore(b.tfidf)}`;
}

export interface ReferenceLineSpec {
  id: 'start' | 'bag-of-words' | 'tfidf';
  y: number;
  label: string;
}

/** Horizontal reference lines of the focused run: its step-0 score and the lexical baselines. */
export function referenceLines(run: RunData | undefined, kind: ScoreKind): ReferenceLineSpec[] {
  if (!run) return [];
  const s = scoreSummary(run, kind);
  if (!s) return [];
  const out: ReferenceLineSpec[] = [];
  if (s.start !== undefined) {
    out.push({ id: 'start', y: s.start, label: `start ${fmtScore(s.start)}` });
  }
  if (s.baselines) {
    const { bagOfWords, tfidf } = s.baselines;
    out.push({ id: 'bag-of-words', y: bagOfWords, label: `bag of words ${fmtScore(bagOfWords)}` });
    out.push({ id: 'tfidf', y: tfidf, label: `TF-IDF ${fmtScore(tfidf)}` });
  }
  return out;
}
