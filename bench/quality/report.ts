/**
 * The quality benchmark's record (bench/results/quality-<date>.json), its summary per recipe, the
 * checks against the issue's targets, and the generated block of docs/quality.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from '../machine.ts';
import type { OursResult } from './ours.ts';
import { RECIPES, type RecipeName } from './recipes.ts';
import type { TorchResult } from './torch.ts';

export interface RunRecord {
  recipe: RecipeName;
  seed: number;
  steps: number;
  warmup: number;
  ours?: OursResult;
  torch?: TorchResult;
  error?: string;
  checks?: {
    batchMismatches: number;
    /** max |lr_ours − lr_torch| over the steps. */
    lrMaxDiff: number;
    /** |Spearman_ours − Spearman_torch| of the start on dev (same weights, eval mode). */
    startDevDiff: number;
    /** |loss_ours − loss_torch| of step 1 (comparable only without dropout: same weights, same batch). */
    firstLossDiff: number;
  };
}

export interface QualityRecord {
  date: string;
  mode: 'quick' | 'full';
  argv: string[];
  machine: Machine;
  sources: { wordnetPairs: string; wiki: string; dev: string; test: string; encoder: string };
  /** Set when the pretrained recipes ran on a stand-in (bert-tiny-en was not in the checkout). */
  standIn: string | null;
  evalPairs: number | null;
  /** Word-overlap baselines, ours (metrics/lexical.ts) and PyTorch's own computation. */
  lexical: Record<'dev' | 'test', { ours: Lex; torch?: Lex }>;
  runs: RunRecord[];
  wallMs: number;
}

interface Lex {
  bagOfWords: number;
  tfidf: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean of the last 10 losses: the end of a noisy curve. */
export const finalLoss = (losses: number[]) => mean(losses.slice(-10));

export interface RecipeSummary {
  recipe: RecipeName;
  seeds: number;
  ours: { devStart: number; devEnd: number; testStart: number; testEnd: number };
  torch: { devStart: number; devEnd: number; testStart: number; testEnd: number };
  /** ours − PyTorch, means over seeds, at the end. */
  deltaDev: number;
  deltaTest: number;
}

export function summarise(rec: QualityRecord): RecipeSummary[] {
  const out: RecipeSummary[] = [];
  for (const name of Object.keys(RECIPES) as RecipeName[]) {
    const runs = rec.runs.filter((r) => r.recipe === name && r.ours && r.torch);
    if (!runs.length) continue;
    const side = (k: 'ours' | 'torch') => ({
      devStart: mean(runs.map((r) => r[k]!.start.dev.spearman)),
      devEnd: mean(runs.map((r) => r[k]!.end.dev.spearman)),
      testStart: mean(runs.map((r) => r[k]!.start.test.spearman)),
      testEnd: mean(runs.map((r) => r[k]!.end.test.spearman)),
    });
    const ours = side('ours');
    const torch = side('torch');
    out.push({
      recipe: name,
      seeds: runs.length,
      ours,
      torch,
      deltaDev: ours.devEnd - torch.devEnd,
      deltaTest: ours.testEnd - torch.testEnd,
    });
  }
  return out;
}

export interface TargetCheck {
  what: string;
  value: string;
  ok: boolean;
}

/** The issue's targets, each with the numbers it was judged on. */
export function targets(rec: QualityRecord): TargetCheck[] {
  const s = summarise(rec);
  const by = (n: RecipeName) => s.find((x) => x.recipe === n);
  const out: TargetCheck[] = [];
  const d = by('default');
  if (d)
    out.push({
      what: 'default recipe: dev end ≥ start + 5 (ours)',
      value: `${f1(d.ours.devStart)} → ${f1(d.ours.devEnd)} (+${f1(d.ours.devEnd - d.ours.devStart)})`,
      ok: d.ours.devEnd >= d.ours.devStart + 5,
    });
  const t = by('tiny-dropout');
  if (t) {
    out.push({
      what: `${rec.standIn ? 'stand-in encoder' : 'bert-tiny-en'}, dropout 0.1: dev ≥ 70 / test ≥ 64 (ours)`,
      value: `dev ${f1(t.ours.devEnd)}, test ${f1(t.ours.testEnd)}`,
      ok: t.ours.devEnd >= 70 && t.ours.testEnd >= 64,
    });
    out.push({
      what: "stretch: dev ≥ TF-IDF's dev",
      value: `${f1(t.ours.devEnd)} vs ${f1(rec.lexical.dev.ours.tfidf)}`,
      ok: t.ours.devEnd >= rec.lexical.dev.ours.tfidf,
    });
  }
  for (const x of s)
    out.push({
      what: `${x.recipe}: |Δ mean| ≤ 1.5 (dev, test)`,
      value: `${f1(x.deltaDev)}, ${f1(x.deltaTest)}`,
      ok: Math.abs(x.deltaDev) <= 1.5 && Math.abs(x.deltaTest) <= 1.5,
    });
  const [a, b, c] = ['tiny-dropout', 'tiny-nodrop', 'tiny-eda'].map((n) => by(n as RecipeName));
  if (a && b && c)
    out.push({
      what: "papers' ordering on dev: dropout 0.1 > dropout 0 > EDA (ours)",
      value: `${f1(a.ours.devEnd)} / ${f1(b.ours.devEnd)} / ${f1(c.ours.devEnd)}`,
      ok: a.ours.devEnd > b.ours.devEnd && b.ours.devEnd > c.ours.devEnd,
    });
  return out;
}

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(1));
const f2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

