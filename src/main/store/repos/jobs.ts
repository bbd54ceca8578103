/** Job history: every job's final state is kept so the UI and CLI can show what ran and how it ended. */
import type { Db } from '../db';
import type { JobInfo } from '../../../shared/contract';

interface JobRow {
  id: string;
  kind: string;
  title: string;
  status: JobInfo['status'];
  progress: string;
  created_at: string;
  finished_at: string | null;
  error: string | null;
  result: string | null;
}

export class JobsRepo {
  private readonly upsertStmt;
  private readonly recentStmt;
  private readonly getStmt;
  private readonly orphanStmt;
  constructor(db: Db) {
    this.upsertStmt = db.prepare(`INSERT INTO jobs (id, kind, title, status, progress, created_at, finished_at, error, result)
      VALUES (@id, @kind, @title, @status, @progress, @created_at, @finished_at, @error, @result)
      ON CONFLICT (id) DO UPDATE SET status = excluded.status, progress = excluded.progress,
        finished_at = excluded.finished_at, error = excluded.error, result = excluded.result`);
    this.recentStmt = db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?');
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.orphanStmt = db.prepare(
      "UPDATE jobs SET status = 'failed', finished_at = ?, error = ? WHERE status IN ('queued', 'running')",
    );
  }

  save(job: JobInfo): void {
    this.upsertStmt.run({
      id: job.id,
      kind: job.kind,
      title: job.title,
      status: job.status,
      progress: JSON.stringify(job.progress),
      created_at: job.createdAt,
      finished_at: job.finishedAt,
      error: job.error ? JSON.stringify(job.error) : null,
      result: job.result === undefined || job.result === null ? null : JSON.stringify(job.result),
    });
  }

  recent(limit: number): JobInfo[] {
    return (this.recentStmt.all(limit) as JobRow[]).map(toJob);
  }

  get(id: string): JobInfo | null {
    const row = this.getStmt.get(id) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** Jobs left running by a process that died are marked failed when the workspace opens again. */
  failOrphans(): number {
    return this.orphanStmt.run(
      new Date().toISOString(),
      JSON.stringify({ code: 'job_failed', message: 'The app stopped while this job was running.' }),
    ).changes;
  }
}

function toJob(row: JobRow): JobInfo {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    status: row.status,
    progress: JSON.parse(row.progress) as JobInfo['progress'],
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error ? (JSON.parse(row.error) as JobInfo['error']) : null,
    result: row.result ? (JSON.parse(row.result) as unknown) : null,
  };
}
