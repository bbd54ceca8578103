/**
 * Imported files, their rows and the quarantine. A good file's rows are written inside one transaction
 * (the caller's), so a file lands whole or not at all; a bad file is kept whole, gzip-compressed, with
 * its reasons. Files are unique per kind by SHA-256, so importing the same bytes again adds nothing.
 */
import type { Db } from '../db';
import type { FileRecord } from '../../../shared/contract';
import type { Reason, SchemaKind } from '../../../shared/schema';

export interface NewFile {
  kind: SchemaKind;
  name: string;
  bytes: number;
  schemaId: number;
  batch: string;
  sourcePath: string | null;
}

export interface FileListFilter {
  kind?: SchemaKind;
  status?: 'good' | 'bad';
  search?: string;
  batch?: string;
  limit: number;
  offset: number;
}

interface RawFile {
  id: number;
  kind: SchemaKind;
  name: string;
  sha256: string;
  bytes: number;
  status: 'good' | 'bad';
  rows: number;
  schema_id: number;
  schema_version: number;
  reasons: string;
  label_good: number | null;
  label_faulty: number | null;
  batch: string;
  imported_at: string;
}

const SELECT_FILE = `SELECT f.id, f.kind, f.name, f.sha256, f.bytes, f.status, f.rows, f.schema_id, s.version AS schema_version,
  f.reasons, f.label_good, f.label_faulty, f.batch, f.imported_at FROM files f JOIN schemas s ON s.id = f.schema_id`;

export class FilesRepo {
  private readonly insertFileStmt;
  private readonly finishStmt;
  private readonly insertRowStmt;
  private readonly bySha;
  private readonly badBySha;
  private readonly quarantineStmt;
  private readonly quarantinedStmt;
  private readonly deleteBatchStmt;
  private readonly byIdStmt;

