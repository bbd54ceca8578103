// Random forest classifier (binary), scikit-learn style: bootstrap rows, a fresh random feature subset
// at every split (constant-in-node features are skipped without counting, as scikit-learn does), gini
// or entropy, probability = mean of the leaves' positive-class fractions. Hand-written because the JS
// option (ml-random-forest) is ~8x slower than scikit-learn and samples features per tree, not per split.
// Speed: the forest also works on the binned codes (<= 255 quantile bins + missing bin per feature), so
// a split search is a weighted class-count histogram, not a sort. Thresholds are therefore bin edges, and
// missing values go to whichever side the split learns (scikit-learn 1.2 would need imputation instead).
// Determinism: tree i depends only on (seed, i), so any partition of tree indices across workers, merged
// with mergeForest, gives exactly the one-thread forest.

import { identityRows, type FitOptions } from './gbm';
import { childKey, deriveSeed, Rng, Stream } from './prng';
import { partitionRows, splitThreshold, TreeBuilder } from './tree';
import { acquireForestArena, releaseHistArena } from '../wasm';
import type { BinnedData, Binner, ForestModel, ForestParams, Progress, Tree } from './types';

/** scikit-learn 1.2 RandomForestClassifier defaults, except the seed. */
export const defaultForestParams: ForestParams = {
  nEstimators: 100,
  criterion: 'gini',
  maxDepth: Infinity,
  maxFeatures: 'sqrt',
  minSamplesLeaf: 1,
  minSamplesSplit: 2,
  classWeight: 'none',
  bootstrap: true,
  seed: 0,
};

export function resolveForestParams(params: Partial<ForestParams>): ForestParams {
  const p = { ...defaultForestParams, ...params };
  if (!(p.nEstimators >= 0) || !Number.isInteger(p.nEstimators))
    throw new RangeError('nEstimators must be an integer >= 0');
  if (p.criterion !== 'gini' && p.criterion !== 'entropy')
    throw new RangeError('criterion must be gini or entropy');
  if (!(p.maxDepth >= 0)) throw new RangeError('maxDepth must be >= 0 (0 or Infinity = unlimited)');
  if (!(p.minSamplesLeaf >= 1) || !(p.minSamplesSplit >= 2))
    throw new RangeError('minSamplesLeaf >= 1, minSamplesSplit >= 2');
  if (typeof p.maxFeatures === 'number' && !(p.maxFeatures > 0))
    throw new RangeError('maxFeatures must be > 0');
  return p;
}

/** Features examined per split, computed on all input columns as scikit-learn's n_features_in_. */
export function featuresPerSplit(maxFeatures: ForestParams['maxFeatures'], nFeatures: number): number {
  let m: number;
  if (maxFeatures === 'sqrt') m = Math.floor(Math.sqrt(nFeatures));
  else if (maxFeatures === 'log2') m = Math.floor(Math.log2(nFeatures));
  else if (maxFeatures === 'all') m = nFeatures;
  else if (maxFeatures <= 1) m = Math.floor(maxFeatures * nFeatures);
  else m = Math.floor(maxFeatures);
  return Math.max(1, Math.min(nFeatures, m));
}

/** Trees of one chunk, tagged with their indices so chunks from any workers can be merged. */
export interface ForestChunk {
  indices: number[];
  trees: Tree[];
}

/**
 * Builds the trees with the given indices (e.g. [0..49] on one worker, [50..99] on another).
 * Yields after every tree.
 */
export function* fitForestTrees(
  data: BinnedData,
  y: Uint8Array,
  params: Partial<ForestParams>,
  treeIndices: ArrayLike<number>,
  options: FitOptions = {},
): Generator<Progress, ForestChunk, void> {
  const work = prepareForest(data, y, params, options);
  const out: ForestChunk = { indices: [], trees: [] };
  const total = treeIndices.length;

  for (let ti = 0; ti < total; ti++) {
    const treeIndex = treeIndices[ti];
    out.indices.push(treeIndex);
    out.trees.push(growForestTree(work, treeIndex));
    yield { done: ti + 1, total, message: `forest tree ${ti + 1}/${total}` };
  }
  releaseHistArena();
  return out;
}

