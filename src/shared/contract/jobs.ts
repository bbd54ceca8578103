/** Job channels and the progress event: a long job is an id, progress events and a cancel call. */
import { z } from 'zod';
import { channel, event } from './define';
import type { ErrorShape } from '../errors';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
  message?: string;
  /** Per-item progress (e.g. each file of an import) where a job works on several at once. */
  items?: { name: string; done: number; total: number }[];
}

export interface JobInfo {
  id: string;
  kind: string;
  title: string;
  status: JobStatus;
  progress: JobProgress;
  createdAt: string;
  finishedAt: string | null;
  error: ErrorShape | null;
  /** Small result summary for the UI (full results live in their own tables). */
  result: unknown;
}

const jobId = z.string().min(1).max(64);

export const jobsChannels = {
  'jobs/list': channel<JobInfo[]>()(z.object({ active: z.boolean().optional() }).strict()),
  'jobs/get': channel<JobInfo>()(z.object({ id: jobId }).strict()),
  'jobs/cancel': channel<{ cancelled: boolean }>()(z.object({ id: jobId }).strict()),
};

export const jobsEvents = {
  'jobs/changed': event<JobInfo>(),
  'data/changed': event<{ domain: 'files' | 'schemas' | 'runs' | 'models' | 'predictions' | 'logs' | 'watch' | 'monitor' }>(),
};
