// Explanations: total-gain feature importance and exact per-row TreeSHAP contributions (Lundberg et
// al. 2018, Algorithm 2, path-dependent, using training cover as the background distribution).
// Hand-written because no maintained JS package implements TreeSHAP. Contributions satisfy
//   bias + sum(contributions) = raw output
// where raw output is the GBM log-odds margin (base score included) or the forest probability, and
// bias is the expected raw output over the training cover.
//
// Speed (every prediction is explained): what Algorithm 2 adds at a leaf depends only on the leaf and
// on which way the row turned at each node of the leaf's root path (hot = the row's side, cold = the
// other). So a tree is walked once per row to find each leaf's pattern of turns, and the leaf's terms
// (unwound path weight x (one - zero) per path feature) are computed once per (leaf, pattern) with the
// very same extend/unwind arithmetic and then reused: rows of a batch share few patterns per leaf.
// Leaves are visited in the recursion's order (hot subtree first) and each term is multiplied by the
// leaf value exactly as before, so the contributions are bit-identical to the plain recursion. Trees
// deeper than MEMO_MAX_DEPTH (deep forests: too many patterns to share) use the plain recursion.

import type { FeatureMatrix, Tree, TreeModel } from './types';
import type { ScratchArrays } from '../scratch';

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

const splitFeatureCache = new WeakMap<TreeModel, Int32Array>();

/**
 * The features the model splits on, ascending. Every other feature's contribution is exactly 0, so
 * callers ranking contributions need only visit these (a model uses a fraction of ~600 sensors).
 */
export function splitFeatures(model: TreeModel): Int32Array {
  let out = splitFeatureCache.get(model);
  if (!out) {
    const used = new Uint8Array(model.nFeatures);
    for (const t of model.trees)
      for (let i = 0; i < t.feature.length; i++) if (t.feature[i] >= 0) used[t.feature[i]] = 1;
    const list: number[] = [];
    for (let f = 0; f < used.length; f++) if (used[f]) list.push(f);
    splitFeatureCache.set(model, (out = Int32Array.from(list)));
  }
  return out;
}

/**
 * TreeSHAP contributions for the given rows (default all) of a raw column-major matrix X with nRows
 * rows. Cost per row: O(trees x leaves x depth^2) at worst; rows sharing a tree's decisions share its
 * work (see DecisionMemo).
 */
export function contributions(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  rows?: ArrayLike<number>,
  nEstimators?: number,
): Contributions {
  const nF = model.nFeatures;
  const c = splitContributions(model, X, nRows, rows, nEstimators);
  const cols = c.columns;
  const nc = cols.length;
  const n = rows ? rows.length : nRows;
  const values = new Float64Array(n * nF);
  for (let i = 0; i < n; i++) for (let k = 0; k < nc; k++) values[i * nF + cols[k]] = c.values[i * nc + k];
  return { values, nFeatures: nF, bias: c.bias };
}

export interface SplitContributions {
  /** Row-major nRowsOut x columns.length: the contribution of feature columns[k] to row i at [i * nc + k]. */
  values: Float64Array;
  /** The model's split features (splitFeatures): every other feature's contribution is exactly 0. */
  columns: Int32Array;
  bias: number;
}

/**
 * contributions() for the split features only: what ranking a row's sensors needs, without a row of
 * zeros per unused sensor (most of ~600) to allocate, clear and scan.
 */
