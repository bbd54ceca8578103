/**
 * The model registry: every successful run yields a version whose quality gates decide between
 * "pending approval" and "rejected by gates". Only a person's approval (OS user name and time recorded)
 * lets a version become Production or Staging; promoting keeps the previous Production for one-click
 * rollback; every transition lands in the audit trail. A version exports as one file (a manifest with
 * the sha256 of its parts); import refuses a file whose checksum or format version does not match.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { GateResult, MetricSet, ModelVersionDetail, ModelVersionSummary, Stage } from '../../shared/contract';
import { AppError } from '../errors';
import { checkBundle, type ModelBundle } from '../ml/pipeline/bundle';
import { BUNDLE_PART_NAMES, bundlePartName, decodeStoredBundle, encodeStoredBundle } from '../store/bundle-codec';
import type { VersionRef, VersionRow, VersionSummaryData } from '../store/repos/registry';
import type { AppContext } from './context';
import { exportDestination } from './exports';
import type { HandlerMap } from './registry';

export const EXPORT_FORMAT = 'wfs-model-export';
/** 2: the bundle part is the binary container (bundle.wfsb); 1 (still read): gzip'd JSON (bundle.json.gz). */
export const EXPORT_FORMAT_VERSION = 2;
const READABLE_EXPORT_VERSIONS = [1, 2];

export function currentUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function encodeBundle(bundle: ModelBundle): { stored: Buffer; sha256: string } {
  const stored = encodeStoredBundle(bundle);
  return { stored, sha256: createHash('sha256').update(stored).digest('hex') };
}

export function createVersionFromRun(
  ctx: AppContext,
  v: {
    runId: number | null;
    bundle: ModelBundle;
    k: number;
    threshold: number;
    metrics: MetricSet | null;
    gates: GateResult[];
    schemaId: number;
    clusters: VersionSummaryData['clusters'];
  },
): number {
  const { stored, sha256 } = encodeBundle(v.bundle);
  const passed = v.gates.every((g) => g.passed);
  const row = ctx.store.registry.add(
    {
      runId: v.runId,
      status: passed ? 'pending_approval' : 'rejected_by_gates',
      schemaId: v.schemaId,
      k: v.k,
      threshold: v.threshold,
      metrics: v.metrics,
      gates: v.gates,
      summary: { strategy: v.bundle.strategy, clusters: v.clusters, featureNames: v.bundle.featureNames },
      bundle: stored,
      sha256,
    },
    currentUser(),
    passed ? 'All quality gates passed; waiting for approval.' : `Failed gates: ${v.gates.filter((g) => !g.passed).map((g) => g.name).join(', ')}.`,
  );
  ctx.log.info(`Model version ${row.version} created (${row.status})`, { version: row.version, run: v.runId });
  return row.version;
}

function stagesOf(ctx: AppContext, id: number): Stage[] {
  return ctx.store.registry
    .aliases()
    .filter((a) => a.versionId === id)
    .map((a) => a.stage);
}

function summary(ctx: AppContext, row: VersionRow): ModelVersionSummary {
  return {
    id: row.id,
    version: row.version,
    runId: row.runId ?? 0,
    status: row.status,
    stages: stagesOf(ctx, row.id),
    createdAt: row.createdAt,
    k: row.k,
    threshold: row.threshold,
    pooledAuc: row.metrics?.rocAuc ?? null,
    recall: row.metrics?.recall ?? null,
    accuracy: row.metrics?.accuracy ?? null,
    gatesPassed: row.gates.every((g) => g.passed),
    sha256: row.sha256,
  };
}

export function versionDetail(ctx: AppContext, version: number): ModelVersionDetail {
  const row = requireVersion(ctx, version);
  return {
    ...summary(ctx, row),
    gates: row.gates,
    metrics: row.metrics,
    clusters: row.summary.clusters,
    schemaId: row.schemaId,
    events: ctx.store.registry.events(row.id),
    strategy: row.summary.strategy,
    featureNames: row.summary.featureNames,
  };
}

/** A version looked up by its number, or not_found naming it. */
function found<T>(row: T | null, version: number): T {
  if (!row) throw new AppError('not_found', `There is no model version ${version}.`);
  return row;
}

