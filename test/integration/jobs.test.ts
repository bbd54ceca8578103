import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobInfo } from '../../src/shared/contract';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { Store } from '../../src/main/store';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

function open(dir = tmp()) {
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 1, diagnostics: true });
  contexts.push(ctx);
  return ctx;
}

describe('jobs', () => {
  it('runs a job in the pool, publishes progress and keeps the final state', async () => {
    const ctx = open();
    const events: JobInfo[] = [];
    ctx.events.subscribe((name, payload) => {
      if (name === 'jobs/changed') events.push(payload as JobInfo);
    });
    const job = ctx.jobs.start('diag', 'Counting', (handle) => handle.runTask('diag/count', { steps: 10, stepMs: 15 }));
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('succeeded');
    expect(final.result).toEqual({ counted: 10 });
    expect(events.some((e) => e.status === 'running' && e.progress.stage === 'counting')).toBe(true);
    expect(events.at(-1)?.status).toBe('succeeded');
    expect(ctx.jobs.get(job.id).status).toBe('succeeded');
    expect(ctx.jobs.list(true)).toEqual([]);
  });

  it('cancels a running job and records it as cancelled', async () => {
    const ctx = open();
    const job = ctx.jobs.start('diag', 'Long count', (handle) => handle.runTask('diag/count', { steps: 500, stepMs: 20 }));
    setTimeout(() => ctx.jobs.cancel(job.id), 150);
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('cancelled');
    expect(ctx.store.jobs.get(job.id)?.status).toBe('cancelled');
  });

  it('fails a job whose worker dies, with the error, and the app keeps running', async () => {
    const ctx = open();
    const job = ctx.jobs.start('diag', 'Crash', (handle) => handle.runTask('diag/crash', {}));
    const final = await ctx.jobs.wait(job.id);
    expect(final.status).toBe('failed');
    expect(final.error?.code).toBe('worker_crashed');
    const next = ctx.jobs.start('diag', 'After crash', (handle) => handle.runTask('diag/echo', { value: 'ok' }));
    expect((await ctx.jobs.wait(next.id)).result).toBe('ok');
  });

  it('marks jobs left running by a stopped app as failed when the workspace opens again', async () => {
    const dir = tmp();
    const store = Store.open(join(dir, 'w.sqlite'));
    store.jobs.save({
      id: 'orphan',
      kind: 'diag',
      title: 'Interrupted',
      status: 'running',
      progress: { stage: 'x', done: 1, total: 2 },
      createdAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
      result: null,
    });
    store.close();
    const ctx = open(dir);
    expect(ctx.jobs.get('orphan').status).toBe('failed');
  });
});
