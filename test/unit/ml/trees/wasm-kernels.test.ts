// The WebAssembly kernels against the TypeScript ones they replace: the same bits, kernel by kernel
// and for whole boosting fits, and a committed binary that matches its C source.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binData, fitForest, fitGbm, runToEnd, type ForestParams, type GbmParams, type Tree } from '../../../../src/main/ml/trees';
import { buildHist, subtractHist } from '../../../../src/main/ml/trees/hist';
import { setSparseNodeRows } from '../../../../src/main/ml/trees/gbm';
import { acquireHistArena, setKernelBackend, wasmKernelsEnabled } from '../../../../src/main/ml/wasm';
import { KERNELS_SOURCE_SHA256 } from '../../../../src/main/ml/wasm/kernels-binary';
import { nonlinear } from './helpers';

const bits = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');
const treeBits = (trees: Tree[]): string[] =>
  trees.map((t) =>
    [
      bits(t.value),
      bits(t.gain),
      bits(t.cover),
      Array.from(t.feature).join(','),
      Array.from(t.bin).join(','),
    ].join('|'),
  );

/** Steps two fits in turn, a round (or tree) each, to the end; their results. */
function interleave<A, B>(a: Generator<unknown, A, void>, b: Generator<unknown, B, void>): [A, B] {
  let sa = a.next();
  let sb = b.next();
  while (!sa.done || !sb.done) {
    if (!sa.done) sa = a.next();
    if (!sb.done) sb = b.next();
  }
  return [sa.value, sb.value];
}

afterEach(() => {
  setKernelBackend(null);
  setSparseNodeRows(160);
});

