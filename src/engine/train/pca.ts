/**
 * 2-D PCA of a few hundred embeddings for the projection chart: centre, then the top two
 * principal directions by power iteration with deflation. Plain JS: n ≤ ~500 rows, d ≤ 1024.
 */
export function pca2(rows: Float32Array[], iterations = 60): [number, number][] {
  const n = rows.length;
  if (n === 0) return [];
  const d = rows[0]!.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const X = rows.map((r) => {
    const c = new Float64Array(d);
    for (let j = 0; j < d; j++) c[j] = r[j]! - mean[j]!;
    return c;
  });
  const components: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    // Deterministic start vector so the picture is stable between evaluations.
    let v = new Float64Array(d).map((_, j) => Math.sin(j + 1 + k * 7));
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(d);
      for (const x of X) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += x[j]! * v[j]!;
        for (let j = 0; j < d; j++) next[j]! += dot * x[j]!;
      }
      for (const c of components) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += next[j]! * c[j]!;
        for (let j = 0; j < d; j++) next[j]! -= dot * c[j]!;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      v = next.map((x) => x / norm);
    }
    components.push(v);
  }
  return X.map((x) => {
    let a = 0;
    let b = 0;
    for (let j = 0; j < d; j++) {
      a += x[j]! * components[0]![j]!;
      b += x[j]! * components[1]![j]!;
    }
    return [a, b];
  });
}
