/**
 * Prediction history: batches and their rows. A batch's rows are written per file inside one
 * transaction; a cancelled or failed batch is deleted whole (rows cascade). History queries page with
 * LIMIT/OFFSET on indexed columns so 100,000 rows browse smoothly.
 */
import { writeWithoutWaiting, type Db } from '../db';
import type {
  BatchDetail,
  BatchSummary,
  Explanation,
  HistoryFilter,
  IngestFileResult,
  PredictionDetail,
  PredictionRow,
  PredictionSource,
} from '../../../shared/contract';

export interface NewPrediction {
  fileId: number | null;
  fileName: string | null;
  rowNo: number | null;
  wafer: string;
  cluster: number;
  distance: number;
  unfamiliar: boolean;
  probability: number;
  faulty: boolean;
  label: number | string;
  /** The row's explanation in its stored form (ml/pipeline/explanation.ts), as predictWithBundle writes it. */
  explanation: Uint8Array | null;
}

interface RawBatch {
  id: number;
  status: BatchSummary['status'];
  source: PredictionSource;
  model_version: number;
  file_results: string;
  threshold: number;
  files: number;
  rows: number;
  faulty: number;
  unfamiliar: number;
  created_at: string;
  finished_at: string | null;
}

interface RawPrediction {
  id: number;
  batch_id: number;
  file_name: string | null;
  row_no: number | null;
  wafer: string;
  cluster: number;
  distance: number;
  unfamiliar: number;
  probability: number;
  faulty: number;
  label: string;
  threshold: number;
  model_version: number;
  source: PredictionSource;
  created_at: string;
  model_version_id?: number;
  /** Stored form (a Buffer); JSON text in rows written before that form existed. */
  explanation?: Uint8Array | string | null;
}

/**
 * Turns a stored explanation into the contract's, for a row scored by model version `modelVersionId`
 * (its id) in regime `cluster`: the names and ranges are the model's (services/predict.ts).
 */
export type ExplanationReader = (stored: Uint8Array, modelVersionId: number, cluster: number) => Explanation;

const BATCH_SELECT = `SELECT b.*, v.version AS model_version FROM prediction_batches b JOIN model_versions v ON v.id = b.model_version_id`;
const ROW_COLUMNS = `p.id, p.batch_id, p.file_name, p.row_no, p.wafer, p.cluster, p.distance, p.unfamiliar, p.probability, p.faulty,
  p.label, p.threshold, v.version AS model_version, p.source, p.created_at`;

