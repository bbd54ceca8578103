/**
 * The training configuration (the seed of the reference's params.yaml / pipeline_config.yaml): a
 * versioned document, validated field by field. Defaults reproduce the reference pipeline's choices
 * (KNN imputation with 3 neighbours, k-means 1..10 with the elbow, a third held out, 5-fold grid search
 * over its XGBoost and random-forest grids, gates 0.80 accuracy / 0.75 F1 / 0.85 recall).
 */
import { z } from 'zod';

const gridValues = z.array(z.union([z.number(), z.string()])).min(1).max(50);

export const REFERENCE_GBM_GRID = {
  learningRate: [0.5, 0.1, 0.01, 0.001],
  maxDepth: [3, 5, 10, 20],
  nEstimators: [10, 50, 100, 200],
};
export const REFERENCE_FOREST_GRID = {
  nEstimators: [10, 50, 100, 130],
  criterion: ['gini', 'entropy'],
  maxDepth: [2, 3],
  maxFeatures: ['sqrt', 'log2'],
};

const gridZ = z
  .record(z.string().regex(/^[a-zA-Z]+$/), gridValues)
  .refine((g) => Array.isArray(g.nEstimators) && g.nEstimators.every((v) => typeof v === 'number' && v >= 1 && v <= 5000), {
    message: 'the grid needs nEstimators: whole numbers from 1 to 5000',
  });

export const trainingConfigZ = z
  .object({
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(355),
    imputation: z
      .object({
        method: z.enum(['knn', 'median']).default('knn'),
        neighbors: z.number().int().min(1).max(50).default(3),
        // Donors are saved in the model (590 values each) and scanned for every predicted row: 2,000 keeps a
        // 10x model near 10 MB and prediction fast; smaller data sets use all their rows.
        maxDonors: z.number().int().min(100).max(50_000).default(2000),
      })
      .strict()
      .default({ method: 'knn', neighbors: 3, maxDonors: 2000 }),
    standardize: z.boolean().default(false),
    clusters: z
      .object({
        mode: z.enum(['auto', 'fixed']).default('auto'),
        k: z.number().int().min(1).max(50).optional(),
        kMin: z.number().int().min(1).max(50).default(1),
        kMax: z.number().int().min(2).max(50).default(10),
      })
      .strict()
      .refine((c) => c.kMin < c.kMax, { message: 'kMin must be less than kMax', path: ['kMax'] })
      .refine((c) => c.mode !== 'fixed' || c.k !== undefined, { message: 'a fixed cluster count needs k', path: ['k'] })
      .default({ mode: 'auto', kMin: 1, kMax: 10 }),
    split: z
      .object({ testFraction: z.number().gt(0.05).lt(0.8).default(1 / 3) })
      .strict()
      .default({ testFraction: 1 / 3 }),
    cvFolds: z.number().int().min(2).max(20).default(5),
    /** Repeated stratified CV of the chosen models (0 = off): a steadier quality estimate than one split. */
    repeatedCv: z
      .object({ repeats: z.number().int().min(0).max(20).default(3), folds: z.number().int().min(2).max(20).default(5) })
      .strict()
      .default({ repeats: 3, folds: 5 }),
    families: z
      .object({
        gbm: z.object({ enabled: z.boolean().default(true), grid: gridZ.default(REFERENCE_GBM_GRID) }).strict().default({ enabled: true, grid: REFERENCE_GBM_GRID }),
        forest: z
          .object({ enabled: z.boolean().default(true), grid: gridZ.default(REFERENCE_FOREST_GRID) })
          .strict()
          .default({ enabled: true, grid: REFERENCE_FOREST_GRID }),
      })
      .strict()
      .refine((f) => f.gbm.enabled || f.forest.enabled, { message: 'enable at least one model family', path: ['gbm', 'enabled'] })
      .default({ gbm: { enabled: true, grid: REFERENCE_GBM_GRID }, forest: { enabled: true, grid: REFERENCE_FOREST_GRID } }),
    classWeight: z.enum(['none', 'balanced']).default('none'),
    /**
     * Quantile bins per sensor for the tree models (XGBoost's max_bin). 'auto': one bin per 12 rows the
     * bins are fitted on (about ten rows per bin), at least 48 and at most 255. On the wafer data (a few
     * hundred rows per search) 255 bins hold 2-3 rows each: the splits chase noise and every node scans
     * mostly empty bins. Over three seeds 64 bins gave the same held-out and repeated-CV ROC AUC as 255
     * in half the training time. Going on to 48 (one per 12 rows): on seeded SECOM-like data (500
     * training rows, 2,000 held out, six seeds) boosting and forest held-out ROC AUC did not move beyond
     * the seed-to-seed spread (0.669/0.614/0.591 with 64 bins, 0.657/0.622/0.594 with 48, for boosting
     * at learning rate 0.1 and 0.01 and a depth-3 forest), and the wafer training run took about 17%
     * less time. Data of 3,060 rows or more gets the full 255.
     */
    maxBins: z.union([z.literal('auto'), z.number().int().min(2).max(255)]).default('auto'),
    threshold: z
      .discriminatedUnion('rule', [
        z.object({ rule: z.literal('fixed'), value: z.number().gt(0).lt(1).default(0.5) }).strict(),
        z.object({ rule: z.literal('maxF1') }).strict(),
        z.object({ rule: z.literal('youden') }).strict(),
        z.object({ rule: z.literal('recall'), minRecall: z.number().gt(0).max(1).default(0.85) }).strict(),
      ])
      .default({ rule: 'maxF1' }),
    globalModel: z.boolean().default(true),
    // 'best' deploys the global model when it validated better on the same held-out rows.
    deploy: z.enum(['per-cluster', 'best']).default('best'),
    gates: z
      .object({
        minAccuracy: z.number().min(0).max(1).nullable().default(0.8),
        minF1: z.number().min(0).max(1).nullable().default(0.75),
        minRecall: z.number().min(0).max(1).nullable().default(0.85),
        minRocAuc: z.number().min(0).max(1).nullable().default(0.7),
        minPrAuc: z.number().min(0).max(1).nullable().default(null),
      })
      .strict()
      .default({ minAccuracy: 0.8, minF1: 0.75, minRecall: 0.85, minRocAuc: 0.7, minPrAuc: null }),
  })
  .strict();

export type TrainingConfig = z.output<typeof trainingConfigZ>;
export type TrainingConfigInput = z.input<typeof trainingConfigZ>;

export const DEFAULT_TRAINING_CONFIG: TrainingConfig = trainingConfigZ.parse({});

export interface ConfigIssue {
  path: string;
  message: string;
}

/** Validates a config document; every problem is reported with its field path. */
export function checkTrainingConfig(input: unknown): { config: TrainingConfig | null; issues: ConfigIssue[] } {
  const parsed = trainingConfigZ.safeParse(input ?? {});
  if (parsed.success) return { config: parsed.data, issues: [] };
  return {
    config: null,
    issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  };
}
