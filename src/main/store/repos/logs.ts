/** The log store: structured entries kept in the workspace, filtered by level, component and time. */
import type { Db } from '../db';
import type { LogEntry, LogLevel } from '../../../shared/contract';

export interface LogFilter {
  levels?: LogLevel[];
  component?: string;
  since?: string;
  until?: string;
  search?: string;
  limit: number;
}

interface LogRow {
  id: number;
  time: string;
  level: LogLevel;
  component: string;
  message: string;
  context: string | null;
}

export class LogsRepo {
  private readonly insertStmt;
  private readonly componentsStmt;
  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO logs (time, level, component, message, context) VALUES (?, ?, ?, ?, ?)',
    );
    this.componentsStmt = db.prepare('SELECT DISTINCT component FROM logs ORDER BY component');
  }

  insert(entry: Omit<LogEntry, 'id'>): void {
    this.insertStmt.run(
      entry.time,
      entry.level,
      entry.component,
      entry.message,
      entry.context ? JSON.stringify(entry.context) : null,
    );
  }

  list(filter: LogFilter): LogEntry[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.levels && filter.levels.length > 0) {
      where.push(`level IN (${filter.levels.map(() => '?').join(', ')})`);
      params.push(...filter.levels);
    }
    if (filter.component) {
      where.push('component = ?');
      params.push(filter.component);
    }
    // Times are stored as UTC ISO strings, so comparing normalised strings orders them correctly.
    if (filter.since) {
      where.push('time >= ?');
      params.push(new Date(filter.since).toISOString());
    }
    if (filter.until) {
      where.push('time <= ?');
      params.push(new Date(filter.until).toISOString());
    }
    if (filter.search) {
      where.push("message LIKE ? ESCAPE '\\'");
      params.push(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const sql = `SELECT id, time, level, component, message, context FROM logs ${
      where.length ? `WHERE ${where.join(' AND ')}` : ''
    } ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, filter.limit) as LogRow[];
    return rows.map((r) => ({ ...r, context: r.context ? (JSON.parse(r.context) as Record<string, unknown>) : null }));
  }

  components(): string[] {
    return (this.componentsStmt.all() as { component: string }[]).map((r) => r.component);
  }
}