export function splitContributions(
  model: TreeModel,
  X: FeatureMatrix,
  nRows: number,
  rows?: ArrayLike<number>,
  nEstimators?: number,
  arrays?: ScratchArrays,
): SplitContributions {
  const nF = model.nFeatures;
  if (X.length < nRows * nF) throw new RangeError('X is smaller than nRows * nFeatures');
  const which = rows ?? Array.from({ length: nRows }, (_, i) => i);
  const nT = nEstimators ?? model.trees.length;
  const cols = splitFeatures(model);
  const nc = cols.length;
  const colOf = new Int32Array(nF).fill(-1);
  for (let k = 0; k < nc; k++) colOf[cols[k]] = k;
  // Accumulated into, so zeroed; the caller's scratch when given (it is read before the next part).
  const values = arrays
    ? arrays.f64('contributions', which.length * nc, true)
    : new Float64Array(which.length * nc);
  const scale = model.kind === 'forest' ? (nT > 0 ? 1 / nT : 0) : 1;
  let maxDepth = 0;
  for (let t = 0; t < nT; t++) maxDepth = Math.max(maxDepth, depthOf(model.trees[t]));
  const ws = new ShapWorkspace(maxDepth + 2);
  const plans: (ShapPlan | null)[] = [];
  for (let t = 0; t < nT; t++) plans.push(planFor(model.trees[t]));
  const stack = new Int32Array(3 * (maxDepth + 2) * 2);
  // The walks read a row's values only at split features, and write a dense row (scratch).
  const x = new Float64Array(nF);
  const scratch = new Float64Array(nF);
  const memos: (DecisionMemo | null)[] = [];
  let walked = 0;
  for (let t = 0; t < nT; t++) {
    const memo = plans[t] ? memoFor(model.trees[t]) : null;
    memos.push(memo);
    if (!memo) walked++;
  }
  function fillRow(r: number): void {
    for (let k = 0; k < nc; k++) {
      const f = cols[k];
      x[f] = X[f * nRows + r];
    }
  }
  // Trees without a decision memo: every row walked through each.
  if (walked > 0) {
    for (let i = 0; i < which.length; i++) {
      fillRow(which[i]);
      for (let t = 0; t < nT; t++) {
        if (memos[t]) continue;
        const plan = plans[t];
        if (plan) runPlanned(model.trees[t], plan, ws, stack, x, scratch, scale);
        else ws.run(model.trees[t], x, scratch, scale);
      }
      const vo = i * nc;
      for (let k = 0; k < nc; k++) {
        values[vo + k] += scratch[cols[k]];
        scratch[cols[k]] = 0;
      }
    }
  }
  // The others tree by tree (its arrays stay hot; a row's values are read where it splits).
  for (let t = 0; t < nT; t++) {
    const memo = memos[t];
    if (!memo) continue;
    const tree = model.trees[t];
    const { feature, threshold, defaultLeft } = tree;
    const { inner, feats } = memo;
    const m = inner.length;
    const nk = feats.length;
    const at = new Int32Array(nk);
    for (let k = 0; k < nk; k++) at[k] = colOf[feats[k]];
    for (let i = 0; i < which.length; i++) {
      const r = which[i];
      let bits = 0;
      for (let b = 0; b < m; b++) {
        const n = inner[b];
        const xv = X[feature[n] * nRows + r];
        if (xv !== xv ? defaultLeft[n] === 1 : xv <= threshold[n]) bits |= 1 << b;
      }
      const table = memo.table;
      let o = table ? table[bits] : memo.offsets.get(bits);
      if (o === undefined || o < 0) {
        fillRow(r);
        o = memoize(tree, plans[t]!, memo, bits, ws, stack, x, scratch);
      }
      const vo = i * nc;
      if (o >= 0) {
        const pool = memo.pool;
        for (let k = 0; k < nk; k++) values[vo + at[k]] += pool[o + k] * scale;
      } else
        for (let k = 0; k < nk; k++) {
          // Memo full: this vector's values are in scratch.
          values[vo + at[k]] += scratch[feats[k]] * scale;
          scratch[feats[k]] = 0;
        }
    }
  }
  return { values, columns: cols, bias: expectedValue(model, nT) };
}

/**
 * Per tree: its contributions by the row's whole decision vector (which way the row turns at every
 * split node, one bit each). A tree's contributions depend on the row only through that vector, and
 * the rows of a batch share few of them (sensor trees are small), so most rows of a batch add a short
 * list of (feature, value) pairs instead of walking every leaf. Bounded in size; trees with more than
 * 30 split nodes are walked.
 */
interface DecisionMemo {
  /** The split nodes, in index order (bit i of the vector = the row goes left at inner[i]). */
  inner: Int32Array;
  /** The tree's split features (ascending, distinct): the entries of every memoised list. */
  feats: Int32Array;
  /** Vector -> offset of its values (one per feats entry) in pool: a table for trees of at most
   *  MEMO_TABLE_INNER split nodes (-1 = not yet), else a map. */
  table: Int32Array | null;
  offsets: Map<number, number>;
  entries: number;
  pool: Float64Array;
  used: number;
}

const MEMO_MAX_INNER = 30;
const MEMO_TABLE_INNER = 12;
let MEMO_MAX_ENTRIES = 4096;

