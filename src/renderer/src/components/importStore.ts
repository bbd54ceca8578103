/**
 * The import in progress, kept outside React so it survives page changes: a drop on any page starts it,
 * the Data page shows it. Stages the files (uploads under `serve`), starts `data/ingest`, follows the
 * job through `jobs/changed` and keeps the final IngestSummary for the result banner. Import jobs started
 * elsewhere (the sample data, a script through `serve`) are followed too, so their progress shows here.
 */
import { useSyncExternalStore } from 'react';
import type { IngestSummary, JobInfo, SchemaKind } from '../../../shared/contract';
import { api, ApiError, type StagedInput } from '../api/client';

export type ImportPhase = 'idle' | 'staging' | 'running' | 'done';

export interface ImportState {
  kind: SchemaKind;
  phase: ImportPhase;
  title: string;
  files: number;
  staged: { done: number; total: number };
  jobId: string | null;
  job: JobInfo | null;
  outcome: 'succeeded' | 'failed' | 'cancelled' | null;
  summary: IngestSummary | null;
  error: string | null;
  cancelling: boolean;
}

const initial: ImportState = {
  kind: 'training',
  phase: 'idle',
  title: '',
  files: 0,
  staged: { done: 0, total: 0 },
  jobId: null,
  job: null,
  outcome: null,
  summary: null,
  error: null,
  cancelling: false,
};

let state: ImportState = initial;
const listeners = new Set<() => void>();
function set(next: Partial<ImportState>) {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

// Events can arrive before `data/ingest` has answered with the job id: keep the latest per job briefly.
const recent = new Map<string, JobInfo>();
let listening = false;
let stagingAborted = false;

/** Import jobs are recognised by kind; the sample loader is an import too. */
export function isImportJob(job: JobInfo): boolean {
  return /ingest|import|sample/i.test(job.kind);
}

function onJob(job: JobInfo) {
  recent.set(job.id, job);
  if (recent.size > 50) recent.delete(recent.keys().next().value!);
  if (state.jobId === job.id) applyJob(job);
  else if (isImportJob(job) && !job.finishedAt && state.phase !== 'staging' && state.phase !== 'running') {
    // An import started elsewhere (script, CLI through serve): follow it so the page shows its progress.
    set({ ...initial, kind: state.kind, phase: 'running', title: job.title, jobId: job.id, job });
  }
}

function applyJob(job: JobInfo) {
  if (state.job?.finishedAt) return;
  if (!job.finishedAt) {
    set({ job });
    return;
  }
  const outcome = job.status === 'succeeded' ? 'succeeded' : job.status === 'cancelled' ? 'cancelled' : 'failed';
  set({
    job,
    phase: 'done',
    outcome,
    cancelling: false,
    summary: outcome === 'succeeded' ? ((job.result as IngestSummary | null) ?? null) : null,
    error: outcome === 'failed' ? (job.error?.message ?? 'The import failed.') : null,
  });
}

function ensureListening() {
  if (listening) return;
  listening = true;
  api.on('jobs/changed', onJob);
}

function subscribe(l: () => void) {
  ensureListening();
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useImport(): ImportState {
  return useSyncExternalStore(subscribe, () => state);
}

export function isBusy(s: ImportState = state): boolean {
  return s.phase === 'staging' || s.phase === 'running';
}

export function setImportKind(kind: SchemaKind) {
  set({ kind });
}

/** Follows a job that is already running (e.g. `data/load-sample`). */
export async function followJob(jobId: string, title: string, extra: Partial<ImportState> = {}) {
  ensureListening();
  set({ ...initial, kind: state.kind, ...extra, phase: 'running', title, jobId, job: null });
  const seen = recent.get(jobId);
  if (seen) applyJob(seen);
  try {
    const job = await api.invoke('jobs/get', { id: jobId });
    // Only a catch-up for a missed first event: never let an older snapshot replace newer progress.
    if (state.jobId === jobId && (job.finishedAt || !state.job)) applyJob(job);
  } catch {
    // The events keep the state current.
  }
}

const STAGE_CHUNK = 16;

/** Stages and imports files as the currently selected kind. */
export async function importFiles(inputs: StagedInput[], kind: SchemaKind = state.kind): Promise<void> {
  if (isBusy() || inputs.length === 0) return;
  ensureListening();
  stagingAborted = false;
  const title = `Import ${inputs.length} ${kind} file${inputs.length === 1 ? '' : 's'}`;
  set({ ...initial, kind, phase: 'staging', title, files: inputs.length, staged: { done: 0, total: inputs.length } });
  try {
    // Staged in chunks so a Cancel during a long upload stops between chunks.
    const paths: string[] = [];
    for (let i = 0; i < inputs.length; i += STAGE_CHUNK) {
      if (stagingAborted) {
        set({ phase: 'done', outcome: 'cancelled', cancelling: false });
        return;
      }
      const chunk = inputs.slice(i, i + STAGE_CHUNK);
      const base = paths.length;
      paths.push(
        ...(await api.stageFiles(chunk, (done) => set({ staged: { done: base + done, total: inputs.length } }))),
      );
    }
    if (stagingAborted) {
      set({ phase: 'done', outcome: 'cancelled', cancelling: false });
      return;
    }
    const { jobId } = await api.invoke('data/ingest', { kind, paths });
    await followJob(jobId, title, { kind, files: inputs.length });
  } catch (e) {
    set({ phase: 'done', outcome: 'failed', error: e instanceof ApiError || e instanceof Error ? e.message : String(e) });
  }
}

export async function cancelImport(): Promise<void> {
  if (state.phase === 'staging') {
    stagingAborted = true;
    set({ cancelling: true });
    return;
  }
  if (state.phase !== 'running' || !state.jobId) return;
  set({ cancelling: true });
  try {
    await api.invoke('jobs/cancel', { id: state.jobId });
  } catch (e) {
    set({ cancelling: false, error: e instanceof Error ? e.message : String(e) });
  }
}

export function dismissImport() {
  if (!isBusy()) set({ ...initial, kind: state.kind });
}
