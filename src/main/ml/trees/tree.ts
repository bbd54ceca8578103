// Flat tree storage shared by boosting and forest: a growable builder used while fitting, and the two
// traversals (raw values and bin codes). Both traversals must agree exactly, which holds because a
// split at bin b stores threshold = thresholds[b-1] and "code <= b" <=> "value <= threshold".

import type { BinnedData, Binner, FeatureMatrix, Tree } from './types';

export class TreeBuilder {
  private cap = 64;
  n = 0;
  feature = new Int32Array(this.cap);
  bin = new Uint8Array(this.cap);
  threshold = new Float64Array(this.cap);
  defaultLeft = new Uint8Array(this.cap);
  left = new Int32Array(this.cap);
  right = new Int32Array(this.cap);
  value = new Float64Array(this.cap);
  cover = new Float64Array(this.cap);
  gain = new Float64Array(this.cap);

  /** Empties the builder for the next tree, keeping its buffers (a fit builds hundreds of trees). */
  reset(): this {
    this.n = 0;
    return this;
  }

  /** Adds a node that is a leaf until split() is called on it; returns its id. */
  addLeaf(value: number, cover: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.feature[i] = -1;
    this.left[i] = -1;
    this.right[i] = -1;
    this.value[i] = value;
    this.cover[i] = cover;
    this.gain[i] = 0;
    this.bin[i] = 0;
    this.threshold[i] = 0;
    this.defaultLeft[i] = 0;
    return i;
  }

  split(
    node: number,
    feature: number,
    bin: number,
    threshold: number,
    defaultLeft: boolean,
    gain: number,
    left: number,
    right: number,
  ): void {
    this.feature[node] = feature;
    this.bin[node] = bin;
    this.threshold[node] = threshold;
    this.defaultLeft[node] = defaultLeft ? 1 : 0;
    this.gain[node] = gain;
    this.left[node] = left;
    this.right[node] = right;
  }

  /**
   * The tree as built, its nine arrays views of one buffer: a grid search keeps tens of thousands of
   * trees, and one allocation per tree instead of nine is a visible share of its time (and of GC).
   */
  finish(): Tree {
    const n = this.n;
    const buf = new ArrayBuffer(46 * n);
    const f64 = (o: number, src: Float64Array): Float64Array => {
      const a = new Float64Array(buf, o, n);
      a.set(src.subarray(0, n));
      return a;
    };
    const i32 = (o: number, src: Int32Array): Int32Array => {
      const a = new Int32Array(buf, o, n);
      a.set(src.subarray(0, n));
      return a;
    };
    const u8 = (o: number, src: Uint8Array): Uint8Array => {
      const a = new Uint8Array(buf, o, n);
      a.set(src.subarray(0, n));
      return a;
    };
    return {
      feature: i32(32 * n, this.feature),
      bin: u8(44 * n, this.bin),
      threshold: f64(0, this.threshold),
      defaultLeft: u8(45 * n, this.defaultLeft),
      left: i32(36 * n, this.left),
      right: i32(40 * n, this.right),
      value: f64(8 * n, this.value),
      cover: f64(16 * n, this.cover),
      gain: f64(24 * n, this.gain),
    };
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.feature = g(this.feature, (k) => new Int32Array(k));
    this.bin = g(this.bin, (k) => new Uint8Array(k));
    this.threshold = g(this.threshold, (k) => new Float64Array(k));
    this.defaultLeft = g(this.defaultLeft, (k) => new Uint8Array(k));
    this.left = g(this.left, (k) => new Int32Array(k));
    this.right = g(this.right, (k) => new Int32Array(k));
    this.value = g(this.value, (k) => new Float64Array(k));
    this.cover = g(this.cover, (k) => new Float64Array(k));
    this.gain = g(this.gain, (k) => new Float64Array(k));
    this.cap = cap;
  }
}

/** Threshold stored with a split at bin b of feature f (b = nValueBins means "all values vs missing"). */
export function splitThreshold(binner: Binner, f: number, b: number): number {
  const t = binner.thresholds[f];
  return b - 1 < t.length ? t[b - 1] : Infinity;
}

/** Leaf reached by row r of a raw column-major matrix. */
export function leafRaw(tree: Tree, X: FeatureMatrix, nRows: number, r: number): number {
  const { feature, threshold, defaultLeft, left, right } = tree;
  let node = 0;
  let f = feature[0];
  while (f >= 0) {
    const v = X[f * nRows + r];
    const goLeft = v !== v ? defaultLeft[node] === 1 : v <= threshold[node];
    node = goLeft ? left[node] : right[node];
    f = feature[node];
  }
  return node;
}

/** Leaf reached by row r of binned data (must come from the model's binner). */
export function leafBinned(tree: Tree, data: BinnedData, r: number): number {
  const { feature, bin, defaultLeft, left, right } = tree;
  const { codes, columnOf, nRows } = data;
  let node = 0;
  let f = feature[0];
  while (f >= 0) {
    const c = codes[columnOf[f] * nRows + r];
    const goLeft = c === 0 ? defaultLeft[node] === 1 : c <= bin[node];
    node = goLeft ? left[node] : right[node];
    f = feature[node];
  }
  return node;
}

/**
 * A forest tree cut at maxDepth, numbered as the forest would have grown it with that maxDepth (both
 * children made when a node splits, left subtree first): with per-node randomness (forest.ts) this is
 * exactly the tree a fit with the smaller maxDepth grows.
 */
export function truncateTree(tree: Tree, maxDepth: number): Tree {
  const tb = new TreeBuilder();
  const { feature, bin, threshold, defaultLeft, left, right, value, cover, gain } = tree;
  const root = tb.addLeaf(value[0], cover[0]);
  const stack: number[] = [0, root, 0];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const nn = stack.pop()!;
    const o = stack.pop()!;
    if (feature[o] < 0 || d >= maxDepth) continue;
    const l = tb.addLeaf(value[left[o]], cover[left[o]]);
    const r = tb.addLeaf(value[right[o]], cover[right[o]]);
    tb.split(nn, feature[o], bin[o], threshold[o], defaultLeft[o] === 1, gain[o], l, r);
    stack.push(right[o], r, d + 1, left[o], l, d + 1);
  }
  return tb.finish();
}

export function treeDepth(tree: Tree): number {
  let max = 0;
  const stack: number[] = [0, 0];
  while (stack.length) {
    const d = stack.pop()!;
    const node = stack.pop()!;
    if (tree.feature[node] < 0) {
      if (d > max) max = d;
    } else {
      stack.push(tree.left[node], d + 1, tree.right[node], d + 1);
    }
  }
  return max;
}

/** Stable in-place partition of idx[start, end) into left then right; returns the boundary. */
export function partitionRows(
  idx: Uint32Array,
  scratch: Uint32Array,
  start: number,
  end: number,
  codes: Uint8Array,
  base: number,
  bin: number,
  defaultLeft: boolean,
): number {
  let w = start;
  let s = 0;
  const missingLeft = defaultLeft;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const c = codes[base + r];
    if (c === 0 ? missingLeft : c <= bin) idx[w++] = r;
    else scratch[s++] = r;
  }
  idx.set(scratch.subarray(0, s), w);
  return w;
}