/** Test hook: the number of decision vectors a tree's memo keeps (later ones are walked each time). */
export function setDecisionMemoLimit(entries: number): number {
  const prev = MEMO_MAX_ENTRIES;
  MEMO_MAX_ENTRIES = entries;
  return prev;
}
const memoCache = new WeakMap<Tree, DecisionMemo | null>();

function memoFor(tree: Tree): DecisionMemo | null {
  let memo = memoCache.get(tree);
  if (memo !== undefined) return memo;
  const inner: number[] = [];
  const seen = new Set<number>();
  for (let n = 0; n < tree.feature.length; n++) {
    if (tree.feature[n] < 0) continue;
    inner.push(n);
    seen.add(tree.feature[n]);
  }
  memo =
    inner.length > MEMO_MAX_INNER
      ? null
      : {
          inner: Int32Array.from(inner),
          feats: Int32Array.from([...seen].sort((a, b) => a - b)),
          table: inner.length <= MEMO_TABLE_INNER ? new Int32Array(1 << inner.length).fill(-1) : null,
          offsets: new Map(),
          entries: 0,
          pool: new Float64Array(64),
          used: 0,
        };
  memoCache.set(tree, memo);
  return memo;
}

/**
 * A decision vector's values for one tree (the row in x), walked once: stored in the memo and its
 * offset returned, or, when the memo is full, left in scratch (returns -1; the caller adds and clears).
 */
function memoize(
  tree: Tree,
  plan: ShapPlan,
  memo: DecisionMemo,
  bits: number,
  ws: ShapWorkspace,
  stack: Int32Array,
  x: Float64Array,
  scratch: Float64Array,
): number {
  const { feats } = memo;
  // Scale 1 here: the values are kept per vector and scaled as they are added.
  runPlanned(tree, plan, ws, stack, x, scratch, 1);
  if (memo.entries >= MEMO_MAX_ENTRIES) return -1;
  memo.pool = withRoom(memo.pool, memo.used, feats.length);
  const o = memo.used;
  memo.used += feats.length;
  for (let k = 0; k < feats.length; k++) {
    memo.pool[o + k] = scratch[feats[k]];
    scratch[feats[k]] = 0;
  }
  if (memo.table) memo.table[bits] = o;
  else memo.offsets.set(bits, o);
  memo.entries++;
  return o;
}

/** pool, or a copy of its first `used` values with room for `more` after them (doubling). */
function withRoom(pool: Float64Array, used: number, more: number): Float64Array {
  if (used + more <= pool.length) return pool;
  const grown = new Float64Array(Math.max(2 * pool.length, used + more));
  grown.set(pool.subarray(0, used));
  return grown;
}

/** Bound on a tree's (leaf, pattern) table: the sum over leaves of 2^depth (4^D for a full tree of
 *  depth D, so depth 8). Deeper trees (deep forests: too many patterns to share) use the recursion. */
const MAX_PATTERN_SLOTS = 1 << 16;

/** Per tree: each leaf's root path and its memoised terms per pattern of turns. */
interface ShapPlan {
  /** Per node: its depth (root 0). */
  depth: Int32Array;
  /** Per leaf node: the nodes of its root path (root first) and the child taken at each. */
  pathNodes: (Int32Array | null)[];
  pathChild: (Int32Array | null)[];
  /** Per leaf node: where its patterns start in `slot`, and its path features (set on first use). */
  base: Int32Array;
  feats: (Int32Array | null)[];
  /** (base[leaf] + pattern) -> offset of the leaf's terms in `pool`, -1 until computed. */
  slot: Int32Array;
  pool: Float64Array;
  used: number;
}

const planCache = new WeakMap<Tree, ShapPlan | null>();