/** What the trees of one fitForestTrees call share: resolved parameters, and buffers reused tree after tree. */
function prepareForest(data: BinnedData, y: Uint8Array, params: Partial<ForestParams>, options: FitOptions) {
  const p = resolveForestParams(params);
  const { binner, nRows } = data;
  if (y.length !== nRows) throw new RangeError('y length must equal the number of rows');
  const rows = options.rows ?? identityRows(nRows);
  const nTrain = rows.length;
  const nActive = binner.active.length;
  const mtry = Math.min(nActive, featuresPerSplit(p.maxFeatures, binner.nFeatures));
  const maxDepth = p.maxDepth > 0 && Number.isFinite(p.maxDepth) ? p.maxDepth : 1 << 30;
  const entropy = p.criterion === 'entropy';

  let n1 = 0;
  for (let i = 0; i < nTrain; i++) n1 += y[rows[i]];
  const n0 = nTrain - n1;
  const cw0 = p.classWeight === 'balanced' && n0 > 0 ? nTrain / (2 * n0) : 1;
  const cw1 = p.classWeight === 'balanced' && n1 > 0 ? nTrain / (2 * n1) : 1;

  const count = new Int32Array(nRows);
  const idx = new Uint32Array(nTrain);
  const scratch = new Uint32Array(nTrain);
  const wN = new Float64Array(nTrain);
  const yN = new Uint8Array(nTrain);
  const hist = new Float64Array(3 * 256);
  const seen = new Int32Array(8);
  // Entropy only: x ln x for the integer weights that unweighted bootstrap counts produce (0..nTrain);
  // the score needs six of them per candidate and Math.log dominated the fit. Same values, looked up.
  // Null selects gini.
  const table = entropy ? new Float64Array(nTrain + 1) : null;
  if (table) for (let i = 1; i < table.length; i++) table[i] = i * Math.log(i);
  const perm = new Int32Array(nActive);
  const picks = new Int32Array(nActive);
  const stack: number[] = [];
  return {
    builder: new TreeBuilder(),
    frng: new Rng(0),
    picks,
    p,
    data,
    y,
    rows,
    nTrain,
    nActive,
    mtry,
    maxDepth,
    cw0,
    cw1,
    count,
    idx,
    scratch,
    wN,
    yN,
    hist,
    seen,
    perm,
    stack,
    table,
  };
}

type ForestWork = ReturnType<typeof prepareForest>;

/**
 * Grows tree `treeIndex`. A plain function, not part of the fitting generator, so V8 keeps its locals
 * in registers (a generator's locals live in its resumable frame).
 */
