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
  let k = 0;
  // Eight columns per pass over the rows: one idx/gN/hN read serves them all, and the eight histograms'
  // read-modify-write chains are independent (measured ~10% faster fits than four per pass). Each bin
  // still receives its rows in idx order, so sums do not depend on the unrolling.
  for (; k + 7 < nCols; k += 8) {
    const o0 = histOff[k];
    const o1 = histOff[k + 1];
    const o2 = histOff[k + 2];
    const o3 = histOff[k + 3];
    const o4 = histOff[k + 4];
    const o5 = histOff[k + 5];
    const o6 = histOff[k + 6];
    const o7 = histOff[k + 7];
    const base0 = cols[k] * nRows;
    const base1 = cols[k + 1] * nRows;
    const base2 = cols[k + 2] * nRows;
    const base3 = cols[k + 3] * nRows;
    const base4 = cols[k + 4] * nRows;
    const base5 = cols[k + 5] * nRows;
    const base6 = cols[k + 6] * nRows;
    const base7 = cols[k + 7] * nRows;
    for (let i = 0; i < n; i++) {
      const r = contiguous ? i : idx[start + i];
      const g = gN[i];
      const h = hN[i];
      let b = o0 + (codes[base0 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o1 + (codes[base1 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o2 + (codes[base2 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o3 + (codes[base3 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o4 + (codes[base4 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o5 + (codes[base5 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o6 + (codes[base6 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
      b = o7 + (codes[base7 + r] << 1);
      hist[b] += g;
      hist[b + 1] += h;
    }
  }
  // The last (at most seven) columns one at a time: a few of hundreds, not worth a third unrolled copy.
  for (; k < nCols; k++) {
    const o = histOff[k];
    const base = cols[k] * nRows;
    for (let i = 0; i < n; i++) {
      const b = o + (codes[base + (contiguous ? i : idx[start + i])] << 1);
      hist[b] += gN[i];
      hist[b + 1] += hN[i];
    }
  }
}

/** parent -= child over the first len entries (parent becomes the sibling's histogram). */
export function subtractHist(parent: Float64Array, child: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) parent[i] -= child[i];
}
