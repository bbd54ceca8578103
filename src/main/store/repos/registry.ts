/**
 * The model registry: versions (bundle + checksum + gates), the production/staging aliases with the
 * previous holder kept for rollback, and the audit trail. Every transition is one transaction that
 * writes the change and its event together.
 */
import { createHash } from 'node:crypto';
import { decodeStoredBundle } from '../bundle-codec';
import type { Db } from '../db';
import { AppError } from '../../errors';
import type { GateResult, MetricSet, ModelEvent, Stage, VersionStatus } from '../../../shared/contract';

export interface VersionRow {
  id: number;
  version: number;
  runId: number | null;
  status: VersionStatus;
  schemaId: number;
  k: number;
  threshold: number;
  metrics: MetricSet | null;
  gates: GateResult[];
  summary: VersionSummaryData;
  sha256: string;
  createdAt: string;
}

/** Small facts about a version kept beside the bundle so lists never decompress bundles. */
export interface VersionSummaryData {
  strategy: 'per-cluster' | 'global';
  clusters: { cluster: number; family: string; rows: number; faulty: number; testAuc: number | null }[];
  featureNames: string[];
}

interface RawVersion {
  id: number;
  version: number;
  run_id: number | null;
  status: VersionStatus;
  schema_id: number;
  k: number;
  threshold: number;
  metrics: string | null;
  gates: string;
  summary: string;
  sha256: string;
  created_at: string;
}

const COLUMNS =
  'id, version, run_id, status, schema_id, k, threshold, metrics, gates, summary, sha256, created_at';

/**
 * What choosing a version to predict with, and scoring with it, needs (each batch asks, and every part
 * a worker scores): the short columns only, none of the JSON ones parsed.
 */
export type VersionRef = Pick<VersionRow, 'id' | 'version' | 'status' | 'threshold' | 'sha256'>;

const REF_COLUMNS = 'id, version, status, threshold, sha256';

export class RegistryRepo {
  private readonly refByIdStmt;
  private readonly refByVersionStmt;

  constructor(private readonly db: Db) {
    this.refByIdStmt = db.prepare(`SELECT ${REF_COLUMNS} FROM model_versions WHERE id = ?`);
    this.refByVersionStmt = db.prepare(`SELECT ${REF_COLUMNS} FROM model_versions WHERE version = ?`);
  }

  refById(id: number): VersionRef | null {
    return (this.refByIdStmt.get(id) as VersionRef | undefined) ?? null;
  }

  refByVersion(version: number): VersionRef | null {
    return (this.refByVersionStmt.get(version) as VersionRef | undefined) ?? null;
  }

