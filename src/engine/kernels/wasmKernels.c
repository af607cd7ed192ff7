/*
 * The engine's own WASM SIMD kernels (issue 12), run on tfjs-backend-wasm's heap: the module
 * imports the backend's memory and every pointer below is a byte offset into it (a tensor's
 * `memoryOffset`). Built by wasmBuild.sh into wasmBinary.ts; loaded by wasmKernels.ts.
 *
 * No kernel touches memory other than its arguments: no static data, no stack (checked by
 * wasmBuild.sh), so the module can share the backend's heap.
 *
 * Attention layout (bert.ts): a "split" tensor is [B, L, H] with H = nh * dh, head h's matrix
 * being the [L, dh] slice at column h * dh (row stride H), i.e. a Linear output before the head
 * split; a "square" tensor is [B, nh, Lq, Lk], contiguous.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) void name

typedef v128_t f4;
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store((p), (v))
#define ADD wasm_f32x4_add
#define MUL wasm_f32x4_mul
#define SPLAT wasm_f32x4_splat

/* Lane sums of four vectors, as one vector: [Σa0, Σa1, Σa2, Σa3]. */
static inline f4 hsum4(f4 a0, f4 a1, f4 a2, f4 a3) {
  f4 u01 = ADD(wasm_i32x4_shuffle(a0, a1, 0, 4, 2, 6), wasm_i32x4_shuffle(a0, a1, 1, 5, 3, 7));
  f4 u23 = ADD(wasm_i32x4_shuffle(a2, a3, 0, 4, 2, 6), wasm_i32x4_shuffle(a2, a3, 1, 5, 3, 7));
  return ADD(wasm_i32x4_shuffle(u01, u23, 0, 1, 4, 5), wasm_i32x4_shuffle(u01, u23, 2, 3, 6, 7));
}

static inline float dot(const float *x, const float *y, int n) {
  f4 acc = SPLAT(0.f);
  int d = 0;
  for (; d + 4 <= n; d += 4) acc = ADD(acc, MUL(LD(x + d), LD(y + d)));
  float s = wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1) +
            wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3);
  for (; d < n; d++) s += x[d] * y[d];
  return s;
}

/*
 * out[n, h, i, j] = alpha * Σ_d a[n, i, h*dh + d] * b[n, j, h*dh + d]
 * a: split [B, La, H], b: split [B, Lb, H], out: square [B, nh, La, Lb].
 * Tiles of 2 rows × 4 columns, vectorised along d (both operands are contiguous in d).
 */
EXPORT(heads_qkt)(const float *a, const float *b, float *out, int B, int La, int Lb, int nh,
                  int dh, float alpha) {
  const int H = nh * dh;
  const f4 va = SPLAT(alpha);
  const int vec = (dh & 3) == 0;
  for (int n = 0; n < B; n++) {
    for (int h = 0; h < nh; h++) {
      const float *A = a + n * La * H + h * dh;
      const float *Bm = b + n * Lb * H + h * dh;
      float *O = out + (n * nh + h) * La * Lb;
      int i = 0;
      for (; vec && i + 2 <= La; i += 2) {
        const float *a0 = A + i * H, *a1 = a0 + H;
        float *o0 = O + i * Lb, *o1 = o0 + Lb;
        int j = 0;
        for (; j + 4 <= Lb; j += 4) {
          const float *b0 = Bm + j * H, *b1 = b0 + H, *b2 = b1 + H, *b3 = b2 + H;
          f4 c00 = SPLAT(0.f), c01 = c00, c02 = c00, c03 = c00;
          f4 c10 = c00, c11 = c00, c12 = c00, c13 = c00;
          for (int d = 0; d < dh; d += 4) {
            f4 x0 = LD(a0 + d), x1 = LD(a1 + d);
            f4 y0 = LD(b0 + d), y1 = LD(b1 + d), y2 = LD(b2 + d), y3 = LD(b3 + d);
            c00 = ADD(c00, MUL(x0, y0));
            c01 = ADD(c01, MUL(x0, y1));
            c02 = ADD(c02, MUL(x0, y2));
            c03 = ADD(c03, MUL(x0, y3));
            c10 = ADD(c10, MUL(x1, y0));
            c11 = ADD(c11, MUL(x1, y1));
            c12 = ADD(c12, MUL(x1, y2));
            c13 = ADD(c13, MUL(x1, y3));
          }
          ST(o0 + j, MUL(va, hsum4(c00, c01, c02, c03)));
          ST(o1 + j, MUL(va, hsum4(c10, c11, c12, c13)));
        }
        for (; j < Lb; j++) {
          o0[j] = alpha * dot(a0, Bm + j * H, dh);
          o1[j] = alpha * dot(a1, Bm + j * H, dh);
        }
      }
      for (; i < La; i++)
        for (int j = 0; j < Lb; j++) O[i * Lb + j] = alpha * dot(A + i * H, Bm + j * H, dh);
    }
  }
}

