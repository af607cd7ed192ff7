import { useMemo } from 'react';
import { Legend, Line, YAxis } from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { MAX_POINTS } from './runSeries.ts';
import { StepLineChart } from './StepLineChart.tsx';
import { axisProps, downsample, niceAxis } from './series.ts';

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
      <StepLineChart
        steps={series.flat().map((p) => p.step)}
        yAxes={<YAxis width={62} {...axisProps(y)} />}
        digits={3}
        legend={runs.length > 1 && <Legend />}
      >
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
      </StepLineChart>
    </ChartBox>
  );
}
