/**
 * A model version's bundle: everything prediction needs, frozen at training time — the schema
 * snapshot, the preprocessing state (imputer donors, kept columns), the regimes (k-means centroids and
 * the distance beyond which a row is unfamiliar), one model per regime (or a constant for a one-class
 * regime), the optional global model, the decision threshold, and each regime's training ranges for
 * explanations. `predictWithBundle` is the one prediction path: training uses it to score held-out
 * rows, so prediction on the same rows gives the same probabilities.
 */
import type { DataSchema } from '../../../shared/schema';
import { decodeF64, encodeF64, type EncodedArray } from '../matrix';
import { transformRows, type PreprocessState } from '../preprocess';
import { assignRegimes, type RegimeState } from '../regime';
import { explanationBytes, writeExplanation, type ExplanationLookup } from './explanation';
import type { ScratchArrays } from '../scratch';
import {
  splitContributions,
  deserializeModel,
  predictProba,
  predictRaw,
  type SerializedModel,
  type TreeModel,
} from '../trees';

export const BUNDLE_FORMAT_VERSION = 1;

export interface ClusterBundle {
  cluster: number;
  kind: 'model' | 'constant';
  family: 'gbm' | 'forest' | 'constant';
  model: SerializedModel | null;
  /** Probability given by a constant model (the regime's training fault rate). */
  constant: number | null;
  /** Per kept feature: the 5th and 95th percentile among the regime's training rows. */
  low: EncodedArray;
  high: EncodedArray;
}

export interface ModelBundle {
  format: 'wfs-model-bundle';
  formatVersion: number;
  appVersion: string;
  createdAt: string;
  schemaId: number;
  schema: DataSchema;
  /** Raw feature columns in schema order (what prediction rows must provide). */
  featureNames: string[];
  preprocess: PreprocessState;
  regimes: RegimeState;
  strategy: 'per-cluster' | 'global';
  threshold: number;
  clusters: ClusterBundle[];
  /** The global model sees the kept features plus the regime as one more feature. */
  global: { model: SerializedModel; threshold: number } | null;
}

export interface BundlePrediction {
  cluster: Int32Array;
  distance: Float64Array;
  unfamiliar: Uint8Array;
  prob: Float64Array;
  faulty: Uint8Array;
  /** Per row, when asked for: its top sensors towards faulty (positive effects) and towards good
   *  (negative) in the stored form (./explanation.ts), views of one buffer per call. */
  explanations: Uint8Array[] | null;
}

const modelCache = new WeakMap<
  ModelBundle,
  {
    clusters: (TreeModel | null)[];
    global: TreeModel | null;
  }
>();
const lookupCache = new WeakMap<ModelBundle, ExplanationLookup>();

function compiled(bundle: ModelBundle) {
  let c = modelCache.get(bundle);
  if (!c) {
    c = {
      clusters: bundle.clusters.map((cl) => (cl.model ? deserializeModel(cl.model) : null)),
      global: bundle.global ? deserializeModel(bundle.global.model) : null,
    };
    modelCache.set(bundle, c);
  }
  return c;
}

/** What reading this model's stored explanations needs (decodeExplanation): kept sensor names and each
 *  regime's training ranges. */
export function explanationLookup(bundle: ModelBundle): ExplanationLookup {
  let lookup = lookupCache.get(bundle);
  if (!lookup) {
    lookup = {
      sensors: bundle.preprocess.keptNames,
      low: bundle.clusters.map((cl) => decodeF64(cl.low)),
      high: bundle.clusters.map((cl) => decodeF64(cl.high)),
    };
    lookupCache.set(bundle, lookup);
  }
  return lookup;
}

export function checkBundle(value: unknown): ModelBundle {
  const b = value as Partial<ModelBundle>;
  if (!b || b.format !== 'wfs-model-bundle') {
    throw Object.assign(new Error('This is not a Wafer Fault Studio model bundle.'), {
      code: 'model_format',
    });
  }
  if (b.formatVersion !== BUNDLE_FORMAT_VERSION) {
    throw Object.assign(
      new Error(
        `Model bundle format ${String(b.formatVersion)} is not supported (this app reads ${BUNDLE_FORMAT_VERSION}).`,
      ),
      {
        code: 'model_format',
      },
    );
  }
  return b as ModelBundle;
}

