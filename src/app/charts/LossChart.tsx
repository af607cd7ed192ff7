import { useMemo } from 'react';
import { Legend, Line, YAxis } from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { lossSeries } from './runSeries.ts';
import { StepLineChart } from './StepLineChart.tsx';
import { axisProps, niceAxis } from './series.ts';

/** Training loss per step, raw (thin) and smoothed (bold), for each run drawn. */
export function LossChart({ runs }: { runs: RunData[] }) {
  const series = useMemo(() => runs.map((r) => lossSeries(r)), [runs]);
  const y = useMemo(() => niceAxis(series.flat().flatMap((p) => [p.raw, p.smooth])), [series]);
  const points = runs[0]?.steps.length ?? 0;
  return (
    <ChartBox
      title="Loss (raw and smoothed)"
      testId="loss-chart"
      attrs={{ 'data-points': points }}
      empty={
        runs.every((r) => r.steps.length === 0)
          ? 'The loss appears here once training starts.'
          : null
      }
    >
      <StepLineChart
        steps={series.flat().map((p) => p.step)}
        yAxes={<YAxis width={48} {...axisProps(y)} />}
        digits={4}
        legend={runs.length > 1 && <Legend />}
      >
        {runs.map((r, i) => [
          <Line
            key={`${r.id}-raw`}
            data={series[i]}
            dataKey="raw"
            name={`${r.name} (raw)`}
            stroke={colorOf(i)}
            strokeOpacity={0.3}
            dot={false}
            isAnimationActive={false}
            legendType="none"
          />,
          <Line
            key={`${r.id}-smooth`}
            data={series[i]}
            dataKey="smooth"
            name={r.name}
            stroke={colorOf(i)}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />,
        ])}
      </StepLineChart>
    </ChartBox>
  );
}
