/**
 * Diagnostics tasks, registered only when the pool is created with `diagnostics: true`: they let the
 * pool's own tests prove supervision (a task that throws, a worker that dies, a task that ignores
 * cancel) on real worker threads.
 */
import type { TaskContext } from '../context';

export const diagnosticsTasks = {
  'diag/echo': (input: { value: unknown }) => input.value,
  'diag/fail': (input: { message: string }) => {
    throw new Error(input.message);
  },
  'diag/crash': () => {
    // An exception outside the task's promise chain kills the worker thread.
    setTimeout(() => {
      throw new Error('worker crashed on purpose');
    }, 0);
    return new Promise(() => undefined);
  },
  'diag/count': (input: { steps: number; stepMs: number }, ctx: TaskContext) => {
    for (let i = 0; i <= input.steps; i++) {
      const until = Date.now() + input.stepMs;
      while (Date.now() < until) {
        /* busy on purpose: a CPU-bound step like a tree fit */
      }
      ctx.progress({ stage: 'counting', done: i, total: input.steps });
    }
    return { counted: input.steps };
  },
  'diag/hang': () => {
    for (;;) {
      /* never checks the cancel flag: the pool must terminate it */
    }
  },
  'diag/has-bundle': (input: { versionId: number }, ctx: TaskContext) => ctx.hasBundle(input.versionId),
  'diag/workspace': (_input: unknown, ctx: TaskContext) => {
    const row = ctx.store().db.prepare('SELECT COUNT(*) AS n FROM logs').get() as { n: number };
    return { logs: row.n };
  },
};
