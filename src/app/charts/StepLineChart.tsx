import type { ReactNode } from 'react';
import { CartesianGrid, LineChart, ResponsiveContainer, Tooltip, XAxis } from 'recharts';
import { fmtNum, stepAxisProps } from './series.ts';

interface Props {
  /** Every x value drawn (for the step axis's round ticks). */
  steps: number[];
  /** The chart's Y axes (one, or two with yAxisIds). */
  yAxes: ReactNode;
  /** Significant digits in the tooltip. */
  digits: number;
  /** A <Legend/> or null. */
  legend: ReactNode;
  /** The <Line/> elements. */
  children: ReactNode;
  marginRight?: number;
  /** The step axis starts at 0 (so a step-0 evaluation, before any update, shows). */
  fromZero?: boolean;
}

/**
 * The frame every per-step line chart shares: grid, a step X axis with round distinct ticks, the
 * given Y axes, a "step N" tooltip and the legend. Axes and lines stay direct children of
 * recharts' LineChart (it finds them by type).
 */
export function StepLineChart({
  steps,
  yAxes,
  digits,
  legend,
  children,
  marginRight = 12,
  fromZero = false,
}: Props) {
  const axisSteps = fromZero && steps.length > 0 ? [0, ...steps] : steps;
  return (
    <ResponsiveContainer width="100%" height={220}>
      <LineChart margin={{ top: 5, right: marginRight, bottom: 5, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="step"
          type="number"
          allowDecimals={false}
          allowDuplicatedCategory={false}
          {...stepAxisProps(axisSteps)}
        />
        {yAxes}
        <Tooltip formatter={(v) => fmtNum(v, digits)} labelFormatter={(l) => `step ${l}`} />
        {legend}
        {children}
      </LineChart>
    </ResponsiveContainer>
  );
}