function requireVersion(ctx: AppContext, version: number): VersionRow {
  return found(ctx.store.registry.byVersion(version), version);
}

const bundleCache = new WeakMap<AppContext, Map<number, ModelBundle>>();

/** The bundle of a version, checked against its recorded sha256 before use. */
export function loadBundle(ctx: AppContext, versionId: number): ModelBundle {
  let cache = bundleCache.get(ctx);
  if (!cache) bundleCache.set(ctx, (cache = new Map()));
  const hit = cache.get(versionId);
  if (hit) return hit;
  const bundle = checkBundle(ctx.store.registry.readBundle(versionId));
  cache.set(versionId, bundle);
  return bundle;
}

/**
 * A version's bundle to derive something small from (the explanation lookup, drift's reference): the one
 * loadBundle keeps when there is one, else decoded now and remembered only weakly. Derivations made back
 * to back (a report reads both) then share one decode, and the main process holds no bundle for them.
 */
const lastRead = new WeakMap<AppContext, { versionId: number; bundle: WeakRef<ModelBundle> }>();

export function readBundleBriefly(ctx: AppContext, versionId: number): ModelBundle {
  const kept = bundleCache.get(ctx)?.get(versionId);
  if (kept) return kept;
  const last = lastRead.get(ctx);
  const hit = last?.versionId === versionId ? last.bundle.deref() : undefined;
  if (hit) return hit;
  const bundle = checkBundle(ctx.store.registry.readBundle(versionId));
  lastRead.set(ctx, { versionId, bundle: new WeakRef(bundle) });
  return bundle;
}

/** Production, Staging or a version number: which model to predict with or measure against. */
export type ModelChoice = 'production' | 'staging' | number;

/** The version a choice names, or null; without resolvePredictionVersion's checks and warning. */
export function findVersion(ctx: AppContext, which: ModelChoice): VersionRef | null {
  const registry = ctx.store.registry;
  if (typeof which === 'number') return registry.refByVersion(which);
  const alias = registry.alias(which);
  return alias ? registry.refById(alias.versionId) : null;
}

/** The version prediction uses: Production unless a version is named. */
export function resolvePredictionVersion(ctx: AppContext, which: ModelChoice): VersionRef {
  const version = findVersion(ctx, which);
  if (typeof which === 'number') {
    const row = found(version, which);
    // A version picked by number may be one still under review or one its gates held back (to see how it
    // would do); one a person rejected or archived is out of use.
    if (row.status === 'rejected' || row.status === 'archived') {
      throw new AppError('not_approved', `Model version ${which} is ${row.status}; pick another version.`);
    }
    if (row.status === 'rejected_by_gates') ctx.log.warn(`Predicting with version ${which}, which did not pass its quality gates.`);
    return row;
  }
  if (!version) {
    throw new AppError('no_model', `No model is in ${which === 'production' ? 'Production' : 'Staging'} yet: train, approve and promote a version first.`);
  }
  return version;
}

function changed(ctx: AppContext): void {
  ctx.events.emit('data/changed', { domain: 'models' });
}

// A registry transition checks the version's state and records the change in one transaction, run
// when the write lock is free: the UI never waits on it while a worker stores a large file
// (Store.writeWhenFree), and no other transition can slip in between the check and the change.

export async function approveVersion(ctx: AppContext, version: number, comment?: string, user = currentUser()): Promise<ModelVersionDetail> {
  await ctx.store.writeWhenFree(() => {
    const row = requireVersion(ctx, version);
    if (row.status !== 'pending_approval') {
      throw new AppError('conflict', `Version ${version} is ${row.status.replace(/_/g, ' ')}; only a version pending approval can be approved.`);
    }
    ctx.store.registry.setStatus(row.id, row.status, 'approved', 'approved', comment ?? null, user);
  });
  ctx.log.info(`Model version ${version} approved by ${user}`, { comment });
  changed(ctx);
  return versionDetail(ctx, version);
}

