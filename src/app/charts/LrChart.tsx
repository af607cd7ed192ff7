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
import { MAX_POINTS } from './runSeries.ts';
import { axisProps, downsample, fmtNum, niceAxis, stepAxisProps } from './series.ts';

/** The learning rate the schedule gave at each step (warm-up, decay). */
export function LrChart({ runs }: { runs: RunData[] }) {
  const series = useMemo(
    () =>
      runs.map((r) =>
        downsample(
          r.steps.map((s) => ({ step: s.step, lr: s.lr })),
          MAX_POINTS,
        ),
      ),
    [runs],
  );
  const y = useMemo(() => niceAxis(series.flat().map((p) => p.lr)), [series]);
  return (
    <ChartBox
      title="Learning rate"
      testId="lr-chart"
      empty={
        runs.every((r) => r.steps.length === 0)
          ? 'The schedule appears here once training starts.'
          : null
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
          <YAxis width={62} {...axisProps(y)} />
          <Tooltip formatter={(v) => fmtNum(v, 3)} labelFormatter={(l) => `step ${l}`} />
          {runs.length > 1 && <Legend />}
          {runs.map((r, i) => (
            <Line
              key={r.id}
              data={series[i]}
              dataKey="lr"
              name={r.name}
              stroke={colorOf(i)}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
