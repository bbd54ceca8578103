/**
 * Repeated stratified cross-validation of the chosen models (their family and parameters fixed, no
 * search): a steadier estimate of held-out quality than one split, which on a few dozen faulty wafers
 * moves by several hundredths from seed to seed. Folds are dealt per stratum (regime x label) over all
 * rows of the run, so every regime keeps its share of faulty wafers in every fold.
 */
import { selectRows } from '../matrix';
import { createRng } from '../rng';
import { recentMemo } from './recent';
import {
  binData,
  resolveMaxBins,
  fitForest,
  fitGbm,
  predictProbaBinned,
  type Family,
  type ForestParams,
  type GbmParams,
  type GridValue,
  type Progress,
} from '../trees';

/** Fold (0..k-1) of every row, dealt round-robin within each stratum after a seeded shuffle. */
export function strataFolds(strata: Int32Array, k: number, seed: number): Uint8Array {
  const byStratum = new Map<number, number[]>();
  strata.forEach((s, i) => {
    const list = byStratum.get(s) ?? [];
    list.push(i);
    byStratum.set(s, list);
  });
  const rng = createRng(seed);
  const folds = new Uint8Array(strata.length);
  let next = 0;
  for (const key of [...byStratum.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(byStratum.get(key)!);
    for (const i of members) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

export interface RepeatedCvInput {
  X: Float64Array;
  nRows: number;
  nFeatures: number;
  labels: Uint8Array;
  /** The group's rows (a regime, or all rows). */
  rows: Int32Array;
  family: Family | 'constant';
  params: Record<string, GridValue | boolean>;
  /** Per repeat, the fold of every row of the run. */
  folds: Uint8Array[];
  k: number;
  /** Quantile bins per feature, as the search used (a number, or 'auto'); default 255. */
  maxBins?: number | 'auto';
  /** Names the group's data: tasks with the same key (the repeats of one group) bin it once per worker. */
  cacheKey?: string;
}

/** The group's rows, labels and binned matrix, by cacheKey. */
const recentGroups = recentMemo<{ y: Uint8Array; binned: ReturnType<typeof binData> | null }>(4);

/** Out-of-fold probabilities of the group's rows (aligned with `rows`), one array per repeat. */
export function* repeatedOof(input: RepeatedCvInput): Generator<Progress, Float64Array[], void> {
  const { rows, labels, k } = input;
  const total = input.folds.length * k;
  const { y, binned } = recentGroups(input.cacheKey, () => ({
    y: Uint8Array.from(rows, (r) => labels[r]!),
    binned:
      input.family === 'constant'
        ? null
        : binData(selectRows(input.X, input.nRows, input.nFeatures, rows), rows.length, input.nFeatures, resolveMaxBins(input.maxBins ?? 255, rows.length)),
  }));
  const out: Float64Array[] = [];
  let done = 0;
  for (const foldOf of input.folds) {
    const oof = new Float64Array(rows.length);
    for (let fold = 0; fold < k; fold++) {
      const fitRows: number[] = [];
      const validRows: number[] = [];
      rows.forEach((r, i) => (foldOf[r] === fold ? validRows : fitRows).push(i));
      let pos = 0;
      for (const i of fitRows) pos += y[i]!;
      if (!binned || pos === 0 || pos === fitRows.length || validRows.length === 0) {
        // A one-class training part can only predict its fault rate.
        const rate = fitRows.length ? pos / fitRows.length : 0;
        for (const i of validRows) oof[i] = rate;
      } else {
        const gen =
          input.family === 'gbm'
            ? fitGbm(binned, y, input.params as Partial<GbmParams>, { rows: Uint32Array.from(fitRows) })
            : fitForest(binned, y, input.params as Partial<ForestParams>, { rows: Uint32Array.from(fitRows) });
        let step = gen.next();
        while (!step.done) step = gen.next();
        const p = predictProbaBinned(step.value, binned, Uint32Array.from(validRows));
        validRows.forEach((i, j) => (oof[i] = p[j]!));
      }
      yield { done: ++done, total, message: 'repeated cross-validation' };
    }
    out.push(oof);
  }
  return out;
}
