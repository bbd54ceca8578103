/**
 * What a task sees inside a worker: its own connection to the workspace (opened on first use),
 * progress reporting, and the cancel flag, checked at every progress point so generators that yield
 * per iteration stop within one iteration of a cancel.
 */
import type { JobProgress } from '../../shared/contract';
import { AppError } from '../errors';
import { Store } from '../store';

export interface TaskContext {
  readonly workspacePath: string;
  store(): Store;
  progress(progress: JobProgress): void;
  isCancelled(): boolean;
  throwIfCancelled(): void;
  /** Runs a generator to completion, reporting each yielded progress and stopping on cancel. */
  drain<T>(generator: Generator<Partial<JobProgress> | undefined, T>, stage: string): T;
}

export type TaskFn = (input: never, ctx: TaskContext) => unknown;

let sharedStore: Store | null = null;

export function createTaskContext(
  workspacePath: string,
  cancelFlag: SharedArrayBuffer,
  send: (progress: JobProgress) => void,
): TaskContext {
  const flag = new Int32Array(cancelFlag);
  let lastSent = 0;
  const ctx: TaskContext = {
    workspacePath,
    store() {
      sharedStore ??= Store.open(workspacePath, { attach: true });
      return sharedStore;
    },
    progress(progress) {
      ctx.throwIfCancelled();
      // Throttle to ~20 messages a second; the first and the last always go out.
      const now = Date.now();
      if (now - lastSent >= 50 || progress.done === 0 || progress.done >= progress.total) {
        lastSent = now;
        send(progress);
      }
    },
    isCancelled: () => Atomics.load(flag, 0) === 1,
    throwIfCancelled() {
      if (Atomics.load(flag, 0) === 1) throw new AppError('job_cancelled', 'Cancelled.');
    },
    drain(generator, stage) {
      for (;;) {
        const step = generator.next();
        if (step.done) return step.value;
        const p = step.value ?? {};
        ctx.progress({ stage: p.stage ?? stage, done: p.done ?? 0, total: p.total ?? 0, message: p.message });
      }
    },
  };
  return ctx;
}
