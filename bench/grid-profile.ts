// Profiles the per-family grid search on a workspace with the wafer training data imported:
//   npx tsx bench/grid-profile.ts WORKSPACE.sqlite
import { Store } from '../src/main/store';
import { fitPreprocessor } from '../src/main/ml/preprocess';
import { run } from '../src/main/ml/matrix';
import { searchFamily } from '../src/main/ml/pipeline/family-search';
import { REFERENCE_GBM_GRID, REFERENCE_FOREST_GRID } from '../src/shared/training-config';
const store = Store.open(process.argv[2] ?? '/tmp/ws2/w.sqlite', { attach: true });
const files = store.files.goodFiles('training');
const m = store.rows.matrixForFiles(files.map((f) => f.id), 590);
const labels = m.labels.map((l) => (l === 1 ? 1 : 0));
const names = Array.from({ length: 590 }, (_, i) => `s${i}`);
const fit = run(fitPreprocessor(m.X, m.nRows, 590, names, { labels }));
const n = m.nRows;
const idx = Array.from({ length: n }, (_, i) => i);
const train = Int32Array.from(idx.filter((i) => i % 3 !== 0));
const test = Int32Array.from(idx.filter((i) => i % 3 === 0));
for (const family of ['gbm', 'forest'] as const) {
  const t = performance.now();
  const out = run(searchFamily({ X: fit.Xout, nRows: n, nFeatures: fit.state.keptColumns.length, labels, train, test, family, grid: family === 'gbm' ? REFERENCE_GBM_GRID : REFERENCE_FOREST_GRID, nFolds: 5, seed: 1, classWeight: 'none' }));
  console.log(family, ((performance.now() - t) / 1000).toFixed(2), 's', out.cvAuc.toFixed(3), JSON.stringify(out.params));
}