/*
 * out[n, i, h*dh + d] = alpha * Σ_j P'[n, h, i, j] * v[n, j, h*dh + d], where P' = p
 * (p: square [B, nh, Lo, Lk]) or, when transP, P'[i, j] = p[n, h, j, i] (p: [B, nh, Lk, Lo]).
 * v: split [B, Lk, H], out: split [B, Lo, H]. Tiles of 4 rows × 8 columns, vectorised along d.
 */
EXPORT(heads_pv)(const float *p, const float *v, float *out, int B, int Lo, int Lk, int nh,
                 int dh, int transP, float alpha) {
  const int H = nh * dh;
  const f4 va = SPLAT(alpha);
  const int pi = transP ? 1 : Lk; /* P'[i, j] = P[i * pi + j * pj] */
  const int pj = transP ? Lo : 1;
  for (int n = 0; n < B; n++) {
    for (int h = 0; h < nh; h++) {
      const float *P = p + (n * nh + h) * Lo * Lk;
      const float *V = v + n * Lk * H + h * dh;
      float *O = out + n * Lo * H + h * dh;
      int i = 0;
      for (; i + 4 <= Lo; i += 4) {
        const float *p0 = P + i * pi, *p1 = p0 + pi, *p2 = p1 + pi, *p3 = p2 + pi;
        int d = 0;
        for (; d + 8 <= dh; d += 8) {
          f4 c00 = SPLAT(0.f), c01 = c00, c10 = c00, c11 = c00;
          f4 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
          const float *vr = V + d;
          for (int j = 0; j < Lk; j++, vr += H) {
            f4 v0 = LD(vr), v1 = LD(vr + 4);
            f4 s0 = SPLAT(p0[j * pj]), s1 = SPLAT(p1[j * pj]);
            f4 s2 = SPLAT(p2[j * pj]), s3 = SPLAT(p3[j * pj]);
            c00 = ADD(c00, MUL(s0, v0));
            c01 = ADD(c01, MUL(s0, v1));
            c10 = ADD(c10, MUL(s1, v0));
            c11 = ADD(c11, MUL(s1, v1));
            c20 = ADD(c20, MUL(s2, v0));
            c21 = ADD(c21, MUL(s2, v1));
            c30 = ADD(c30, MUL(s3, v0));
            c31 = ADD(c31, MUL(s3, v1));
          }
          float *o = O + i * H + d;
          ST(o, MUL(va, c00));
          ST(o + 4, MUL(va, c01));
          ST(o + H, MUL(va, c10));
          ST(o + H + 4, MUL(va, c11));
          ST(o + 2 * H, MUL(va, c20));
          ST(o + 2 * H + 4, MUL(va, c21));
          ST(o + 3 * H, MUL(va, c30));
          ST(o + 3 * H + 4, MUL(va, c31));
        }
        for (; d < dh; d++) {
          float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
          for (int j = 0; j < Lk; j++) {
            float x = V[j * H + d];
            s0 += p0[j * pj] * x;
            s1 += p1[j * pj] * x;
            s2 += p2[j * pj] * x;
            s3 += p3[j * pj] * x;
          }
          O[i * H + d] = alpha * s0;
          O[(i + 1) * H + d] = alpha * s1;
          O[(i + 2) * H + d] = alpha * s2;
          O[(i + 3) * H + d] = alpha * s3;
        }
      }
      for (; i < Lo; i++) {
        const float *p0 = P + i * pi;
        int d = 0;
        for (; d + 4 <= dh; d += 4) {
          f4 c = SPLAT(0.f);
          for (int j = 0; j < Lk; j++) c = ADD(c, MUL(SPLAT(p0[j * pj]), LD(V + j * H + d)));
          ST(O + i * H + d, MUL(va, c));
        }
        for (; d < dh; d++) {
          float s = 0.f;
          for (int j = 0; j < Lk; j++) s += p0[j * pj] * V[j * H + d];
          O[i * H + d] = alpha * s;
        }
      }
    }
  }
}

