// Small deterministic data builders for the tree-engine tests.
import { Rng } from '../../../../src/main/ml/trees/prng';

export interface Data {
  X: Float64Array;
  y: Uint8Array;
  nRows: number;
  nFeatures: number;
}

/** Column-major matrix from a row function. */
export function makeData(
  nRows: number,
  nFeatures: number,
  seed: number,
  row: (rng: Rng, x: Float64Array) => number,
): Data {
  const rng = new Rng(seed);
  const X = new Float64Array(nRows * nFeatures);
  const y = new Uint8Array(nRows);
  const x = new Float64Array(nFeatures);
  for (let r = 0; r < nRows; r++) {
    for (let f = 0; f < nFeatures; f++) x[f] = rng.nextNormal();
    y[r] = row(rng, x);
    for (let f = 0; f < nFeatures; f++) X[f * nRows + r] = x[f];
  }
  return { X, y, nRows, nFeatures };
}

/** A noisy non-linear problem (interaction + threshold + missing values) for quality checks. */
export function nonlinear(nRows: number, seed: number): Data {
  return makeData(nRows, 10, seed, (rng, x) => {
    const s = 1.5 * x[0] + (x[1] > 0.5 ? 1.5 : 0) + x[2] * x[3] - 0.8 * x[4] + 0.7 * rng.nextNormal();
    if (rng.nextFloat() < 0.05) x[5] = NaN;
    if (rng.nextFloat() < 0.05) x[0] = NaN;
    return s > 1 ? 1 : 0;
  });
}
