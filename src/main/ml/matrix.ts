// Dense-matrix helpers shared by the ML modules. The project stores feature matrices column-major
// (X[f * nRows + r], NaN = missing) in Float64Array because per-column work (imputation, scaling,
// tree split search) dominates; these helpers move data between that layout and the row-major
// layout that distance computations want. Hand-written: no dependency offers typed-array column-major
// helpers, and a copy per call is what we are trying to control.
// Also home to the progress-generator convention and compact typed-array encoding for saved state.

/** Progress report yielded by long-running generators between units of work. */
export interface Progress {
  done: number;
  total: number;
  message: string;
}

/**
 * Drain a progress generator synchronously and return its result. Callers that need cancellation or
 * progress reporting iterate the generator themselves and simply stop pulling to cancel.
 */
export function run<T>(gen: Generator<Progress, T, void>, onProgress?: (p: Progress) => void): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    onProgress?.(r.value);
  }
}

/** Rows `rows` of a column-major matrix, as a new column-major matrix of rows.length rows. */
export function selectRows(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  rows: ArrayLike<number>,
): Float64Array {
  const m = rows.length;
  const out = new Float64Array(m * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const src = f * nRows;
    const dst = f * m;
    for (let i = 0; i < m; i++) out[dst + i] = X[src + rows[i]];
  }
  return out;
}

/** Columns `cols` of a column-major matrix; a column is contiguous so each is one block copy. */
export function selectColumns(X: Float64Array, nRows: number, cols: ArrayLike<number>): Float64Array {
  const out = new Float64Array(nRows * cols.length);
  for (let j = 0; j < cols.length; j++) {
    const start = cols[j] * nRows;
    out.set(X.subarray(start, start + nRows), j * nRows);
  }
  return out;
}

/** Column-major -> row-major (X[r * nFeatures + f]). Blocked over rows to keep the writes cache-local. */
export function toRowMajor(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  out?: Float64Array,
): Float64Array {
  const R = out ?? new Float64Array(nRows * nFeatures);
  const B = 64;
  for (let r0 = 0; r0 < nRows; r0 += B) {
    const r1 = Math.min(nRows, r0 + B);
    for (let f = 0; f < nFeatures; f++) {
      const src = f * nRows;
      for (let r = r0; r < r1; r++) R[r * nFeatures + f] = X[src + r];
    }
  }
  return R;
}

/** Row-major -> column-major. */
export function toColumnMajor(
  R: Float64Array,
  nRows: number,
  nFeatures: number,
  out?: Float64Array,
): Float64Array {
  const X = out ?? new Float64Array(nRows * nFeatures);
  const B = 64;
  for (let r0 = 0; r0 < nRows; r0 += B) {
    const r1 = Math.min(nRows, r0 + B);
    for (let f = 0; f < nFeatures; f++) {
      const dst = f * nRows;
      for (let r = r0; r < r1; r++) X[dst + r] = R[r * nFeatures + f];
    }
  }
  return X;
}

/** One row of a column-major matrix as a dense vector. */
export function getRow(
  X: Float64Array,
  nRows: number,
  nFeatures: number,
  r: number,
  out?: Float64Array,
): Float64Array {
  const v = out ?? new Float64Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) v[f] = X[f * nRows + r];
  return v;
}

export interface ColumnStats {
  /** Observed (non-NaN) count per column. */
  count: Int32Array;
  /** NaN when the column has no observed value. */
  mean: Float64Array;
  /** Population standard deviation (ddof = 0, as scikit-learn's StandardScaler). */
  std: Float64Array;
  min: Float64Array;
  max: Float64Array;
}

/** NaN-aware per-column statistics; two-pass variance for accuracy on large offsets (sensor values ~1e3). */
export function columnStats(X: Float64Array, nRows: number, nFeatures: number): ColumnStats {
  const count = new Int32Array(nFeatures);
  const mean = new Float64Array(nFeatures);
  const std = new Float64Array(nFeatures);
  const min = new Float64Array(nFeatures);
  const max = new Float64Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const o = f * nRows;
    let c = 0;
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < nRows; r++) {
      const v = X[o + r];
      if (v !== v) continue;
      c++;
      s += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    count[f] = c;
    if (c === 0) {
      mean[f] = std[f] = min[f] = max[f] = NaN;
      continue;
    }
    const m = s / c;
    let ss = 0;
    for (let r = 0; r < nRows; r++) {
      const v = X[o + r];
      if (v === v) ss += (v - m) * (v - m);
    }
    mean[f] = m;
    std[f] = Math.sqrt(ss / c);
    min[f] = lo;
    max[f] = hi;
  }
  return { count, mean, std, min, max };
}

/** Median of the observed values in `values` (NaN skipped); NaN when none. Does not modify input. */
export function nanMedian(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  if (n === 0) return NaN;
  const a = new Float64Array(n);
  n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) a[n++] = values[i];
  a.sort();
  return n % 2 === 1 ? a[(n - 1) / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/**
 * Typed arrays in saved state are stored as base64 of their little-endian bytes: ~1.4 bytes per byte
 * instead of ~20 for a JSON number list, and NaN/Infinity survive (JSON turns them into null).
 */
export interface EncodedArray {
  dtype: 'f64' | 'i32';
  length: number;
  b64: string;
  /** The raw bytes instead of b64 (then ''), as a stored bundle's container hands them over. */
  bytes?: Uint8Array;
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('big-endian host not supported');
}

export function encodeF64(a: Float64Array): EncodedArray {
  assertLittleEndian();
  return {
    dtype: 'f64',
    length: a.length,
    b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

export function encodeI32(a: Int32Array): EncodedArray {
  assertLittleEndian();
  return {
    dtype: 'i32',
    length: a.length,
    b64: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'),
  };
}

/** An encoded array's raw little-endian bytes (its own bytes, or decoded from b64), length checked. */
export function encodedBytes(e: EncodedArray): Uint8Array {
  const buf = e.bytes ?? Buffer.from(e.b64, 'base64');
  const expected = e.length * (e.dtype === 'f64' ? 8 : 4);
  if (buf.length !== expected)
    throw new Error(`encoded array: expected ${expected} bytes, got ${buf.length}`);
  return buf;
}

function decodeBytes(e: EncodedArray): ArrayBuffer {
  assertLittleEndian();
  const buf = encodedBytes(e);
  // Copy into a fresh, aligned ArrayBuffer: Buffer pool slices may not be 8-byte aligned.
  const ab = new ArrayBuffer(buf.length);
  new Uint8Array(ab).set(buf);
  return ab;
}

export function decodeF64(e: EncodedArray): Float64Array {
  if (e.dtype !== 'f64') throw new Error(`expected f64 array, got ${e.dtype}`);
  return new Float64Array(decodeBytes(e));
}

export function decodeI32(e: EncodedArray): Int32Array {
  if (e.dtype !== 'i32') throw new Error(`expected i32 array, got ${e.dtype}`);
  return new Int32Array(decodeBytes(e));
}