export function encodeRange(values: Float64Array): EncodedArray {
  return encodeF64(values);
}

/** Appends the regime as one more column (the global model's extra feature). */
export function withRegimeColumn(
  Xt: Float64Array,
  nRows: number,
  cluster: Int32Array,
  out = new Float64Array(Xt.length + nRows),
): Float64Array {
  out.set(Xt);
  for (let r = 0; r < nRows; r++) out[Xt.length + r] = cluster[r]!;
  return out;
}

/**
 * Scores raw rows (column-major over bundle.featureNames, NaN = missing; `rows`: the same row-major,
 * when the caller has it): preprocessing with the saved
 * state (never refitted), the nearest regime, and that regime's model — each row scored once.
 */
export function predictWithBundle(
  bundle: ModelBundle,
  Xraw: Float64Array,
  nRows: number,
  options: { explain?: number; rows?: Float64Array | null; scratch?: ScratchArrays } = {},
): BundlePrediction {
  const c = compiled(bundle);
  const nKept = bundle.preprocess.keptColumns.length;
  // With scratch, the intermediates below reuse the caller's arrays; none of them is returned.
  const scratch = options.scratch;
  const Xt = transformRows(
    bundle.preprocess,
    Xraw,
    nRows,
    options.rows,
    scratch?.f64('transformed', nRows * nKept),
  );
  const regimes = assignRegimes(bundle.regimes, Xt, nRows);
  const prob = new Float64Array(nRows);
  const byCluster = new Map<number, number[]>();
  for (let r = 0; r < nRows; r++) {
    const list = byCluster.get(regimes.cluster[r]!) ?? [];
    list.push(r);
    byCluster.set(regimes.cluster[r]!, list);
  }
  const useGlobal = bundle.strategy === 'global' && c.global;
  const Xg = useGlobal
    ? withRegimeColumn(Xt, nRows, regimes.cluster, scratch?.f64('with-regime', Xt.length + nRows))
    : null;
  const modelFor = (cluster: number): TreeModel | null =>
    useGlobal ? c.global : (c.clusters[cluster] ?? null);
  // Each regime's rows, gathered once for scoring and explaining.
  const subs = new Map<number, Float64Array>();
  const rowsOf = (cluster: number, rows: number[]): Float64Array => {
    let sub = subs.get(cluster);
    if (!sub) {
      const nF = Xg ? nKept + 1 : nKept;
      const out = scratch?.f64(`regime-rows:${cluster}`, rows.length * nF);
      subs.set(cluster, (sub = selectRowsOf(Xg ?? Xt, nRows, nF, rows, out)));
    }
    return sub;
  };
  for (const [cluster, rows] of byCluster) {
    const model = modelFor(cluster);
    if (!model) {
      const constant = bundle.clusters[cluster]?.constant ?? 0;
      for (const r of rows) prob[r] = constant;
      continue;
    }
    const p = predictProba(model, rowsOf(cluster, rows), rows.length);
    rows.forEach((r, i) => (prob[r] = p[i]!));
  }
  const threshold = useGlobal ? bundle.global!.threshold : bundle.threshold;
  const faulty = new Uint8Array(nRows);
  for (let r = 0; r < nRows; r++) faulty[r] = prob[r]! >= threshold ? 1 : 0;
  let explanations: BundlePrediction['explanations'] = null;
  if (options.explain && options.explain > 0) {
    const n = options.explain;
    if (n > 255 || nKept > 65536)
      throw new Error('predictWithBundle: at most 255 sensors each way, of 65,536');
    const slot = explanationBytes(2 * n);
    // A fresh buffer per call, never scratch: the rows hold views of it until they are written.
    const buffer = new ArrayBuffer(nRows * slot);
    const view = new DataView(buffer);
    const features = new Int32Array(2 * n);
    const values = new Float64Array(2 * n);
    const effects = new Float64Array(2 * n);
    const keptColumns = bundle.preprocess.keptColumns;
    explanations = new Array(nRows);
    for (const [cluster, rows] of byCluster) {
      const model = modelFor(cluster);
      // Only split features can have a nonzero effect: a row's effects come for those (ascending).
      const contrib = model
        ? splitContributions(model, rowsOf(cluster, rows), rows.length, undefined, undefined, scratch)
        : null;
      const cols = contrib ? contrib.columns : new Int32Array(0);
      const nc = cols.length;
      // Sensors only: the global model's regime column is never listed.
      let ncSensors = 0;
      while (ncSensors < nc && cols[ncSensors]! < nKept) ncSensors++;
      const pos = new Int32Array(n);
      const neg = new Int32Array(n);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        let nPos = 0;
        let nNeg = 0;
        const o = i * nc;
        if (contrib) {
          const v = contrib.values;
          // The n largest positive and n most negative effects, ties to the lower feature index (what a
          // stable sort of all effects gives; columns ascend with the features). Once a list is full,
          // an effect enters only past its last entry (insertTop's own test), so that test is made here
          // first: most of a row's few hundred effects are small and never reach insertTop.
          let posBar = 0;
          let negBar = 0;
          for (let k = 0; k < ncSensors; k++) {
            const e = v[o + k]!;
            if (e > posBar) {
              nPos = insertTop(pos, nPos, n, k, v, o, 1);
              if (nPos === n) posBar = v[o + pos[n - 1]!]!;
            } else if (e < negBar) {
              nNeg = insertTop(neg, nNeg, n, k, v, o, -1);
              if (nNeg === n) negBar = v[o + neg[n - 1]!]!;
            }
          }
          for (let t = 0; t < nPos + nNeg; t++) {
            const k = t < nPos ? pos[t]! : neg[t - nPos]!;
            const f = cols[k]!;
            features[t] = f;
            effects[t] = v[o + k]!;
            values[t] = Xraw[keptColumns[f]! * nRows + r]!;
          }
        }
        writeExplanation(view, r * slot, nPos, nNeg, features, values, effects);
        explanations[r] = new Uint8Array(buffer, r * slot, explanationBytes(nPos + nNeg));
      }
    }
  }
  return {
    cluster: regimes.cluster,
    distance: regimes.distance,
    unfamiliar: regimes.unfamiliar,
    prob,
    faulty,
    explanations,
  };
}

