// Gradient-boosted trees for binary classification (logistic loss), XGBoost "hist"-style: quantile
// bins, (grad, hess) histograms, the smaller child built and its sibling obtained by subtraction,
// depth-wise growth (a node splits iff its best split gains > max(gamma, 1e-6) and both children keep
// min_child_weight of hessian; the tree is grown depth-first, which yields the same tree as level
// order because no global leaf budget exists). Hand-written: no maintained JS library does boosting.
// Missing values (code 0) take their own bin; every split learns which side they go to.
// A fit is a generator yielding one Progress per round so callers can report and cancel between rounds.

import { deriveSeed, Rng, Stream } from './prng';
import { buildHist, subtractHist } from './hist';
import {
  acquireHistArena,
  releaseHistArena,
  type HistArena,
  type SplitAnswer,
  type SplitSearch,
} from '../wasm';
import { leafBinned, partitionRows, splitThreshold, TreeBuilder } from './tree';
import type { BinnedData, GbmModel, GbmParams, Progress, Tree } from './types';

/**
 * XGBoost 1.7 defaults (binary:logistic), except the seed. Fits start from 0.5 as XGBoost 1.7 does:
 * starting at the training fault rate ('prior', as newer XGBoost) cost 0.04 held-out ROC AUC on the
 * SECOM-like bench (0.711 vs 0.750 over 5 seeds, XGBoost 0.744) and 0.03 CV AUC on the real wafer grid,
 * for about 30% less CPU.
 */
export const defaultGbmParams: GbmParams = {
  learningRate: 0.3,
  nEstimators: 100,
  maxDepth: 6,
  minChildWeight: 1,
  regLambda: 1,
  gamma: 0,
  subsample: 1,
  colsampleBytree: 1,
  scalePosWeight: 1,
  baseScore: 0.5,
  seed: 0,
};

export interface FitOptions {
  /** Training rows of the binned data (e.g. a CV fold's train part); default all rows. */
  rows?: Uint32Array;
  /**
   * Boosting only: the first rounds' trees, exactly as this fit would grow them (e.g. taken from a fit
   * with a larger maxDepth up to its first tree that split at depth >= this maxDepth, with the same
   * data, rows and other parameters). The fit adds them to the margins and grows the rest; nothing
   * checks that they are what it would have grown.
   */
  prefix?: readonly Tree[];
}

const MIN_GAIN = 1e-6;

export function resolveGbmParams(params: Partial<GbmParams>): GbmParams {
  const p = { ...defaultGbmParams, ...params };
  if (!(p.learningRate > 0)) throw new RangeError('learningRate must be > 0');
  if (!(p.nEstimators >= 0) || !Number.isInteger(p.nEstimators))
    throw new RangeError('nEstimators must be an integer >= 0');
  if (!(p.maxDepth >= 0)) throw new RangeError('maxDepth must be >= 0');
  if (!(p.subsample > 0 && p.subsample <= 1)) throw new RangeError('subsample must be in (0, 1]');
  if (!(p.colsampleBytree > 0 && p.colsampleBytree <= 1))
    throw new RangeError('colsampleBytree must be in (0, 1]');
  if (!(p.regLambda >= 0) || !(p.gamma >= 0) || !(p.minChildWeight >= 0) || !(p.scalePosWeight > 0)) {
    throw new RangeError('regLambda, gamma, minChildWeight must be >= 0 and scalePosWeight > 0');
  }
  if (p.baseScore !== 'prior' && !(p.baseScore > 0 && p.baseScore < 1))
    throw new RangeError("baseScore must be 'prior' or a probability in (0, 1)");
  return p;
}

/** A split search's answer (shared with the WebAssembly searches). */
type Split = SplitAnswer;

