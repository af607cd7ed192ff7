import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { axisProps, fmtNum, niceAxis, stepAxisProps } from './series.ts';

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
      <ResponsiveContainer width="100%" height={220}>
        <LineChart margin={{ top: 5, right: 12, bottom: 5, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="step"
            type="number"
            allowDecimals={false}
            allowDuplicatedCategory={false}
            {...stepAxisProps(series.flat().map((p) => p.step))}
          />
          <YAxis width={44} {...axisProps(y)} />
          <Tooltip formatter={(v) => fmtNum(v, 4)} labelFormatter={(l) => `step ${l}`} />
          {runs.length > 1 && <Legend />}
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
        </LineChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
