/**
 * Reading stored rows back as matrices, and the row value format. A row's values are one blob in one of two
 * forms, told apart by length (n = feature count):
 * - exactly 8n bytes: n native Float64 values (NaN = missing); what early workspaces hold;
 * - otherwise: n scaled-decimal words (Int32, ml/csv/words.ts) followed by one Float64 for each WORD_RAW
 *   word, in order, plus 4 padding bytes should that total come to 8n. Sensor values are short decimals, so
 *   this is about half the bytes, and SQLite's write, WAL checkpoint and fsync costs scale with bytes.
 * Both decode to the exact doubles the CSV held, copied into one column-major Float64Array, the layout every
 * algorithm in src/main/ml works on.
 */
import type { Db } from '../db';
import * as W from '../../ml/csv/words';

// Module-local copies: imported bindings can compile to getter calls, which the row loops must not pay.
const WORD_MISSING = W.WORD_MISSING;
const WORD_RAW = W.WORD_RAW;

const P10 = new Float64Array(10);
for (let k = 0, p = 1; k <= 9; k++, p *= 10) P10[k] = p;

/** Bytes encodeRowValues may need for n values. */
export function rowValuesCapacity(n: number): number {
  return 12 * n + 4;
}

/**
 * Writes one row's values (scaled-decimal words, and the doubles for WORD_RAW words) into out in the stored
 * form; returns its length. out must hold rowValuesCapacity(words.length) bytes.
 */
export function encodeRowValues(words: Int32Array, values: Float64Array, out: Buffer): number {
  const n = words.length;
  out.set(new Uint8Array(words.buffer, words.byteOffset, 4 * n));
  let o = 4 * n;
  for (let k = 0; k < n; k++) {
    if ((words[k]! & 15) === WORD_RAW) {
      out.writeDoubleLE(values[k]!, o);
      o += 8;
    }
  }
  if (o === 8 * n) {
    out.writeInt32LE(0, o);
    o += 4;
  }
  return o;
}

export interface RowMatrix {
  nRows: number;
  nFeatures: number;
  /** Column-major: X[f * nRows + r]. */
  X: Float64Array;
  rowIds: Int32Array;
  wafers: string[];
  fileIds: Int32Array;
  /** 1 faulty, 0 good, 255 unlabelled. */
  labels: Uint8Array;
  /** Labels as written in the file (e.g. -1 / 1); NaN when unlabelled. */
  rawLabels: Float64Array;
}

export class RowsRepo {
  private readonly rangeStmt;
  private readonly wafersStmt;

  constructor(private readonly db: Db) {
    this.wafersStmt = db
      .prepare('SELECT wafer FROM rows WHERE file_id = ? AND row_no > ? AND row_no <= ? ORDER BY row_no')
      .pluck(true);
    this.rangeStmt = db
      .prepare(
        'SELECT id, file_id, wafer, label, faulty, vals FROM rows WHERE file_id = ? AND row_no > ? AND row_no <= ? ORDER BY row_no',
      )
      .raw(true);
  }

  /** The wafer ids of a file's rows [start, start + count) (0-based positions; rows are numbered 1..n). */
  wafers(fileId: number, start: number, count: number): string[] {
    const ids = this.wafersStmt.all(fileId, start, start + count) as string[];
    if (ids.length !== count)
      throw new Error(`File ${fileId} has ${ids.length} stored rows from row ${start + 1}, not ${count}.`);
    return ids;
  }

  countForFiles(fileIds: number[]): number {
    if (fileIds.length === 0) return 0;
    const row = this.db
      .prepare(`SELECT COUNT(*) AS n FROM rows WHERE file_id IN (${fileIds.map(() => '?').join(',')})`)
      .get(...fileIds) as { n: number };
    return row.n;
  }

  /**
   * Every row of the given files (in the given file order, then row order) as one matrix; or, with a
   * range, rows [start, start + count) of that sequence (prediction splits a file across workers).
   */
  matrixForFiles(fileIds: number[], nFeatures: number, range?: { start: number; count: number }): RowMatrix {
    const all = this.countForFiles(fileIds);
    const first = range ? Math.min(range.start, all) : 0;
    const nRows = range ? Math.max(0, Math.min(range.count, all - first)) : all;
    const X = new Float64Array(nRows * nFeatures);
    const rowIds = new Int32Array(nRows);
    const fileIdsOut = new Int32Array(nRows);
    const labels = new Uint8Array(nRows);
    const rawLabels = new Float64Array(nRows);
    const wafers: string[] = new Array<string>(nRows);
    if (nRows === 0) return { nRows, nFeatures, X, rowIds, wafers, fileIds: fileIdsOut, labels, rawLabels };
    const scratch = new Float64Array(nFeatures);
    const scratchBytes = new Uint8Array(scratch.buffer);
    const words = new Int32Array(nFeatures);
    const wordBytes = new Uint8Array(words.buffer);
    // File by file in the caller's order, so the matrix (and every seeded step on it) does not depend
    // on the order parallel imports happened to commit in. A file's rows are numbered 1..n (the
    // validator numbers every data row, and only whole files are stored), so a range is a key range
    // on the (file_id, row_no) index: rows before it are never visited (LIMIT/OFFSET made SQLite step
    // through, and read, every row before the range).
    let i = 0;
    let skip = first;
    for (const fileId of fileIds) {
      if (i >= nRows) break;
      const inFile = fileIds.length === 1 ? all : this.countForFiles([fileId]);
      if (skip >= inFile) {
        skip -= inFile;
        continue;
      }
      const offset = skip;
      skip = 0;
      const before = i;
      const want = Math.min(nRows - i, inFile - offset);
      for (const r of this.rangeStmt.iterate(fileId, offset, offset + want) as Iterable<unknown[]>) {
        const vals = r[5] as Buffer;
        if (vals.length === nFeatures * 8) {
          scratchBytes.set(vals);
          for (let f = 0; f < nFeatures; f++) X[f * nRows + i] = scratch[f]!;
        } else {
          if (vals.length < nFeatures * 4) {
            throw new Error(
              `Stored row ${String(r[0])} holds ${vals.length} bytes; too few for ${nFeatures} values.`,
            );
          }
          wordBytes.set(vals.subarray(0, nFeatures * 4));
          let o = nFeatures * 4;
          for (let f = 0; f < nFeatures; f++) {
            const w = words[f]!;
            const code = w & 15;
            let v: number;
            if (code < WORD_MISSING) v = (w >> 4) / P10[code]!;
            else if (code === WORD_MISSING) v = NaN;
            else {
              if (code !== WORD_RAW || o + 8 > vals.length)
                throw new Error(`Stored row ${String(r[0])} is damaged.`);
              v = vals.readDoubleLE(o);
              o += 8;
            }
            X[f * nRows + i] = v;
          }
        }
        rowIds[i] = r[0] as number;
        fileIdsOut[i] = r[1] as number;
        wafers[i] = r[2] as string;
        const faulty = r[4] as number | null;
        labels[i] = faulty === null ? 255 : faulty;
        rawLabels[i] = (r[3] as number | null) ?? NaN;
        i++;
      }
      if (i - before !== want) throw new Error(`File ${fileId}'s stored rows are not numbered 1..n.`);
    }
    return { nRows, nFeatures, X, rowIds, wafers, fileIds: fileIdsOut, labels, rawLabels };
  }
}