interface NodeTask {
  id: number;
  start: number;
  end: number;
  depth: number;
  /** Dense histogram of a large node; null for a node searched sparsely or one that cannot split. */
  hist: Float64Array | null;
  /**
   * The smaller sibling's histogram when `hist` still holds the parent's: the node's own is hist - sub,
   * made as its search begins (see find_split). released: sub goes back to the pool afterwards (the
   * sibling did not need it).
   */
  sub: Float64Array | null;
  releaseSub: boolean;
  /** The node may split (depth, row count and hessian allow it). */
  canSplit: boolean;
  G: number;
  H: number;
}

/**
 * Nodes with fewer rows than this are searched sparsely (see findSplitSparse) instead of through a
 * dense histogram: with a few hundred rows most of a feature's bins are empty, and zeroing, building
 * by subtraction and scanning every bin of every feature cost far more than the rows themselves.
 */
let sparseNodeRows = 160;

/** Test hook: row count under which nodes are searched sparsely (0 = never, Infinity = always). */
export function setSparseNodeRows(rows: number): number {
  const prev = sparseNodeRows;
  sparseNodeRows = rows;
  return prev;
}

/** Fits boosted trees; yields after every round; returns the model. */
export function* fitGbm(
  data: BinnedData,
  y: Uint8Array,
  params: Partial<GbmParams> = {},
  options: FitOptions = {},
): Generator<Progress, GbmModel, void> {
  const p = resolveGbmParams(params);
  const { binner, codes, nRows } = data;
  if (y.length !== nRows) throw new RangeError('y length must equal the number of rows');
  const rows = options.rows ?? identityRows(nRows);
  const nTrain = rows.length;
  const nActive = binner.active.length;
  const lambda = p.regLambda;
  const mcw = p.minChildWeight;
  const eta = p.learningRate;
  const maxDepth = Number.isFinite(p.maxDepth) ? p.maxDepth : 1 << 30;

  // Base score: 0.5 by default (XGBoost 1.7), or the prior log-odds with baseScore: 'prior'.
  let sw = 0;
  let swy = 0;
  for (let i = 0; i < nTrain; i++) {
    const yi = y[rows[i]];
    const w = yi === 1 ? p.scalePosWeight : 1;
    sw += w;
    swy += w * yi;
  }
  const prior = sw > 0 ? Math.min(1 - 1e-6, Math.max(1e-6, swy / sw)) : 0.5;
  const start = p.baseScore === 'prior' ? prior : p.baseScore;
  const baseScore = Math.log(start / (1 - start));

  const margin = new Float64Array(nRows).fill(baseScore);
  const grad = new Float64Array(nRows);
  const hess = new Float64Array(nRows);
  let idx: Uint32Array = new Uint32Array(nTrain);
  const scratch = new Uint32Array(nTrain);
  const gN = new Float64Array(nTrain);
  const hN = new Float64Array(nTrain);
  const inSample = p.subsample < 1 ? new Uint8Array(nRows) : null;
  const contiguousRows = isIdentity(rows, nRows);

  // Histogram geometry for the full feature set; per tree only the sampled columns are laid out.
  const binsOfCol = new Int32Array(nActive);
  let maxHist = 0;
  for (let k = 0; k < nActive; k++) {
    binsOfCol[k] = binner.nValueBins[binner.active[k]] + 1;
    maxHist += 2 * binsOfCol[k];
  }
  const pool: Float64Array[] = [];
  // Buffers allocated in JS because the WebAssembly arena ran out (they stay in the pool for the fit).
  const extraHists: Float64Array[] = [];
  const take = (len: number): Float64Array => {
    let h = pool.pop();
    if (!h) {
      h = new Float64Array(maxHist);
      if (arena) extraHists.push(h);
    }
    h.fill(0, 0, len);
    return h;
  };
  let cols: Int32Array = new Int32Array(nActive);
  let histOff: Int32Array = new Int32Array(nActive + 1);
  // WebAssembly kernels (see ../wasm): taken afresh each round, since another fit on this thread may
  // have used the memory between rounds. A histogram buffer in flight at most per pending node: the
  // stack holds at most one per level, and a dense node has at least sparseNodeRows rows.
  const wantHists =
    Math.min(
      Number.isFinite(p.maxDepth) ? p.maxDepth : 1 << 30,
      Math.floor(nTrain / Math.max(1, sparseNodeRows)),
    ) + 3;
  let arena: HistArena | null = null;
  const search: SplitSearch = { G: 0, H: 0, nCols: 0, lambda, minChildWeight: mcw, gamma: p.gamma };
  const perm = new Int32Array(nActive);
  const allCols = new Int32Array(nActive);
  const allHistOff = new Int32Array(nActive + 1);
  for (let k = 0; k < nActive; k++) {
    allCols[k] = k;
    allHistOff[k + 1] = allHistOff[k] + 2 * binsOfCol[k];
  }
  const nColsTree = Math.max(1, Math.round(p.colsampleBytree * nActive));

  let nCols = nActive;
  let histLen = 0;
  const trees: Tree[] = [];
  const stack: NodeTask[] = [];
  const split: Split = { gain: 0, k: -1, bin: 0, defaultLeft: false, GL: 0, HL: 0, next: 0 };
  const sparse = new SparseScratch();

  // Resume after given rounds: margins are base + v_0 + v_1 + ... in round order, as the fit adds them.
  const prefix = options.prefix ?? [];
  if (prefix.length > p.nEstimators) throw new RangeError('prefix has more trees than nEstimators');
  for (const tree of prefix) {
    for (let i = 0; i < nTrain; i++) margin[rows[i]] += tree.value[leafBinned(tree, data, rows[i])];
    trees.push(tree);
  }

  const builder = new TreeBuilder();
  for (let t = prefix.length; t < p.nEstimators; t++) {
    arena = acquireHistArena(codes, nActive, nTrain, maxHist, wantHists);
    if (arena) {
      idx = arena.idx;
      cols = arena.cols;
      histOff = arena.histOff;
      arena.binsOfCol.set(binsOfCol);
      pool.length = 0;
      pool.push(...extraHists, ...arena.hists);
    }
    // Gradients of the logistic loss at the current margin.
    for (let i = 0; i < nTrain; i++) {
      const r = rows[i];
      const pr = 1 / (1 + Math.exp(-margin[r]));
      const w = y[r] === 1 ? p.scalePosWeight : 1;
      grad[r] = w * (pr - y[r]);
      hess[r] = w * Math.max(pr * (1 - pr), 1e-16);
    }

    // Row subsample (Bernoulli, as XGBoost) and column subsample, both from per-round seeds.
    let n = 0;
    if (inSample) {
      const rng = new Rng(deriveSeed(p.seed, Stream.GbmRows, t));
      inSample.fill(0);
      for (let i = 0; i < nTrain; i++) {
        if (rng.nextFloat() < p.subsample) {
          idx[n++] = rows[i];
          inSample[rows[i]] = 1;
        }
      }
    } else {
      idx.set(rows);
      n = nTrain;
    }
    nCols = nActive;
    if (nColsTree < nActive) {
      const rng = new Rng(deriveSeed(p.seed, Stream.GbmCols, t));
      for (let k = 0; k < nActive; k++) perm[k] = k;
      for (let k = 0; k < nColsTree; k++) {
        const j = k + rng.nextInt(nActive - k);
        const tmp = perm[k];
        perm[k] = perm[j];
        perm[j] = tmp;
      }
      nCols = nColsTree;
      cols.set(perm.subarray(0, nCols));
      cols.subarray(0, nCols).sort();
      histOff[0] = 0;
      for (let k = 0; k < nCols; k++) histOff[k + 1] = histOff[k] + 2 * binsOfCol[cols[k]];
    } else {
      // Every column, laid out as every round of this fit lays them out: copied, not recomputed.
      cols.set(allCols);
      histOff.set(allHistOff);
    }
    histLen = histOff[nCols];

    const tb = builder.reset();
    let G = 0;
    let H = 0;
    for (let i = 0; i < n; i++) {
      const r = idx[i];
      gN[i] = grad[r];
      hN[i] = hess[r];
      G += gN[i];
      H += hN[i];
    }
    const root = tb.addLeaf((-G / (H + lambda)) * eta, H);
    let rootHist: Float64Array | null = null;
    // Early exit: a node without 2 x min_child_weight of hessian cannot split; no histogram at all.
    const rootCanSplit = maxDepth > 0 && n >= 2 && H >= 2 * mcw && nCols > 0;
    if (rootCanSplit && n >= sparseNodeRows) {
      rootHist = take(histLen);
      build(rootHist, 0, n, contiguousRows && !inSample);
    }
    stack.push({
      id: root,
      start: 0,
      end: n,
      depth: 0,
      hist: rootHist,
      sub: null,
      releaseSub: false,
      canSplit: rootCanSplit,
      G,
      H,
    });

    while (stack.length > 0) {
      const node = stack.pop()!;
      const hist = node.hist;
      let found = false;
      search.G = node.G;
      search.H = node.H;
      search.nCols = nCols;
      if (hist !== null) {
        const sub = node.sub;
        if (arena && arena.owns(hist) && (sub === null || arena.owns(sub))) {
          found = arena.findSplit(hist, search, split, sub);
        } else {
          if (sub !== null) subtractHist(hist, sub, histLen);
          found = findSplit(hist, node.G, node.H, cols, histOff, nCols, lambda, mcw, p.gamma, split);
        }
        if (sub !== null && node.releaseSub) pool.push(sub);
      } else if (node.canSplit && arena) {
        const gh = arena.gh;
        for (let i = node.start; i < node.end; i++) {
          const r = idx[i];
          gh[2 * (i - node.start)] = grad[r];
          gh[2 * (i - node.start) + 1] = hess[r];
        }
        found = arena.findSplitSparse(nRows, node.start, node.end, search, split);
      } else if (node.canSplit) {
        for (let i = node.start; i < node.end; i++) {
          const r = idx[i];
          gN[i - node.start] = grad[r];
          hN[i - node.start] = hess[r];
        }
        found = findSplitSparse(
          sparse,
          codes,
          nRows,
          idx,
          node.start,
          node.end,
          gN,
          hN,
          node.G,
          node.H,
          cols,
          binsOfCol,
          nCols,
          lambda,
          mcw,
          p.gamma,
          split,
        );
      }
      if (!found) {
        if (hist) pool.push(hist);
        const v = tb.value[node.id];
        for (let i = node.start; i < node.end; i++) margin[idx[i]] += v;
        continue;
      }
      const col = cols[split.k];
      const feature = binner.active[col];
      let bin = split.bin;
      const nb = binsOfCol[col] - 1;
      if (bin < nb) {
        // Center the threshold in the run of empty bins after b (same partition; better for unseen
        // values, like scikit-learn's midpoint thresholds).
        let next = split.next;
        if (hist !== null) {
          const o = histOff[split.k];
          next = bin + 1;
          while (next < nb && hist[o + 2 * next + 1] === 0) next++;
        }
        bin = (bin + next - 1) >> 1;
      }
      const defaultLeft = split.defaultLeft;
      const mid = partitionRows(idx, scratch, node.start, node.end, codes, col * nRows, bin, defaultLeft);
      const GL = split.GL;
      const HL = split.HL;
      const GR = node.G - GL;
      const HR = node.H - HL;
      const l = tb.addLeaf((-GL / (HL + lambda)) * eta, HL);
      const r = tb.addLeaf((-GR / (HR + lambda)) * eta, HR);
      tb.split(node.id, feature, bin, splitThreshold(binner, feature, bin), defaultLeft, split.gain, l, r);

      const d = node.depth + 1;
      const nL = mid - node.start;
      const nR = node.end - mid;
      const splitL = d < maxDepth && nL >= 2 && HL >= 2 * mcw;
      const splitR = d < maxDepth && nR >= 2 && HR >= 2 * mcw;
      // Dense histograms only for large children (and only if this node had one to subtract from).
      const needL = splitL && hist !== null && nL >= sparseNodeRows;
      const needR = splitR && hist !== null && nR >= sparseNodeRows;
      let histL: Float64Array | null = null;
      let histR: Float64Array | null = null;
      // The larger child's histogram by subtraction, made when its search begins (it is searched
      // before its sibling, whose histogram stays as it is until then).
      let subL: Float64Array | null = null;
      let subR: Float64Array | null = null;
      let releaseSub = false;
      if (needL || needR) {
        const leftSmaller = nL <= nR;
        const sStart = leftSmaller ? node.start : mid;
        const sEnd = leftSmaller ? mid : node.end;
        const needSmall = leftSmaller ? needL : needR;
        const needLarge = leftSmaller ? needR : needL;
        const nLarge = leftSmaller ? nR : nL;
        let small: Float64Array | null = null;
        let large: Float64Array | null = null;
        // Subtraction costs one pass over the histogram; building the larger child directly costs a
        // pass over its rows per column. On small nodes direct building is cheaper.
        const subtractIsCheaper = nLarge * nCols > histLen >> 1;
        if (needLarge && (subtractIsCheaper || needSmall)) {
          small = take(histLen);
          gatherBuild(small, sStart, sEnd);
          if (subtractIsCheaper) {
            large = hist;
            if (leftSmaller) subR = small;
            else subL = small;
            releaseSub = !needSmall;
          } else {
            large = take(histLen);
            gatherBuild(large, leftSmaller ? mid : node.start, leftSmaller ? node.end : mid);
            pool.push(hist);
            if (!needSmall) pool.push(small);
          }
          if (!needSmall) small = null;
        } else {
          pool.push(hist);
          if (needSmall) {
            small = take(histLen);
            gatherBuild(small, sStart, sEnd);
          }
          if (needLarge) {
            large = take(histLen);
            gatherBuild(large, leftSmaller ? mid : node.start, leftSmaller ? node.end : mid);
          }
        }
        histL = leftSmaller ? small : large;
        histR = leftSmaller ? large : small;
      } else if (hist !== null) {
        pool.push(hist);
      }
      const taskL: NodeTask = {
        id: l,
        start: node.start,
        end: mid,
        depth: d,
        hist: histL,
        sub: subL,
        releaseSub: subL !== null && releaseSub,
        canSplit: splitL,
        G: GL,
        H: HL,
      };
      const taskR: NodeTask = {
        id: r,
        start: mid,
        end: node.end,
        depth: d,
        hist: histR,
        sub: subR,
        releaseSub: subR !== null && releaseSub,
        canSplit: splitR,
        G: GR,
        H: HR,
      };
      // Larger child popped first: a pending subtraction needs its sibling's histogram as built.
      if (nL <= nR) stack.push(taskL, taskR);
      else stack.push(taskR, taskL);
    }
    const tree = tb.finish();
    trees.push(tree);

    if (inSample) {
      // Rows left out of this round's sample still need the new tree in their margin.
      for (let i = 0; i < nTrain; i++) {
        const r = rows[i];
        if (inSample[r] === 0) margin[r] += tree.value[leafBinned(tree, data, r)];
      }
    }
    yield { done: t + 1, total: p.nEstimators, message: `boosting round ${t + 1}/${p.nEstimators}` };
  }

  releaseHistArena();
  return { kind: 'gbm', nFeatures: binner.nFeatures, binner, params: p, baseScore, trees };

  function gatherBuild(h: Float64Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const r = idx[i];
      gN[i - start] = grad[r];
      hN[i - start] = hess[r];
    }
    build(h, start, end, false);
  }

  /** The histogram of the node's rows idx[start..end), whose gradients are in gN/hN (from 0). */
  function build(h: Float64Array, start: number, end: number, contiguous: boolean): void {
    if (arena && arena.owns(h)) {
      const gh = arena.gh;
      for (let i = 0, m = end - start; i < m; i++) {
        gh[2 * i] = gN[i];
        gh[2 * i + 1] = hN[i];
      }
      arena.buildHist(h, nRows, nCols, start, end, contiguous);
    } else buildHist(h, codes, nRows, cols, histOff, nCols, idx, start, end, gN, hN, contiguous);
  }
}

