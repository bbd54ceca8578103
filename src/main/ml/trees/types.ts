// Shared types of the tree engine (boosting + forest). Kept in one small module so that the fitters,
// predictors, explainers and the serializer agree on one flat, typed-array tree layout.

/** Column-major feature matrix: value of (row r, feature f) is X[f * nRows + r]; NaN = missing. */
export type FeatureMatrix = Float64Array | Float32Array;

/** Progress reported by every long-running generator, once per tree/round (or per task). */
export interface Progress {
  done: number;
  total: number;
  message: string;
}

/**
 * Quantile bin edges learned from training data. They are part of every model, so new data is binned
 * exactly as the training data was. Codes: 0 = missing (NaN), 1..nValueBins[f] = value bins; a value v
 * has code 1 + #{thresholds[f][j] < v}, so "code <= b" is the same test as "v <= thresholds[f][b-1]".
 */
export interface Binner {
  nFeatures: number;
  maxBins: number;
  /** Per original feature: ascending thresholds (length nValueBins - 1, empty for constant columns). */
  thresholds: Float64Array[];
  /** Per original feature: number of value bins (0 when the column was entirely missing). */
  nValueBins: Int32Array;
  /** Original indices of the features that can split (>= 2 distinct codes incl. missing), ascending. */
  active: Int32Array;
}

/**
 * Binned data: codes of the active features only (constant columns are dropped at binning time),
 * column-major by active index: code of (row r, active column k) is codes[k * nRows + r].
 */
export interface BinnedData {
  binner: Binner;
  nRows: number;
  codes: Uint8Array;
  /** Original feature index -> active column index, or -1 if the feature is constant. */
  columnOf: Int32Array;
}

/**
 * One binary tree in flat arrays (node 0 = root). Internal node i sends a row left when its code for
 * feature[i] is 1..bin[i] (equivalently its raw value <= threshold[i]); missing goes left iff
 * defaultLeft[i] = 1. Leaves have feature -1 and left/right -1.
 */
export interface Tree {
  feature: Int32Array;
  bin: Uint8Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf output (GBM: learning-rate-scaled weight in log-odds; forest: positive-class fraction). */
  value: Float64Array;
  /** Training weight reaching the node (GBM: hessian sum; forest: weighted samples). Used by TreeSHAP. */
  cover: Float64Array;
  /** Split gain (GBM: loss reduction; forest: weighted impurity decrease); 0 at leaves. */
  gain: Float64Array;
}

export interface GbmParams {
  learningRate: number;
  nEstimators: number;
  maxDepth: number;
  minChildWeight: number;
  regLambda: number;
  gamma: number;
  subsample: number;
  colsampleBytree: number;
  scalePosWeight: number;
  /**
   * Starting probability of every row (XGBoost's base_score): 'prior' = the training fault rate
   * (weighted by scalePosWeight), or a probability in (0, 1) such as XGBoost 1.7's 0.5.
   */
  baseScore: 'prior' | number;
  seed: number;
}

export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number;

export interface ForestParams {
  nEstimators: number;
  criterion: 'gini' | 'entropy';
  /** 0 or Infinity = unlimited (scikit-learn's None). */
  maxDepth: number;
  /** 'sqrt' | 'log2' | 'all' | a fraction in (0, 1] of the features | an integer count > 1. */
  maxFeatures: MaxFeatures;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  classWeight: 'none' | 'balanced';
  bootstrap: boolean;
  seed: number;
}

export interface GbmModel {
  kind: 'gbm';
  nFeatures: number;
  binner: Binner;
  params: GbmParams;
  /** Log-odds margin every prediction starts from. */
  baseScore: number;
  trees: Tree[];
}

export interface ForestModel {
  kind: 'forest';
  nFeatures: number;
  binner: Binner;
  params: ForestParams;
  trees: Tree[];
}

export type TreeModel = GbmModel | ForestModel;
