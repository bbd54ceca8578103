/**
 * Reading stored rows back as matrices. Values are Float64 blobs (NaN = missing); they are copied into
 * one column-major Float64Array, the layout every algorithm in src/main/ml works on.
 */
import type { Db } from '../db';

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
  constructor(private readonly db: Db) {}

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
    // File by file in the caller's order, so the matrix (and every seeded step on it) does not depend
    // on the order parallel imports happened to commit in.
    const stmt = this.db
      .prepare('SELECT id, file_id, wafer, label, faulty, vals FROM rows WHERE file_id = ? ORDER BY row_no')
      .raw(true);
    let i = 0;
    let seen = 0;
    outer: for (const fileId of fileIds) for (const r of stmt.iterate(fileId) as Iterable<unknown[]>) {
      if (seen++ < first) continue;
      if (i >= nRows) break outer;
      const vals = r[5] as Buffer;
      if (vals.length !== nFeatures * 8) {
        throw new Error(`Stored row ${String(r[0])} has ${vals.length / 8} values; expected ${nFeatures}.`);
      }
      scratchBytes.set(vals);
      for (let f = 0; f < nFeatures; f++) X[f * nRows + i] = scratch[f]!;
      rowIds[i] = r[0] as number;
      fileIdsOut[i] = r[1] as number;
      wafers[i] = r[2] as string;
      const faulty = r[4] as number | null;
      labels[i] = faulty === null ? 255 : faulty;
      rawLabels[i] = (r[3] as number | null) ?? NaN;
      i++;
    }
    return { nRows, nFeatures, X, rowIds, wafers, fileIds: fileIdsOut, labels, rawLabels };
  }
}