/**
 * Best split over the node's histogram. Candidates: value bins 1..b left / rest right, with missing
 * sent either way, plus "all values vs missing". Returns false if nothing beats max(gamma, 1e-6).
 */
function findSplit(
  hist: Float64Array,
  G: number,
  H: number,
  cols: Int32Array,
  histOff: Int32Array,
  nCols: number,
  lambda: number,
  mcw: number,
  gamma: number,
  out: Split,
): boolean {
  const parent = (G * G) / (H + lambda);
  // Guards against children that are empty up to histogram-subtraction round-off when mcw = 0.
  const minH = Math.max(mcw, H * 1e-10);
  let best = Math.max(gamma, MIN_GAIN);
  let found = false;
  for (let k = 0; k < nCols; k++) {
    const o = histOff[k];
    const end = histOff[k + 1];
    const gM = hist[o];
    const hM = hist[o + 1];
    const hasMissing = hM > H * 1e-10;
    const gV = G - gM;
    const hV = H - hM;
    let GL = 0;
    let HL = 0;
    let b = 0;
    // Last value bin is excluded: "all values left" is the values-vs-missing split handled below.
    for (let j = o + 2; j < end - 2; j += 2) {
      b++;
      const hb = hist[j + 1];
      // No skip for empty bins: same candidate as before, never a strict improvement; a branch here mispredicts.
      GL += hist[j];
      HL += hb;
      // Missing right.
      const HR1 = H - HL;
      if (HL >= minH && HR1 >= minH) {
        const GR1 = G - GL;
        // Division-free test of gain > best; the division happens only for a new best.
        const a = HL + lambda;
        const c = HR1 + lambda;
        const num = GL * GL * c + GR1 * GR1 * a;
        if (num > (best + parent) * a * c) {
          const gain = num / (a * c) - parent;
          best = gain;
          found = true;
          setSplit(out, gain, k, b, GL, HL, !hasMissing && HL >= HR1);
        }
      }
      if (hasMissing) {
        const GL2 = GL + gM;
        const HL2 = HL + hM;
        const HR2 = H - HL2;
        if (HL2 >= minH && HR2 >= minH) {
          const GR2 = G - GL2;
          const a = HL2 + lambda;
          const c = HR2 + lambda;
          const num = GL2 * GL2 * c + GR2 * GR2 * a;
          if (num > (best + parent) * a * c) {
            const gain = num / (a * c) - parent;
            best = gain;
            found = true;
            setSplit(out, gain, k, b, GL2, HL2, true);
          }
        }
      }
    }
    if (hasMissing && hV >= minH && hM >= minH) {
      const gain = (gV * gV) / (hV + lambda) + (gM * gM) / (hM + lambda) - parent;
      if (gain > best) {
        best = gain;
        found = true;
        setSplit(out, gain, k, (end - o) / 2 - 1, gV, hV, false);
      }
    }
  }
  return found;
}