export class PredictionsRepo {
  private readonly insertRows;
  constructor(private readonly db: Db) {
    const insert = db.prepare(`INSERT INTO predictions (batch_id, file_id, file_name, row_no, wafer, cluster, distance, unfamiliar,
      probability, faulty, label, threshold, model_version_id, source, created_at, explanation)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertRows = db.transaction(
      (batchId: number, modelVersionId: number, threshold: number, source: PredictionSource, rows: NewPrediction[]) => {
        const now = new Date().toISOString();
        for (const r of rows) {
          insert.run(
            batchId,
            r.fileId,
            r.fileName,
            r.rowNo,
            r.wafer,
            r.cluster,
            r.distance,
            r.unfamiliar ? 1 : 0,
            r.probability,
            r.faulty ? 1 : 0,
            String(r.label),
            threshold,
            modelVersionId,
            source,
            now,
            r.explanation,
          );
        }
      },
    );
  }

  startBatch(b: { source: PredictionSource; modelVersionId: number; threshold: number; ingestBatch: string | null }): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO prediction_batches (status, source, model_version_id, ingest_batch, threshold, created_at) VALUES ('running', ?, ?, ?, ?, ?)`,
        )
        .run(b.source, b.modelVersionId, b.ingestBatch, b.threshold, new Date().toISOString()).lastInsertRowid,
    );
  }

  /** Adds rows of one file (or one typed row) to a batch in one transaction. */
  addRows(batchId: number, modelVersionId: number, threshold: number, source: PredictionSource, rows: NewPrediction[]): void {
    this.insertRows(batchId, modelVersionId, threshold, source, rows);
  }

  /**
   * addRows without waiting for the write lock: false, and nothing written, when another connection
   * holds it (an import writing a file). A scorer then keeps the rows and scores its next part instead
   * of sleeping in SQLite's busy handler, which back-to-back import transactions can starve for as long
   * as the import lasts.
   */
  tryAddRows(batchId: number, modelVersionId: number, threshold: number, source: PredictionSource, rows: NewPrediction[]): boolean {
    return writeWithoutWaiting(this.db, () => this.insertRows.immediate(batchId, modelVersionId, threshold, source, rows));
  }

  finishBatch(batchId: number, fileResults: IngestFileResult[], files: number): void {
    this.db
      .prepare(
        `UPDATE prediction_batches SET status = 'succeeded', file_results = ?, files = ?, finished_at = ?,
          rows = (SELECT COUNT(*) FROM predictions WHERE batch_id = ?),
          faulty = (SELECT COUNT(*) FROM predictions WHERE batch_id = ? AND faulty = 1),
          unfamiliar = (SELECT COUNT(*) FROM predictions WHERE batch_id = ? AND unfamiliar = 1)
        WHERE id = ?`,
      )
      .run(JSON.stringify(fileResults), files, new Date().toISOString(), batchId, batchId, batchId, batchId);
  }

  deleteBatch(batchId: number): void {
    this.db.transaction(() => this.db.prepare('DELETE FROM prediction_batches WHERE id = ?').run(batchId))();
  }

  failOrphans(): number {
    return this.db.transaction(() => this.db.prepare("DELETE FROM prediction_batches WHERE status = 'running'").run().changes)();
  }

  batches(limit: number): BatchSummary[] {
    return (this.db.prepare(`${BATCH_SELECT} WHERE b.status = 'succeeded' ORDER BY b.id DESC LIMIT ?`).all(limit) as RawBatch[]).map(toBatch);
  }

  batch(id: number): BatchDetail | null {
    const row = this.db.prepare(`${BATCH_SELECT} WHERE b.id = ?`).get(id) as RawBatch | undefined;
    if (!row) return null;
    return { ...toBatch(row), fileResults: JSON.parse(row.file_results) as IngestFileResult[], threshold: row.threshold };
  }

  private where(filter: HistoryFilter): { clause: string; params: (string | number)[] } {
    const where: string[] = ["b.status = 'succeeded'"];
    const params: (string | number)[] = [];
    if (filter.batchId) {
      where.push('p.batch_id = ?');
      params.push(filter.batchId);
    }
    if (filter.from) {
      where.push('p.created_at >= ?');
      params.push(new Date(filter.from).toISOString());
    }
    if (filter.to) {
      where.push('p.created_at <= ?');
      params.push(new Date(filter.to).toISOString());
    }
    if (filter.source) {
      where.push('p.source = ?');
      params.push(filter.source);
    }
    if (filter.file) {
      where.push("p.file_name LIKE ? ESCAPE '\\'");
      params.push(`%${filter.file.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (filter.result === 'faulty') where.push('p.faulty = 1');
    if (filter.result === 'good') where.push('p.faulty = 0');
    if (filter.result === 'unfamiliar') where.push('p.unfamiliar = 1');
    if (filter.modelVersion) {
      where.push('v.version = ?');
      params.push(filter.modelVersion);
    }
    return { clause: `WHERE ${where.join(' AND ')}`, params };
  }

  history(filter: HistoryFilter & { limit: number; offset: number; order?: 'recent' | 'risk' }): { rows: PredictionRow[]; total: number } {
    const { clause, params } = this.where(filter);
    const from = `FROM predictions p JOIN prediction_batches b ON b.id = p.batch_id JOIN model_versions v ON v.id = p.model_version_id ${clause}`;
    const total = (this.db.prepare(`SELECT COUNT(*) AS n ${from}`).get(...params) as { n: number }).n;
    const order = filter.order === 'risk' ? 'p.faulty DESC, p.probability DESC, p.id' : 'p.id DESC';
    const rows = this.db
      .prepare(`SELECT ${ROW_COLUMNS} ${from} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as RawPrediction[];
    return { rows: rows.map(toRow), total };
  }

  /** Every row of a batch with its explanation, riskiest first (reports and CSV). */
  *batchRows(batchId: number, read: ExplanationReader): Generator<PredictionDetail> {
    const stmt = this.db.prepare(
      `SELECT ${ROW_COLUMNS}, p.model_version_id, p.explanation FROM predictions p JOIN model_versions v ON v.id = p.model_version_id
       WHERE p.batch_id = ? ORDER BY p.faulty DESC, p.probability DESC, p.id`,
    );
    for (const r of stmt.iterate(batchId) as Iterable<RawPrediction>) yield toDetail(r, read);
  }

  row(id: number, read: ExplanationReader): PredictionDetail | null {
    const r = this.db
      .prepare(
        `SELECT ${ROW_COLUMNS}, p.model_version_id, p.explanation FROM predictions p JOIN model_versions v ON v.id = p.model_version_id WHERE p.id = ?`,
      )
      .get(id) as RawPrediction | undefined;
    return r ? toDetail(r, read) : null;
  }

  failRate(filter: HistoryFilter, bucket: 'hour' | 'day' | 'week'): { bucket: string; rows: number; faulty: number; unfamiliar: number }[] {
    const { clause, params } = this.where(filter);
    const key =
      bucket === 'hour'
        ? "strftime('%Y-%m-%dT%H:00:00Z', p.created_at)"
        : bucket === 'day'
          ? "strftime('%Y-%m-%d', p.created_at)"
          : "date(p.created_at, '-6 days', 'weekday 1')";
    return this.db
      .prepare(
        `SELECT ${key} AS bucket, COUNT(*) AS rows, SUM(p.faulty) AS faulty, SUM(p.unfamiliar) AS unfamiliar
         FROM predictions p JOIN prediction_batches b ON b.id = p.batch_id JOIN model_versions v ON v.id = p.model_version_id ${clause}
         GROUP BY bucket ORDER BY bucket`,
      )
      .all(...params) as { bucket: string; rows: number; faulty: number; unfamiliar: number }[];
  }

  /** The files a batch's predictions came from, in the order their rows were first scored. */
  filesOfBatch(batchId: number): number[] {
    return (
      this.db
        .prepare('SELECT file_id AS fileId FROM predictions WHERE batch_id = ? AND file_id IS NOT NULL GROUP BY file_id ORDER BY MIN(id)')
        .all(batchId) as { fileId: number }[]
    ).map((r) => r.fileId);
  }

  /** Files whose rows a model version scored since `from` (ISO time), most recently scored first. */
  recentFilesOf(modelVersionId: number, from: string): { fileId: number; rows: number }[] {
    return this.db
      .prepare(
        `SELECT p.file_id AS fileId, COUNT(*) AS rows FROM predictions p JOIN prediction_batches b ON b.id = p.batch_id
         WHERE b.status = 'succeeded' AND p.model_version_id = ? AND p.created_at >= ? AND p.file_id IS NOT NULL
         GROUP BY p.file_id ORDER BY MAX(p.id) DESC`,
      )
      .all(modelVersionId, from) as { fileId: number; rows: number }[];
  }

  /** A model version's predictions since `from` (ISO time) per regime: rows, predicted faulty, unfamiliar. */
  regimeMix(modelVersionId: number, from: string): { cluster: number; rows: number; faulty: number; unfamiliar: number }[] {
    return this.db
      .prepare(
        `SELECT p.cluster AS cluster, COUNT(*) AS rows, SUM(p.faulty) AS faulty, SUM(p.unfamiliar) AS unfamiliar
         FROM predictions p JOIN prediction_batches b ON b.id = p.batch_id
         WHERE b.status = 'succeeded' AND p.model_version_id = ? AND p.created_at >= ?
         GROUP BY p.cluster ORDER BY p.cluster`,
      )
      .all(modelVersionId, from) as { cluster: number; rows: number; faulty: number; unfamiliar: number }[];
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;
  }

  /** Rows written to a batch so far (the service checks every part was scored before finishing). */
  batchRowCount(batchId: number): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM predictions WHERE batch_id = ?').get(batchId) as { n: number }).n;
  }
}

function toBatch(r: RawBatch): BatchSummary {
  return {
    id: r.id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    status: r.status,
    source: r.source,
    modelVersion: r.model_version,
    files: r.files,
    rows: r.rows,
    faulty: r.faulty,
    unfamiliar: r.unfamiliar,
  };
}

function parseLabel(text: string): number | string {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function toRow(r: RawPrediction): PredictionRow {
  return {
    id: r.id,
    batchId: r.batch_id,
    fileName: r.file_name,
    rowNo: r.row_no,
    wafer: r.wafer,
    cluster: r.cluster,
    distance: r.distance,
    unfamiliar: r.unfamiliar === 1,
    probability: r.probability,
    faulty: r.faulty === 1,
    label: parseLabel(r.label),
    threshold: r.threshold,
    modelVersion: r.model_version,
    source: r.source,
    createdAt: r.created_at,
  };
}

function toDetail(r: RawPrediction, read: ExplanationReader): PredictionDetail {
  const stored = r.explanation;
  let explanation: Explanation | null = null;
  if (typeof stored === 'string') explanation = JSON.parse(stored) as Explanation;
  else if (stored) explanation = read(stored, r.model_version_id!, r.cluster);
  return { ...toRow(r), explanation };
}
