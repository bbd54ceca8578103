// Seeded, stratified train/test split and k-fold assignment over 0/1 labels. Hand-written (tiny)
// so splits are reproducible from a seed with our own PRNG and work on typed arrays.
// Stratification is per class: each class is shuffled with the seeded PRNG and then divided, so the
// faulty share (~7% in the reference data) is the same in every part up to rounding.
// Small classes: in the train/test split a class with >= 2 rows always keeps at least one row on each
// side and a single-row class goes to training (a test set without it is still usable). In k-fold a
// class with fewer rows than folds is dealt round-robin continuing where the previous class stopped,
// so some folds get none of that class; `warnings` says so and callers should treat per-fold
// metrics that need both classes (AUC) as undefined for those folds.

import { createRng } from './rng';

export interface TrainTestSplit {
  train: Int32Array;
  test: Int32Array;
}

function byClass(labels: Uint8Array): Int32Array[] {
  let n1 = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]) n1++;
  const c0 = new Int32Array(labels.length - n1);
  const c1 = new Int32Array(n1);
  let a = 0;
  let b = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) c1[b++] = i;
    else c0[a++] = i;
  }
  return [c0, c1];
}

export function stratifiedSplit(labels: Uint8Array, testFraction: number, seed: number): TrainTestSplit {
  if (!(testFraction > 0 && testFraction < 1))
    throw new Error(`testFraction must be in (0, 1), got ${testFraction}`);
  const rng = createRng(seed);
  const train: number[] = [];
  const test: number[] = [];
  for (const idx of byClass(labels)) {
    rng.shuffle(idx);
    const n = idx.length;
    let nTest = Math.round(n * testFraction);
    if (n >= 2) nTest = Math.min(n - 1, Math.max(1, nTest));
    else nTest = 0;
    for (let i = 0; i < n; i++) (i < nTest ? test : train).push(idx[i]);
  }
  return { train: Int32Array.from(train).sort(), test: Int32Array.from(test).sort() };
}

export interface KFold {
  /** fold[i] = 0..k-1 for every row. */
  foldOf: Int32Array;
  folds: TrainTestSplit[];
  warnings: string[];
}

export function stratifiedKFold(labels: Uint8Array, k: number, seed: number): KFold {
  const n = labels.length;
  if (!(k >= 2) || Math.floor(k) !== k) throw new Error(`k-fold needs an integer k >= 2, got ${k}`);
  if (k > n) throw new Error(`k-fold: k = ${k} exceeds the ${n} rows`);
  const rng = createRng(seed);
  const foldOf = new Int32Array(n);
  const warnings: string[] = [];
  let next = 0;
  const classes = byClass(labels);
  classes.forEach((idx, cls) => {
    rng.shuffle(idx);
    if (idx.length > 0 && idx.length < k) {
      warnings.push(`class ${cls} has ${idx.length} row(s), fewer than ${k} folds; some folds have none`);
    }
    for (let i = 0; i < idx.length; i++) {
      foldOf[idx[i]] = next;
      next = (next + 1) % k;
    }
  });
  const folds: TrainTestSplit[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (foldOf[i] === f ? test : train).push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return { foldOf, folds, warnings };
}
