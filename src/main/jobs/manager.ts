/**
 * Jobs as the UI and CLI see them: an id, a title, progress events (stage, done/total, message) and a
 * cancel call. A job's runner orchestrates on the main thread and sends the heavy work to the pool.
 * Every state change is saved to the workspace and published as a `jobs/changed` event.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { JobInfo, JobProgress } from '../../shared/contract';
import { AppError, toErrorShape } from '../errors';
import type { EventBus } from '../events';
import type { Logger } from '../logging';
import type { Store } from '../store';
import type { RunOptions, WorkerPool } from './pool';

export interface JobHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(progress: JobProgress): void;
  /** Runs one task in the pool; its progress is reported under the job unless `quiet`. */
  runTask<T>(kind: string, input: unknown, options?: { quiet?: boolean; urgent?: boolean; onProgress?: RunOptions['onProgress'] }): Promise<T>;
  throwIfCancelled(): void;
  log: Logger;
}

export type JobRunner<R> = (job: JobHandle) => Promise<R>;

interface LiveJob {
  info: JobInfo;
  controller: AbortController;
  done: Promise<JobInfo>;
}

export class JobManager {
  private readonly live = new Map<string, LiveJob>();
  private lastEmit = new Map<string, number>();
  /** Job states not in the workspace yet (see save): what get/list/wait answer with meanwhile. */
  private readonly unsaved = new Map<string, JobInfo>();

  constructor(
    private readonly store: Store,
    private readonly pool: WorkerPool,
    private readonly events: EventBus,
    private readonly log: Logger,
  ) {
    const orphans = store.jobs.failOrphans();
    if (orphans > 0) log.warn(`${orphans} job(s) were interrupted when the app last stopped; marked failed.`);
  }

  start<R>(kind: string, title: string, runner: JobRunner<R>, summarize?: (result: R) => unknown): JobInfo {
    const controller = new AbortController();
    // Every pool task of a job listens on its signal; a job may run hundreds of them.
    setMaxListeners(0, controller.signal);
    const info: JobInfo = {
      id: randomUUID(),
      kind,
      title,
      status: 'running',
      progress: { stage: 'starting', done: 0, total: 0 },
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      result: null,
    };
    const log = this.log.child(kind);
    const handle: JobHandle = {
      id: info.id,
      signal: controller.signal,
      log,
      progress: (progress) => {
        if (controller.signal.aborted) throw new AppError('job_cancelled', 'Cancelled.');
        info.progress = progress;
        this.publish(info, false);
      },
      runTask: (taskKind, input, options = {}) =>
        this.pool.run(taskKind, input, {
          signal: controller.signal,
          urgent: options.urgent,
          onProgress: (p) => {
            options.onProgress?.(p);
            if (!options.quiet) {
              info.progress = p;
              this.publish(info, false);
            }
          },
        }),
      throwIfCancelled: () => {
        if (controller.signal.aborted) throw new AppError('job_cancelled', 'Cancelled.');
      },
    };
    this.save(info);
    log.info(`Started: ${title}`, { job: info.id });
    const done = (async () => {
      try {
        const result = await runner(handle);
        if (controller.signal.aborted) throw new AppError('job_cancelled', 'Cancelled.');
        info.status = 'succeeded';
        info.result = summarize ? summarize(result) : (result ?? null);
        log.info(`Finished: ${title}`, { job: info.id });
      } catch (error) {
        const shape = toErrorShape(error);
        info.status = controller.signal.aborted || shape.code === 'job_cancelled' ? 'cancelled' : 'failed';
        info.error = info.status === 'cancelled' ? { code: 'job_cancelled', message: 'Cancelled.' } : shape;
        if (info.status === 'failed') log.error(`Failed: ${title}: ${shape.message}`, { job: info.id, code: shape.code });
        else log.info(`Cancelled: ${title}`, { job: info.id });
      }
      info.finishedAt = new Date().toISOString();
      this.live.delete(info.id);
      this.publish(info, true);
      return info;
    })();
    this.live.set(info.id, { info, controller, done });
    // Saved above, before the runner began: published here, not written a second time.
    this.publish(info, true, false);
    return { ...info };
  }

  /** Waits for a job to end and returns its final state (the CLI uses this). */
  async wait(id: string): Promise<JobInfo> {
    const live = this.live.get(id);
    if (live) return live.done;
    const saved = this.unsaved.get(id) ?? this.store.jobs.get(id);
    if (!saved) throw new AppError('not_found', `No job ${id}.`);
    return { ...saved };
  }

  cancel(id: string): boolean {
    const live = this.live.get(id);
    if (!live) return false;
    live.controller.abort();
    this.log.info(`Cancel requested: ${live.info.title}`, { job: id });
    return true;
  }

  list(activeOnly = false): JobInfo[] {
    const active = [...this.live.values()].map((j) => ({ ...j.info }));
    if (activeOnly) return active;
    const unsaved = [...this.unsaved.values()].filter((j) => !this.live.has(j.id)).map((j) => ({ ...j }));
    const ids = new Set([...active, ...unsaved].map((j) => j.id));
    return [...active, ...unsaved, ...this.store.jobs.recent(50).filter((j) => !ids.has(j.id))];
  }

  get(id: string): JobInfo {
    const live = this.live.get(id);
    if (live) return { ...live.info };
    const saved = this.unsaved.get(id) ?? this.store.jobs.get(id);
    if (!saved) throw new AppError('not_found', `No job ${id}.`);
    return { ...saved };
  }

  async cancelAll(): Promise<void> {
    const all = [...this.live.values()];
    for (const job of all) job.controller.abort();
    await Promise.allSettled(all.map((j) => j.done));
  }

  /**
   * Writes a job's state without waiting for the write lock on this (the UI's) thread: a worker may
   * hold it for seconds while it stores a large file. Until a deferred state lands, get/list/wait
   * answer with it from memory.
   */
  private save(info: JobInfo): void {
    const state: JobInfo = { ...info };
    this.unsaved.set(info.id, state);
    this.store.writeSoon(() => {
      this.store.jobs.save(state);
      if (this.unsaved.get(info.id) === state) this.unsaved.delete(info.id);
    });
  }

  /** force: publish now (a state change, not progress); save: also write it to the workspace. */
  private publish(info: JobInfo, force: boolean, save = force): void {
    // Progress can arrive thousands of times a second; the UI needs ~10 updates a second.
    const now = Date.now();
    if (!force && now - (this.lastEmit.get(info.id) ?? 0) < 100) return;
    this.lastEmit.set(info.id, now);
    if (save) this.save(info);
    if (force && info.finishedAt) this.lastEmit.delete(info.id);
    this.events.emit('jobs/changed', { ...info });
  }
}
