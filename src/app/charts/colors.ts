/** Run colours (up to 4 overlaid runs) and a categorical palette for projection groups. */
export const RUN_COLORS = ['#2f62c8', '#d2552f', '#23915a', '#8e4bb0'] as const;

export function colorOf(i: number): string {
  return RUN_COLORS[((i % RUN_COLORS.length) + RUN_COLORS.length) % RUN_COLORS.length]!;
}

/** Tableau 10: distinct, colour-blind-aware. */
export const GROUP_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `hex` mixed toward white by (1 - t): t = 0 is pale (early steps), t = 1 the full colour. */
export function shade(hex: string, t: number): string {
  const k = 0.25 + 0.75 * Math.min(1, Math.max(0, t));
  const [r, g, b] = hexToRgb(hex).map((c) => Math.round(255 - (255 - c) * k)) as [
    number,
    number,
    number,
  ];
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * Diverging scale for cosine similarity in [-1, 1]: blue (−1) → white (0) → red (+1).
 */
export function cosineColor(v: number): string {
  if (!Number.isFinite(v)) return '#999';
  const t = Math.min(1, Math.max(-1, v));
  const [r, g, b] = t >= 0 ? [178, 24, 43] : [33, 102, 172];
  const a = Math.abs(t);
  const mix = (c: number) => Math.round(255 - (255 - c) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}