/*
 * dst[c, r] = src[r, c]: src [rows, cols] → dst [cols, rows]. 4×4 blocks through shuffles, in
 * bands of 8 columns: 8 destination rows written at once, no more than the L1 cache's ways
 * (they lie a power-of-two stride apart). Measured at [4096, 512]: 0.7 ms with bands of 8,
 * 5.8 ms with bands of 64, ~26 ms for tfjs-backend-wasm's Transpose.
 */
EXPORT(transpose2d)(const float *src, float *dst, int rows, int cols) {
  for (int c0 = 0; c0 < cols; c0 += 8) {
    const int c1 = c0 + 8 < cols ? c0 + 8 : cols;
    int r = 0;
    for (; r + 4 <= rows; r += 4) {
      const float *s = src + r * cols;
      int c = c0;
      for (; c + 4 <= c1; c += 4) {
        f4 x0 = LD(s + c), x1 = LD(s + cols + c), x2 = LD(s + 2 * cols + c),
           x3 = LD(s + 3 * cols + c);
        f4 t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7);
        f4 t2 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
        float *d = dst + c * rows + r;
        ST(d, wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5));
        ST(d + rows, wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7));
        ST(d + 2 * rows, wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5));
        ST(d + 3 * rows, wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7));
      }
      for (; c < c1; c++)
        for (int k = 0; k < 4; k++) dst[c * rows + r + k] = s[k * cols + c];
    }
    for (; r < rows; r++)
      for (int c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
  }
}

/*
 * Elementwise e^x, vectorised (Cephes' expf: x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial
 * in r, then ·2^n applied as 2^⌊n/2⌋·2^(n-⌊n/2⌋) so every power is a normal float). Inputs are
 * clamped to [-104, 89]: below, e^x rounds to 0; above, the product overflows to +inf, as expf
 * does. NaN stays NaN (wasm's min/max propagate it). Within 2 ulp of a correctly rounded expf.
 */
static inline f4 exp4(f4 x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-104.f)), SPLAT(89.f));
  const f4 n = wasm_f32x4_nearest(MUL(x, SPLAT(1.44269504088896341f)));
  f4 r = wasm_f32x4_sub(x, MUL(n, SPLAT(0.693359375f)));
  r = wasm_f32x4_sub(r, MUL(n, SPLAT(-2.12194440e-4f)));
  f4 p = SPLAT(1.9875691500e-4f);
  p = ADD(MUL(p, r), SPLAT(1.3981999507e-3f));
  p = ADD(MUL(p, r), SPLAT(8.3334519073e-3f));
  p = ADD(MUL(p, r), SPLAT(4.1665795894e-2f));
  p = ADD(MUL(p, r), SPLAT(1.6666665459e-1f));
  p = ADD(MUL(p, r), SPLAT(5.0000001201e-1f));
  p = ADD(ADD(MUL(MUL(p, r), r), r), SPLAT(1.f));
  const v128_t ni = wasm_i32x4_trunc_sat_f32x4(n);
  const v128_t n1 = wasm_i32x4_shr(ni, 1);
  const v128_t n2 = wasm_i32x4_sub(ni, n1);
  const f4 s1 = wasm_i32x4_shl(wasm_i32x4_add(n1, wasm_i32x4_splat(127)), 23);
  const f4 s2 = wasm_i32x4_shl(wasm_i32x4_add(n2, wasm_i32x4_splat(127)), 23);
  return MUL(MUL(p, s1), s2);
}

