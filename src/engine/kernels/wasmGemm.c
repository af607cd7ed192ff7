/*
 * The engine's own matrix product for tfjs-backend-wasm (issue 12): C = A·B (+ bias), row-major
 * float32, on the backend's heap (every pointer is a byte offset into it, as in wasmKernels.c).
 * Built by wasmBuild.sh into wasmGemmBinary.ts; loaded by wasmGemm.ts.
 *
 * Why: the Linear products are ~70% of a training step on WASM, and XNNPACK's WASM SIMD GEMM
 * (what tfjs-backend-wasm runs) multiplies and adds in two instructions. With relaxed SIMD
 * (`f32x4.relaxed_madd`, shipped in Chromium since 114 and in Node 20 behind
 * --experimental-wasm-relaxed-simd) the engine lowers it to one fused multiply-add where the CPU
 * has one (x86 FMA3, Arm), twice the products per cycle. This file is compiled twice: with
 * RELAXED (the fused form) and without (mul + add, for engines without relaxed SIMD and as the
 * yardstick).
 *
 * Blocking: K in blocks of KC (B's block packed into [KC, 8] column panels, one of which stays in
 * L1 while the rows of A stream past it), M in blocks of MC rows (their [MC, KC] slice of A stays
 * in L2 across B's panels), and a 4 × 8 register tile: 8 accumulators, two B vectors and one
 * broadcast of A. (6 × 8 needs 15 vector registers and measured at half the speed under V8 on
 * x64, which spills; 4 × 8 reached 16–25 GMAC/s with relaxed SIMD on a 2.6 GHz Xeon, where
 * tfjs-backend-wasm's XNNPACK path did 7–10 on the same shapes.) KC and MC are arguments (the
 * caller picks them by shape). Column tails of 4 and of 1..3, row tails of 1..3.
 *
 * Same contract as wasmKernels.c: no static data, no stack (checked by wasmBuild.sh).
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) void name

typedef v128_t f4;
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store((p), (v))
#define BCAST(p) wasm_v128_load32_splat(p)
#ifdef RELAXED
#define MADD(a, b, c) ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

/* Rows per register tile (tile8/tile4 take 1..MR; 4 measured fastest under V8 on x64, above). */
#define MR 4

/* The accumulators' start: C's current values (a later K block), the bias, or zero. */
static inline f4 start(const float *c, const float *bias, int j, int first) {
  if (!first) return LD(c);
  return bias ? LD(bias + j) : wasm_f32x4_splat(0.f);
}

static inline float start1(const float *c, const float *bias, int j, int first) {
  if (!first) return *c;
  return bias ? bias[j] : 0.f;
}

/*
 * Rows [i, i + R) × columns [j, j + 8) over k in [k0, k0 + kc), R = 1..4 (a compile-time constant
 * at every call, so the unused accumulators fold away).
 */
static inline __attribute__((always_inline)) void tile8(const float *A, const float *P, float *C,
                                                        const float *bias, int R, int K, int N,
                                                        int i, int j, int k0, int kc, int first) {
  const float *a0 = A + i * K + k0;
  const float *b = P; /* the packed [kc, 8] panel */
  float *c0 = C + i * N + j;
  f4 x00 = start(c0, bias, j, first), x01 = start(c0 + 4, bias, j + 4, first);
  f4 x10 = x00, x11 = x01, x20 = x00, x21 = x01, x30 = x00, x31 = x01;
  if (R > 1) x10 = start(c0 + N, bias, j, first), x11 = start(c0 + N + 4, bias, j + 4, first);
  if (R > 2) x20 = start(c0 + 2 * N, bias, j, first), x21 = start(c0 + 2 * N + 4, bias, j + 4, first);
  if (R > 3) x30 = start(c0 + 3 * N, bias, j, first), x31 = start(c0 + 3 * N + 4, bias, j + 4, first);
  for (int k = 0; k < kc; k++, b += 8) {
    const f4 b0 = LD(b), b1 = LD(b + 4);
    f4 a = BCAST(a0 + k);
    x00 = MADD(a, b0, x00), x01 = MADD(a, b1, x01);
    if (R > 1) a = BCAST(a0 + K + k), x10 = MADD(a, b0, x10), x11 = MADD(a, b1, x11);
    if (R > 2) a = BCAST(a0 + 2 * K + k), x20 = MADD(a, b0, x20), x21 = MADD(a, b1, x21);
    if (R > 3) a = BCAST(a0 + 3 * K + k), x30 = MADD(a, b0, x30), x31 = MADD(a, b1, x31);
  }
  ST(c0, x00), ST(c0 + 4, x01);
  if (R > 1) ST(c0 + N, x10), ST(c0 + N + 4, x11);
  if (R > 2) ST(c0 + 2 * N, x20), ST(c0 + 2 * N + 4, x21);
  if (R > 3) ST(c0 + 3 * N, x30), ST(c0 + 3 * N + 4, x31);
}