function growForestTree(w: ForestWork, treeIndex: number): Tree {
  const {
    p,
    y,
    rows,
    nTrain,
    nActive,
    mtry,
    maxDepth,
    cw0,
    cw1,
    count,
    scratch,
    hist,
    seen,
    perm,
    picks,
    stack,
    table,
  } = w;
  const { binner, codes, nRows } = w.data;
  // WebAssembly: the rows, labels and weights live in its memory, and each drawn column's sums and
  // candidates run in forest_column (bit-identical to the loop below, which is the fallback).
  const arena = acquireForestArena(codes, nTrain, table);
  const idx = arena ? arena.idx : w.idx;
  const yN = arena ? arena.yN : w.yN;
  const wN = arena ? arena.wN : w.wN;
  const entropy = table !== null;
  const minLeaf = p.minSamplesLeaf;
  // Bootstrap: nTrain draws with replacement; a row's multiplicity becomes its weight.
  let n = 0;
  if (p.bootstrap) {
    const rng = new Rng(deriveSeed(p.seed, Stream.ForestBootstrap, treeIndex));
    count.fill(0);
    for (let i = 0; i < nTrain; i++) count[rows[rng.nextInt(nTrain)]]++;
    for (let i = 0; i < nTrain; i++) if (count[rows[i]] > 0) idx[n++] = rows[i];
  } else {
    for (let i = 0; i < nTrain; i++) count[rows[i]] = 1;
    idx.set(rows);
    n = nTrain;
  }
  // Each node draws its features from its own stream (tree seed, node key), and perm is back to the
  // identity after every node: a node's split never depends on the nodes grown before it, so the tree
  // grown with maxDepth d is exactly the maxDepth D > d tree cut at depth d (truncateTree), which lets
  // a grid search reuse its deeper fits.
  const treeSeed = deriveSeed(p.seed, Stream.ForestFeatures, treeIndex);
  const frng = w.frng;
  for (let k = 0; k < nActive; k++) perm[k] = k;

  const tb = w.builder.reset();
  let W0 = 0;
  let W1 = 0;
  for (let i = 0; i < n; i++) {
    const r = idx[i];
    if (y[r] === 1) W1 += count[r] * cw1;
    else W0 += count[r] * cw0;
  }
  const root = tb.addLeaf(W0 + W1 > 0 ? W1 / (W0 + W1) : 0, W0 + W1);
  // Stack of (node id, start, end, depth, class-0 weight, class-1 weight); weights are carried
  // exactly rather than recomputed from value * cover, so pure leaves are exactly 0 or 1.
  stack.length = 0;
  stack.push(1, root, 0, n, 0, W0, W1);
  while (stack.length > 0) {
    const Wn1 = stack.pop()!;
    const Wn0 = stack.pop()!;
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const start = stack.pop()!;
    const id = stack.pop()!;
    const key = stack.pop()!;
    const nS = end - start;
    const Wn = Wn0 + Wn1;
    if (depth >= maxDepth || nS < p.minSamplesSplit || nS < 2 * p.minSamplesLeaf) continue;
    if (Wn0 <= 1e-12 * Wn || Wn1 <= 1e-12 * Wn) continue; // pure
    for (let i = start; i < end; i++) {
      const r = idx[i];
      yN[i - start] = y[r];
      wN[i - start] = count[r] * (y[r] === 1 ? cw1 : cw0);
    }

    let bestScore = -Infinity;
    let bestCol = -1;
    let bestBin = 0;
    let bestDefaultLeft = false;
    let bestL0 = 0;
    let bestL1 = 0;
    let visited = 0;
    frng.reseed(deriveSeed(treeSeed, Stream.ForestFeatures, key));
    let drawn = 0;
    if (arena) arena.resetBest();
    for (let j = 0; j < nActive && visited < mtry; j++) {
      const pick = j + frng.nextInt(nActive - j);
      picks[drawn++] = pick;
      const col = perm[pick];
      perm[pick] = perm[j];
      perm[j] = col;
      const f = binner.active[col];
      const nb = binner.nValueBins[f];
      if (arena) {
        if (arena.column(col, nRows, start, nS, nb, Wn0, Wn1, minLeaf)) visited++;
        continue;
      }
      // Class weights and row count per code, with a bitmap of occupied codes: only those are
      // visited (ascending) and cleared, never all 256 bins (most are empty in a small node).
      const base = col * nRows;
      for (let i = 0; i < nS; i++) {
        const c = codes[base + idx[start + i]];
        const h = 3 * c;
        hist[h + yN[i]] += wN[i];
        hist[h + 2] += 1;
        seen[c >> 5] |= 1 << (c & 31);
      }
      const nWords = (nb >> 5) + 1;
      let nonEmpty = 0;
      for (let w = 0; w < nWords; w++) nonEmpty += popcount(seen[w]);
      if (nonEmpty < 2) {
        // constant in this node: not counted, like scikit-learn
        for (let w = 0; w < nWords; w++) {
          let bits = seen[w];
          seen[w] = 0;
          while (bits !== 0) {
            const low = bits & -bits;
            bits ^= low;
            const h = 3 * ((w << 5) + 31 - Math.clz32(low));
            hist[h] = 0;
            hist[h + 1] = 0;
            hist[h + 2] = 0;
          }
        }
        continue;
      }
      visited++;

      const m0 = hist[0];
      const m1 = hist[1];
      const mc = hist[2];
      hist[0] = 0;
      hist[1] = 0;
      hist[2] = 0;
      const hasMissing = mc > 0;
      let L0 = 0;
      let L1 = 0;
      let Lc = 0;
      // Candidates: values 1..b left (missing right, or missing left), then values vs missing.
      for (let w = 0; w < nWords; w++) {
        let bits = seen[w];
        seen[w] = 0;
        if (w === 0) bits &= ~1;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const b = (w << 5) + 31 - Math.clz32(low);
          const h = 3 * b;
          const c = hist[h + 2];
          L0 += hist[h];
          L1 += hist[h + 1];
          Lc += c;
          hist[h] = 0;
          hist[h + 1] = 0;
          hist[h + 2] = 0;
          if (b < nb) {
            const sRight = splitScore(L0, L1, Wn0 - L0, Wn1 - L1, Lc, nS - Lc, minLeaf, table);
            if (sRight > bestScore) {
              bestScore = sRight;
              bestCol = col;
              bestBin = b;
              bestL0 = L0;
              bestL1 = L1;
              bestDefaultLeft = !hasMissing && L0 + L1 >= Wn - L0 - L1;
            }
            if (hasMissing) {
              const a0 = L0 + m0;
              const a1 = L1 + m1;
              const sLeft = splitScore(a0, a1, Wn0 - a0, Wn1 - a1, Lc + mc, nS - Lc - mc, minLeaf, table);
              if (sLeft > bestScore) {
                bestScore = sLeft;
                bestCol = col;
                bestBin = b;
                bestL0 = a0;
                bestL1 = a1;
                bestDefaultLeft = true;
              }
            }
          } else if (hasMissing) {
            const sc = splitScore(L0, L1, m0, m1, Lc, mc, minLeaf, table);
            if (sc > bestScore) {
              bestScore = sc;
              bestCol = col;
              bestBin = nb;
              bestL0 = L0;
              bestL1 = L1;
              bestDefaultLeft = false;
            }
          }
        }
      }
    }
    if (arena) {
      bestScore = arena.bestF[0];
      bestL0 = arena.bestF[1];
      bestL1 = arena.bestF[2];
      bestCol = arena.bestI[0];
      bestBin = arena.bestI[1];
      bestDefaultLeft = arena.bestI[2] !== 0;
    }
    // Undo the draws' swaps, last first: perm is the identity again for the next node.
    for (let j = drawn - 1; j >= 0; j--) {
      const pick = picks[j];
      const col = perm[j];
      perm[j] = perm[pick];
      perm[pick] = col;
    }
    if (bestCol < 0 || bestScore === -Infinity) continue;

    const f = binner.active[bestCol];
    if (bestBin < binner.nValueBins[f])
      bestBin = centerInGap(codes, bestCol * nRows, idx, start, end, bestBin);
    const mid = partitionRows(idx, scratch, start, end, codes, bestCol * nRows, bestBin, bestDefaultLeft);
    const WL = bestL0 + bestL1;
    const WR = Wn - WL;
    const gain =
      Wn * impurity(Wn0, Wn1, entropy) -
      WL * impurity(bestL0, bestL1, entropy) -
      (WR > 0 ? WR * impurity(Wn0 - bestL0, Wn1 - bestL1, entropy) : 0);
    const l = tb.addLeaf(WL > 0 ? bestL1 / WL : 0, WL);
    const r = tb.addLeaf(WR > 0 ? (Wn1 - bestL1) / WR : 0, WR);
    tb.split(id, f, bestBin, splitThreshold(binner, f, bestBin), bestDefaultLeft, Math.max(0, gain), l, r);
    stack.push(childKey(key, 1), r, mid, end, depth + 1, Wn0 - bestL0, Wn1 - bestL1);
    stack.push(childKey(key, 0), l, start, mid, depth + 1, bestL0, bestL1);
  }
  return tb.finish();
}