function runRow(r: RunRecord): string {
  const o = r.ours;
  const t = r.torch;
  if (!o || !t) return `| ${r.recipe} | ${r.seed} | failed: ${r.error ?? '?'} | | | | | | |`;
  const st = (x: OursResult | TorchResult) =>
    `${f1(x.start.dev.spearman)} → **${f1(x.end.dev.spearman)}** / ${f1(x.start.test.spearman)} → **${f1(x.end.test.spearman)}**`;
  const au = (x: OursResult | TorchResult) =>
    `${f2(x.end.dev.alignment)} / ${f2(x.end.dev.uniformity)}`;
  return `| ${r.recipe} | ${r.seed} | ${st(o)} | ${st(t)} | ${f1(o.end.dev.spearman - t.end.dev.spearman)} / ${f1(o.end.test.spearman - t.end.test.spearman)} | ${finalLoss(o.losses).toFixed(3)} / ${finalLoss(t.losses).toFixed(3)} | ${au(o)} | ${au(t)} | ${(o.trainMs / 1000).toFixed(0)} s / ${(t.trainMs / 1000).toFixed(0)} s |`;
}

export const DOC_START =
  '<!-- quality:generated:start (npm run bench -- --quality rewrites this block) -->';
export const DOC_END = '<!-- quality:generated:end -->';

