import { useMemo } from 'react';
import { Legend, Line, ReferenceLine, YAxis } from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { StepLineChart } from './StepLineChart.tsx';
import { axisProps, niceAxis } from './series.ts';
import { type ReferenceLineSpec, referenceLines } from './stsSummary.ts';

/** Which score the chart shows: STS Spearman when any run has it, else accuracy. */
export function scoreKind(runs: RunData[]): 'spearman' | 'accuracy' | null {
  if (runs.some((r) => r.evals.some((e) => e.spearman !== undefined))) return 'spearman';
  if (runs.some((r) => r.evals.some((e) => e.accuracy !== undefined))) return 'accuracy';
  return null;
}

/** Where each reference line's label sits, so close values do not print over each other. */
const LABEL_AT: Record<
  ReferenceLineSpec['id'],
  'insideTopRight' | 'insideTopLeft' | 'insideBottomLeft'
> = {
  start: 'insideTopRight',
  tfidf: 'insideTopLeft',
  'bag-of-words': 'insideBottomLeft',
};

/**
 * STS Spearman × 100 (cosine, no regressor) or classification accuracy %, per evaluation, with
 * the focused run's (the first drawn) step-0 score and the lexical baselines as reference lines.
 */
export function EvalScoreChart({ runs }: { runs: RunData[] }) {
  const kind = scoreKind(runs);
  const series = useMemo(
    () =>
      runs.map((r) =>
        kind
          ? r.evals.filter((e) => e[kind] !== undefined).map((e) => ({ step: e.step, v: e[kind] }))
          : [],
      ),
    [runs, kind],
  );
  const refs = useMemo(() => (kind ? referenceLines(runs[0], kind) : []), [runs, kind]);
  // The reference lines are inside the axis range, so a baseline above the run still shows.
  const y = niceAxis([...series.flat().map((p) => p.v ?? Number.NaN), ...refs.map((r) => r.y)]);
  const title = kind === 'accuracy' ? 'Accuracy (%)' : 'STS Spearman × 100 (cosine similarity)';
  const baselines = refs.some((r) => r.id !== 'start');
  const note =
    refs.length === 0
      ? undefined
      : `Dashed: ${runs.length > 1 ? `${runs[0]!.name} at` : 'the score at'} step 0, before training${
          baselines ? '; dotted: bag-of-words and TF-IDF cosine on the same pairs' : ''
        }.`;
  return (
    <ChartBox
      title={kind ? title : 'STS Spearman or accuracy'}
      testId="score-chart"
      note={note}
      attrs={{
        'data-points': series[0]?.length ?? 0,
        'data-kind': kind ?? '',
        'data-reference-lines': refs.map((r) => r.id).join(' '),
      }}
      empty={
        kind
          ? null
          : 'Add an STS or labelled evaluation set (Data → Evaluate on a separate set) to see Spearman or accuracy here.'
      }
    >
      <StepLineChart
        steps={series.flat().map((p) => p.step)}
        yAxes={<YAxis width={44} {...axisProps(y)} />}
        digits={4}
        legend={runs.length > 1 && <Legend />}
        fromZero
      >
        {refs.map((r) => (
          <ReferenceLine
            key={r.id}
            y={r.y}
            className={`ref-${r.id}`}
            stroke={r.id === 'start' ? colorOf(0) : '#5c6677'}
            strokeDasharray={r.id === 'start' ? '6 4' : '2 3'}
            strokeWidth={1.5}
            label={{ value: r.label, position: LABEL_AT[r.id], fontSize: 11, fill: '#3d4452' }}
          />
        ))}
        {runs.map((r, i) => (
          <Line
            key={r.id}
            data={series[i]}
            dataKey="v"
            name={r.name}
            stroke={colorOf(i)}
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={false}
          />
        ))}
      </StepLineChart>
    </ChartBox>
  );
}