export async function rejectVersion(ctx: AppContext, version: number, comment: string, user = currentUser()): Promise<ModelVersionDetail> {
  if (!comment.trim()) throw new AppError('invalid_input', 'Say why the version is rejected.');
  await ctx.store.writeWhenFree(() => {
    const row = requireVersion(ctx, version);
    if (row.status !== 'pending_approval' && row.status !== 'approved') {
      throw new AppError('conflict', `Version ${version} is ${row.status.replace(/_/g, ' ')} and cannot be rejected.`);
    }
    if (stagesOf(ctx, row.id).length > 0) {
      throw new AppError('conflict', `Version ${version} is in ${stagesOf(ctx, row.id).join(' and ')}; promote or roll back another version first.`);
    }
    ctx.store.registry.setStatus(row.id, row.status, 'rejected', 'rejected', comment, user);
  });
  ctx.log.info(`Model version ${version} rejected by ${user}`, { comment });
  changed(ctx);
  return versionDetail(ctx, version);
}

export async function promoteVersion(ctx: AppContext, version: number, to: Stage, comment?: string, user = currentUser()): Promise<ModelVersionDetail> {
  await ctx.store.writeWhenFree(() => {
    const row = requireVersion(ctx, version);
    if (row.status !== 'approved') {
      throw new AppError('not_approved', `Version ${version} is ${row.status.replace(/_/g, ' ')}: only an approved version can become ${to === 'production' ? 'Production' : 'Staging'}.`);
    }
    const current = ctx.store.registry.alias(to);
    if (current?.versionId === row.id) throw new AppError('conflict', `Version ${version} is already in ${to}.`);
    ctx.store.registry.setAlias(to, row.id, current?.versionId ?? null, `promoted to ${to}`, comment ?? null, user);
  });
  ctx.log.info(`Model version ${version} promoted to ${to} by ${user}`);
  changed(ctx);
  return versionDetail(ctx, version);
}

export async function rollbackProduction(ctx: AppContext, comment?: string, user = currentUser()): Promise<ModelVersionDetail> {
  const previous = await ctx.store.writeWhenFree(() => {
    const current = ctx.store.registry.alias('production');
    if (!current?.previousVersionId) throw new AppError('conflict', 'There is no previous Production version to roll back to.');
    const previous = ctx.store.registry.byId(current.previousVersionId)!;
    if (previous.status !== 'approved') {
      throw new AppError('not_approved', `The previous Production version ${previous.version} is now ${previous.status.replace(/_/g, ' ')}; it cannot return.`);
    }
    ctx.store.registry.setAlias('production', previous.id, null, 'rolled back to production', comment ?? null, user);
    return previous;
  });
  ctx.log.info(`Production rolled back to version ${previous.version} by ${user}`);
  changed(ctx);
  return versionDetail(ctx, previous.version);
}

export async function archiveVersion(ctx: AppContext, version: number, comment?: string, user = currentUser()): Promise<ModelVersionDetail> {
  await ctx.store.writeWhenFree(() => {
    const row = requireVersion(ctx, version);
    if (row.status === 'archived') throw new AppError('conflict', `Version ${version} is already archived.`);
    const stages = stagesOf(ctx, row.id);
    if (stages.length > 0) throw new AppError('conflict', `Version ${version} is in ${stages.join(' and ')}; it cannot be archived.`);
    ctx.store.registry.setStatus(row.id, row.status, 'archived', 'archived', comment ?? null, user);
  });
  changed(ctx);
  return versionDetail(ctx, version);
}

interface ExportFile {
  format: string;
  formatVersion: number;
  manifest: {
    version: number;
    createdAt: string;
    exportedAt: string;
    appVersion: string;
    status: string;
    k: number;
    threshold: number;
    gates: GateResult[];
    metrics: MetricSet | null;
    summary: VersionSummaryData;
    parts: { name: string; sha256: string; bytes: number }[];
  };
  parts: Record<string, string>;
}

export function exportVersion(ctx: AppContext, version: number, out?: string): { path: string; name: string; bytes: number } {
  const row = requireVersion(ctx, version);
  const stored = ctx.store.registry.bundle(row.id);
  const part = bundlePartName(stored);
  const file: ExportFile = {
    format: EXPORT_FORMAT,
    formatVersion: EXPORT_FORMAT_VERSION,
    manifest: {
      version: row.version,
      createdAt: row.createdAt,
      exportedAt: new Date().toISOString(),
      appVersion: ctx.appVersion,
      status: row.status,
      k: row.k,
      threshold: row.threshold,
      gates: row.gates,
      metrics: row.metrics,
      summary: row.summary,
      parts: [{ name: part, sha256: createHash('sha256').update(stored).digest('hex'), bytes: stored.length }],
    },
    parts: { [part]: stored.toString('base64') },
  };
  const name = `wafer-model-v${row.version}.wfsmodel`;
  const path = exportDestination(ctx, name, out);
  writeFileSync(path, JSON.stringify(file));
  ctx.log.info(`Model version ${row.version} exported`, { path });
  return { path, name, bytes: statSync(path).size };
}