export function generatedBlock(rec: QualityRecord, file: string): string {
  const m = rec.machine;
  const lines: string[] = [DOC_START];
  lines.push(`### Latest run: ${rec.date} (${rec.mode}; \`${file}\`)`, '');
  if (rec.mode === 'quick')
    lines.push(
      `**A quick run** (${rec.runs[0]?.steps ?? '?'} steps, ${rec.evalPairs ?? 'all'} pairs): it checks that everything runs and that both sides agree; the targets below are meant for the full run.`,
      '',
    );
  if (rec.standIn)
    lines.push(
      `**Stand-in encoder**: the pretrained recipes ran on ${rec.standIn}, not bert-tiny-en; their absolute numbers say nothing about bert-tiny-en.`,
      '',
    );
  lines.push(
    `Spearman × 100, start → **end**, STS-B dev / test (${rec.evalPairs ? `first ${rec.evalPairs} pairs of each` : 'all pairs'}). Δ = ours − PyTorch at the end. Loss = mean of the last 10 steps. A / U = alignment / uniformity on dev at the end (SimCSE's protocol).`,
    '',
    '| recipe | seed | ours dev / test | PyTorch dev / test | Δ dev / test | loss ours / PyTorch | A / U ours | A / U PyTorch | train time ours / PyTorch |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rec.runs.map(runRow),
    '',
    '| recipe | seeds | ours dev end (mean) | PyTorch dev end | ours test end | PyTorch test end | Δ dev | Δ test |',
    '|---|---|---|---|---|---|---|---|',
    ...summarise(rec).map(
      (s) =>
        `| ${s.recipe} | ${s.seeds} | ${f1(s.ours.devEnd)} | ${f1(s.torch.devEnd)} | ${f1(s.ours.testEnd)} | ${f1(s.torch.testEnd)} | ${f1(s.deltaDev)} | ${f1(s.deltaTest)} |`,
    ),
    '',
    'Baselines (Spearman × 100, dev / test):',
    '',
  );
  const rnd = rec.runs.filter((r) => r.recipe === 'default' && r.ours);
  if (rnd.length)
    lines.push(
      `- random init (the default recipe's start, mean over seeds): ours ${f1(mean(rnd.map((r) => r.ours!.start.dev.spearman)))} / ${f1(mean(rnd.map((r) => r.ours!.start.test.spearman)))}, PyTorch ${f1(mean(rnd.filter((r) => r.torch).map((r) => r.torch!.start.dev.spearman)))} / ${f1(mean(rnd.filter((r) => r.torch).map((r) => r.torch!.start.test.spearman)))}`,
    );
  const lx = rec.lexical;
  lines.push(
    `- bag of words (count cosine): ${f1(lx.dev.ours.bagOfWords)} / ${f1(lx.test.ours.bagOfWords)} (PyTorch side's own computation: ${f1(lx.dev.torch?.bagOfWords)} / ${f1(lx.test.torch?.bagOfWords)})`,
    `- TF-IDF cosine: ${f1(lx.dev.ours.tfidf)} / ${f1(lx.test.ours.tfidf)} (PyTorch side: ${f1(lx.dev.torch?.tfidf)} / ${f1(lx.test.torch?.tfidf)})`,
  );
  const pre = rec.runs.find((r) => r.recipe !== 'default' && r.ours);
  if (pre)
    lines.push(
      `- ${rec.standIn ? 'stand-in' : 'bert-tiny-en'} before training (mean pooling): ${f1(pre.ours!.start.dev.spearman)} / ${f1(pre.ours!.start.test.spearman)}`,
    );
  lines.push('', 'Targets (from the issue):', '');
  const checks = targets(rec);
  for (const t of checks) lines.push(`- ${t.ok ? '✅' : '❌'} ${t.what}: ${t.value}`);
  const order = checks.find((t) => t.what.startsWith("papers' ordering"));
  if (order && !order.ok)
    lines.push(
      '',
      `At this size and length of run the papers' ordering does not hold: dev ${order.value} (dropout 0.1 / dropout 0 / EDA, ours, mean over seeds).`,
    );
  lines.push('', 'Same-start checks per run (ours vs PyTorch):', '');
  for (const r of rec.runs) {
    const c = r.checks;
    if (!c) continue;
    lines.push(
      `- ${r.recipe} s${r.seed}: batches differing ${c.batchMismatches}; max |Δ lr| ${c.lrMaxDiff.toExponential(1)}; start dev |Δ| ${c.startDevDiff.toFixed(4)}; step-1 loss |Δ| ${c.firstLossDiff.toExponential(1)}${r.recipe === 'tiny-nodrop' || r.recipe === 'tiny-eda' ? ' (no dropout: same weights, same batch)' : ' (dropout masks differ)'}`,
    );
  }
  lines.push(
    '',
    `- Sources: train ${rec.sources.wordnetPairs} (default), ${rec.sources.wiki} (pretrained); dev ${rec.sources.dev}; test ${rec.sources.test}; encoder ${rec.sources.encoder}.`,
    `- Machine: ${m.cpu}, ${m.cores} cores; load ${m.loadStart[0]} → ${m.loadEnd?.[0] ?? '?'}; Node ${m.node}, TF.js ${m.tfjs}, PyTorch ${rec.runs.find((r) => r.torch)?.torch?.torch ?? '?'}; ${Math.round(rec.wallMs / 60000)} min in all.`,
    DOC_END,
  );
  return lines.join('\n');
}

export function updateQualityDoc(path: string, block: string, skeleton: string): void {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : skeleton;
  const a = text.indexOf(DOC_START);
  const b = text.indexOf(DOC_END);
  const next =
    a >= 0 && b > a
      ? text.slice(0, a) + block + text.slice(b + DOC_END.length)
      : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}

/** A short terminal summary. */
export function terminalSummary(rec: QualityRecord): string {
  const rows = summarise(rec).map(
    (s) =>
      `${s.recipe.padEnd(13)} ours dev ${f1(s.ours.devStart)}→${f1(s.ours.devEnd)} test ${f1(s.ours.testStart)}→${f1(s.ours.testEnd)} | torch dev ${f1(s.torch.devStart)}→${f1(s.torch.devEnd)} test ${f1(s.torch.testStart)}→${f1(s.torch.testEnd)} | Δ ${f1(s.deltaDev)} / ${f1(s.deltaTest)}`,
  );
  const t = targets(rec).map((x) => `${x.ok ? 'ok  ' : 'MISS'} ${x.what}: ${x.value}`);
  return [...rows, '', ...t].join('\n');
}
