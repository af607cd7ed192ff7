import { useMemo } from 'react';
import {
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ProjectionPoint } from '../../engine/train/events.ts';
import { latestWith, type RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { GROUP_COLORS } from './colors.ts';

/** Projection points grouped for colouring, in first-seen order of the groups. */
export function groupPoints(points: readonly ProjectionPoint[]): [string, ProjectionPoint[]][] {
  const groups = new Map<string, ProjectionPoint[]>();
  for (const p of points) {
    const g = groups.get(p.group);
    if (g) g.push(p);
    else groups.set(p.group, [p]);
  }
  return [...groups.entries()];
}

function ProjectionTooltip({
  active,
  payload,
}: {
  active?: boolean;
  payload?: readonly { payload?: ProjectionPoint }[];
}) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  // Data-set text is rendered as text (React escapes it), never as HTML.
  return (
    <div className="tip proj-tip" data-testid="projection-tip">
      <div className="tip-text">{p.text}</div>
      <div className="muted">{p.group}</div>
    </div>
  );
}

/** PCA of eval embeddings at the last evaluation, coloured by group; hover shows the sentence. */
export function ProjectionChart({ run }: { run: RunData | undefined }) {
  const ev = run ? latestWith(run, 'projection') : undefined;
  const groups = useMemo(() => groupPoints(ev?.projection ?? []), [ev]);
  const n = ev?.projection?.length ?? 0;
  return (
    <ChartBox
      title="Eval embeddings, 2-D PCA"
      testId="projection-chart"
      wide
      note={ev ? `step ${ev.step}; hover a point for its sentence` : undefined}
      attrs={{ 'data-points': n }}
      empty={n === 0 ? 'A 2-D projection of the eval embeddings appears at each evaluation.' : null}
    >
      <ResponsiveContainer width="100%" height={300}>
        <ScatterChart margin={{ top: 8, right: 12, bottom: 5, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="PC1" tick={false} domain={['auto', 'auto']} />
          <YAxis
            type="number"
            dataKey="y"
            name="PC2"
            tick={false}
            width={10}
            domain={['auto', 'auto']}
          />
          <Tooltip content={<ProjectionTooltip />} />
          {groups.length > 1 && <Legend />}
          {groups.map(([g, pts], i) => (
            <Scatter
              key={g}
              name={g}
              data={pts}
              fill={GROUP_COLORS[i % GROUP_COLORS.length]}
              fillOpacity={0.75}
              isAnimationActive={false}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </ChartBox>
  );
}