/*
 * Elementwise erf(x), vectorised: x·P(x²)/Q(x²) on x clamped to [-4, 4] (erf(±4) is ±1 in
 * float), the rational approximation of Eigen / XLA's float erf. NaN stays NaN.
 */
static inline f4 erf4(f4 x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, SPLAT(-4.f)), SPLAT(4.f));
  const f4 x2 = MUL(x, x);
  f4 p = SPLAT(-2.72614225801306e-10f);
  p = ADD(MUL(p, x2), SPLAT(2.77068142495902e-08f));
  p = ADD(MUL(p, x2), SPLAT(-2.10102402082508e-06f));
  p = ADD(MUL(p, x2), SPLAT(-5.69250639462346e-05f));
  p = ADD(MUL(p, x2), SPLAT(-7.34990630326855e-04f));
  p = ADD(MUL(p, x2), SPLAT(-2.95459980854025e-03f));
  p = ADD(MUL(p, x2), SPLAT(-1.60960333262415e-02f));
  f4 q = SPLAT(-1.45660718464996e-05f);
  q = ADD(MUL(q, x2), SPLAT(-2.13374055278905e-04f));
  q = ADD(MUL(q, x2), SPLAT(-1.68282697438203e-03f));
  q = ADD(MUL(q, x2), SPLAT(-7.37332916720468e-03f));
  q = ADD(MUL(q, x2), SPLAT(-1.42647390514189e-02f));
  return wasm_f32x4_div(MUL(x, p), q);
}

/* out[i] = f(x[i]); the tail goes through the same vector code, so every element gets the same
 * bits whatever its position. */
#define UNARY(name, f)                                                                       \
  EXPORT(name)(const float *x, float *out, int n) {                                          \
    int i = 0;                                                                               \
    for (; i + 4 <= n; i += 4) ST(out + i, f(LD(x + i)));                                    \
    for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(f(SPLAT(x[i])), 0);                  \
  }
UNARY(exp_f32, exp4)
UNARY(erf_f32, erf4)

/*
 * GELU (erf) in one pass: layers.ts's tf-op sequence y = (x·½)·(erf(x·√½) + 1), the same float32
 * operations in the same order, so the same bits as those ops on this backend (whose Erf is
 * erf4). The constants are the float32 roundings of the JS numbers the ops are given.
 */
#define SQRT_HALF 0.707106781186547524f
#define TWO_OVER_SQRT_PI 1.12837916709551257f
static inline f4 gelu4(f4 x) {
  return MUL(MUL(x, SPLAT(0.5f)), ADD(erf4(MUL(x, SPLAT(SQRT_HALF))), SPLAT(1.f)));
}
UNARY(gelu_f32, gelu4)

/*
 * Its gradient as TF.js's tape takes it through that sequence (the Mul, Add and Erf gradients;
 * Erf's is dy·(e^(−s²)·2/√π)), so again the same bits:
 *   a = x·½,  s = x·√½,  b = erf(s) + 1,   dx = (dy·b)·½ + ((dy·a)·(e^(−s·s)·2/√π))·√½
 */
static inline f4 gelu_grad4(f4 x, f4 dy) {
  const f4 s = MUL(x, SPLAT(SQRT_HALF));
  const f4 b = ADD(erf4(s), SPLAT(1.f));
  const f4 a = MUL(x, SPLAT(0.5f));
  const f4 derf = MUL(exp4(wasm_f32x4_neg(MUL(s, s))), SPLAT(TWO_OVER_SQRT_PI));
  return ADD(MUL(MUL(dy, b), SPLAT(0.5f)), MUL(MUL(MUL(dy, a), derf), SPLAT(SQRT_HALF)));
}

