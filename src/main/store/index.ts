/**
 * The workspace store: the only code that writes SQL. Main opens it with checks and migrations;
 * each worker attaches its own connection to the same file.
 */
import { openDatabase, type Db, type OpenOptions } from './db';
import { JobsRepo } from './repos/jobs';
import { LogsRepo } from './repos/logs';
import { SettingsRepo } from './repos/settings';
import { SchemasRepo } from './repos/schemas';
import { FilesRepo } from './repos/files';
import { RowsRepo } from './repos/rows';
import { TrainingRepo } from './repos/training';
import { RegistryRepo } from './repos/registry';
import { PredictionsRepo } from './repos/predictions';

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
  private closed = false;

  constructor(
    readonly path: string,
    readonly db: Db,
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
  }

  static open(path: string, options: OpenOptions = {}): Store {
    return new Store(path, openDatabase(path, options));
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
    this.closed = true;
    this.db.close();
  }
}

export type { Db } from './db';
