/** Training configs (every save a new version) and runs (created running, finished once). */
import type { Db } from '../db';
import type { RunDetail, RunStatus, RunSummary, TrainingConfig } from '../../../shared/contract';

interface RawRun {
  id: number;
  status: RunStatus;
  config_version: number | null;
  config: string;
  fingerprint: string;
  app_version: string;
  k: number | null;
  rows: number;
  faulty: number;
  pooled_auc: number | null;
  pooled_recall: number | null;
  detail: string | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  model_version: number | null;
}

const SELECT_RUN = `SELECT r.*, (SELECT version FROM model_versions v WHERE v.run_id = r.id) AS model_version FROM runs r`;

export type RunFinish = Pick<RunDetail, 'k' | 'pooledAuc' | 'pooledRecall' | 'seconds'> & {
  status: RunStatus;
  detail: Omit<RunDetail, keyof RunSummary | 'config' | 'appVersion' | 'fingerprint'>;
  error: string | null;
};

export class TrainingRepo {
  constructor(private readonly db: Db) {}

  latestConfig(): { version: number; config: TrainingConfig; createdAt: string } | null {
    const row = this.db.prepare('SELECT version, config, created_at FROM training_configs ORDER BY version DESC LIMIT 1').get() as
      | { version: number; config: string; created_at: string }
      | undefined;
    return row ? { version: row.version, config: JSON.parse(row.config) as TrainingConfig, createdAt: row.created_at } : null;
  }

  config(version: number): { version: number; config: TrainingConfig; createdAt: string } | null {
    const row = this.db.prepare('SELECT version, config, created_at FROM training_configs WHERE version = ?').get(version) as
      | { version: number; config: string; created_at: string }
      | undefined;
    return row ? { version: row.version, config: JSON.parse(row.config) as TrainingConfig, createdAt: row.created_at } : null;
  }

  saveConfig(config: TrainingConfig, note: string | null): number {
    return this.db.transaction(() => {
      const { v } = this.db.prepare('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM training_configs').get() as { v: number };
      this.db
        .prepare('INSERT INTO training_configs (version, config, note, created_at) VALUES (?, ?, ?, ?)')
        .run(v, JSON.stringify(config), note, new Date().toISOString());
      return v;
    })();
  }

  startRun(run: { configVersion: number | null; config: TrainingConfig; fingerprint: RunDetail['fingerprint']; appVersion: string }): number {
    const info = this.db
      .prepare(
        `INSERT INTO runs (status, config_version, config, fingerprint, app_version, rows, faulty, started_at)
         VALUES ('running', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        run.configVersion,
        JSON.stringify(run.config),
        JSON.stringify(run.fingerprint),
        run.appVersion,
        run.fingerprint.rows,
        run.fingerprint.faulty,
        new Date().toISOString(),
      );
    return Number(info.lastInsertRowid);
  }

  finishRun(id: number, finish: RunFinish): void {
    this.db
      .prepare(
        `UPDATE runs SET status = ?, k = ?, pooled_auc = ?, pooled_recall = ?, detail = ?, error = ?, finished_at = ?, seconds = ?
         WHERE id = ?`,
      )
      .run(
        finish.status,
        finish.k,
        finish.pooledAuc,
        finish.pooledRecall,
        JSON.stringify(finish.detail),
        finish.error,
        new Date().toISOString(),
        finish.seconds,
        id,
      );
  }

  /** Runs a stopped app left 'running' are marked failed when the workspace opens again. */
  failOrphanRuns(): number {
    return this.db
      .prepare("UPDATE runs SET status = 'failed', error = 'The app stopped during this run.', finished_at = ? WHERE status = 'running'")
      .run(new Date().toISOString()).changes;
  }

  runs(limit: number): RunSummary[] {
    return (this.db.prepare(`${SELECT_RUN} ORDER BY r.id DESC LIMIT ?`).all(limit) as RawRun[]).map(toSummary);
  }

  run(id: number): RunDetail | null {
    const row = this.db.prepare(`${SELECT_RUN} WHERE r.id = ?`).get(id) as RawRun | undefined;
    if (!row) return null;
    const detail = row.detail ? (JSON.parse(row.detail) as RunFinish['detail']) : null;
    return {
      ...toSummary(row),
      config: JSON.parse(row.config) as TrainingConfig,
      appVersion: row.app_version,
      fingerprint: JSON.parse(row.fingerprint) as RunDetail['fingerprint'],
      elbow: detail?.elbow ?? null,
      preprocessing: detail?.preprocessing ?? null,
      clusters: detail?.clusters ?? [],
      global: detail?.global ?? null,
      pooled: detail?.pooled ?? null,
      repeatedCv: detail?.repeatedCv ?? null,
      repeatedCvByStrategy: detail?.repeatedCvByStrategy ?? null,
      strategyNote: detail?.strategyNote ?? null,
      gates: detail?.gates ?? [],
      grid: detail?.grid ?? [],
      timings: detail?.timings ?? {},
      log: detail?.log ?? [],
      heldOut: detail?.heldOut ?? null,
    };
  }
}

function toSummary(r: RawRun): RunSummary {
  return {
    id: r.id,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    k: r.k,
    rows: r.rows,
    faulty: r.faulty,
    pooledAuc: r.pooled_auc,
    pooledRecall: r.pooled_recall,
    modelVersion: r.model_version,
    seconds: r.seconds,
    error: r.error,
    configVersion: r.config_version,
  };
}
