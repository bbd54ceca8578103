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

  finish(): Tree {
    const n = this.n;
    return {
      feature: this.feature.slice(0, n),
      bin: this.bin.slice(0, n),
      threshold: this.threshold.slice(0, n),
      defaultLeft: this.defaultLeft.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n),
      cover: this.cover.slice(0, n),
      gain: this.gain.slice(0, n),
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