/** Records a new best candidate. */
function setSplit(
  out: Split,
  gain: number,
  k: number,
  bin: number,
  GL: number,
  HL: number,
  defaultLeft: boolean,
): void {
  out.gain = gain;
  out.k = k;
  out.bin = bin;
  out.GL = GL;
  out.HL = HL;
  out.defaultLeft = defaultLeft;
}

/** Columns whose per-code sums one pass over a sparse node's rows fills (see findSplitSparse). */
const SPARSE_BATCH = 4;

/** Reusable buffers of the sparse split search: per batched feature, (grad, hess) per code and a bitmap. */
export class SparseScratch {
  /** Feature j of a batch: grad at 512j + 2c, hess at 512j + 2c + 1 for code c; zero between uses. */
  readonly gh = new Float64Array(512 * SPARSE_BATCH);
  /** Feature j of a batch: bit c of words 8j..8j+7 set iff code c occurs; zero between uses. */
  readonly seen = new Int32Array(8 * SPARSE_BATCH);
  // Per-search constants and running state shared with tryBin.
  G = 0;
  H = 0;
  lambda = 0;
  parent = 0;
  minH = 0;
  best = 0;
  found = false;
  gM = 0;
  hM = 0;
  hasMissing = false;
}

/**
 * Best split of a small node without a dense histogram: per feature, the node's rows are added into
 * per-code sums while a bitmap records which codes occur, then only those codes are visited (in
 * ascending order, clearing as they go). Candidates, their order and the tie rule are exactly those
 * of findSplit: an empty bin repeats the previous candidate and can never be strictly better, and the
 * sums are the same row-order sums a directly built histogram holds. Also reports, for the threshold
 * centering, the first occupied value bin after the chosen one (out.next). Features are summed
 * SPARSE_BATCH at a time (one pass over the rows) and then scanned one by one in order.
 */
