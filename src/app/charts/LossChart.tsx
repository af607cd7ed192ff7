import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunData } from '../state/runStore.ts';
import { downsample, smooth } from './series.ts';

const COLORS = ['#3b6fd8', '#d8573b', '#2e9e5b', '#9b59b6'];

/** Training loss per step, raw (thin) and smoothed (bold), for each run drawn. */
export function LossChart({ runs }: { runs: RunData[] }) {
  const series = runs.map((r) => {
    const raw = r.steps.map((s) => ({ step: s.step, loss: s.loss }));
    const sm = smooth(raw.map((p) => p.loss), 0.9);
    return downsample(
      raw.map((p, i) => ({ step: p.step, raw: p.loss, smooth: sm[i] })),
      600,
    );
  });
  return (
    <div className="chart-box" data-testid="loss-chart" data-points={runs[0]?.steps.length ?? 0}>
      <h3>Loss (raw and smoothed)</h3>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart margin={{ top: 5, right: 10, bottom: 5, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDuplicatedCategory={false} />
          <YAxis width={50} domain={['auto', 'auto']} />
          <Tooltip />
          {runs.length > 1 && <Legend />}
          {runs.map((r, i) => [
            <Line
              key={`${r.id}-raw`}
              data={series[i]}
              dataKey="raw"
              name={`${r.name} (raw)`}
              stroke={COLORS[i % COLORS.length]}
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
              stroke={COLORS[i % COLORS.length]}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />,
          ])}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
