import { useMemo } from 'react';
import { Legend, Line, YAxis } from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { StepLineChart } from './StepLineChart.tsx';
import { axisProps, niceAxis } from './series.ts';

/** Which score the chart shows: STS Spearman when any run has it, else accuracy. */
export function scoreKind(runs: RunData[]): 'spearman' | 'accuracy' | null {
  if (runs.some((r) => r.evals.some((e) => e.spearman !== undefined))) return 'spearman';
  if (runs.some((r) => r.evals.some((e) => e.accuracy !== undefined))) return 'accuracy';
  return null;
}

/** STS Spearman × 100 (cosine, no regressor) or classification accuracy %, per evaluation. */
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
  const y = niceAxis(series.flat().map((p) => p.v ?? Number.NaN));
  const title = kind === 'accuracy' ? 'Accuracy (%)' : 'STS Spearman × 100 (cosine similarity)';
  return (
    <ChartBox
      title={kind ? title : 'STS Spearman or accuracy'}
      testId="score-chart"
      attrs={{ 'data-points': series[0]?.length ?? 0, 'data-kind': kind ?? '' }}
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
      >
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
