// Classification metrics for faulty-wafer prediction (label 1 = faulty) from probabilities, plus
// threshold selection. Hand-written over typed arrays so the same code runs in the trainer worker
// and the CLI without a stats dependency. Conventions:
//  - a row is predicted faulty when prob >= threshold (so thresholds can be score values, as in ROC);
//  - ratios with a zero denominator are 0 (scikit-learn's zero_division=0), except the AUCs,
//    which are null when only one class is present (undefined, and scikit-learn raises);
//  - ROC AUC is the Mann-Whitney statistic with average ranks for ties (= trapezoidal ROC area);
//  - PR AUC is average precision exactly as scikit-learn's average_precision_score:
//    sum over distinct thresholds of (R_n - R_{n-1}) * P_n, no interpolation.

// The metric shapes are the API contract's (one definition for the engine, the runs and the UI).
import type { CurvePoint, MetricSet } from '../../shared/contract/training';

export type { CurvePoint };
export type Confusion = MetricSet['confusion'];
export type Metrics = MetricSet;

const div = (a: number, b: number): number => (b === 0 ? 0 : a / b);

function check(labels: Uint8Array, probs: Float64Array): void {
  if (labels.length !== probs.length) throw new Error('metrics: labels and probs differ in length');
  for (let i = 0; i < probs.length; i++) {
    if (Number.isNaN(probs[i])) throw new Error(`metrics: probability ${i} is NaN`);
  }
}

export function confusionAt(labels: Uint8Array, probs: Float64Array, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const pos = probs[i] >= threshold;
    if (labels[i]) {
      if (pos) tp++;
      else fn++;
    } else if (pos) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/** Distinct thresholds in decreasing order with cumulative tp/fp when predicting prob >= threshold. */
interface Sweep {
  thresholds: Float64Array;
  tp: Float64Array;
  fp: Float64Array;
  P: number;
  N: number;
}

function sweep(labels: Uint8Array, probs: Float64Array): Sweep {
  const n = labels.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => probs[b] - probs[a]);
  const th: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    const r = order[i];
    if (labels[r]) tp++;
    else fp++;
    if (i === n - 1 || probs[order[i + 1]] !== probs[r]) {
      th.push(probs[r]);
      tps.push(tp);
      fps.push(fp);
    }
  }
  return {
    thresholds: Float64Array.from(th),
    tp: Float64Array.from(tps),
    fp: Float64Array.from(fps),
    P: tp,
    N: fp,
  };
}

/** ROC AUC via Mann-Whitney U with average ranks; null when a class is absent. */
export function rocAuc(labels: Uint8Array, probs: Float64Array): number | null {
  check(labels, probs);
  const s = sweep(labels, probs);
  if (s.P === 0 || s.N === 0) return null;
  // Walking groups of tied scores from the top: each negative in a group beats no positive above it,
  // ties count one half.
  let auc = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let g = 0; g < s.thresholds.length; g++) {
    const dTp = s.tp[g] - prevTp;
    const dFp = s.fp[g] - prevFp;
    auc += dFp * (prevTp + dTp / 2);
    prevTp = s.tp[g];
    prevFp = s.fp[g];
  }
  return auc / (s.P * s.N);
}