EXPORT(gelu_grad_f32)(const float *x, const float *dy, float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) ST(out + i, gelu_grad4(LD(x + i), LD(dy + i)));
  for (; i < n; i++)
    out[i] = wasm_f32x4_extract_lane(gelu_grad4(SPLAT(x[i]), SPLAT(dy[i])), 0);
}

/*
 * LayerNorm over the last axis of [rows, H] (layers.ts's definition: PyTorch's, biased variance):
 *   mean = Σx/H,  var = Σ(x − mean)²/H (two passes, as tf.moments),  r = 1/√(var + eps),
 *   y = ((x − mean)·r)·w + b
 * Sums run in four lanes, then across them: the same values as the tf ops to float rounding.
 */
static inline float lane_sum(f4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

/* mean and 1/√(var + eps) of one row. */
static inline void row_stats(const float *x, int H, float eps, float *mean, float *rstd) {
  f4 acc = SPLAT(0.f);
  int j = 0;
  for (; j + 4 <= H; j += 4) acc = ADD(acc, LD(x + j));
  float s = lane_sum(acc);
  for (; j < H; j++) s += x[j];
  const float m = s / (float)H;
  const f4 mv = SPLAT(m);
  acc = SPLAT(0.f);
  for (j = 0; j + 4 <= H; j += 4) {
    const f4 d = wasm_f32x4_sub(LD(x + j), mv);
    acc = ADD(acc, MUL(d, d));
  }
  float q = lane_sum(acc);
  for (; j < H; j++) q += (x[j] - m) * (x[j] - m);
  const float var = q / (float)H;
  *mean = m;
  *rstd = 1.f / wasm_f32x4_extract_lane(wasm_f32x4_sqrt(SPLAT(var + eps)), 0);
}

EXPORT(layer_norm)(const float *x, const float *w, const float *b, float *y, int rows, int H,
                   float eps) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * H;
    float *yr = y + r * H;
    float m, rs;
    row_stats(xr, H, eps, &m, &rs);
    const f4 mv = SPLAT(m), rv = SPLAT(rs);
    int j = 0;
    for (; j + 4 <= H; j += 4)
      ST(yr + j, ADD(MUL(MUL(wasm_f32x4_sub(LD(xr + j), mv), rv), LD(w + j)), LD(b + j)));
    for (; j < H; j++) yr[j] = ((xr[j] - m) * rs) * w[j] + b[j];
  }
}

/*
 * Its gradient, with x̂ = (x − mean)·r and g = dy·w per row:
 *   dx = r·(g − Σg/H − x̂·Σ(g·x̂)/H),   dw = Σ_rows dy·x̂,   db = Σ_rows dy
 * dw and db are summed over the rows in row order (float32, as tf.sum).
 */
EXPORT(layer_norm_grad)(const float *x, const float *w, const float *dy, float *dx, float *dw,
                        float *db, int rows, int H, float eps) {
  for (int j = 0; j < H; j++) dw[j] = db[j] = 0.f;
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * H, *gr = dy + r * H;
    float *dxr = dx + r * H;
    float m, rs;
    row_stats(xr, H, eps, &m, &rs);
    const f4 mv = SPLAT(m), rv = SPLAT(rs);
    f4 a1 = SPLAT(0.f), a2 = SPLAT(0.f);
    int j = 0;
    for (; j + 4 <= H; j += 4) {
      const f4 xh = MUL(wasm_f32x4_sub(LD(xr + j), mv), rv);
      const f4 d = LD(gr + j);
      const f4 g = MUL(d, LD(w + j));
      a1 = ADD(a1, g);
      a2 = ADD(a2, MUL(g, xh));
      ST(dw + j, ADD(LD(dw + j), MUL(d, xh)));
      ST(db + j, ADD(LD(db + j), d));
    }
    float s1 = lane_sum(a1), s2 = lane_sum(a2);
    for (; j < H; j++) {
      const float xh = (xr[j] - m) * rs, g = gr[j] * w[j];
      s1 += g;
      s2 += g * xh;
      dw[j] += gr[j] * xh;
      db[j] += gr[j];
    }
    const float c1 = s1 / (float)H, c2 = s2 / (float)H;
    const f4 c1v = SPLAT(c1), c2v = SPLAT(c2);
    for (j = 0; j + 4 <= H; j += 4) {
      const f4 xh = MUL(wasm_f32x4_sub(LD(xr + j), mv), rv);
      const f4 g = MUL(LD(gr + j), LD(w + j));
      ST(dxr + j, MUL(rv, wasm_f32x4_sub(wasm_f32x4_sub(g, c1v), MUL(xh, c2v))));
    }
    for (; j < H; j++) {
      const float xh = (xr[j] - m) * rs, g = gr[j] * w[j];
      dxr[j] = rs * ((g - c1) - xh * c2);
    }
  }
}