/** Gini or entropy (bits) of a node with class weights w0, w1. */
function impurity(w0: number, w1: number, entropy: boolean): number {
  const w = w0 + w1;
  if (w <= 0) return 0;
  const p0 = w0 / w;
  const p1 = w1 / w;
  if (!entropy) return 1 - p0 * p0 - p1 * p1;
  return -(p0 > 0 ? p0 * Math.log2(p0) : 0) - (p1 > 0 ? p1 * Math.log2(p1) : 0);
}

/**
 * Empty bins between the last left code and the first right code give the same partition; put the
 * split in the middle of that gap (like scikit-learn's midpoint threshold) so unseen values between
 * the two classes are shared fairly instead of all going right.
 */
function centerInGap(
  codes: Uint8Array,
  base: number,
  idx: Uint32Array,
  start: number,
  end: number,
  bin: number,
): number {
  let next = 256;
  for (let i = start; i < end; i++) {
    const c = codes[base + idx[i]];
    if (c > bin && c < next) next = c;
  }
  return next === 256 ? bin : (bin + next - 1) >> 1;
}

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * Split score, higher is better: gini (sum of squared class weights over the child weight, per child)
 * or entropy (negated weighted child entropies, from the x ln x table); children with fewer than
 * minLeaf rows or no weight score -Infinity.
 */
