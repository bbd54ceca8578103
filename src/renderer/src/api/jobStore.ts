/**
 * A job the window starts from dropped files and follows, kept outside React so it survives page changes:
 * stages the files (uploads under `serve`) in chunks so a Cancel stops between them, starts the job,
 * follows it through `jobs/changed` (caught up with `jobs/get`, so a quick job is not missed) and maps the
 * finished JobInfo to an outcome and the job's own result. The Data page's imports and the Predict page's
 * batches are each one store made here; the feature adds its own fields (the kind, the batch on show).
 */
import { useSyncExternalStore } from 'react';
import type { JobInfo } from '../../../shared/contract';
import { api, ApiError, type StagedInput } from './client';

export type JobPhase = 'idle' | 'staging' | 'running' | 'done';
export type JobOutcome = 'succeeded' | 'failed' | 'cancelled';

export interface JobError {
  code: string;
  message: string;
}

export interface JobState<Result> {
  phase: JobPhase;
  title: string;
  staged: { done: number; total: number };
  jobId: string | null;
  job: JobInfo | null;
  outcome: JobOutcome | null;
  /** What a job that succeeded produced (its JobInfo result, as the feature reads it). */
  result: Result | null;
  error: JobError | null;
  cancelling: boolean;
}

export interface JobStoreOptions<Result, Extra extends object> {
  /** The feature's own fields, as they start. */
  extra: Extra;
  /** The feature's fields that a new job or a dismiss keeps (e.g. the chosen kind, the batch on show). */
  keep?: readonly (keyof Extra)[];
  /** The result of a job that succeeded. */
  toResult(job: JobInfo): Result | null;
  /** Further fields to set once a job succeeds with a result. */
  onResult?(result: Result): Partial<Extra>;
  /** Jobs started elsewhere (a script, the CLI through `serve`) to follow while nothing else runs. */
  adopt?(job: JobInfo): boolean;
  /** The message for a job that failed without one. */
  failedMessage: string;
}

export interface JobStore<Result, Extra extends object> {
  /** The state, for React (useSyncExternalStore). */
  useJob(): JobState<Result> & Extra;
  get(): JobState<Result> & Extra;
  isBusy(s?: JobState<Result>): boolean;
  /** Sets the feature's own fields. */
  update(next: Partial<Extra>): void;
  /** Stages the files, then starts the job with their paths and follows it; one job at a time. */
  run(
    inputs: StagedInput[],
    title: string,
    start: (paths: string[]) => Promise<{ jobId: string }>,
    extra?: Partial<Extra>,
  ): Promise<void>;
  /** Follows a job that is already running. */
  follow(jobId: string, title: string, extra?: Partial<Extra>): Promise<void>;
  cancel(): Promise<void>;
  /** Clears a finished job's outcome. */
  dismiss(): void;
}

const STAGE_CHUNK = 16;
const RECENT = 50;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createJobStore<Result, Extra extends object>(
  options: JobStoreOptions<Result, Extra>,
): JobStore<Result, Extra> {
  type State = JobState<Result> & Extra;
  const initial: State = {
    ...options.extra,
    phase: 'idle',
    title: '',
    staged: { done: 0, total: 0 },
    jobId: null,
    job: null,
    outcome: null,
    result: null,
    error: null,
    cancelling: false,
  };

  let state: State = initial;
  const listeners = new Set<() => void>();
  const set = (next: Partial<JobState<Result>> | Partial<Extra>) => {
    state = { ...state, ...next } as State;
    for (const l of listeners) l();
  };
  /** The initial state with the fields the feature keeps across jobs. */
  const fresh = (): State => {
    const kept: Partial<Extra> = {};
    for (const k of options.keep ?? []) kept[k] = state[k];
    return { ...initial, ...kept };
  };
  const isBusy = (s: JobState<Result> = state) => s.phase === 'staging' || s.phase === 'running';

  // Events can arrive before the start call has answered with the job id: keep the latest per job briefly.
  const recent = new Map<string, JobInfo>();
  let listening = false;
  let stagingAborted = false;

  function applyJob(job: JobInfo) {
    if (state.job?.finishedAt || state.phase !== 'running') return;
    if (!job.finishedAt) {
      set({ job });
      return;
    }
    const outcome: JobOutcome =
      job.status === 'succeeded' ? 'succeeded' : job.status === 'cancelled' ? 'cancelled' : 'failed';
    const result = outcome === 'succeeded' ? options.toResult(job) : null;
    set({
      job,
      phase: 'done',
      outcome,
      cancelling: false,
      result,
      error:
        outcome === 'failed'
          ? { code: job.error?.code ?? 'job_failed', message: job.error?.message ?? options.failedMessage }
          : null,
      ...(result !== null && options.onResult ? options.onResult(result) : {}),
    });
  }

  function onJob(job: JobInfo) {
    recent.set(job.id, job);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
    if (state.jobId === job.id) applyJob(job);
    else if (options.adopt?.(job) && !job.finishedAt && !isBusy()) {
      set({ ...fresh(), phase: 'running', title: job.title, jobId: job.id, job });
    }
  }

  function ensureListening() {
    if (listening) return;
    listening = true;
    api.on('jobs/changed', onJob);
  }

  function subscribe(l: () => void) {
    ensureListening();
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }
  const snapshot = () => state;

  async function follow(jobId: string, title: string, extra: Partial<Extra> = {}) {
    ensureListening();
    set({ ...fresh(), ...extra, phase: 'running', title, jobId, job: null });
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

  async function run(
    inputs: StagedInput[],
    title: string,
    start: (paths: string[]) => Promise<{ jobId: string }>,
    extra: Partial<Extra> = {},
  ) {
    if (isBusy() || inputs.length === 0) return;
    ensureListening();
    stagingAborted = false;
    const total = inputs.length;
    set({ ...fresh(), ...extra, phase: 'staging', title, staged: { done: 0, total } });
    try {
      const paths: string[] = [];
      for (let i = 0; i < total && !stagingAborted; i += STAGE_CHUNK) {
        const base = paths.length;
        const chunk = inputs.slice(i, i + STAGE_CHUNK);
        paths.push(...(await api.stageFiles(chunk, (done) => set({ staged: { done: base + done, total } }))));
      }
      if (stagingAborted) {
        set({ phase: 'done', outcome: 'cancelled', cancelling: false });
        return;
      }
      const { jobId } = await start(paths);
      await follow(jobId, title, extra);
    } catch (e) {
      set({
        phase: 'done',
        outcome: 'failed',
        cancelling: false,
        error: { code: e instanceof ApiError ? e.code : 'internal', message: message(e) },
      });
    }
  }

  async function cancel() {
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
      set({ cancelling: false, error: { code: 'internal', message: message(e) } });
    }
  }

  return {
    useJob: () => useSyncExternalStore(subscribe, snapshot),
    get: snapshot,
    isBusy,
    update: (next) => set(next),
    run,
    follow,
    cancel,
    dismiss: () => {
      if (!isBusy()) set(fresh());
    },
  };
}
