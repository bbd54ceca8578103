// Histogram kernels shared by the boosting fitter: building (grad, hess) sums per bin over a node's
// rows, and sibling-by-subtraction. These loops are the hot path of the whole engine, so they are
// written monomorphic over typed arrays with no allocation.

/**
 * Adds the node's rows into hist for each sampled column. Layout: for sampled column k, bin b holds
 * grad at hist[histOff[k] + 2b] and hess at hist[histOff[k] + 2b + 1]. gN/hN are the node's gradients
 * gathered in idx order so only the code reads are random access.
 */
export function buildHist(
  hist: Float64Array,
  codes: Uint8Array,
  nRows: number,
  cols: Int32Array,
  histOff: Int32Array,
  nCols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  gN: Float64Array,
  hN: Float64Array,
  contiguous: boolean,
): void {
  const n = end - start;
  for (let k = 0; k < nCols; k++) {
    const o = histOff[k];
    const base = cols[k] * nRows;
    if (contiguous) {
      // Root without subsampling: rows are 0..n-1, read codes sequentially.
      const col = codes.subarray(base, base + n);
      for (let i = 0; i < n; i++) {
        const b = o + (col[i] << 1);
        hist[b] += gN[i];
        hist[b + 1] += hN[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = o + (codes[base + idx[start + i]] << 1);
        hist[b] += gN[i];
        hist[b + 1] += hN[i];
      }
    }
  }
}

/** parent -= child over the first len entries (parent becomes the sibling's histogram). */
export function subtractHist(parent: Float64Array, child: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) parent[i] -= child[i];
}