export function findSplitSparse(
  ws: SparseScratch,
  codes: Uint8Array,
  nRows: number,
  idx: Uint32Array,
  start: number,
  end: number,
  gN: Float64Array,
  hN: Float64Array,
  G: number,
  H: number,
  cols: Int32Array,
  binsOfCol: Int32Array,
  nCols: number,
  lambda: number,
  mcw: number,
  gamma: number,
  out: Split,
): boolean {
  const gh = ws.gh;
  const seen = ws.seen;
  const n = end - start;
  ws.parent = (G * G) / (H + lambda);
  ws.minH = Math.max(mcw, H * 1e-10);
  ws.lambda = lambda;
  ws.G = G;
  ws.H = H;
  ws.best = Math.max(gamma, MIN_GAIN);
  ws.found = false;
  let k = 0;
  for (; k + 3 < nCols; k += 4) {
    const base0 = cols[k] * nRows;
    const base1 = cols[k + 1] * nRows;
    const base2 = cols[k + 2] * nRows;
    const base3 = cols[k + 3] * nRows;
    for (let i = 0; i < n; i++) {
      const r = idx[start + i];
      const g = gN[i];
      const h = hN[i];
      const c0 = codes[base0 + r];
      const c1 = codes[base1 + r];
      const c2 = codes[base2 + r];
      const c3 = codes[base3 + r];
      const j0 = c0 << 1;
      const j1 = 512 + (c1 << 1);
      const j2 = 1024 + (c2 << 1);
      const j3 = 1536 + (c3 << 1);
      gh[j0] += g;
      gh[j0 + 1] += h;
      gh[j1] += g;
      gh[j1 + 1] += h;
      gh[j2] += g;
      gh[j2 + 1] += h;
      gh[j3] += g;
      gh[j3 + 1] += h;
      seen[c0 >> 5] |= 1 << (c0 & 31);
      seen[8 + (c1 >> 5)] |= 1 << (c1 & 31);
      seen[16 + (c2 >> 5)] |= 1 << (c2 & 31);
      seen[24 + (c3 >> 5)] |= 1 << (c3 & 31);
    }
    for (let j = 0; j < 4; j++) scanSparse(ws, out, k + j, binsOfCol[cols[k + j]] - 1, 512 * j, 8 * j);
  }
  for (; k < nCols; k++) {
    const base = cols[k] * nRows;
    for (let i = 0; i < n; i++) {
      const c = codes[base + idx[start + i]];
      gh[c << 1] += gN[i];
      gh[(c << 1) + 1] += hN[i];
      seen[c >> 5] |= 1 << (c & 31);
    }
    scanSparse(ws, out, k, binsOfCol[cols[k]] - 1, 0, 0);
  }
  return ws.found;
}

