import { useMemo } from 'react';
import { Legend, Line, YAxis } from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf } from './colors.ts';
import { protocolNote } from './protocol.ts';
import { StepLineChart } from './StepLineChart.tsx';
import { axisProps, niceAxis } from './series.ts';

/** Alignment (solid, left axis) and uniformity (dashed, right axis) at each evaluation. */
export function AlignUniformChart({ runs }: { runs: RunData[] }) {
  const series = useMemo(
    () =>
      runs.map((r) =>
        r.evals
          .filter((e) => e.alignment !== undefined || e.uniformity !== undefined)
          .map((e) => ({ step: e.step, alignment: e.alignment, uniformity: e.uniformity })),
      ),
    [runs],
  );
  const points = series[0]?.length ?? 0;
  const flat = series.flat();
  const ya = niceAxis(
    flat.map((p) => p.alignment ?? Number.NaN),
    4,
  );
  const yu = niceAxis(
    flat.map((p) => p.uniformity ?? Number.NaN),
    4,
  );
  return (
    <ChartBox
      title="Alignment and uniformity (lower is better)"
      testId="au-chart"
      note={`Solid: alignment (left axis); dashed: uniformity (right axis). ${protocolNote(runs)}`}
      attrs={{ 'data-points': points }}
      empty={
        series.every((s) => s.length === 0)
          ? 'Alignment and uniformity appear at the first evaluation.'
          : null
      }
    >
      <StepLineChart
        steps={flat.map((p) => p.step)}
        yAxes={[
          <YAxis key="a" yAxisId="a" width={52} {...axisProps(ya)} />,
          <YAxis key="u" yAxisId="u" orientation="right" width={52} {...axisProps(yu)} />,
        ]}
        digits={4}
        // Overlaid runs: one legend entry per run (solid/dashed is said in the note).
        legend={
          <Legend
            formatter={(v: string) => (runs.length > 1 ? v.replace(/: alignment$/, '') : v)}
          />
        }
        marginRight={0}
      >
        {runs.map((r, i) => [
          <Line
            key={`${r.id}-a`}
            yAxisId="a"
            data={series[i]}
            dataKey="alignment"
            name={runs.length > 1 ? `${r.name}: alignment` : 'alignment'}
            stroke={colorOf(i)}
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={false}
            legendType="plainline"
          />,
          <Line
            key={`${r.id}-u`}
            yAxisId="u"
            data={series[i]}
            dataKey="uniformity"
            name={runs.length > 1 ? `${r.name}: uniformity` : 'uniformity'}
            stroke={colorOf(i)}
            strokeDasharray="5 3"
            strokeWidth={2}
            dot={{ r: 2 }}
            isAnimationActive={false}
            legendType={runs.length > 1 ? 'none' : 'plainline'}
          />,
        ])}
      </StepLineChart>
    </ChartBox>
  );
}
