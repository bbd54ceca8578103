// Elbow choice for the k-means WCSS curve: Kneedle (Satopaa et al. 2011) reproducing the python
// `kneed` package's KneeLocator(x, y, S, curve, direction, interp_method='interp1d', online=False),
// which the reference pipeline used. Hand-written: it is ~60 lines and no maintained JS port exists.
// Steps as in kneed: min-max normalise x and y; convert to a concave increasing shape
// (convex+decreasing: y -> max(y) - y; concave+decreasing: reverse y; convex+increasing: both);
// difference curve yd = y - x; local maxima/minima with scipy.signal.argrelextrema(greater_equal /
// less_equal, mode 'clip', so ends compare with themselves); threshold per maximum
// T = yd_max - S * mean(|diff(x_norm)|); walking right from the first maximum, the first point whose
// successor drops below the current threshold (reset to 0 after a local minimum) is the knee.
// Returns null when kneed would return None, so the caller can apply its own default k.

export type KneeCurve = 'convex' | 'concave';
export type KneeDirection = 'decreasing' | 'increasing';

export interface KneeOptions {
  curve?: KneeCurve;
  direction?: KneeDirection;
  /** Sensitivity, default 1 (kneed and the paper). */
  S?: number;
}

export interface KneeResult {
  /** x value of the knee, or null when none is found. */
  knee: number | null;
  /** Index of the knee in x, or -1. */
  index: number;
  /** Normalised difference curve (for plotting / diagnostics). */
  difference: number[];
}

function normalize(a: number[]): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // kneed divides by zero here (NaNs -> no knee); mirror with NaN so a flat curve yields null.
  return a.map((v) => (v - lo) / (hi - lo));
}

function relExtrema(y: number[], cmp: (a: number, b: number) => boolean): number[] {
  const n = y.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const prev = y[Math.max(0, i - 1)];
    const next = y[Math.min(n - 1, i + 1)];
    if (cmp(y[i], prev) && cmp(y[i], next)) out.push(i);
  }
  return out;
}

export function findKnee(x: ArrayLike<number>, y: ArrayLike<number>, options: KneeOptions = {}): KneeResult {
  const curve = options.curve ?? 'convex';
  const direction = options.direction ?? 'decreasing';
  const S = options.S ?? 1;
  const xs = Array.from(x);
  const ys = Array.from(y);
  if (xs.length !== ys.length) throw new Error('findKnee: x and y differ in length');
  const none: KneeResult = { knee: null, index: -1, difference: [] };
  if (xs.length < 3) return none;
  for (let i = 1; i < xs.length; i++) {
    // interp1d requires increasing x; the elbow always passes k = kMin..kMax.
    if (!(xs[i] > xs[i - 1])) throw new Error('findKnee: x must be strictly increasing');
  }

  const xn = normalize(xs);
  let yn = normalize(ys);
  if (direction === 'decreasing') {
    if (curve === 'concave') yn = yn.slice().reverse();
    else {
      const m = Math.max(...yn);
      yn = yn.map((v) => m - v);
    }
  } else if (curve === 'convex') {
    const m = Math.max(...yn);
    yn = yn.map((v) => m - v).reverse();
  }
  const yd = yn.map((v, i) => v - xn[i]);
  if (yd.some((v) => Number.isNaN(v))) return { ...none, difference: yd };

  const maxima = relExtrema(yd, (a, b) => a >= b);
  const minima = new Set(relExtrema(yd, (a, b) => a <= b));
  if (maxima.length === 0) return { ...none, difference: yd };
  let meanStep = 0;
  for (let i = 1; i < xn.length; i++) meanStep += xn[i] - xn[i - 1];
  meanStep = Math.abs(meanStep / (xn.length - 1));
  const Tmx = maxima.map((i) => yd[i] - S * meanStep);
  const isMax = new Map<number, number>();
  maxima.forEach((i, t) => isMax.set(i, t));

  let threshold = 0;
  let thresholdIndex = 0;
  for (let i = maxima[0]; i < xs.length - 1; i++) {
    const t = isMax.get(i);
    if (t !== undefined) {
      threshold = Tmx[t];
      thresholdIndex = i;
    }
    if (minima.has(i)) threshold = 0;
    if (yd[i + 1] < threshold) {
      // Which x the knee maps back to depends on whether y was reversed above (kneed's rules).
      const reversed = (curve === 'convex') !== (direction === 'decreasing');
      const index = reversed ? xs.length - 1 - thresholdIndex : thresholdIndex;
      return { knee: xs[index], index, difference: yd };
    }
  }
  return { ...none, difference: yd };
}

/** The reference's call: KneeLocator(ks, wcss, curve='convex', direction='decreasing').knee. */
export function elbowK(ks: ArrayLike<number>, wcss: ArrayLike<number>, S = 1): number | null {
  return findKnee(ks, wcss, { curve: 'convex', direction: 'decreasing', S }).knee;
}
