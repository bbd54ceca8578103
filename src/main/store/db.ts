/**
 * Opening a workspace: one SQLite file, WAL, foreign keys on. On open we check integrity (unless the
 * file is exactly as our last clean close left it), refuse a workspace written by a newer version
 * (without touching it) or one whose applied migrations differ from ours, then apply pending
 * migrations, each in its own transaction, recorded with a hash. A damaged or foreign file is
 * reported, never overwritten or deleted.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
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
 * Per connection, the busy timeout openDatabase set (nothing changes it later), read once: a no-wait
 * write runs for every scored part and every log line, and each db.pragma call prepares a statement
 * (~5 us). The two that switch the timeout cannot be prepared once and re-run instead: SQLite applies
 * PRAGMA busy_timeout when the statement is prepared, not when it runs.
 */
const busyTimeouts = new WeakMap<Db, number>();

/**
 * Runs a write without waiting for another connection's write lock: false, and nothing written, when
 * the lock is taken. `write` must take the lock at its start (a BEGIN IMMEDIATE transaction), so a
 * taken lock fails before any of it runs. The connection's busy timeout is restored afterwards.
 */
export function writeWithoutWaiting(db: Db, write: () => void): boolean {
  let timeout = busyTimeouts.get(db);
  if (timeout === undefined) {
    timeout = db.pragma('busy_timeout', { simple: true }) as number;
    busyTimeouts.set(db, timeout);
  }
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

/** The clean-close marker beside a workspace (see recordCleanClose). */
const cleanCloseMarker = (path: string): string => `${path}-closed`;

const walHasFrames = (path: string): boolean => {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
};

/**
 * Called once main's connection is closed: when it was the last one (SQLite then checkpoints and
 * removes the WAL), the file's size and modification time go into a marker beside it. The structural
 * check at open reads every page (about 1 ms per MB from the page cache, 4 ms cold: seconds for a
 * workspace after months of prediction batches, at every app start and CLI command), so it runs only
 * when the file is not exactly as a clean close left it: after a crash, a kill or a power cut (no
 * marker), or when anything else wrote to it since (size or time differ). Best effort: without a
 * marker the next open checks.
 */
export function recordCleanClose(path: string): void {
  try {
    if (walHasFrames(path)) return;
    const { size, mtimeMs } = statSync(path);
    writeFileSync(cleanCloseMarker(path), JSON.stringify({ size, mtimeMs }));
  } catch {
    // The next open checks the file.
  }
}

/**
 * Whether the file is as the last clean close left it. The marker is used up either way (removed
 * before the file is touched), so a session that does not end in a clean close leaves none.
 */
function unchangedSinceCleanClose(path: string): boolean {
  const marker = cleanCloseMarker(path);
  let recorded: { size?: unknown; mtimeMs?: unknown };
  try {
    recorded = JSON.parse(readFileSync(marker, 'utf8')) as typeof recorded;
  } catch {
    return false;
  }
  try {
    unlinkSync(marker);
    const { size, mtimeMs } = statSync(path);
    return !walHasFrames(path) && recorded.size === size && recorded.mtimeMs === mtimeMs;
  } catch {
    return false;
  }
}

/** Opens (or creates) a workspace; says whether the structural check ran (skipped after a clean close). */
export function openDatabase(path: string, options: OpenOptions = {}): { db: Db; integrityChecked: boolean } {
  const isNew = !existsSync(path);
  if (isNew && (options.attach || options.readonly)) {
    throw new AppError('not_found', `No workspace at ${path}.`);
  }
  if (isNew) {
    mkdirSync(dirname(path), { recursive: true });
    // A marker left by a deleted workspace of the same name says nothing about this one.
    rmSync(cleanCloseMarker(path), { force: true });
  }
  // Main's open of an existing file, before anything touches it (a read-only open leaves the marker).
  const mustCheck = !isNew && !options.attach && (options.readonly || !unchangedSinceCleanClose(path));
  let db: Db;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !isNew });
  } catch (error) {
    throw new AppError('workspace_unreadable', `The workspace ${path} could not be opened: ${(error as Error).message}`);
  }
  try {
    db.pragma(`busy_timeout = ${options.attach ? WORKER_BUSY_TIMEOUT_MS : BUSY_TIMEOUT_MS}`);
    if (mustCheck) checkIntegrity(db, path);
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
    return { db, integrityChecked: mustCheck };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Checks the file's structure before anything reads or writes it (unless it is as a clean close left
 * it: recordCleanClose). quick_check, not integrity_check: both walk every page and find damaged pages
 * and b-trees, but integrity_check also cross-checks every index entry against its table, which made
 * opening ~7x slower (124 vs 18 ms on a 23 MB workspace; seconds on a workspace of a few hundred MB).
 * quick_check itself took 208 ms on a 125 MB workspace, 1.5 ms with the clean-close marker.
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
