// Profiles the per-family grid search on a workspace with the wafer training data imported:
//   node -r tsx/cjs bench/grid-profile.ts WORKSPACE.sqlite [--gbm-base P] [--only gbm|forest] [--bins N]
// (bins: the quantile bin count; default 'auto', as training's default config)
// --gbm-base P adds baseScore: [P] to the boosting grid (e.g. 0.5, XGBoost 1.7's start; default: the
// fault rate).
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
const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const gbmBase = opt('gbm-base');
const only = opt('only');
copyFileSync(argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? '/tmp/ws2/w.sqlite', copy);
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
for (const family of (['gbm', 'forest'] as const).filter((f) => !only || f === only)) {
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
      grid:
        family === 'forest'
          ? REFERENCE_FOREST_GRID
          : gbmBase === undefined
            ? REFERENCE_GBM_GRID
            : { ...REFERENCE_GBM_GRID, baseScore: [Number(gbmBase)] },
      nFolds: 5,
      seed: 1,
      classWeight: 'none',
      maxBins: opt('bins') === undefined ? 'auto' : Number(opt('bins')),
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