  constructor(private readonly db: Db) {
    this.insertFileStmt = db.prepare(`INSERT INTO files (kind, name, sha256, bytes, status, rows, schema_id, reasons, batch, source_path, imported_at)
      VALUES (@kind, @name, @sha256, @bytes, @status, 0, @schemaId, @reasons, @batch, @sourcePath, @importedAt)`);
    this.finishStmt = db.prepare(
      'UPDATE files SET sha256 = ?, status = ?, rows = ?, reasons = ?, label_good = ?, label_faulty = ? WHERE id = ?',
    );
    this.insertRowStmt = db.prepare(
      'INSERT INTO rows (file_id, row_no, wafer, label, faulty, vals) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.bySha = db.prepare("SELECT id, name FROM files WHERE kind = ? AND sha256 = ? AND status = 'good'");
    this.badBySha = db.prepare("SELECT id FROM files WHERE kind = ? AND sha256 = ? AND name = ? AND status = 'bad'");
    this.quarantineStmt = db.prepare('INSERT INTO quarantine (file_id, content) VALUES (?, ?)');
    this.quarantinedStmt = db.prepare(
      'SELECT f.name, q.content FROM quarantine q JOIN files f ON f.id = q.file_id WHERE q.file_id = ?',
    );
    this.deleteBatchStmt = db.prepare('DELETE FROM files WHERE batch = ?');
    this.byIdStmt = db.prepare(`${SELECT_FILE} WHERE f.id = ?`);
  }

  /** The good file with these bytes, if any: importing them again adds nothing. */
  findBySha(kind: SchemaKind, sha256: string): { id: number; name: string } | null {
    return (this.bySha.get(kind, sha256) as { id: number; name: string } | undefined) ?? null;
  }

  /** The quarantined file with this name and these bytes, if any (re-dropping it adds no second copy). */
  findBad(kind: SchemaKind, sha256: string, name: string): number | null {
    return (this.badBySha.get(kind, sha256, name) as { id: number } | undefined)?.id ?? null;
  }

  /** Starts a good file; its sha256 is a placeholder until finishGood (the bytes are still streaming). */
  startFile(file: NewFile, placeholderSha: string): number {
    const info = this.insertFileStmt.run({
      ...file,
      sha256: placeholderSha,
      status: 'good',
      reasons: '[]',
      importedAt: new Date().toISOString(),
    });
    return Number(info.lastInsertRowid);
  }

  insertRow(fileId: number, rowNo: number, wafer: string, label: number | null, faulty: boolean | null, vals: Buffer): void {
    this.insertRowStmt.run(fileId, rowNo, wafer, label, faulty === null ? null : faulty ? 1 : 0, vals);
  }

  finishGood(fileId: number, sha256: string, rows: number, labels: { good: number; faulty: number } | null): void {
    this.finishStmt.run(sha256, 'good', rows, '[]', labels?.good ?? null, labels?.faulty ?? null, fileId);
  }

  /** Records a bad file with its reasons and its bytes (gzip) in quarantine, in one transaction. */
  addBad(file: NewFile, sha256: string, rows: number, reasons: Reason[], gzipped: Buffer): number {
    return this.db.transaction(() => {
      const info = this.insertFileStmt.run({
        ...file,
        sha256,
        status: 'bad',
        reasons: JSON.stringify(reasons),
        importedAt: new Date().toISOString(),
      });
      const id = Number(info.lastInsertRowid);
      this.finishStmt.run(sha256, 'bad', rows, JSON.stringify(reasons), null, null, id);
      this.quarantineStmt.run(id, gzipped);
      return id;
    })();
  }

  quarantined(fileId: number): { name: string; content: Buffer } | null {
    return (this.quarantinedStmt.get(fileId) as { name: string; content: Buffer } | undefined) ?? null;
  }

  get(id: number): FileRecord | null {
    const row = this.byIdStmt.get(id) as RawFile | undefined;
    return row ? toRecord(row) : null;
  }

  /** Removes everything one import batch added (a cancelled or failed import leaves nothing behind). */
  deleteBatch(batch: string): number {
    return this.db.transaction(() => this.deleteBatchStmt.run(batch).changes)();
  }

  list(filter: FileListFilter): { files: FileRecord[]; total: number } {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.kind) {
      where.push('f.kind = ?');
      params.push(filter.kind);
    }
    if (filter.status) {
      where.push('f.status = ?');
      params.push(filter.status);
    }
    if (filter.batch) {
      where.push('f.batch = ?');
      params.push(filter.batch);
    }
    if (filter.search) {
      where.push("f.name LIKE ? ESCAPE '\\'");
      params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM files f ${clause}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`${SELECT_FILE} ${clause} ORDER BY f.imported_at DESC, f.id DESC LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as RawFile[];
    return { files: rows.map(toRecord), total };
  }

  summary(): {
    good: number;
    bad: number;
    rowsTraining: number;
    rowsPrediction: number;
    labelGood: number;
    labelFaulty: number;
    lastImport: string | null;
  } {
    return this.db
      .prepare(
        `SELECT
          COALESCE(SUM(status = 'good'), 0) AS good,
          COALESCE(SUM(status = 'bad'), 0) AS bad,
          COALESCE(SUM(CASE WHEN status = 'good' AND kind = 'training' THEN rows END), 0) AS rowsTraining,
          COALESCE(SUM(CASE WHEN status = 'good' AND kind = 'prediction' THEN rows END), 0) AS rowsPrediction,
          COALESCE(SUM(CASE WHEN kind = 'training' THEN label_good END), 0) AS labelGood,
          COALESCE(SUM(CASE WHEN kind = 'training' THEN label_faulty END), 0) AS labelFaulty,
          MAX(imported_at) AS lastImport
        FROM files`,
      )
      .get() as ReturnType<FilesRepo['summary']>;
  }

  /** Files of a kind imported since `from` (ISO time): their UTC day, verdict and reasons (JSON text). */
  importedSince(kind: SchemaKind, from: string): { day: string; status: 'good' | 'bad'; reasons: string }[] {
    return this.db
      .prepare('SELECT substr(imported_at, 1, 10) AS day, status, reasons FROM files WHERE kind = ? AND imported_at >= ? ORDER BY imported_at')
      .all(kind, from) as { day: string; status: 'good' | 'bad'; reasons: string }[];
  }

  /** The good file of a kind holding these bytes, if any. */
  goodBySha(kind: SchemaKind, sha256: string): { id: number; rows: number } | null {
    return (
      (this.db.prepare("SELECT id, rows FROM files WHERE kind = ? AND sha256 = ? AND status = 'good'").get(kind, sha256) as
        | { id: number; rows: number }
        | undefined) ?? null
    );
  }

  /** Good files of a kind in a stable order (name, then bytes): the data a training run reads. */
  goodFiles(kind: SchemaKind): { id: number; name: string; sha256: string; rows: number; schemaId: number }[] {
    return this.db
      .prepare("SELECT id, name, sha256, rows, schema_id AS schemaId FROM files WHERE kind = ? AND status = 'good' ORDER BY name, sha256")
      .all(kind) as { id: number; name: string; sha256: string; rows: number; schemaId: number }[];
  }
}

function toRecord(r: RawFile): FileRecord {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    status: r.status,
    rows: r.rows,
    bytes: r.bytes,
    sha256: r.sha256,
    schemaId: r.schema_id,
    schemaVersion: r.schema_version,
    importedAt: r.imported_at,
    batch: r.batch,
    reasons: JSON.parse(r.reasons) as Reason[],
    labelCounts: r.label_good === null ? null : { good: r.label_good, faulty: r.label_faulty ?? 0 },
  };
}
