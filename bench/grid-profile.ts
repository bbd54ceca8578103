// Profiles the per-family grid search on a workspace with the wafer training data imported:
//   npx tsx bench/grid-profile.ts WORKSPACE.sqlite
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../src/main/store';
import { fitPreprocessor } from '../src/main/ml/preprocess';
import { run } from '../src/main/ml/matrix';
import { searchFamily } from '../src/main/ml/pipeline/family-search';
import { REFERENCE_GBM_GRID, REFERENCE_FOREST_GRID } from '../src/shared/training-config';
// Work on a private copy, opened normally so a workspace from an older schema is migrated (the
// copy, never the given file).
const copy = join(mkdtempSync(join(tmpdir(), 'grid-profile-')), 'w.sqlite');
copyFileSync(process.argv[2] ?? '/tmp/ws2/w.sqlite', copy);
const store = Store.open(copy);
const files = store.files.goodFiles('training');
const m = store.rows.matrixForFiles(
  files.map((f) => f.id),
  590,
);
const labels = m.labels.map((l) => (l === 1 ? 1 : 0));
const names = Array.from({ length: 590 }, (_, i) => `s${i}`);
const fit = run(fitPreprocessor(m.X, m.nRows, 590, names, { labels }));
const n = m.nRows;
const idx = Array.from({ length: n }, (_, i) => i);
const train = Int32Array.from(idx.filter((i) => i % 3 !== 0));
const test = Int32Array.from(idx.filter((i) => i % 3 === 0));
for (const family of ['gbm', 'forest'] as const) {
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  const out = run(
    searchFamily({
      X: fit.Xout,
      nRows: n,
      nFeatures: fit.state.keptColumns.length,
      labels,
      train,
      test,
      family,
      grid: family === 'gbm' ? REFERENCE_GBM_GRID : REFERENCE_FOREST_GRID,
      nFolds: 5,
      seed: 1,
      classWeight: 'none',
    }),
  );
  const cpu = process.cpuUsage(cpu0).user / 1e6;
  // CPU seconds next to wall seconds: the machine is shared, wall time alone is mostly load.
  console.log(
    family,
    ((performance.now() - t) / 1000).toFixed(2),
    's',
    `(cpu ${cpu.toFixed(2)} s)`,
    out.cvAuc.toFixed(3),
    JSON.stringify(out.params),
  );
}
