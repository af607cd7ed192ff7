/**
 * Deterministic test inputs: n values of a linear congruential generator (Numerical Recipes'
 * constants) seeded by `seed`, uniform in [shift − scale, shift + scale).
 */
export function lcgArray(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale + shift;
  }
  return out;
}
