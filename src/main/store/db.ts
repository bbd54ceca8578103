/**
 * Opening a workspace: one SQLite file, WAL, foreign keys on. On open we check integrity, refuse a
 * workspace written by a newer version (without touching it) or one whose applied migrations differ
 * from ours, then apply pending migrations, each in its own transaction, recorded with a hash.
 * A damaged or foreign file is reported, never overwritten or deleted.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, isBusy } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Workers attach to a workspace main already opened and migrated: skip the checks and migrations. */
  attach?: boolean;
  readonly?: boolean;
}

/**
 * How long a write on main's connection waits for another connection's write lock before it fails
 * with workspace_busy. Main's writes after opening never wait on the UI thread: bookkeeping goes
 * through Store.writeSoon, jobs' records and users' actions through Store.writeWhenFree.
 */
export const BUSY_TIMEOUT_MS = 15_000;
/**
 * The same for a worker's connection. A file past the import's in-memory budget stores its rows as it
 * reads them, holding the lock for as long as the rest of its reading takes (~17 s for a 2 GB file at
 * 120 MB/s); a worker importing, quarantining or scoring another file meanwhile waits for it instead
 * of failing that file. A worker waiting here blocks nothing else, and a cancelled task that does not
 * answer in time has its worker replaced (jobs/pool.ts).
 */
export const WORKER_BUSY_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs a write without waiting for another connection's write lock: false, and nothing written, when
 * the lock is taken. `write` must take the lock at its start (a BEGIN IMMEDIATE transaction), so a
 * taken lock fails before any of it runs. The connection's busy timeout is restored afterwards.
 */
export function writeWithoutWaiting(db: Db, write: () => void): boolean {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    write();
    return true;
  } catch (error) {
    if (isBusy(error)) return false;
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

export function migrationHash(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  const isNew = !existsSync(path);
  if (isNew && (options.attach || options.readonly)) {
    throw new AppError('not_found', `No workspace at ${path}.`);
  }
  if (isNew) mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !isNew });
  } catch (error) {
    throw new AppError('workspace_unreadable', `The workspace ${path} could not be opened: ${(error as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${options.attach ? WORKER_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS}`);
    if (!isNew && !options.attach) checkIntegrity(db, path);
    if (!options.attach) checkMigrations(db, path);
    // Rows are ~4.7 KB blobs (590 Float64 values): 16 KiB pages keep each row on one page instead of an
    // overflow chain. The page size can only be chosen before the first table exists.
    if (isNew) db.pragma('page_size = 16384');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    // Imports write in large transactions: checkpoint (and fsync the database) every ~160 MB of WAL
    // instead of every 16 MB, so a big import is not dozens of fsyncs. Main's connection too: with the
    // default, main's first small write after an import (a log line) would copy the import's whole WAL
    // into the database on the UI thread. The rest is checkpointed by a worker after each import
    // (store/checkpoint) and when the last connection closes.
    if (!options.readonly) db.pragma('wal_autocheckpoint = 10000');
    if (!options.attach && !options.readonly) applyMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Checks the file's structure before anything reads or writes it. quick_check, not integrity_check:
 * both walk every page and find damaged pages and b-trees, but integrity_check also cross-checks every
 * index entry against its table, which made opening ~7x slower (124 vs 18 ms on a 23 MB workspace;
 * seconds on a workspace of a few hundred MB, at every app start and every CLI command).
 */
function checkIntegrity(db: Db, path: string): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check') as { quick_check: string }[];
  } catch (error) {
    throw new AppError(
      'workspace_damaged',
      `${path} is not a readable workspace (${(error as Error).message}). It was left untouched.`,
    );
  }
  if (rows.length !== 1 || rows[0]?.quick_check !== 'ok') {
    throw new AppError(
      'workspace_damaged',
      `The workspace ${path} is damaged: ${rows
        .slice(0, 5)
        .map((r) => r.quick_check)
        .join('; ')}. It was left untouched; restore a backup or open another workspace.`,
    );
  }
}

function appliedMigrations(db: Db): { id: number; name: string; hash: string }[] {
  const table = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!table) return [];
  return db.prepare('SELECT id, name, hash FROM schema_migrations ORDER BY id').all() as {
    id: number;
    name: string;
    hash: string;
  }[];
}

function checkMigrations(db: Db, path: string): void {
  const known = new Map(MIGRATIONS.map((m) => [m.id, m]));
  for (const applied of appliedMigrations(db)) {
    const ours = known.get(applied.id);
    if (!ours) {
      throw new AppError(
        'workspace_newer',
        `The workspace ${path} was written by a newer version of Wafer Fault Studio (migration ${applied.id} "${applied.name}"). Update the app to open it; it was not modified.`,
      );
    }
    if (migrationHash(ours) !== applied.hash) {
      throw new AppError(
        'workspace_mismatch',
        `The workspace ${path} has migration ${applied.id} "${applied.name}" in a form this version does not know. It was not modified.`,
      );
    }
  }
}

function applyMigrations(db: Db): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const done = new Set(appliedMigrations(db).map((m) => m.id));
  const record = db.prepare('INSERT INTO schema_migrations (id, name, hash, applied_at) VALUES (?, ?, ?, ?)');
  for (const migration of MIGRATIONS) {
    if (done.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, migration.name, migrationHash(migration), new Date().toISOString());
    })();
  }
}

export function latestMigrationId(): number {
  return MIGRATIONS[MIGRATIONS.length - 1]?.id ?? 0;
}