function splitScore(
  l0: number,
  l1: number,
  r0: number,
  r1: number,
  lc: number,
  rc: number,
  minLeaf: number,
  table: Float64Array | null,
): number {
  if (lc < minLeaf || rc < minLeaf) return -Infinity;
  const wl = l0 + l1;
  const wr = r0 + r1;
  if (wl <= 0 || wr <= 0) return -Infinity;
  if (table === null) return (l0 * l0 + l1 * l1) / wl + (r0 * r0 + r1 * r1) / wr;
  return xl(table, l0) + xl(table, l1) - xl(table, wl) + xl(table, r0) + xl(table, r1) - xl(table, wr);
}

/** x ln x, looked up for whole weights within the table. */
function xl(table: Float64Array, x: number): number {
  const i = x | 0;
  return i === x && i >= 0 && i < table.length ? table[i] : xlogx(x);
}

function xlogx(x: number): number {
  return x > 0 ? x * Math.log(x) : 0;
}

/** Merges chunks built by fitForestTrees into one forest; tree order is by index, 0..n-1 required. */
export function mergeForest(
  binner: Binner,
  params: Partial<ForestParams>,
  chunks: ForestChunk[],
): ForestModel {
  const p = resolveForestParams(params);
  const byIndex = new Map<number, Tree>();
  for (const c of chunks) {
    c.indices.forEach((ix, i) => {
      if (byIndex.has(ix)) throw new Error(`forest tree ${ix} built twice`);
      byIndex.set(ix, c.trees[i]);
    });
  }
  const trees: Tree[] = [];
  for (let i = 0; i < byIndex.size; i++) {
    const t = byIndex.get(i);
    if (!t) throw new Error(`forest tree ${i} missing from chunks`);
    trees.push(t);
  }
  return {
    kind: 'forest',
    nFeatures: binner.nFeatures,
    binner,
    params: { ...p, nEstimators: trees.length },
    trees,
  };
}

/** One-thread convenience: builds trees 0..nEstimators-1 and merges them. */
export function* fitForest(
  data: BinnedData,
  y: Uint8Array,
  params: Partial<ForestParams> = {},
  options: FitOptions = {},
): Generator<Progress, ForestModel, void> {
  const p = resolveForestParams(params);
  const indices = Array.from({ length: p.nEstimators }, (_, i) => i);
  const chunk = yield* fitForestTrees(data, y, p, indices, options);
  return mergeForest(data.binner, p, [chunk]);
}
