import { useMemo } from 'react';
import {
  CartesianGrid,
  Cell,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { RunData } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { colorOf, shade } from './colors.ts';
import { protocolNote } from './protocol.ts';
import { type PlanePoint, planeSeries } from './runSeries.ts';
import { axisProps, fmtNum, niceAxis } from './series.ts';

type ShapeProps = { cx?: number; cy?: number };

function startShape(color: string) {
  return ({ cx = 0, cy = 0 }: ShapeProps) => (
    <circle cx={cx} cy={cy} r={7} fill="#fff" stroke={color} strokeWidth={2.5} />
  );
}

function endShape(color: string) {
  return ({ cx = 0, cy = 0 }: ShapeProps) => (
    <path
      d={`M${cx},${cy - 9} L${cx + 2.6},${cy - 2.8} L${cx + 8.5},${cy - 2.8} L${cx + 3.8},${cy + 1.3} L${cx + 5.5},${cy + 8} L${cx},${cy + 4} L${cx - 5.5},${cy + 8} L${cx - 3.8},${cy + 1.3} L${cx - 8.5},${cy - 2.8} L${cx - 2.6},${cy - 2.8} Z`}
      fill={color}
      stroke="#fff"
      strokeWidth={1}
    />
  );
}

function PlaneTooltip({
  active,
  payload,
}: {
  active?: boolean;
  payload?: readonly { payload?: PlanePoint }[];
}) {
  const p = active ? payload?.[0]?.payload : undefined;
  if (!p) return null;
  return (
    <div className="tip">
      <div>{p.run}</div>
      <div>step {p.step}</div>
      <div>uniformity {fmtNum(p.x, 4)}</div>
      <div>alignment {fmtNum(p.y, 4)}</div>
    </div>
  );
}

/**
 * Wang & Isola's plane: uniformity on x, alignment on y, each run's trajectory coloured from pale
 * (early) to full colour (late), start ○ and end ★ marked. Lower-left is better.
 */
export function AuPlane({ runs }: { runs: RunData[] }) {
  const series = useMemo(() => runs.map(planeSeries), [runs]);
  const all = series.flat();
  const xa = niceAxis(
    all.map((p) => p.x),
    4,
  );
  const ya = niceAxis(
    all.map((p) => p.y),
    4,
  );
  return (
    <ChartBox
      title="Alignment–uniformity plane (lower-left is better)"
      testId="au-plane"
      note={`x: uniformity, y: alignment. ${protocolNote(runs)}`}
      attrs={{ 'data-points': series[0]?.length ?? 0 }}
      empty={all.length === 0 ? 'Each evaluation adds a point here.' : null}
    >
      <ResponsiveContainer width="100%" height={240}>
        <ScatterChart margin={{ top: 8, right: 24, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="x" name="uniformity" {...axisProps(xa)} />
          <YAxis type="number" dataKey="y" name="alignment" width={48} {...axisProps(ya)} />
          <Tooltip content={<PlaneTooltip />} />
          {runs.map((r, i) => {
            const pts = series[i] ?? [];
            const c = colorOf(i);
            const n = Math.max(1, pts.length - 1);
            return [
              <Scatter
                key={`${r.id}-path`}
                name={r.name}
                data={pts}
                fill={c}
                line={{ stroke: c, strokeOpacity: 0.35, strokeWidth: 1.5 }}
                isAnimationActive={false}
              >
                {pts.map((p, k) => (
                  <Cell key={p.step} fill={shade(c, k / n)} />
                ))}
              </Scatter>,
              pts.length > 0 && (
                <Scatter
                  key={`${r.id}-start`}
                  name={`${r.name} start`}
                  data={[pts[0]!]}
                  shape={startShape(c)}
                  isAnimationActive={false}
                />
              ),
              pts.length > 1 && (
                <Scatter
                  key={`${r.id}-end`}
                  name={`${r.name} end`}
                  data={[pts[pts.length - 1]!]}
                  shape={endShape(c)}
                  isAnimationActive={false}
                />
              ),
            ];
          })}
        </ScatterChart>
      </ResponsiveContainer>
      <ul className="legend" aria-label="Legend">
        {runs.map((r, i) => (
          <li key={r.id}>
            <span className="swatch" style={{ background: colorOf(i) }} /> {r.name}
          </li>
        ))}
        <li>○ start</li>
        <li>★ end</li>
        <li>pale → dark: early → late</li>
      </ul>
    </ChartBox>
  );
}
