/**
 * Seeded training files with a learnable signal for the pipeline tests: two operating regimes (a block
 * of sensors offset by regime) and faulty wafers whose first sensors run high.
 */
import { mkdirSync } from 'node:fs';
import { writeWaferFile } from './wafer-files';

export const SMALL_CONFIG = {
  seed: 7,
  clusters: { mode: 'auto', kMin: 1, kMax: 5 },
  cvFolds: 3,
  families: {
    gbm: { enabled: true, grid: { nEstimators: [10, 30], maxDepth: [2, 3], learningRate: [0.3] } },
    forest: { enabled: true, grid: { nEstimators: [10, 20], maxDepth: [3], criterion: ['gini'], maxFeatures: ['sqrt'] } },
  },
  gates: { minAccuracy: 0.5, minF1: null, minRecall: null, minRocAuc: 0.6, minPrAuc: null },
};

export function writeTrainingBatch(
  dir: string,
  files = 4,
  rowsPerFile = 60,
  withLabel = true,
  options: { seed?: number; cell?: (row: number, sensor: number) => string | undefined } = {},
): string {
  mkdirSync(dir, { recursive: true });
  let seed = options.seed ?? 11;
  for (let f = 0; f < files; f++) {
    const regimeOf = (r: number) => (r + f) % 2;
    const faultyOf = (r: number) => (r * 7 + f * 3) % 9 === 0;
    writeWaferFile(dir, `wafer_${String(10 + f).padStart(2, '0')}012020_120000.csv`, {
      rows: rowsPerFile,
      seed: seed++,
      withLabel,
      label: (r) => (faultyOf(r) ? 1 : -1),
      cell: (r, s) => {
        const custom = options.cell?.(r, s);
        if (custom !== undefined) return custom;
        if (s >= 20 && s < 60) return String(regimeOf(r) === 0 ? 100 + ((r * s) % 7) : 5000 + ((r * s) % 11));
        if (s < 4) return String(faultyOf(r) ? 80 + ((r + s) % 5) : 10 + ((r * 3 + s) % 13));
        if (s === 100 && r % 5 === 0) return 'NA';
        return undefined;
      },
    });
  }
  return dir;
}
