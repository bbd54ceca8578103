/**
 * The batch prediction in progress and the batch on show, kept outside React so both survive page
 * changes. Stages dropped files (uploads under `serve`), starts `predict/batch-start`, follows the job
 * through `jobs/changed` (seeded with `jobs/get`, so a quick job is not missed) and, once it succeeds,
 * shows the batch it made.
 */
import { useSyncExternalStore } from 'react';
import type { JobInfo, PredictResult } from '../../../../shared/contract';
import { api, ApiError, type StagedInput } from '../../api/client';
import type { ModelChoice } from './format';

export type BatchPhase = 'idle' | 'staging' | 'running' | 'done';

export interface BatchState {
  phase: BatchPhase;
  title: string;
  staged: { done: number; total: number };
  jobId: string | null;
  job: JobInfo | null;
  outcome: 'succeeded' | 'failed' | 'cancelled' | null;
  result: PredictResult | null;
  error: { code: string; message: string } | null;
  cancelling: boolean;
  /** The batch the page shows (the one just predicted, or one picked from the recent list). */
  batchId: number | null;
}

const initial: BatchState = {
  phase: 'idle',
  title: '',
  staged: { done: 0, total: 0 },
  jobId: null,
  job: null,
  outcome: null,
  result: null,
  error: null,
  cancelling: false,
  batchId: null,
};

let state: BatchState = initial;
const listeners = new Set<() => void>();
function set(next: Partial<BatchState>) {
  state = { ...state, ...next };
  for (const l of listeners) l();
}

const recent = new Map<string, JobInfo>();
let listening = false;
let stagingAborted = false;

function onJob(job: JobInfo) {
  recent.set(job.id, job);
  if (recent.size > 50) recent.delete(recent.keys().next().value!);
  if (state.jobId === job.id) applyJob(job);
}

function applyJob(job: JobInfo) {
  if (state.job?.finishedAt || state.phase !== 'running') return;
  if (!job.finishedAt) {
    set({ job });
    return;
  }
  const outcome =
    job.status === 'succeeded' ? 'succeeded' : job.status === 'cancelled' ? 'cancelled' : 'failed';
  const result = outcome === 'succeeded' ? ((job.result as PredictResult | null) ?? null) : null;
  set({
    job,
    phase: 'done',
    outcome,
    cancelling: false,
    result,
    batchId: result?.batch ?? state.batchId,
    error:
      outcome === 'failed'
        ? { code: job.error?.code ?? 'job_failed', message: job.error?.message ?? 'The prediction failed.' }
        : null,
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

export function useBatch(): BatchState {
  return useSyncExternalStore(subscribe, () => state);
}

export function isBusy(s: BatchState = state): boolean {
  return s.phase === 'staging' || s.phase === 'running';
}

export function showBatch(batchId: number | null) {
  set({ batchId });
}

const STAGE_CHUNK = 16;

/** Stages the files and predicts them with the chosen model. */
export async function predictFiles(inputs: StagedInput[], model: ModelChoice): Promise<void> {
  if (isBusy() || inputs.length === 0) return;
  ensureListening();
  stagingAborted = false;
  const title = `Predict ${inputs.length} file${inputs.length === 1 ? '' : 's'}`;
  set({
    ...initial,
    batchId: state.batchId,
    phase: 'staging',
    title,
    staged: { done: 0, total: inputs.length },
  });
  try {
    const paths: string[] = [];
    for (let i = 0; i < inputs.length; i += STAGE_CHUNK) {
      if (stagingAborted) break;
      const chunk = inputs.slice(i, i + STAGE_CHUNK);
      const base = paths.length;
      paths.push(
        ...(await api.stageFiles(chunk, (done) =>
          set({ staged: { done: base + done, total: inputs.length } }),
        )),
      );
    }
    if (stagingAborted) {
      set({ phase: 'done', outcome: 'cancelled', cancelling: false });
      return;
    }
    const { jobId } = await api.invoke('predict/batch-start', { paths, model, source: 'app' });
    set({ phase: 'running', jobId, job: null });
    const seen = recent.get(jobId);
    if (seen) applyJob(seen);
    try {
      const job = await api.invoke('jobs/get', { id: jobId });
      if (state.jobId === jobId && (job.finishedAt || !state.job)) applyJob(job);
    } catch {
      // The events keep the state current.
    }
  } catch (e) {
    set({
      phase: 'done',
      outcome: 'failed',
      cancelling: false,
      error: {
        code: e instanceof ApiError ? e.code : 'internal',
        message: e instanceof Error ? e.message : String(e),
      },
    });
  }
}

export async function cancelBatch(): Promise<void> {
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
    set({
      cancelling: false,
      error: { code: 'internal', message: e instanceof Error ? e.message : String(e) },
    });
  }
}

export function dismissOutcome() {
  if (!isBusy()) set({ phase: 'idle', outcome: null, error: null, result: null, job: null, jobId: null });
}
