/** Exponential moving average with TensorBoard's debiasing; weight in [0, 1). */
export function smooth(values: number[], weight: number): number[] {
  const out: number[] = [];
  let last = 0;
  let n = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out.push(last / (1 - weight ** n));
  }
  return out;
}

/**
 * Keeps at most `max` points (every k-th, always the last) so charts stay readable and fast with
 * 10k points.
 */
export function downsample<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1] as T);
  return out;
}

export interface XY {
  x: number;
  y: number;
}

/** [min, max] of finite values with a margin, for chart domains; null when there are none. */
export function paddedExtent(values: number[], margin = 0.05): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * margin, hi + span * margin];
}

/** Mean of the diagonal and of the off-diagonal entries of a square matrix. */
export function diagonalContrast(m: number[][]): { positives: number; negatives: number } {
  let d = 0;
  let o = 0;
  let nd = 0;
  let no = 0;
  m.forEach((row, i) => {
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      if (i === j) {
        d += v;
        nd++;
      } else {
        o += v;
        no++;
      }
    });
  });
  return { positives: nd ? d / nd : Number.NaN, negatives: no ? o / no : Number.NaN };
}

/** A compact number for axis ticks and tooltips. */
export function fmtNum(v: unknown, digits = 3): string {
  if (typeof v !== 'number') return String(v ?? '');
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    return v
      .toExponential(Math.max(0, digits - 1))
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  }
  return Number(v.toPrecision(digits)).toString();
}

export interface NiceAxis {
  domain: [number, number];
  ticks: number[];
  /** Tick labels with as many decimals as the tick step needs. */
  format(v: number): string;
}

/**
 * Round ticks (steps of 1, 2 or 5 × 10^k) covering the finite values, about `count` of them,
 * so an axis never shows two labels that round to the same text. Null when nothing is finite.
 */
export function niceAxis(values: Iterable<number>, count = 5, integer = false): NiceAxis | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return null;
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
    const d = Math.abs(hi) * 0.05 || 1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const e = 1 + 1e-9;
  const nice = (r > 5 * e ? 10 : r > 2 * e ? 5 : r > e ? 2 : 1) * mag;
  const step = integer ? Math.max(1, Math.round(nice)) : nice;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const round = (v: number) => Number(v.toFixed(Math.min(20, decimals + 1)));
  const start = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v < hi + step * (1 - 1e-9) || ticks.length < 2; v += step) {
    ticks.push(round(v));
    if (ticks.length > 50) break;
  }
  const maxAbs = Math.max(Math.abs(ticks[0]!), Math.abs(ticks[ticks.length - 1]!));
  const exp = step < 1e-3 || maxAbs >= 1e5;
  // Significant digits that tell neighbouring ticks apart: 9.75e-4, 9.8e-4, …
  const sig = Math.max(1, Math.floor(Math.log10(maxAbs)) - Math.floor(Math.log10(step) + 1e-9) + 1);
  const expo = (v: number) =>
    v === 0
      ? '0'
      : v
          .toExponential(Math.min(20, sig - 1))
          .replace(/\.?0+e/, 'e')
          .replace('e+', 'e');
  return {
    domain: [ticks[0]!, ticks[ticks.length - 1]!],
    ticks,
    format: (v) => (exp ? expo(v) : v.toFixed(decimals)),
  };
}

/** Props for a recharts number axis from `niceAxis` (automatic when there is no data). */
export function axisProps(ax: NiceAxis | null): {
  domain: [number, number] | [string, string];
  ticks?: number[];
  tickFormatter?: (v: number) => string;
  interval?: 0;
} {
  return ax
    ? { domain: ax.domain, ticks: ax.ticks, tickFormatter: ax.format, interval: 0 }
    : { domain: ['auto', 'auto'] };
}

/**
 * A step axis: exactly the steps drawn (no empty margin while a run grows), with round
 * whole-number ticks inside that range.
 */
export function stepAxisProps(steps: readonly number[]): ReturnType<typeof axisProps> {
  const ax = niceAxis(steps, 6, true);
  if (!ax) return axisProps(null);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of steps) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return { ...axisProps(ax) };
  const ticks = ax.ticks.filter((t) => t >= lo && t <= hi);
  return { domain: [lo, hi], ticks, tickFormatter: ax.format, interval: 0 };
}