/* Rows [i, i + R) × columns [j, j + 4): one vector per row. */
static inline __attribute__((always_inline)) void tile4(const float *A, const float *P, float *C,
                                                        const float *bias, int R, int K, int N,
                                                        int i, int j, int k0, int kc, int first) {
  const float *a0 = A + i * K + k0;
  const float *b = P; /* the packed [kc, 4] panel */
  float *c0 = C + i * N + j;
  f4 x0 = start(c0, bias, j, first), x1 = x0, x2 = x0, x3 = x0;
  if (R > 1) x1 = start(c0 + N, bias, j, first);
  if (R > 2) x2 = start(c0 + 2 * N, bias, j, first);
  if (R > 3) x3 = start(c0 + 3 * N, bias, j, first);
  for (int k = 0; k < kc; k++, b += 4) {
    const f4 b0 = LD(b);
    x0 = MADD(BCAST(a0 + k), b0, x0);
    if (R > 1) x1 = MADD(BCAST(a0 + K + k), b0, x1);
    if (R > 2) x2 = MADD(BCAST(a0 + 2 * K + k), b0, x2);
    if (R > 3) x3 = MADD(BCAST(a0 + 3 * K + k), b0, x3);
  }
  ST(c0, x0);
  if (R > 1) ST(c0 + N, x1);
  if (R > 2) ST(c0 + 2 * N, x2);
  if (R > 3) ST(c0 + 3 * N, x3);
}

/* One row × one column, scalar (the last 1..3 columns). */
static inline void cell(const float *A, const float *B, float *C, const float *bias, int K, int N,
                        int i, int j, int k0, int kc, int first) {
  const float *a = A + i * K + k0;
  const float *b = B + k0 * N + j;
  float s = start1(C + i * N + j, bias, j, first);
  for (int k = 0; k < kc; k++) s += a[k] * b[k * N];
  C[i * N + j] = s;
}

/* The last 1..MR-1 rows of a block, each tail size a constant for tile8/tile4. */
_Static_assert(MR == 4, "ROWS covers row tails of 1..3");
#define ROWS(T, R)                                                                                 \
  switch (R) {                                                                                     \
  case 3: T(A, P, C, bias, 3, K, N, i, j, k0, kc, first); break;                                   \
  case 2: T(A, P, C, bias, 2, K, N, i, j, k0, kc, first); break;                                   \
  default: T(A, P, C, bias, 1, K, N, i, j, k0, kc, first); break;                                  \
  }

/* B[k0 .. k0 + kc, 0 .. n8) as panels [n8 / 8][kc][8], then [kc][4] for columns n8 .. n8 + 4. */
static void pack(const float *B, float *W, int N, int k0, int kc, int n8, int n4) {
  for (int j = 0; j < n8; j += 8) {
    const float *b = B + k0 * N + j;
    float *w = W + j * kc;
    for (int k = 0; k < kc; k++, b += N, w += 8) ST(w, LD(b)), ST(w + 4, LD(b + 4));
  }
  if (n4) {
    const float *b = B + k0 * N + n8;
    float *w = W + n8 * kc;
    for (int k = 0; k < kc; k++, b += N, w += 4) ST(w, LD(b));
  }
}

/*
 * C[M, N] = A[M, K] · B[K, N] (+ bias[N] on every row when bias is not 0). C must not overlap A,
 * B or bias. K = 0 gives the bias (or zeros). W: scratch of min(K, KC) · N floats (B's K block
 * packed into column panels: read in place, B's rows are a power-of-two stride apart at BERT's
 * shapes and a [KC, 8] panel of them falls into two L1 sets).
 */
EXPORT(gemm_f32)(const float *A, const float *B, float *C, const float *bias, float *W, int M,
                 int K, int N, int KC, int MC) {
  const int n8 = N & ~7, n4 = (N - n8) >= 4 ? 4 : 0;
  if (K == 0) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) C[i * N + j] = bias ? bias[j] : 0.f;
    return;
  }
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = K - k0 < KC ? K - k0 : KC;
    const int first = k0 == 0;
    pack(B, W, N, k0, kc, n8, n4);
    for (int i0 = 0; i0 < M; i0 += MC) {
      const int iEnd = M - i0 < MC ? M : i0 + MC;
      int j = 0;
      for (; j + 8 <= N; j += 8) {
        const float *P = W + j * kc;
        int i = i0;
        for (; i + MR <= iEnd; i += MR) tile8(A, P, C, bias, MR, K, N, i, j, k0, kc, first);
        if (i < iEnd) ROWS(tile8, iEnd - i);
      }
      if (j + 4 <= N) {
        const float *P = W + j * kc;
        int i = i0;
        for (; i + MR <= iEnd; i += MR) tile4(A, P, C, bias, MR, K, N, i, j, k0, kc, first);
        if (i < iEnd) ROWS(tile4, iEnd - i);
        j += 4;
      }
      for (; j < N; j++)
        for (int i = i0; i < iEnd; i++) cell(A, B, C, bias, K, N, i, j, k0, kc, first);
    }
  }
}