/**
 * Inserts feature f into top (length count, capacity n), ordered by sign x v[o + feature] descending; a
 * feature that does not come strictly before another stays after it, so earlier (lower) features win
 * ties. Returns the new count.
 */
function insertTop(
  top: Int32Array,
  count: number,
  n: number,
  f: number,
  v: Float64Array,
  o: number,
  sign: 1 | -1,
): number {
  const key = sign * v[o + f]!;
  if (count === n && !(key > sign * v[o + top[n - 1]!]!)) return count;
  let i = count < n ? count++ : n - 1;
  while (i > 0 && key > sign * v[o + top[i - 1]!]!) {
    top[i] = top[i - 1]!;
    i--;
  }
  top[i] = f;
  return count;
}

function selectRowsOf(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  rows: number[],
  out?: Float64Array,
): Float64Array {
  const m = rows.length;
  // Every row, in order (one regime, or the global model's only group): the matrix itself.
  if (m === nRows && (m === 0 || rows[m - 1] === m - 1)) return X;
  out ??= new Float64Array(m * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const src = f * nRows;
    const dst = f * m;
    for (let i = 0; i < m; i++) out[dst + i] = X[src + rows[i]!]!;
  }
  return out;
}

/** Raw model output for rows of one regime (used by tests to check explanations sum to the output). */
export function rawOutputFor(
  bundle: ModelBundle,
  cluster: number,
  Xt: Float64Array,
  nRows: number,
): Float64Array | null {
  const model = compiled(bundle).clusters[cluster];
  return model ? predictRaw(model, Xt, nRows) : null;
}
