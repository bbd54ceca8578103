// Tree-ensemble engine of Wafer Fault Studio: gradient boosting (XGBoost-hist style) and random forest
// for binary fault prediction on ~590 sensor columns. Pure and typed-array based: no I/O, no workers,
// no Electron — the app's worker pool drives the generators below. Hand-written because no maintained
// JS library does gradient boosting, and the JS random forest is ~8x slower than scikit-learn.
//
// Data in: column-major Float64Array | Float32Array X (X[f * nRows + r], NaN = missing), labels as a
// Uint8Array of 0/1 (1 = faulty). Parameters are camelCase versions of the XGBoost / scikit-learn names.
//
//   const binned = binData(X, nRows, nFeatures);            // or fitBinner + binMatrix; once per data set
//   const model = runToEnd(fitGbm(binned, y, { nEstimators: 100, maxDepth: 5, learningRate: 0.1 }));
//   const p = predictProba(model, Xnew, nNew);              // Float64Array of P(faulty)
//   const labels = labelsFromProba(p, 0.5);                 // labels only through a threshold
//   const json = JSON.stringify(serializeModel(model));     // deserializeModel(JSON.parse(json))
//
// Parallel forest: fitForestTrees(binned, y, params, [0..49]) and [50..99] on two workers, then
//   mergeForest(binned.binner, params, [chunkA, chunkB]) equals runToEnd(fitForest(binned, y, params)).
// Grid search: planGridSearch(y, spec) -> tasks; runSearchTask(binned, y, plan.folds, task) anywhere;
//   reduceSearch(plan, results). gridSearch(binned, y, spec) does all three in-process.
// Every generator yields { done, total, message } once per tree/round; stop iterating to cancel.

export type {
  BinnedData,
  Binner,
  FeatureMatrix,
  ForestModel,
  ForestParams,
  GbmModel,
  GbmParams,
  MaxFeatures,
  Progress,
  Tree,
  TreeModel,
} from './types';
export { fitBinner, binMatrix, binData, binValue, resolveMaxBins } from './binning';
export { fitGbm, defaultGbmParams, resolveGbmParams, type FitOptions } from './gbm';
export {
  fitForest,
  fitForestTrees,
  mergeForest,
  defaultForestParams,
  resolveForestParams,
  featuresPerSplit,
  type ForestChunk,
} from './forest';
export {
  predictRaw,
  predictProba,
  predictStaged,
  predictStagedBinned,
  predictProbaBinned,
  labelsFromProba,
} from './predict';
export {
  featureImportance,
  contributions,
  splitContributions,
  setDecisionMemoLimit,
  expectedValue,
  splitFeatures,
  type Contributions,
  type SplitContributions,
} from './explain';
export {
  serializeModel,
  deserializeModel,
  ModelFormatError,
  MODEL_FORMAT_VERSION,
  type SerializedModel,
} from './serialize';
export {
  referenceGrids,
  planGridSearch,
  runSearchTask,
  fitSearchTask,
  scoreSearchFit,
  foldRows,
  reduceSearch,
  gridSearch,
  stratifiedFolds,
  type Family,
  type Grid,
  type GridValue,
  type SearchSpec,
  type SearchTask,
  type SearchPlan,
  type SearchTaskResult,
  type SearchTaskFit,
  type SearchResult,
} from './search';
export { treesRocAuc } from './auc';
export { runToEnd } from './run';
export { treeDepth, truncateTree } from './tree';