export async function importVersion(ctx: AppContext, path: string, user = currentUser()): Promise<ModelVersionDetail> {
  let file: ExportFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as ExportFile;
  } catch (error) {
    throw new AppError('model_format', `${path} is not a model export file: ${(error as Error).message}`);
  }
  if (file.format !== EXPORT_FORMAT) throw new AppError('model_format', `${path} is not a Wafer Fault Studio model export.`);
  if (!READABLE_EXPORT_VERSIONS.includes(file.formatVersion)) {
    throw new AppError('model_format', `The export format version ${String(file.formatVersion)} is not supported (this app reads ${READABLE_EXPORT_VERSIONS.join(' and ')}).`);
  }
  const part = file.manifest?.parts?.find((p) => (BUNDLE_PART_NAMES as readonly string[]).includes(p.name));
  const b64 = part ? file.parts?.[part.name] : undefined;
  if (!part || typeof b64 !== 'string') throw new AppError('model_format', 'The export has no model bundle.');
  const stored = Buffer.from(b64, 'base64');
  const sha = createHash('sha256').update(stored).digest('hex');
  if (sha !== part.sha256 || stored.length !== part.bytes) {
    throw new AppError('checksum_mismatch', 'The model file does not match its manifest checksum: it was changed or damaged. Nothing was imported.');
  }
  let bundle: ModelBundle;
  try {
    bundle = checkBundle(decodeStoredBundle(stored));
  } catch (error) {
    throw new AppError('model_format', (error as Error).message);
  }
  const created = await ctx.store.writeWhenFree(() => {
    // The bundle carries its schema: reuse an identical local version or record it as a new one.
    const same = ctx.store.schemas.list('training').find((s) => JSON.stringify(s.definition) === JSON.stringify(bundle.schema));
    const schemaId = same?.id ?? ctx.store.schemas.add('training', bundle.schema, 'Imported with a model', `From model export v${file.manifest.version}`).id;
    const passed = file.manifest.gates.every((g) => g.passed);
    return ctx.store.registry.add(
      {
        runId: null,
        status: passed ? 'pending_approval' : 'rejected_by_gates',
        schemaId,
        k: file.manifest.k,
        threshold: file.manifest.threshold,
        metrics: file.manifest.metrics,
        gates: file.manifest.gates,
        summary: file.manifest.summary,
        bundle: stored,
        sha256: sha,
      },
      user,
      `Imported from ${path} (exported version ${file.manifest.version}); needs approval here.`,
    );
  });
  ctx.log.info(`Model imported as version ${created.version}`, { path });
  changed(ctx);
  return versionDetail(ctx, created.version);
}

export const modelHandlers: HandlerMap<
  | 'models/list'
  | 'models/get'
  | 'models/approve'
  | 'models/reject'
  | 'models/promote'
  | 'models/rollback'
  | 'models/archive'
  | 'models/export'
  | 'models/import'
> = {
  'models/list': (_input, ctx) => ctx.store.registry.list().map((row) => summary(ctx, row)),
  'models/get': (input, ctx) => versionDetail(ctx, input.version),
  'models/approve': (input, ctx) => approveVersion(ctx, input.version, input.comment),
  'models/reject': (input, ctx) => rejectVersion(ctx, input.version, input.comment),
  'models/promote': (input, ctx) => promoteVersion(ctx, input.version, input.to, input.comment),
  'models/rollback': (input, ctx) => rollbackProduction(ctx, input.comment),
  'models/archive': (input, ctx) => archiveVersion(ctx, input.version, input.comment),
  'models/export': (input, ctx) => exportVersion(ctx, input.version, input.out),
  'models/import': (input, ctx) => importVersion(ctx, input.path),
};
