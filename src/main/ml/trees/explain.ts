// Explanations: total-gain feature importance and exact per-row TreeSHAP contributions (Lundberg et
// al. 2018, Algorithm 2, path-dependent, using training cover as the background distribution).
// Hand-written because no maintained JS package implements TreeSHAP. Contributions satisfy
//   bias + sum(contributions) = raw output
// where raw output is the GBM log-odds margin (base score included) or the forest probability, and
// bias is the expected raw output over the training cover.

import type { FeatureMatrix, Tree, TreeModel } from './types';

/**
 * Total gain per original feature (GBM: loss reduction; forest: weighted impurity decrease averaged
 * over trees, like scikit-learn before its normalization). normalize = true rescales to sum to 1.
 */
export function featureImportance(model: TreeModel, normalize = false): Float64Array {
  const imp = new Float64Array(model.nFeatures);
  for (const t of model.trees) {
    for (let i = 0; i < t.feature.length; i++) if (t.feature[i] >= 0) imp[t.feature[i]] += t.gain[i];
  }
  if (model.kind === 'forest' && model.trees.length > 0)
    for (let f = 0; f < imp.length; f++) imp[f] /= model.trees.length;
  if (normalize) {
    let s = 0;
    for (let f = 0; f < imp.length; f++) s += imp[f];
    if (s > 0) for (let f = 0; f < imp.length; f++) imp[f] /= s;
  }
  return imp;
}

/** Expected value of one tree under its cover distribution (the TreeSHAP baseline). */
function treeExpectation(tree: Tree): number {
  let s = 0;
  for (let i = 0; i < tree.feature.length; i++) if (tree.feature[i] < 0) s += tree.cover[i] * tree.value[i];
  return tree.cover[0] > 0 ? s / tree.cover[0] : tree.value[0];
}

/** Expected raw output (the bias of the contributions). */
export function expectedValue(model: TreeModel, nEstimators?: number): number {
  const n = nEstimators ?? model.trees.length;
  let s = 0;
  for (let t = 0; t < n; t++) s += treeExpectation(model.trees[t]);
  return model.kind === 'gbm' ? model.baseScore + s : n > 0 ? s / n : 0;
}

export interface Contributions {
  /** Row-major nRowsOut x nFeatures: contribution of feature f to row i at [i * nFeatures + f]. */
  values: Float64Array;
  nFeatures: number;
  /** Expected raw output; bias + sum of a row's contributions = its raw output. */
  bias: number;
}

/**
 * TreeSHAP contributions for the given rows (default all) of a raw column-major matrix X with nRows
 * rows. Cost per row: O(trees x leaves x depth^2).
 */
export function contributions(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  rows?: ArrayLike<number>,
  nEstimators?: number,
): Contributions {
  const nF = model.nFeatures;
  if (X.length < nRows * nF) throw new RangeError('X is smaller than nRows * nFeatures');
  const which = rows ?? Array.from({ length: nRows }, (_, i) => i);
  const nT = nEstimators ?? model.trees.length;
  const values = new Float64Array(which.length * nF);
  const scale = model.kind === 'forest' ? (nT > 0 ? 1 / nT : 0) : 1;
  let maxDepth = 0;
  for (let t = 0; t < nT; t++) maxDepth = Math.max(maxDepth, depthOf(model.trees[t]));
  const ws = new ShapWorkspace(maxDepth + 2);
  const x = new Float64Array(nF);
  for (let i = 0; i < which.length; i++) {
    const r = which[i];
    for (let f = 0; f < nF; f++) x[f] = X[f * nRows + r];
    const phi = values.subarray(i * nF, (i + 1) * nF);
    for (let t = 0; t < nT; t++) ws.run(model.trees[t], x, phi, scale);
  }
  return { values, nFeatures: nF, bias: expectedValue(model, nT) };
}

function depthOf(tree: Tree): number {
  let max = 0;
  const walk = (n: number, d: number): void => {
    if (tree.feature[n] < 0) max = Math.max(max, d);
    else {
      walk(tree.left[n], d + 1);
      walk(tree.right[n], d + 1);
    }
  };
  walk(0, 0);
  return max;
}