/*
 * Dropout by a counter-based hash (dropoutMask.ts has the definition and the JS reference):
 *   bits(i) = mix32(mix32(i ^ k0) + k1), keep(i) = bits(i) >= t (unsigned),
 * mix32 = Wellons' lowbias32. u32 multiplies keep their low 32 bits, as Math.imul does.
 * dropout_apply: out[i] = x[i] * (keep ? scale : 0)  (x * +0, as the JS: -0 for negative x)
 * dropout_mask:  out[i] = keep ? 1 : 0
 */
static inline v128_t mix4(v128_t x) {
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat(0x7feb352d));
  x = wasm_v128_xor(x, wasm_u32x4_shr(x, 15));
  x = wasm_i32x4_mul(x, wasm_i32x4_splat((int)0x846ca68bu));
  return wasm_v128_xor(x, wasm_u32x4_shr(x, 16));
}

/* All-ones lanes where element i0 + lane is kept. */
static inline v128_t keep4(unsigned i0, unsigned k0, unsigned k1, unsigned t) {
  v128_t i = wasm_i32x4_add(wasm_i32x4_splat((int)i0), wasm_i32x4_make(0, 1, 2, 3));
  v128_t bits = mix4(wasm_i32x4_add(mix4(wasm_v128_xor(i, wasm_i32x4_splat((int)k0))),
                                    wasm_i32x4_splat((int)k1)));
  return wasm_u32x4_ge(bits, wasm_i32x4_splat((int)t));
}

EXPORT(dropout_apply)(const float *x, float *out, int n, unsigned k0, unsigned k1, unsigned t,
                      float scale) {
  const v128_t s = SPLAT(scale);
  int i = 0;
  for (; i + 4 <= n; i += 4) ST(out + i, MUL(LD(x + i), wasm_v128_and(keep4(i, k0, k1, t), s)));
  for (; i < n; i++)
    out[i] = x[i] * wasm_f32x4_extract_lane(wasm_v128_and(keep4(i, k0, k1, t), s), 0);
}

EXPORT(dropout_mask)(float *out, int n, unsigned k0, unsigned k1, unsigned t) {
  const v128_t one = SPLAT(1.f);
  int i = 0;
  for (; i + 4 <= n; i += 4) ST(out + i, wasm_v128_and(keep4(i, k0, k1, t), one));
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(wasm_v128_and(keep4(i, k0, k1, t), one), 0);
}

/*
 * One Adam / AdamW update of a parameter in one pass (optim/adam.ts has the rule; this is its
 * tf-op sequence fused, operation for operation in the same float32 order, so both give the same
 * bits):
 *   g  = g·gscale                     (gradient clipping's coefficient; 1 = none)
 *   g  = g + p·l2                     (Adam's L2 decay; only when l2 ≠ 0)
 *   pp = p·decay                      (AdamW's decoupled decay; only when hasDecay)
 *   m' = m·b1 + g·omb1
 *   v' = v·b2 + (g·g)·omb2
 *   p' = pp − (m' / (√v' / sqrtBc2 + eps))·stepSize
 * p, g, m, v are read; po, mo, vo written (they may not alias the inputs).
 */