/** Scans one feature's per-code sums (at gh[o..], bitmap at seen[so..]) and clears them. */
function scanSparse(ws: SparseScratch, out: Split, k: number, nb: number, o: number, so: number): void {
  const gh = ws.gh;
  const seen = ws.seen;
  const { G, H, lambda } = ws;
  const gM = gh[o];
  const hM = gh[o + 1];
  gh[o] = 0;
  gh[o + 1] = 0;
  ws.gM = gM;
  ws.hM = hM;
  ws.hasMissing = hM > H * 1e-10;
  let GL = 0;
  let HL = 0;
  let pending = false;
  const nWords = (nb >> 5) + 1;
  for (let w = 0; w < nWords; w++) {
    let bits = seen[so + w];
    if (bits === 0) continue;
    seen[so + w] = 0;
    if (w === 0) bits &= ~1;
    while (bits !== 0) {
      const low = bits & -bits;
      bits ^= low;
      const c = (w << 5) + 31 - Math.clz32(low);
      const j = o + (c << 1);
      const gb = gh[j];
      const hb = gh[j + 1];
      gh[j] = 0;
      gh[j + 1] = 0;
      if (pending) {
        out.next = c < nb ? c : nb;
        pending = false;
      }
      if (c >= nb) continue; // the last value bin: "all values left" is handled below
      GL += gb;
      HL += hb;
      if (tryBin(ws, out, k, c, GL, HL)) {
        pending = true;
        out.next = nb;
        // The dense scan re-evaluates the same candidates at each following empty bin, and after a
        // new best the division-free test can pass again by one rounding step, moving the split
        // to that empty bin. Replay those empty bins so the result is bit-identical.
        for (let e = c + 1; e < nb; e++) {
          const ew = e >> 5;
          const present = ew === w ? (bits >>> (e & 31)) & 1 : (seen[so + ew] >>> (e & 31)) & 1;
          if (present !== 0 || !tryBin(ws, out, k, e, GL, HL)) break;
        }
      }
    }
  }
  if (ws.hasMissing) {
    const gV = G - gM;
    const hV = H - hM;
    if (hV >= ws.minH && hM >= ws.minH) {
      const gain = (gV * gV) / (hV + lambda) + (gM * gM) / (hM + lambda) - ws.parent;
      if (gain > ws.best) {
        ws.best = gain;
        ws.found = true;
        setSplit(out, gain, k, nb, gV, hV, false);
      }
    }
  }
}