describe('WebAssembly kernels', () => {
  it('ship as built from kernels.c (rebuild with node scripts/build-wasm.mjs)', () => {
    const source = readFileSync(join(__dirname, '../../../../src/main/ml/wasm/kernels.c'));
    expect(createHash('sha256').update(source).digest('hex')).toBe(KERNELS_SOURCE_SHA256);
    expect(wasmKernelsEnabled()).toBe(true);
  });

  it('build and subtract histograms bit for bit as the TypeScript kernels', () => {
    const nRows = 700;
    const nActive = 23; // not a multiple of the kernels' four columns per pass
    const maxBins = 40;
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const codes = Uint8Array.from({ length: nActive * nRows }, () =>
      rnd() < 0.1 ? 0 : 1 + Math.floor(rnd() * (maxBins - 1)),
    );
    const nTrain = 500;
    const histOffJs = new Int32Array(nActive + 1);
    const colsJs = Int32Array.from({ length: nActive }, (_, k) => nActive - 1 - k); // any column order
    for (let k = 0; k < nActive; k++) histOffJs[k + 1] = histOffJs[k] + 2 * maxBins;
    const histLen = histOffJs[nActive];
    const arena = acquireHistArena(codes, nActive, nTrain, histLen, 2)!;
    expect(arena).not.toBeNull();
    arena.cols.set(colsJs);
    arena.histOff.set(histOffJs);
    const idxJs = Uint32Array.from({ length: nTrain }, (_, i) => Math.floor((i * nRows) / nTrain));
    arena.idx.set(idxJs);
    // Gradients with values whose sums round differently in another order.
    const gN = Float64Array.from({ length: nTrain }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 6));
    const hN = Float64Array.from({ length: nTrain }, () => rnd() * 0.25);
    for (const [start, end, contiguous] of [
      [0, nTrain, false],
      [37, 311, false],
      [0, nTrain, true],
    ] as const) {
      const ref = new Float64Array(histLen);
      buildHist(ref, codes, nRows, colsJs, histOffJs, nActive, idxJs, start, end, gN, hN, contiguous);
      const [h, child] = arena.hists;
      h.fill(0);
      for (let i = 0; i < end - start; i++) {
        arena.gh[2 * i] = gN[i];
        arena.gh[2 * i + 1] = hN[i];
      }
      arena.buildHist(h, nRows, nActive, start, end, contiguous);
      expect(bits(h)).toBe(bits(ref));
      // Subtraction over an odd length (the kernel's scalar tail).
      child.set(ref.map((v, i) => v * (i % 3) * 0.37));
      const refParent = ref.slice();
      subtractHist(refParent, child, histLen - 1);
      arena.subtractHist(h, child, histLen - 1);
      expect(bits(h)).toBe(bits(refParent));
    }
  });

  it('grow the same boosted trees as the TypeScript kernels', () => {
    const d = nonlinear(1500, 5);
    const b = binData(d.X, d.nRows, d.nFeatures, 64);
    const subset = Uint32Array.from({ length: 1100 }, (_, i) => i + (i >= 600 ? 400 : 0));
    const cases: [Partial<GbmParams>, { rows?: Uint32Array }, number][] = [
      [{ nEstimators: 25, maxDepth: 6, learningRate: 0.3 }, {}, 160],
      [{ nEstimators: 25, maxDepth: 6, learningRate: 0.3 }, { rows: subset }, 160],
      [
        { nEstimators: 15, maxDepth: 20, learningRate: 0.01, subsample: 0.8, colsampleBytree: 0.5 },
        { rows: subset },
        160,
      ],
      // Every node dense: exercises the histogram pool beyond the arena's buffers.
      [{ nEstimators: 10, maxDepth: 12, learningRate: 0.5 }, {}, 0],
    ];
    // Columns of different cardinality (so different bin counts, which the split search pairs up).
    const mixed = nonlinear(1200, 9);
    for (let f = 0; f < mixed.nFeatures; f++) {
      const steps = [0, 3, 7, 12, 20, 33, 50, 0, 90, 5][f];
      if (steps === 0) continue;
      for (let r = 0; r < mixed.nRows; r++) {
        const i = f * mixed.nRows + r;
        mixed.X[i] = Math.round(mixed.X[i] * steps) / steps;
      }
    }
    const bm = binData(mixed.X, mixed.nRows, mixed.nFeatures, 64);
    expect(new Set(Array.from(bm.binner.nValueBins)).size).toBeGreaterThan(4);
    for (const sparse of [160, 0]) {
      setSparseNodeRows(sparse);
      setKernelBackend('js');
      const ref = runToEnd(fitGbm(bm, mixed.y, { nEstimators: 20, maxDepth: 8, learningRate: 0.1 }));
      setKernelBackend(null);
      const wasm = runToEnd(fitGbm(bm, mixed.y, { nEstimators: 20, maxDepth: 8, learningRate: 0.1 }));
      expect(treeBits(wasm.trees)).toEqual(treeBits(ref.trees));
    }
    for (const [params, options, sparse] of cases) {
      setSparseNodeRows(sparse);
      setKernelBackend('js');
      const ref = runToEnd(fitGbm(b, d.y, params, options));
      setKernelBackend(null);
      const wasm = runToEnd(fitGbm(b, d.y, params, options));
      expect(treeBits(wasm.trees)).toEqual(treeBits(ref.trees));
    }
  });

  it('grow the same forests as the TypeScript grower', () => {
    const d = nonlinear(900, 7);
    const b = binData(d.X, d.nRows, d.nFeatures, 64);
    const subset = Uint32Array.from({ length: 650 }, (_, i) => i + (i >= 300 ? 250 : 0));
    const cases: [Partial<ForestParams>, { rows?: Uint32Array }][] = [
      [{ nEstimators: 12, criterion: 'gini', maxDepth: 3, maxFeatures: 'sqrt' }, {}],
      [{ nEstimators: 12, criterion: 'entropy', maxDepth: 3, maxFeatures: 'log2' }, { rows: subset }],
      // Unlimited depth: small nodes, pure leaves, constant-in-node columns skipped uncounted.
      [{ nEstimators: 8, criterion: 'gini', maxFeatures: 'all' }, { rows: subset }],
      [{ nEstimators: 8, criterion: 'entropy', maxDepth: 12, minSamplesLeaf: 3 }, {}],
      // Fractional weights: gini's divisions, and entropy's x ln x outside the table (Math.log).
      [{ nEstimators: 8, criterion: 'gini', classWeight: 'balanced', maxDepth: 6 }, { rows: subset }],
      [{ nEstimators: 8, criterion: 'entropy', classWeight: 'balanced', maxDepth: 6 }, {}],
      [{ nEstimators: 6, criterion: 'entropy', bootstrap: false, maxDepth: 5 }, {}],
    ];
    // Columns of two or three values: constant in many small nodes, so draws go on past them.
    const coarse = nonlinear(600, 9);
    for (let i = 0; i < coarse.X.length; i++) {
      if (Math.floor(i / coarse.nRows) % 2 === 0) coarse.X[i] = Math.round(coarse.X[i]);
    }
    const bc = binData(coarse.X, coarse.nRows, coarse.nFeatures, 64);
    const coarseCases: [Partial<ForestParams>, { rows?: Uint32Array }][] = [
      [{ nEstimators: 10, criterion: 'gini', maxFeatures: 'sqrt' }, {}],
      [{ nEstimators: 10, criterion: 'entropy', maxFeatures: 'log2', classWeight: 'balanced' }, {}],
    ];
    for (const [data, binned, list] of [
      [d, b, cases],
      [coarse, bc, coarseCases],
    ] as const) {
      for (const [params, options] of list) {
        setKernelBackend('js');
        const ref = runToEnd(fitForest(binned, data.y, params, options));
        setKernelBackend(null);
        const wasm = runToEnd(fitForest(binned, data.y, params, options));
        expect(treeBits(wasm.trees)).toEqual(treeBits(ref.trees));
      }
    }
    // Interleaved with a boosting fit over other data on the same thread (they share the memory).
    const d2 = nonlinear(700, 8);
    const b2 = binData(d2.X, d2.nRows, d2.nFeatures, 32);
    const fp: Partial<ForestParams> = { nEstimators: 10, criterion: 'entropy', maxDepth: 4 };
    const gp = { nEstimators: 10, maxDepth: 4 };
    setKernelBackend('js');
    const refF = runToEnd(fitForest(b, d.y, fp));
    const refG = runToEnd(fitGbm(b2, d2.y, gp));
    setKernelBackend(null);
    const [forest, boosted] = interleave(fitForest(b, d.y, fp), fitGbm(b2, d2.y, gp));
    expect(treeBits(forest.trees)).toEqual(treeBits(refF.trees));
    expect(treeBits(boosted.trees)).toEqual(treeBits(refG.trees));
  });

  it('keep two interleaved fits on one thread apart', () => {
    const d1 = nonlinear(800, 1);
    const d2 = nonlinear(900, 2);
    const b1 = binData(d1.X, d1.nRows, d1.nFeatures, 32);
    const b2 = binData(d2.X, d2.nRows, d2.nFeatures, 255);
    const params = { nEstimators: 12, maxDepth: 5 };
    setKernelBackend('js');
    const ref1 = runToEnd(fitGbm(b1, d1.y, params));
    const ref2 = runToEnd(fitGbm(b2, d2.y, params));
    setKernelBackend(null);
    const [m1, m2] = interleave(fitGbm(b1, d1.y, params), fitGbm(b2, d2.y, params));
    expect(treeBits(m1.trees)).toEqual(treeBits(ref1.trees));
    expect(treeBits(m2.trees)).toEqual(treeBits(ref2.trees));
  });
});
