/**
 * A supervised worker_threads pool. Each worker runs one task at a time and opens its own connection to
 * the workspace. A worker that throws or dies fails its task with a plain error and is replaced; a task
 * asked to cancel gets a shared flag it checks at every progress point, and is terminated (and its
 * worker replaced) if it does not stop within the grace period. Pending tasks are rejected on close.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { JobProgress } from '../../shared/contract';
import { AppError, fromErrorShape } from '../errors';
import type { RunMessage, WorkerInit, WorkerMessage } from './protocol';
import { resolveWorkerEntry } from './worker-entry';

export interface PoolOptions {
  workspacePath: string;
  size?: number;
  /** How long a cancelled task may take to reach its next checkpoint before its worker is terminated. */
  cancelGraceMs?: number;
  /** Registers the diagnostics tasks (echo, fail, crash, spin) used by the pool's own tests. */
  diagnostics?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: JobProgress) => void;
  /** Run before the tasks already queued (a short task that others wait on). */
  urgent?: boolean;
}

interface Task {
  id: number;
  kind: string;
  input: unknown;
  options: RunOptions;
  cancelFlag: SharedArrayBuffer;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cancelTimer?: NodeJS.Timeout;
  onAbort?: () => void;
  /** The first error a progress listener threw; the task fails with it when it ends. */
  listenerError?: Error;
}

interface Slot {
  worker: Worker;
  task: Task | null;
}

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism());
}

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  private readonly entry = resolveWorkerEntry();

  constructor(private readonly options: PoolOptions) {
    this.size = options.size ?? defaultPoolSize();
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  run<T = unknown>(kind: string, input: unknown, options: RunOptions = {}): Promise<T> {
    // Same answer as a task still queued when the pool closed: the app is closing, not a fault.
    if (this.closed) return Promise.reject(new AppError('job_cancelled', 'The app is closing.'));
    if (options.signal?.aborted) return Promise.reject(new AppError('job_cancelled', 'Cancelled.'));
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        kind,
        input,
        options,
        cancelFlag: new SharedArrayBuffer(4),
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      if (options.signal) {
        task.onAbort = () => this.cancel(task);
        options.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      if (options.urgent) this.queue.unshift(task);
      else this.queue.push(task);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0))
      this.settle(task, new AppError('job_cancelled', 'The app is closing.'));
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.task) this.settle(slot.task, new AppError('job_cancelled', 'The app is closing.'));
        slot.task = null;
        await slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const workerData: WorkerInit & Record<string, unknown> = {
      ...this.entry.data,
      workspacePath: this.options.workspacePath,
      diagnostics: this.options.diagnostics ?? false,
    };
    const worker = new Worker(this.entry.file, { workerData });
    const slot: Slot = { worker, task: null };
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('error', (error) => this.onWorkerDied(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.onWorkerDied(slot, new Error(`worker exited with code ${code}`));
    });
    // An idle pool must not keep a CLI process alive.
    worker.unref();
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      const message: RunMessage = {
        type: 'run',
        taskId: task.id,
        kind: task.kind,
        input: task.input,
        cancelFlag: task.cancelFlag,
      };
      slot.worker.postMessage(message);
    }
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    const task = slot.task;
    if (message.type === 'ready' || !task || message.taskId !== task.id) return;
    if (message.type === 'progress') {
      // A listener runs inside a worker's message handler, where a throw would be an uncaught exception
      // (e.g. a job reporting after its cancel): a cancelled task is settled by its signal, any other
      // listener error fails the task when it ends.
      try {
        task.options.onProgress?.(message.progress);
      } catch (error) {
        if (!task.options.signal?.aborted)
          task.listenerError ??= error instanceof Error ? error : new Error(String(error));
      }
      return;
    }
    slot.task = null;
    slot.worker.unref();
    if (message.type === 'done') this.settle(task, task.listenerError ?? null, message.result);
    else this.settle(task, fromErrorShape(message.error));
    this.dispatch();
  }

  private onWorkerDied(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // already replaced (error is followed by exit)
    const task = slot.task;
    slot.task = null;
    this.slots.splice(index, 1);
    slot.worker.removeAllListeners('exit');
    void slot.worker.terminate();
    if (task) {
      const cancelled = Atomics.load(new Int32Array(task.cancelFlag), 0) === 1;
      this.settle(
        task,
        cancelled
          ? new AppError('job_cancelled', 'Cancelled.')
          : new AppError('worker_crashed', `A background worker stopped unexpectedly: ${error.message}`),
      );
    }
    if (!this.closed) {
      this.slots.push(this.spawn());
      this.dispatch();
    }
  }

  private cancel(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, new AppError('job_cancelled', 'Cancelled before it started.'));
      return;
    }
    Atomics.store(new Int32Array(task.cancelFlag), 0, 1);
    task.cancelTimer = setTimeout(() => {
      const slot = this.slots.find((s) => s.task === task);
      if (slot) this.onWorkerDied(slot, new Error('did not stop after cancel'));
    }, this.options.cancelGraceMs ?? 2000);
  }

  private settle(task: Task, error: Error | null, result?: unknown): void {
    if (task.cancelTimer) clearTimeout(task.cancelTimer);
    if (task.onAbort) task.options.signal?.removeEventListener('abort', task.onAbort);
    if (error) task.reject(error);
    else task.resolve(result);
  }
}