  add(
    v: Omit<VersionRow, 'id' | 'version' | 'createdAt'> & { bundle: Buffer },
    user: string,
    comment: string | null,
  ): VersionRow {
    return this.db.transaction(() => {
      const { next } = this.db
        .prepare('SELECT COALESCE(MAX(version), 0) + 1 AS next FROM model_versions')
        .get() as { next: number };
      const info = this.db
        .prepare(
          `INSERT INTO model_versions (version, run_id, status, schema_id, k, threshold, metrics, gates, summary, sha256, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          next,
          v.runId,
          v.status,
          v.schemaId,
          v.k,
          v.threshold,
          v.metrics ? JSON.stringify(v.metrics) : null,
          JSON.stringify(v.gates),
          JSON.stringify(v.summary),
          v.sha256,
          new Date().toISOString(),
        );
      const id = Number(info.lastInsertRowid);
      this.db.prepare('INSERT INTO model_bundles (version_id, bundle) VALUES (?, ?)').run(id, v.bundle);
      this.event(id, 'created', null, v.status, null, comment, user);
      return this.byId(id)!;
    })();
  }

  byId(id: number): VersionRow | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM model_versions WHERE id = ?`).get(id) as
      RawVersion | undefined;
    return row ? toVersion(row) : null;
  }

  byVersion(version: number): VersionRow | null {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM model_versions WHERE version = ?`).get(version) as
      RawVersion | undefined;
    return row ? toVersion(row) : null;
  }

  list(): VersionRow[] {
    return (
      this.db.prepare(`SELECT ${COLUMNS} FROM model_versions ORDER BY version DESC`).all() as RawVersion[]
    ).map(toVersion);
  }

  bundle(id: number): Buffer {
    return (
      this.db.prepare('SELECT bundle FROM model_bundles WHERE version_id = ?').get(id) as { bundle: Buffer }
    ).bundle;
  }

  /** A version's bundle, decompressed and parsed, after checking it against its recorded sha256. */
  readBundle(id: number): unknown {
    const row = this.db
      .prepare(
        'SELECT v.version, b.bundle, v.sha256 FROM model_versions v JOIN model_bundles b ON b.version_id = v.id WHERE v.id = ?',
      )
      .get(id) as { version: number; bundle: Buffer; sha256: string } | undefined;
    if (!row) throw new AppError('not_found', `There is no model version with id ${id}.`);
    if (createHash('sha256').update(row.bundle).digest('hex') !== row.sha256) {
      throw new AppError(
        'checksum_mismatch',
        `Model version ${row.version} does not match its recorded checksum; it will not be used.`,
      );
    }
    return decodeStoredBundle(row.bundle);
  }

  setStatus(
    id: number,
    from: VersionStatus,
    to: VersionStatus,
    action: string,
    comment: string | null,
    user: string,
  ): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE model_versions SET status = ? WHERE id = ?').run(to, id);
      this.event(id, action, from, to, null, comment, user);
    })();
  }

  aliases(): { stage: Stage; versionId: number; previousVersionId: number | null }[] {
    return (
      this.db.prepare('SELECT stage, version_id, previous_version_id FROM model_aliases').all() as {
        stage: Stage;
        version_id: number;
        previous_version_id: number | null;
      }[]
    ).map((r) => ({ stage: r.stage, versionId: r.version_id, previousVersionId: r.previous_version_id }));
  }

  alias(stage: Stage): { versionId: number; previousVersionId: number | null } | null {
    return this.aliases().find((a) => a.stage === stage) ?? null;
  }

  /** Moves a stage's alias to a version, keeping the previous holder for rollback. */
  setAlias(
    stage: Stage,
    versionId: number,
    previousVersionId: number | null,
    action: string,
    comment: string | null,
    user: string,
  ): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO model_aliases (stage, version_id, previous_version_id, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (stage) DO UPDATE SET version_id = excluded.version_id, previous_version_id = excluded.previous_version_id,
             updated_at = excluded.updated_at`,
        )
        .run(stage, versionId, previousVersionId, new Date().toISOString());
      this.event(versionId, action, null, null, stage, comment, user);
    })();
  }

  clearAlias(stage: Stage, versionId: number, comment: string | null, user: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM model_aliases WHERE stage = ? AND version_id = ?').run(stage, versionId);
      this.event(versionId, 'unassigned', null, null, stage, comment, user);
    })();
  }

  events(versionId?: number): ModelEvent[] {
    const rows = (
      versionId === undefined
        ? this.db
            .prepare(
              'SELECT e.*, v.version FROM model_events e JOIN model_versions v ON v.id = e.version_id ORDER BY e.id',
            )
            .all()
        : this.db
            .prepare(
              'SELECT e.*, v.version FROM model_events e JOIN model_versions v ON v.id = e.version_id WHERE e.version_id = ? ORDER BY e.id',
            )
            .all(versionId)
    ) as {
      id: number;
      version: number;
      action: string;
      from_status: string | null;
      to_status: string | null;
      stage: string | null;
      comment: string | null;
      user_name: string;
      time: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      action: r.action,
      fromStatus: r.from_status,
      toStatus: r.to_status,
      stage: r.stage,
      comment: r.comment,
      user: r.user_name,
      time: r.time,
    }));
  }

  private event(
    versionId: number,
    action: string,
    from: string | null,
    to: string | null,
    stage: string | null,
    comment: string | null,
    user: string,
  ): void {
    this.db
      .prepare(
        'INSERT INTO model_events (version_id, action, from_status, to_status, stage, comment, user_name, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(versionId, action, from, to, stage, comment, user, new Date().toISOString());
  }
}

function toVersion(r: RawVersion): VersionRow {
  return {
    id: r.id,
    version: r.version,
    runId: r.run_id,
    status: r.status,
    schemaId: r.schema_id,
    k: r.k,
    threshold: r.threshold,
    metrics: r.metrics ? (JSON.parse(r.metrics) as MetricSet) : null,
    gates: JSON.parse(r.gates) as GateResult[],
    summary: JSON.parse(r.summary) as VersionSummaryData,
    sha256: r.sha256,
    createdAt: r.created_at,
  };
}
