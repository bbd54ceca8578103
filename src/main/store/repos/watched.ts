/** The watched folder's ledger (migration 008): which files of a folder were handled, as they were then. */
import type { Db } from '../db';

export type WatchedOutcome = 'good' | 'bad' | 'duplicate' | 'skipped';

export interface WatchedFile {
  name: string;
  size: number;
  mtimeMs: number;
  batchId: number | null;
  outcome: WatchedOutcome;
  handledAt: string;
}

interface WatchedRow {
  name: string;
  size: number;
  mtime_ms: number;
  batch_id: number | null;
  outcome: WatchedOutcome;
  handled_at: string;
}

function fromRow(r: WatchedRow): WatchedFile {
  return { name: r.name, size: r.size, mtimeMs: r.mtime_ms, batchId: r.batch_id, outcome: r.outcome, handledAt: r.handled_at };
}

export class WatchedFilesRepo {
  private readonly ofFolderStmt;
  private readonly upsertStmt;
  private readonly countStmt;
  private readonly recentStmt;
  private readonly recordAll;
  constructor(db: Db) {
    this.ofFolderStmt = db.prepare('SELECT name, size, mtime_ms, batch_id, outcome, handled_at FROM watched_files WHERE folder = ?');
    this.countStmt = db.prepare('SELECT outcome, COUNT(*) AS n FROM watched_files WHERE folder = ? GROUP BY outcome');
    this.recentStmt = db.prepare(
      'SELECT name, size, mtime_ms, batch_id, outcome, handled_at FROM watched_files WHERE folder = ? ORDER BY handled_at DESC, name LIMIT ?',
    );
    this.upsertStmt = db.prepare(`INSERT INTO watched_files (folder, name, size, mtime_ms, batch_id, outcome, handled_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (folder, name) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
        batch_id = excluded.batch_id, outcome = excluded.outcome, handled_at = excluded.handled_at`);
    this.recordAll = db.transaction((folder: string, files: WatchedFile[]) => {
      for (const f of files) this.upsertStmt.run(folder, f.name, f.size, f.mtimeMs, f.batchId, f.outcome, f.handledAt);
    });
  }

  /** Every file of the folder handled so far, by name. */
  ofFolder(folder: string): Map<string, WatchedFile> {
    const rows = this.ofFolderStmt.all(folder) as WatchedRow[];
    return new Map(rows.map((r) => [r.name, fromRow(r)]));
  }

  /** The folder's most recently handled files, newest first. */
  recent(folder: string, limit: number): WatchedFile[] {
    return (this.recentStmt.all(folder, limit) as WatchedRow[]).map(fromRow);
  }

  /** Records files as handled, in one transaction. */
  record(folder: string, files: WatchedFile[]): void {
    if (files.length > 0) this.recordAll(folder, files);
  }

  /** How many of the folder's files ended each way. */
  counts(folder: string): Record<WatchedOutcome, number> {
    const counts: Record<WatchedOutcome, number> = { good: 0, bad: 0, duplicate: 0, skipped: 0 };
    for (const r of this.countStmt.all(folder) as { outcome: WatchedOutcome; n: number }[]) counts[r.outcome] = r.n;
    return counts;
  }
}
