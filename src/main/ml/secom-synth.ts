// Seeded generator of SECOM-like wafer data for benchmarks and tests (the real SECOM set cannot ship
// with the app). Pure: no I/O. Shape of the real data it imitates: 590 sensors in correlated groups,
// several operating regimes that shift sensor levels, ~5% missing cells with a few mostly-missing
// columns, ~100 constant columns, ~6.6% faulty wafers whose signal lives in a handful of sensors.
// Output is column-major Float32 (half the memory of Float64 at 100x size), generated column by column.

import { deriveSeed, Rng, Stream } from './trees/prng';

export interface SecomSynthOptions {
  nTrain: number;
  nTest?: number;
  seed?: number;
  nFeatures?: number;
  /** Target fraction of faulty wafers (default 0.066). */
  faultRate?: number;
}

export interface SynthSet {
  /** Column-major: X[f * nRows + r]; NaN = missing. */
  X: Float32Array;
  y: Uint8Array;
  nRows: number;
}

export interface SecomSynth {
  nFeatures: number;
  train: SynthSet;
  test: SynthSet;
  /** Columns that carry the fault signal (for sanity checks of importance/explanations). */
  signalFeatures: number[];
  constantFeatures: number[];
}

const N_GROUPS = 45;
const N_REGIMES = 4;
const REGIME_P = [0.4, 0.3, 0.2, 0.1];

export function generateSecomLike(opts: SecomSynthOptions): SecomSynth {
  const nTrain = opts.nTrain;
  const nTest = opts.nTest ?? 0;
  const seed = opts.seed ?? 1;
  const nF = opts.nFeatures ?? 590;
  const faultRate = opts.faultRate ?? 0.066;
  const n = nTrain + nTest;

  // Row latents: regime, group factors, and the four fault drivers.
  const rng = new Rng(deriveSeed(seed, Stream.Synth, 0));
  const regime = new Uint8Array(n);
  const z = new Float32Array(n * N_GROUPS);
  const u = new Float32Array(n * 4);
  for (let r = 0; r < n; r++) {
    const a = rng.nextFloat();
    let k = 0;
    for (let acc = REGIME_P[0]; a > acc && k < N_REGIMES - 1;) acc += REGIME_P[++k];
    regime[r] = k;
    for (let g = 0; g < N_GROUPS; g++) z[r * N_GROUPS + g] = rng.nextNormal();
    for (let j = 0; j < 4; j++) u[r * 4 + j] = rng.nextNormal();
  }

  // Fault score: a threshold effect, a linear drift, a regime-specific excursion and a group factor.
  const score = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const u0 = u[r * 4];
    const u1 = u[r * 4 + 1];
    const u2 = u[r * 4 + 2];
    const u3 = u[r * 4 + 3];
    score[r] =
      2.2 * (u0 > 1.0 ? 1 : 0) +
      1.0 * u1 +
      (regime[r] === 2 ? 1.6 * u2 : 0) +
      0.8 * Math.abs(u3) +
      0.5 * z[r * N_GROUPS + 7];
  }
  // Intercept by bisection so the expected fault rate is faultRate.
  let lo = -20;
  let hi = 20;
  for (let it = 0; it < 50; it++) {
    const mid = (lo + hi) / 2;
    let s = 0;
    for (let r = 0; r < n; r++) s += 1 / (1 + Math.exp(-(mid + score[r])));
    if (s / n > faultRate) hi = mid;
    else lo = mid;
  }
  const y = new Uint8Array(n);
  const yr = new Rng(deriveSeed(seed, Stream.Synth, 1));
  for (let r = 0; r < n; r++) y[r] = yr.nextFloat() < 1 / (1 + Math.exp(-(lo + score[r]))) ? 1 : 0;

  // Column roles, fixed by the seed.
  const roles = new Rng(deriveSeed(seed, Stream.Synth, 2));
  const order = Array.from({ length: nF }, (_, i) => i);
  for (let i = nF - 1; i > 0; i--) {
    const j = roles.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nConst = Math.round((100 / 590) * nF);
  const constantFeatures = order.slice(0, nConst).sort((a, b) => a - b);
  const signalFeatures = order.slice(nConst, nConst + 6).sort((a, b) => a - b);
  const signalDriver = new Map(order.slice(nConst, nConst + 6).map((f, i) => [f, i % 4]));
  const isConst = new Set(constantFeatures);
  const mostlyMissing = new Set(order.slice(nConst + 6, nConst + 6 + Math.round((24 / 590) * nF)));

  const Xtr = new Float32Array(nTrain * nF);
  const Xte = new Float32Array(nTest * nF);
  for (let f = 0; f < nF; f++) {
    const cr = new Rng(deriveSeed(seed, Stream.Synth, 1000 + f));
    const center = Math.pow(10, -1 + 4 * cr.nextFloat());
    const spread = center * (0.01 + 0.2 * cr.nextFloat());
    let missRate: number;
    if (isConst.has(f)) missRate = cr.nextFloat() < 0.2 ? 0.05 * cr.nextFloat() : 0;
    else if (mostlyMissing.has(f)) missRate = 0.5 + 0.42 * cr.nextFloat();
    else missRate = cr.nextFloat() < 0.85 ? 0.04 * cr.nextFloat() : 0.05 + 0.15 * cr.nextFloat();
    const group = cr.nextInt(N_GROUPS);
    const load = 0.3 + 0.65 * cr.nextFloat();
    const noise = Math.sqrt(1 - load * load);
    const shifts = Array.from({ length: N_REGIMES }, () =>
      cr.nextFloat() < 0.6 ? 0.8 * cr.nextNormal() : 0,
    );
    const quantum = cr.nextFloat() < 0.15 ? spread / (1 + cr.nextInt(8)) : 0;
    const skewed = cr.nextFloat() < 0.2;
    const driver = signalDriver.get(f);
    const constValue = Math.round(center * 100) / 100;
    for (let r = 0; r < n; r++) {
      let v: number;
      if (cr.nextFloat() < missRate) v = NaN;
      else if (isConst.has(f)) v = constValue;
      else {
        let s: number;
        // Signal sensors track their driver closely and are not shifted by the regime.
        if (driver !== undefined)
          s = 0.9 * u[r * 4 + driver] + 0.2 * z[r * N_GROUPS + group] + 0.2 * cr.nextNormal();
        else s = load * z[r * N_GROUPS + group] + noise * cr.nextNormal() + shifts[regime[r]];
        if (skewed) s = Math.exp(0.5 * s) - 1;
        v = center + spread * s;
        if (quantum > 0) v = Math.round(v / quantum) * quantum;
      }
      if (r < nTrain) Xtr[f * nTrain + r] = v;
      else Xte[f * nTest + (r - nTrain)] = v;
    }
  }
  return {
    nFeatures: nF,
    train: { X: Xtr, y: y.slice(0, nTrain), nRows: nTrain },
    test: { X: Xte, y: y.slice(nTrain), nRows: nTest },
    signalFeatures,
    constantFeatures,
  };
}
