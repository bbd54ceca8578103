/**
 * The workspace store: the only code that writes SQL. Main opens it with checks and migrations;
 * each worker attaches its own connection to the same file.
 */
import { AppError } from '../errors';
import {
  openDatabase,
  recordCleanClose,
  WORKER_BUSY_TIMEOUT_MS,
  writeWithoutWaiting,
  type Db,
  type OpenOptions,
} from './db';
import { JobsRepo } from './repos/jobs';
import { LogsRepo } from './repos/logs';
import { SettingsRepo } from './repos/settings';
import { SchemasRepo } from './repos/schemas';
import { FilesRepo } from './repos/files';
import { RowsRepo } from './repos/rows';
import { TrainingRepo } from './repos/training';
import { RegistryRepo } from './repos/registry';
import { PredictionsRepo } from './repos/predictions';
import { WatchedFilesRepo } from './repos/watched';

export class Store {
  readonly logs: LogsRepo;
  readonly jobs: JobsRepo;
  readonly settings: SettingsRepo;
  readonly schemas: SchemasRepo;
  readonly files: FilesRepo;
  readonly rows: RowsRepo;
  readonly training: TrainingRepo;
  readonly registry: RegistryRepo;
  readonly predictions: PredictionsRepo;
  readonly watched: WatchedFilesRepo;
  private closed = false;
  /** Writes handed to writeSoon that found the lock taken, in the order they were made. */
  private readonly deferred: { write: () => void; landed?: () => void }[] = [];
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly path: string,
    readonly db: Db,
    /** Whether opening ran the structural check (skipped when the file is as a clean close left it). */
    readonly integrityChecked = false,
    /** Main's read-write connection: its close records a clean close (db.ts, recordCleanClose). */
    private readonly recordsCleanClose = false,
  ) {
    this.logs = new LogsRepo(db);
    this.jobs = new JobsRepo(db);
    this.settings = new SettingsRepo(db);
    this.schemas = new SchemasRepo(db);
    this.files = new FilesRepo(db);
    this.rows = new RowsRepo(db);
    this.training = new TrainingRepo(db);
    this.registry = new RegistryRepo(db);
    this.predictions = new PredictionsRepo(db);
    this.watched = new WatchedFilesRepo(db);
  }

  static open(path: string, options: OpenOptions = {}): Store {
    const { db, integrityChecked } = openDatabase(path, options);
    return new Store(path, db, integrityChecked, !options.attach && !options.readonly);
  }

  /**
   * Runs fn in one transaction now if the write lock is free, and otherwise later, without ever
   * waiting for the lock on this thread: for main's bookkeeping writes (log entries, job states).
   * Another connection may hold the lock for seconds while it stores a large file, and a write that
   * waited for it would freeze the app for as long (measured: a log line during a 40,000-row import
   * took 733 ms). Deferred writes run in the order they were made (a later one never lands before an
   * earlier one), are retried every DEFERRED_RETRY_MS, and run, waiting if need be, at close().
   * Returns whether fn ran now. Errors other than a busy lock propagate from a call that runs fn now;
   * a deferred fn that fails that way is dropped (its caller has returned). `landed` is called once a
   * deferred fn has landed (so a view of the data can refresh), not when it runs now.
   */
  writeSoon(fn: () => void, landed?: () => void): boolean {
    if (this.deferred.length === 0 && !this.closed && this.tryWithoutWaiting(fn)) return true;
    this.deferred.push({ write: fn, landed });
    this.scheduleRetry();
    return false;
  }

  /** Writes handed to writeSoon that have not landed yet. */
  get pendingWrites(): number {
    return this.deferred.length;
  }

  /** Runs the deferred writes that can run now, in order, stopping at the first that finds the lock taken. */
  private flushDeferred(): void {
    this.retry = null;
    while (this.deferred.length > 0 && !this.closed) {
      const next = this.deferred[0]!;
      try {
        if (!this.tryWithoutWaiting(next.write)) break;
        next.landed?.();
      } catch {
        // Not a busy lock: this write cannot land (its caller has long returned); the rest still can.
      }
      this.deferred.shift();
    }
    if (this.deferred.length > 0) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry !== null || this.closed) return;
    this.retry = setTimeout(() => this.flushDeferred(), DEFERRED_RETRY_MS);
    // A CLI process may end while the lock is still taken: close() writes what is left.
    this.retry.unref?.();
  }

  /**
   * A write whose result the caller needs (a job's own records: a training run, a prediction batch),
   * run in one transaction as soon as the write lock is free, without this thread ever waiting for it:
   * it retries every DEFERRED_RETRY_MS, so the app stays live while another connection stores a large
   * file, and the job carries on when the file is stored instead of failing. A plain write would block
   * the UI thread for up to the busy timeout, and one inside a transaction that had already read
   * fails at once (SQLite will not wait to upgrade a reader). Gives up with workspace_busy after as
   * long as a worker would wait.
   */
  async writeWhenFree<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + WORKER_BUSY_TIMEOUT_MS;
    for (;;) {
      let result: T | undefined;
      if (this.tryWithoutWaiting(() => void (result = fn()))) return result as T;
      if (Date.now() > deadline)
        throw new AppError('workspace_busy', 'The workspace stayed busy for too long; nothing was written.');
      await new Promise((resolve) => setTimeout(resolve, DEFERRED_RETRY_MS));
    }
  }

  private tryWithoutWaiting(fn: () => void): boolean {
    const run = this.db.transaction(fn);
    // Inside a transaction of main's own, fn joins it (a savepoint); otherwise IMMEDIATE.
    return writeWithoutWaiting(this.db, () => (this.db.inTransaction ? run() : run.immediate()));
  }

  /** Runs fn in one transaction: all of it lands or none of it. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * Opens a write transaction that the caller ends itself, for work that decides part way through
   * whether it needs one (a file import holds the write lock only once its rows outgrow memory).
   * Nothing lands unless commit() is called; rollback() after commit() does nothing.
   */
  begin(): { commit(): void; rollback(): void } {
    this.db.exec('BEGIN IMMEDIATE');
    let open = true;
    return {
      commit: () => {
        if (!open) return;
        this.db.exec('COMMIT');
        open = false;
      },
      rollback: () => {
        if (!open) return;
        open = false;
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      },
    };
  }

  close(): void {
    if (this.closed) return;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    // What writeSoon deferred lands now, waiting for the lock as any write does.
    for (const { write } of this.deferred.splice(0)) {
      try {
        this.db.transaction(write)();
      } catch {
        // Best effort at close: a write that cannot land must not keep the workspace open.
      }
    }
    this.closed = true;
    this.db.close();
    if (this.recordsCleanClose) recordCleanClose(this.path);
  }
}

export type { Db } from './db';

/** How often deferred writes retry while another connection holds the write lock. */
const DEFERRED_RETRY_MS = 100;