/** Flat storage for the per-depth copies of the unique path (no allocation per node). */
class ShapWorkspace {
  private feat: Int32Array;
  private zero: Float64Array;
  private one: Float64Array;
  private pw: Float64Array;
  private tree!: Tree;
  private x!: Float64Array;
  private phi!: Float64Array;
  private scale = 1;

  constructor(maxDepth: number) {
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + 1;
    this.feat = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.pw = new Float64Array(size);
  }

  run(tree: Tree, x: Float64Array, phi: Float64Array, scale: number): void {
    this.tree = tree;
    this.x = x;
    this.phi = phi;
    this.scale = scale;
    this.recurse(0, 0, 0, 1, 1, -1);
  }

  private extend(p: number, depth: number, zf: number, of: number, fi: number): void {
    const { feat, zero, one, pw } = this;
    feat[p + depth] = fi;
    zero[p + depth] = zf;
    one[p + depth] = of;
    pw[p + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      pw[p + i + 1] += (of * pw[p + i] * (i + 1)) / (depth + 1);
      pw[p + i] = (zf * pw[p + i] * (depth - i)) / (depth + 1);
    }
  }

  private unwind(p: number, depth: number, pathIndex: number): void {
    const { feat, zero, one, pw } = this;
    const of = one[p + pathIndex];
    const zf = zero[p + pathIndex];
    let next = pw[p + depth];
    for (let i = depth - 1; i >= 0; i--) {
      if (of !== 0) {
        const tmp = pw[p + i];
        pw[p + i] = (next * (depth + 1)) / ((i + 1) * of);
        next = tmp - (pw[p + i] * zf * (depth - i)) / (depth + 1);
      } else {
        pw[p + i] = (pw[p + i] * (depth + 1)) / (zf * (depth - i));
      }
    }
    for (let i = pathIndex; i < depth; i++) {
      feat[p + i] = feat[p + i + 1];
      zero[p + i] = zero[p + i + 1];
      one[p + i] = one[p + i + 1];
    }
  }

  private unwoundSum(p: number, depth: number, pathIndex: number): number {
    const { zero, one, pw } = this;
    const of = one[p + pathIndex];
    const zf = zero[p + pathIndex];
    let next = pw[p + depth];
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (of !== 0) {
        const tmp = (next * (depth + 1)) / ((i + 1) * of);
        total += tmp;
        next = pw[p + i] - (tmp * zf * (depth - i)) / (depth + 1);
      } else if (zf !== 0) {
        total += pw[p + i] / zf / ((depth - i) / (depth + 1));
      }
    }
    return total;
  }

  /** parentP: offset of the parent's path copy; this node's copy starts right after it. */
  private recurse(node: number, parentP: number, depth: number, pz: number, po: number, pf: number): void {
    const { feat, zero, one, pw, tree } = this;
    // The root's path starts at 0; a child's copy starts right after the parent's depth entries.
    const p = depth === 0 ? 0 : parentP + depth;
    if (depth > 0) {
      for (let i = 0; i < depth; i++) {
        feat[p + i] = feat[parentP + i];
        zero[p + i] = zero[parentP + i];
        one[p + i] = one[parentP + i];
        pw[p + i] = pw[parentP + i];
      }
    }
    this.extend(p, depth, pz, po, pf);
    const f = tree.feature[node];
    if (f < 0) {
      const v = tree.value[node] * this.scale;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(p, depth, i);
        this.phi[feat[p + i]] += w * (one[p + i] - zero[p + i]) * v;
      }
      return;
    }
    const xv = this.x[f];
    const goLeft = xv !== xv ? tree.defaultLeft[node] === 1 : xv <= tree.threshold[node];
    const hot = goLeft ? tree.left[node] : tree.right[node];
    const cold = goLeft ? tree.right[node] : tree.left[node];
    const w = tree.cover[node];
    const hotZ = w > 0 ? tree.cover[hot] / w : 0;
    const coldZ = w > 0 ? tree.cover[cold] / w : 0;
    let iz = 1;
    let io = 1;
    let d = depth;
    let k = 0;
    for (; k <= d; k++) if (feat[p + k] === f) break;
    if (k !== d + 1) {
      iz = zero[p + k];
      io = one[p + k];
      this.unwind(p, d, k);
      d -= 1;
    }
    this.recurse(hot, p, d + 1, hotZ * iz, io, f);
    this.recurse(cold, p, d + 1, coldZ * iz, 0, f);
  }
}
