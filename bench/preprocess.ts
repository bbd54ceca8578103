// Benchmark for the preprocessing + clustering path on seeded, SECOM-like synthetic data:
// 590 sensor columns, 3 operating regimes, a 6-factor latent structure, ~5% missing cells (plus a
// few mostly-missing and one all-missing column), 8 constant columns and ~6.6% faulty rows.
// Times KNN-imputation fit and the k = 1..10 elbow at 1x (1,567 rows), 10x and 100x, printing seconds
// and the process's peak RSS so far. Usage: runPreprocessBench(['--scales=1,10,100', '--seed=1']).

import { fitPreprocessor } from '../src/main/ml/preprocess';
import { elbow } from '../src/main/ml/kmeans';
import { elbowK } from '../src/main/ml/knee';
import { run } from '../src/main/ml/matrix';
import { createRng } from '../src/main/ml/rng';

export interface WaferData {
  X: Float64Array;
  nRows: number;
  nFeatures: number;
  names: string[];
  labels: Uint8Array;
  regime: Int32Array;
}

export function makeWaferData(nRows: number, seed: number, nFeatures = 590): WaferData {
  const rng = createRng(seed);
  const gauss = (): number => {
    // Box-Muller; 1 - next() avoids log(0).
    const u = 1 - rng.next();
    const v = rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const F = 6;
  const base = new Float64Array(nFeatures);
  const scale = new Float64Array(nFeatures);
  const load = new Float64Array(nFeatures * F);
  const shift = new Float64Array(3 * nFeatures);
  const missRate = new Float64Array(nFeatures).fill(0.05);
  const constant = new Uint8Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    // Sensor magnitudes from ~0.01 to ~3000, like SECOM.
    scale[f] = Math.pow(10, -2 + 5 * rng.next());
    base[f] = scale[f] * (1 + 5 * rng.next());
    for (let j = 0; j < F; j++) load[f * F + j] = gauss();
    for (let r = 0; r < 3; r++) shift[r * nFeatures + f] = r === 0 ? 0 : 3 * gauss();
    if (f % 73 === 5) constant[f] = 1;
    if (f % 97 === 11) missRate[f] = 0.6;
  }
  missRate[nFeatures - 1] = 1;
  const X = new Float64Array(nRows * nFeatures);
  const labels = new Uint8Array(nRows);
  const regime = new Int32Array(nRows);
  const z = new Float64Array(F);
  for (let r = 0; r < nRows; r++) {
    const u = rng.next();
    const g = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
    regime[r] = g;
    for (let j = 0; j < F; j++) z[j] = gauss();
    labels[r] = rng.next() < 0.05 + 0.03 * g ? 1 : 0;
    for (let f = 0; f < nFeatures; f++) {
      let v: number;
      if (constant[f]) v = 4.101;
      else {
        let s = shift[g * nFeatures + f] + 0.3 * gauss() + (labels[r] && f % 17 === 0 ? 1.5 : 0);
        for (let j = 0; j < F; j++) s += 0.4 * load[f * F + j] * z[j];
        v = base[f] + scale[f] * s;
      }
      X[f * nRows + r] = rng.next() < missRate[f] ? NaN : v;
    }
  }
  const names = Array.from({ length: nFeatures }, (_, f) => String(f));
  return { X, nRows, nFeatures, names, labels, regime };
}

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;

export async function runPreprocessBench(argv: string[] = []): Promise<void> {
  const arg = (name: string, def: string): string =>
    argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
  const scales = arg('scales', '1,10,100')
    .split(',')
    .map(Number)
    .filter((s) => s > 0);
  const seed = Number(arg('seed', '1'));
  const standardize = arg('standardize', 'false') === 'true';
  console.log(`preprocess bench: scales ${scales.join(', ')}x of 1,567 rows x 590 columns, seed ${seed}`);
  for (const s of scales) {
    const n = Math.round(1567 * s);
    let t = performance.now();
    const data = makeWaferData(n, seed);
    const genS = (performance.now() - t) / 1000;
    t = performance.now();
    const fit = run(
      fitPreprocessor(data.X, n, data.nFeatures, data.names, { seed, labels: data.labels, standardize }),
    );
    const imputeS = (performance.now() - t) / 1000;
    const p = fit.state.keptColumns.length;
    t = performance.now();
    const e = run(elbow(fit.Xout, n, p, { kMin: 1, kMax: 10, seed }));
    const elbowS = (performance.now() - t) / 1000;
    const k = elbowK(e.ks, e.wcss);
    const iters = e.models.map((m) => m.iterations).join(',');
    console.log(
      `${s}x: ${n} rows -> ${p} kept columns | generate ${genS.toFixed(2)} s | KNN impute fit ` +
        `${imputeS.toFixed(2)} s (${fit.state.donors?.nDonors} donors${fit.state.donors?.sampled ? ', sampled' : ''}) | ` +
        `elbow k=1..10 ${elbowS.toFixed(2)} s (iterations ${iters}; knee k=${k ?? 'none'}) | peak RSS ${peakRssMb().toFixed(0)} MB`,
    );
    for (const note of fit.notes) console.log(`   note: ${note}`);
  }
}

// Allow `node -r tsx/cjs bench/preprocess.ts --scales=1,10` directly.
if (process.argv[1] && /bench[\\/]preprocess\.ts$/.test(process.argv[1])) {
  void runPreprocessBench(process.argv.slice(2));
}