static inline void adam4(const float *p, const float *g, const float *m, const float *v, float *po,
                         float *mo, float *vo, f4 gs, int useL2, f4 l2, int hasDecay, f4 decay,
                         f4 b1, f4 omb1, f4 b2, f4 omb2, f4 sbc2, f4 eps, f4 ss) {
  f4 pv = LD(p);
  f4 gv = MUL(LD(g), gs);
  if (useL2) gv = ADD(gv, MUL(pv, l2));
  f4 pp = hasDecay ? MUL(pv, decay) : pv;
  f4 mn = ADD(MUL(LD(m), b1), MUL(gv, omb1));
  f4 vn = ADD(MUL(LD(v), b2), MUL(MUL(gv, gv), omb2));
  f4 den = ADD(wasm_f32x4_div(wasm_f32x4_sqrt(vn), sbc2), eps);
  ST(mo, mn);
  ST(vo, vn);
  ST(po, wasm_f32x4_sub(pp, MUL(wasm_f32x4_div(mn, den), ss)));
}

EXPORT(adam_update)(const float *p, const float *g, const float *m, const float *v, float *po,
                    float *mo, float *vo, int n, float gscale, float l2, int hasDecay, float decay,
                    float b1, float omb1, float b2, float omb2, float sqrtBc2, float eps,
                    float stepSize) {
  const f4 gs = SPLAT(gscale), l2v = SPLAT(l2), dv = SPLAT(decay), b1v = SPLAT(b1);
  const f4 o1 = SPLAT(omb1), b2v = SPLAT(b2), o2 = SPLAT(omb2), sb = SPLAT(sqrtBc2);
  const f4 ev = SPLAT(eps), ss = SPLAT(stepSize);
  const int useL2 = l2 != 0.f;
  int i = 0;
  for (; i + 4 <= n; i += 4)
    adam4(p + i, g + i, m + i, v + i, po + i, mo + i, vo + i, gs, useL2, l2v, hasDecay, dv, b1v, o1,
          b2v, o2, sb, ev, ss);
  /* The tail through the same vector code, one lane at a time (registers, not the stack). */
  for (; i < n; i++) {
    f4 pv = SPLAT(p[i]);
    f4 gv = MUL(SPLAT(g[i]), gs);
    if (useL2) gv = ADD(gv, MUL(pv, l2v));
    f4 pp = hasDecay ? MUL(pv, dv) : pv;
    f4 mn = ADD(MUL(SPLAT(m[i]), b1v), MUL(gv, o1));
    f4 vn = ADD(MUL(SPLAT(v[i]), b2v), MUL(MUL(gv, gv), o2));
    f4 den = ADD(wasm_f32x4_div(wasm_f32x4_sqrt(vn), sb), ev);
    mo[i] = wasm_f32x4_extract_lane(mn, 0);
    vo[i] = wasm_f32x4_extract_lane(vn, 0);
    po[i] = wasm_f32x4_extract_lane(wasm_f32x4_sub(pp, MUL(wasm_f32x4_div(mn, den), ss)), 0);
  }
}

/*
 * out[0] = ‖x‖₂, the squares summed in float64 (two f64x2 accumulators per four floats), so the
 * norm of a 4-million-element gradient keeps float32's precision whatever the order.
 */
EXPORT(norm2)(const float *x, float *out, int n) {
  v128_t lo = wasm_f64x2_splat(0.0), hi = wasm_f64x2_splat(0.0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 v = LD(x + i);
    v128_t a = wasm_f64x2_promote_low_f32x4(v);
    v128_t b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
    hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
  }
  v128_t s2 = wasm_f64x2_add(lo, hi);
  double s = wasm_f64x2_extract_lane(s2, 0) + wasm_f64x2_extract_lane(s2, 1);
  for (; i < n; i++) s += (double)x[i] * (double)x[i];
  out[0] = (float)wasm_f64x2_extract_lane(wasm_f64x2_sqrt(wasm_f64x2_splat(s)), 0);
}