/** scikit-learn's average_precision_score; null when there is no positive or no negative label. */
export function averagePrecision(labels: Uint8Array, probs: Float64Array): number | null {
  check(labels, probs);
  const s = sweep(labels, probs);
  if (s.P === 0 || s.N === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  for (let g = 0; g < s.thresholds.length; g++) {
    const recall = s.tp[g] / s.P;
    const precision = s.tp[g] / (s.tp[g] + s.fp[g]);
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

/** Keep at most maxPoints, always including the first and last, evenly spaced by index. */
export function downsample<T>(points: T[], maxPoints = 200): T[] {
  if (points.length <= maxPoints) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  let last = -1;
  for (let i = 0; i < maxPoints; i++) {
    const idx = Math.round(i * step);
    if (idx !== last) out.push(points[idx]);
    last = idx;
  }
  return out;
}

/** ROC points from (0,0) at threshold +Infinity to (1,1), one per distinct score. */
export function rocCurve(labels: Uint8Array, probs: Float64Array, maxPoints = 200): CurvePoint[] {
  const s = sweep(labels, probs);
  const pts: CurvePoint[] = [{ x: 0, y: 0, threshold: Infinity }];
  for (let g = 0; g < s.thresholds.length; g++) {
    pts.push({ x: div(s.fp[g], s.N), y: div(s.tp[g], s.P), threshold: s.thresholds[g] });
  }
  return downsample(pts, maxPoints);
}

/** PR points in decreasing threshold order, starting at (recall 0, precision 1) like scikit-learn's end point. */
export function prCurve(labels: Uint8Array, probs: Float64Array, maxPoints = 200): CurvePoint[] {
  const s = sweep(labels, probs);
  const pts: CurvePoint[] = [{ x: 0, y: 1, threshold: Infinity }];
  for (let g = 0; g < s.thresholds.length; g++) {
    pts.push({ x: div(s.tp[g], s.P), y: div(s.tp[g], s.tp[g] + s.fp[g]), threshold: s.thresholds[g] });
  }
  return downsample(pts, maxPoints);
}

export function metricsFromConfusion(
  c: Confusion,
): Omit<Metrics, 'threshold' | 'rocAuc' | 'prAuc' | 'rocCurve' | 'prCurve'> {
  const n = c.tp + c.fp + c.tn + c.fn;
  const precision = div(c.tp, c.tp + c.fp);
  const recall = div(c.tp, c.tp + c.fn);
  const specificity = div(c.tn, c.tn + c.fp);
  return {
    n,
    confusion: c,
    accuracy: div(c.tp + c.tn, n),
    balancedAccuracy: (recall + specificity) / 2,
    precision,
    recall,
    f1: div(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    specificity,
    npv: div(c.tn, c.tn + c.fn),
    failRateActual: div(c.tp + c.fn, n),
    failRatePredicted: div(c.tp + c.fp, n),
  };
}

export function computeMetrics(
  labels: Uint8Array,
  probs: Float64Array,
  threshold = 0.5,
  maxCurvePoints = 200,
): Metrics {
  check(labels, probs);
  return {
    threshold,
    ...metricsFromConfusion(confusionAt(labels, probs, threshold)),
    rocAuc: rocAuc(labels, probs),
    prAuc: averagePrecision(labels, probs),
    rocCurve: rocCurve(labels, probs, maxCurvePoints),
    prCurve: prCurve(labels, probs, maxCurvePoints),
  };
}

export type ThresholdRule =
  | { kind: 'fixed'; threshold?: number }
  | { kind: 'maxF1' }
  | { kind: 'youden' }
  | { kind: 'recall'; minRecall: number };

export interface ThresholdChoice {
  threshold: number;
  /** The optimised quantity at the threshold (F1, Youden's J, recall), or NaN for 'fixed'. */
  value: number;
  /** Set when the rule could not be applied and 0.5 was used instead. */
  note?: string;
}

/**
 * Threshold from validation labels and probabilities. Candidates are the distinct scores; among equally
 * good candidates the highest threshold wins (fewest wafers flagged for the same score).
 */
export function chooseThreshold(
  labels: Uint8Array,
  probs: Float64Array,
  rule: ThresholdRule,
): ThresholdChoice {
  check(labels, probs);
  if (rule.kind === 'fixed') return { threshold: rule.threshold ?? 0.5, value: NaN };
  const s = sweep(labels, probs);
  if (s.P === 0 || (rule.kind === 'youden' && s.N === 0)) {
    return {
      threshold: 0.5,
      value: NaN,
      note: `rule '${rule.kind}' needs both classes in the labels; used 0.5`,
    };
  }
  let bestT = 0.5;
  let bestV = -Infinity;
  for (let g = 0; g < s.thresholds.length; g++) {
    const tp = s.tp[g];
    const fp = s.fp[g];
    const recall = tp / s.P;
    if (rule.kind === 'recall') {
      // Recall only grows as the threshold drops, so the first hit is the highest threshold.
      if (recall >= rule.minRecall) return { threshold: s.thresholds[g], value: recall };
      continue;
    }
    const v = rule.kind === 'maxF1' ? (2 * tp) / (2 * tp + fp + (s.P - tp)) : recall - fp / s.N;
    if (v > bestV) {
      bestV = v;
      bestT = s.thresholds[g];
    }
  }
  if (rule.kind === 'recall') {
    return { threshold: 0.5, value: NaN, note: `recall ${rule.minRecall} is unreachable; used 0.5` };
  }
  return { threshold: bestT, value: bestV };
}
