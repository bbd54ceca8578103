/**
 * Training runs and the model registry: the training config (versioned), the elbow analysis, runs with
 * every grid point and metric, model versions behind quality gates and a person's approval, aliases
 * (Production, Staging) with rollback, an audit trail, export and import of a version as one file.
 */
import { z } from 'zod';
import type { TrainingConfig, ConfigIssue } from '../training-config';
import { channel } from './define';

export type { TrainingConfig, ConfigIssue } from '../training-config';

export interface CurvePoint {
  /** ROC: false-positive rate; PR: recall. */
  x: number;
  /** ROC: true-positive rate; PR: precision. */
  y: number;
  threshold: number;
}

export interface MetricSet {
  n: number;
  threshold: number;
  confusion: { tp: number; fp: number; tn: number; fn: number };
  accuracy: number;
  balancedAccuracy: number;
  precision: number;
  recall: number;
  f1: number;
  specificity: number;
  npv: number;
  rocAuc: number | null;
  prAuc: number | null;
  /** Share of faulty rows in the labels. */
  failRateActual: number;
  /** Share of rows predicted faulty. */
  failRatePredicted: number;
  rocCurve: CurvePoint[];
  prCurve: CurvePoint[];
}

export interface GridPoint {
  family: 'gbm' | 'forest';
  params: Record<string, number | string | boolean>;
  cvAuc: number;
  foldAucs: number[];
}

export interface FamilyResult {
  family: 'gbm' | 'forest';
  params: Record<string, number | string | boolean>;
  cvAuc: number;
  testAuc: number | null;
  testAccuracy: number;
}

export interface ClusterResult {
  cluster: number;
  rows: number;
  faulty: number;
  trainRows: number;
  testRows: number;
  /** 'model' normally; 'constant' when the cluster's training rows have a single class. */
  strategy: 'model' | 'constant';
  family: 'gbm' | 'forest' | 'constant';
  params: Record<string, number | string | boolean>;
  cvAuc: number | null;
  /** How the family was chosen: held-out ROC AUC, or accuracy where the held-out part has one class. */
  selectedBy: 'test_auc' | 'test_accuracy' | 'only_family' | 'constant';
  families: FamilyResult[];
  test: MetricSet | null;
  notes: string[];
  featureImportance: { feature: string; gain: number }[];
}

export interface GateResult {
  name: string;
  metric: string;
  value: number | null;
  threshold: number;
  passed: boolean;
}

export interface ElbowAnalysis {
  ks: number[];
  wcss: number[];
  knee: number | null;
  /** k the run used (knee, user's pick, or fixed). */
  k: number;
  source: 'knee' | 'user' | 'fixed' | 'default';
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunSummary {
  id: number;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  k: number | null;
  rows: number;
  faulty: number;
  pooledAuc: number | null;
  pooledRecall: number | null;
  modelVersion: number | null;
  seconds: number | null;
  error: string | null;
  configVersion: number | null;
}

export interface RepeatedCvResult {
  auc: { mean: number; std: number };
  repeats: number;
}

export interface RunDetail extends RunSummary {
  config: TrainingConfig;
  appVersion: string;
  fingerprint: { files: { name: string; sha256: string; rows: number }[]; rows: number; faulty: number; good: number; schemaId: number };
  elbow: ElbowAnalysis | null;
  preprocessing: { kept: number; droppedConstant: string[]; droppedAllMissing: string[]; imputation: string; notes: string[] } | null;
  clusters: ClusterResult[];
  global: (ClusterResult & { betterThanPerCluster: boolean }) | null;
  pooled: MetricSet | null;
  /** Repeated CV of the deployed models. */
  repeatedCv: RepeatedCvResult | null;
  /** Repeated CV of both strategies when a global model was trained and deploy is 'best' (it decides which is deployed). */
  repeatedCvByStrategy: { perCluster: RepeatedCvResult | null; global: RepeatedCvResult | null } | null;
  strategyNote: string | null;
  gates: GateResult[];
  grid: GridPoint[];
  timings: Record<string, number>;
  log: { time: string; level: string; message: string }[];
  /** The deployed strategy's probability for every held-out row (stored row ids), for audit and checks. */
  heldOut: { rowIds: number[]; probs: number[] } | null;
}

export type VersionStatus = 'pending_approval' | 'rejected_by_gates' | 'approved' | 'rejected' | 'archived';
export type Stage = 'production' | 'staging';

export interface ModelVersionSummary {
  id: number;
  version: number;
  runId: number;
  status: VersionStatus;
  stages: Stage[];
  createdAt: string;
  k: number;
  threshold: number;
  pooledAuc: number | null;
  recall: number | null;
  accuracy: number | null;
  gatesPassed: boolean;
  sha256: string;
}

export interface ModelEvent {
  id: number;
  version: number;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  stage: string | null;
  comment: string | null;
  user: string;
  time: string;
}

export interface ModelVersionDetail extends ModelVersionSummary {
  gates: GateResult[];
  metrics: MetricSet | null;
  clusters: { cluster: number; family: string; rows: number; faulty: number; testAuc: number | null }[];
  schemaId: number;
  events: ModelEvent[];
  strategy: 'per-cluster' | 'global';
  featureNames: string[];
}

const versionZ = z.number().int().positive();
const commentZ = z.string().trim().max(2000);

export const trainingChannels = {
  'training/config-get': channel<{ version: number; config: TrainingConfig; createdAt: string | null }>()(
    z.object({ version: z.number().int().positive().optional() }).strict(),
  ),
  'training/config-save': channel<{ version: number; config: TrainingConfig }>()(
    z.object({ config: z.unknown(), note: z.string().max(2000).optional() }).strict(),
  ),
  'training/config-check': channel<ConfigIssue[]>()(z.object({ config: z.unknown() }).strict()),
  'training/elbow': channel<{ jobId: string }>()(z.object({}).strict()),
  'training/start': channel<{ jobId: string }>()(
    z.object({ k: z.number().int().min(1).max(50).optional(), config: z.unknown().optional() }).strict(),
  ),
  'training/runs': channel<RunSummary[]>()(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict()),
  'training/run': channel<RunDetail>()(z.object({ id: z.number().int().positive() }).strict()),
  'models/list': channel<ModelVersionSummary[]>()(z.object({}).strict()),
  'models/get': channel<ModelVersionDetail>()(z.object({ version: versionZ }).strict()),
  'models/approve': channel<ModelVersionDetail>()(z.object({ version: versionZ, comment: commentZ.optional() }).strict()),
  'models/reject': channel<ModelVersionDetail>()(z.object({ version: versionZ, comment: commentZ.min(1) }).strict()),
  'models/promote': channel<ModelVersionDetail>()(
    z.object({ version: versionZ, to: z.enum(['production', 'staging']), comment: commentZ.optional() }).strict(),
  ),
  'models/rollback': channel<ModelVersionDetail>()(z.object({ comment: commentZ.optional() }).strict()),
  'models/archive': channel<ModelVersionDetail>()(z.object({ version: versionZ, comment: commentZ.optional() }).strict()),
  'models/export': channel<{ path: string; name: string; bytes: number }>()(
    z.object({ version: versionZ, out: z.string().min(1).max(4096).optional() }).strict(),
  ),
  'models/import': channel<ModelVersionDetail>()(z.object({ path: z.string().min(1).max(4096) }).strict()),
};

export type { ConfigIssue as TrainingConfigIssue };