function planFor(tree: Tree): ShapPlan | null {
  if (planCache.has(tree)) return planCache.get(tree)!;
  const n = tree.feature.length;
  const depth = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const base = new Int32Array(n).fill(-1);
  let slots = 0;
  const todo = [0];
  while (todo.length > 0 && slots <= MAX_PATTERN_SLOTS) {
    const node = todo.pop()!;
    if (tree.feature[node] < 0) {
      base[node] = slots;
      slots += 2 ** depth[node];
      continue;
    }
    for (const c of [tree.left[node], tree.right[node]]) {
      depth[c] = depth[node] + 1;
      parent[c] = node;
      todo.push(c);
    }
  }
  if (slots > MAX_PATTERN_SLOTS) {
    planCache.set(tree, null);
    return null;
  }
  const pathNodes: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
  const pathChild: (Int32Array | null)[] = new Array<Int32Array | null>(n).fill(null);
  for (let leaf = 0; leaf < n; leaf++) {
    if (base[leaf] < 0) continue;
    const nodes = new Int32Array(depth[leaf]);
    const child = new Int32Array(depth[leaf]);
    for (let c = leaf, l = depth[leaf] - 1; l >= 0; c = parent[c], l--) {
      nodes[l] = parent[c];
      child[l] = c;
    }
    pathNodes[leaf] = nodes;
    pathChild[leaf] = child;
  }
  const plan: ShapPlan = {
    depth,
    pathNodes,
    pathChild,
    base,
    feats: new Array<Int32Array | null>(n).fill(null),
    slot: new Int32Array(slots).fill(-1),
    pool: new Float64Array(256),
    used: 0,
  };
  planCache.set(tree, plan);
  return plan;
}

/**
 * One row through one tree: a walk in the recursion's order (hot child first) that tracks the
 * pattern of turns (bit l set = the path's child at depth l is the row's side), then each leaf's
 * memoised terms times its value.
 */
function runPlanned(
  tree: Tree,
  plan: ShapPlan,
  ws: ShapWorkspace,
  stack: Int32Array,
  x: Float64Array,
  phi: Float64Array,
  scale: number,
): void {
  const { feature, threshold, defaultLeft, left, right, value } = tree;
  let top = 0;
  stack[top++] = 0;
  stack[top++] = 0;
  while (top > 0) {
    const pattern = stack[--top];
    const node = stack[--top];
    const f = feature[node];
    if (f >= 0) {
      const xv = x[f];
      const goLeft = xv !== xv ? defaultLeft[node] === 1 : xv <= threshold[node];
      const bit = 1 << plan.depth[node];
      // Pushed cold first so the hot subtree is finished first, as in the recursion.
      stack[top++] = goLeft ? right[node] : left[node];
      stack[top++] = pattern;
      stack[top++] = goLeft ? left[node] : right[node];
      stack[top++] = pattern | bit;
      continue;
    }
    const at = plan.base[node] + pattern;
    let o = plan.slot[at];
    if (o < 0) o = plan.slot[at] = ws.leafTerms(tree, plan, node, pattern);
    const feats = plan.feats[node]!;
    const pool = plan.pool;
    const v = value[node] * scale;
    for (let i = 0; i < feats.length; i++) phi[feats[i]] += pool[o + i] * v;
  }
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

  /**
   * A leaf's terms for one pattern of turns: the recursion's path building replayed along the leaf's
   * root path only (same operations in the same order, so the same values), then per path feature
   * unwoundSum x (one - zero), appended to the plan's pool (returns their offset). Also records the
   * leaf's path features (the same for every pattern: which features repeat does not depend on turns).
   */
  leafTerms(tree: Tree, plan: ShapPlan, leaf: number, pattern: number): number {
    const { feat, zero, one } = this;
    const nodes = plan.pathNodes[leaf]!;
    const child = plan.pathChild[leaf]!;
    this.extend(0, 0, 1, 1, -1);
    let d = 0;
    for (let l = 0; l < nodes.length; l++) {
      const node = nodes[l]!;
      const c = child[l]!;
      const f = tree.feature[node];
      const w = tree.cover[node];
      const z = w > 0 ? tree.cover[c] / w : 0;
      let iz = 1;
      let io = 1;
      let k = 0;
      for (; k <= d; k++) if (feat[k] === f) break;
      if (k !== d + 1) {
        iz = zero[k];
        io = one[k];
        this.unwind(0, d, k);
        d -= 1;
      }
      const hot = (pattern >> l) & 1;
      this.extend(0, d + 1, z * iz, hot ? io : 0, f);
      d += 1;
    }
    plan.pool = withRoom(plan.pool, plan.used, d);
    const o = plan.used;
    plan.used += d;
    let feats = plan.feats[leaf];
    if (!feats) feats = plan.feats[leaf] = new Int32Array(d);
    for (let i = 1; i <= d; i++) {
      plan.pool[o + i - 1] = this.unwoundSum(0, d, i) * (one[i] - zero[i]);
      feats[i - 1] = feat[i];
    }
    return o;
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
