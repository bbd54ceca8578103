/*
 * WebAssembly kernels for the engine's hottest loops, compiled by scripts/build-wasm.mjs into
 * kernels-binary.ts (base64, committed, so installing and testing need no C compiler).
 *
 * Why C and not TypeScript: the same loops run 2.5x (histogram) and 5x (subtraction) faster as
 * WebAssembly with 128-bit SIMD, because a (grad, hess) pair is added to its bin with one f64x2 add
 * and V8 does not vectorize JavaScript. Why not a library: no maintained package offers these kernels
 * over our data layout.
 *
 * Every kernel performs the same IEEE double operations in the same order as the TypeScript kernel
 * it replaces (WebAssembly has no fused multiply-add, and f64x2 lanes round like scalar f64), so the
 * results are bit-identical and the TypeScript kernels stay as the fallback and the reference the
 * tests compare against. Build: node scripts/build-wasm.mjs (needs clang and wasm-ld, Debian's
 * clang and lld packages).
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

/*
 * Adds the node's rows into hist for each sampled column: for sampled column k, bin b holds grad at
 * hist[histOff[k] + 2b] and hess at hist[histOff[k] + 2b + 1]. gh holds the node's (grad, hess)
 * pairs in idx order. Four columns per pass over the rows; each bin receives its rows in idx order.
 * Same as buildHist in trees/hist.ts.
 */
void build_hist(double *restrict hist, const uint8_t *restrict codes, int nRows, const int32_t *restrict cols,
                const int32_t *restrict histOff, int nCols, const uint32_t *restrict idx, int start, int end,
                const double *restrict gh, int contiguous) {
  const int n = end - start;
  int k = 0;
  for (; k + 3 < nCols; k += 4) {
    double *h0 = hist + histOff[k];
    double *h1 = hist + histOff[k + 1];
    double *h2 = hist + histOff[k + 2];
    double *h3 = hist + histOff[k + 3];
    const uint8_t *c0 = codes + (size_t)cols[k] * nRows;
    const uint8_t *c1 = codes + (size_t)cols[k + 1] * nRows;
    const uint8_t *c2 = codes + (size_t)cols[k + 2] * nRows;
    const uint8_t *c3 = codes + (size_t)cols[k + 3] * nRows;
    for (int i = 0; i < n; i++) {
      const uint32_t r = contiguous ? (uint32_t)i : idx[start + i];
      const v128_t v = wasm_v128_load(gh + 2 * i);
      double *p;
      p = h0 + 2 * c0[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h1 + 2 * c1[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h2 + 2 * c2[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
      p = h3 + 2 * c3[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), v));
    }
  }
  for (; k < nCols; k++) {
    double *h0 = hist + histOff[k];
    const uint8_t *c0 = codes + (size_t)cols[k] * nRows;
    for (int i = 0; i < n; i++) {
      const uint32_t r = contiguous ? (uint32_t)i : idx[start + i];
      double *p = h0 + 2 * c0[r];
      wasm_v128_store(p, wasm_f64x2_add(wasm_v128_load(p), wasm_v128_load(gh + 2 * i)));
    }
  }
}

/* parent -= child over the first len entries. Same as subtractHist in trees/hist.ts. */
void subtract_hist(double *restrict parent, const double *restrict child, int len) {
  int i = 0;
  for (; i + 1 < len; i += 2) {
    wasm_v128_store(parent + i, wasm_f64x2_sub(wasm_v128_load(parent + i), wasm_v128_load(child + i)));
  }
  for (; i < len; i++) parent[i] -= child[i];
}