/** findSplit's two candidates at one bin (missing right, then missing left); true if either won. */
function tryBin(ws: SparseScratch, out: Split, k: number, b: number, GL: number, HL: number): boolean {
  const { G, H, minH, lambda, parent } = ws;
  let won = false;
  const HR1 = H - HL;
  if (HL >= minH && HR1 >= minH) {
    const GR1 = G - GL;
    const a = HL + lambda;
    const c = HR1 + lambda;
    const num = GL * GL * c + GR1 * GR1 * a;
    if (num > (ws.best + parent) * a * c) {
      const gain = num / (a * c) - parent;
      ws.best = gain;
      won = true;
      setSplit(out, gain, k, b, GL, HL, !ws.hasMissing && HL >= HR1);
    }
  }
  if (ws.hasMissing) {
    const GL2 = GL + ws.gM;
    const HL2 = HL + ws.hM;
    const HR2 = H - HL2;
    if (HL2 >= minH && HR2 >= minH) {
      const GR2 = G - GL2;
      const a = HL2 + lambda;
      const c = HR2 + lambda;
      const num = GL2 * GL2 * c + GR2 * GR2 * a;
      if (num > (ws.best + parent) * a * c) {
        const gain = num / (a * c) - parent;
        ws.best = gain;
        won = true;
        setSplit(out, gain, k, b, GL2, HL2, true);
      }
    }
  }
  if (won) ws.found = true;
  return won;
}

export function identityRows(n: number): Uint32Array {
  const r = new Uint32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

export function isIdentity(rows: Uint32Array, nRows: number): boolean {
  if (rows.length !== nRows) return false;
  for (let i = 0; i < nRows; i++) if (rows[i] !== i) return false;
  return true;
}
