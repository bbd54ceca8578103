import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerPool } from '../../src/main/jobs/pool';
import { Store } from '../../src/main/store';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();
const pools: WorkerPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function makePool(size = 2, cancelGraceMs = 500) {
  const workspacePath = join(tmp(), 'w.sqlite');
  Store.open(workspacePath).close();
  const pool = new WorkerPool({ workspacePath, size, diagnostics: true, cancelGraceMs });
  pools.push(pool);
  return pool;
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('worker pool (real worker threads)', () => {
  it('runs tasks and returns their results', async () => {
    const pool = makePool();
    const results = await Promise.all([1, 2, 3, 4].map((v) => pool.run('diag/echo', { value: v })));
    expect(results).toEqual([1, 2, 3, 4]);
  });

  it('runs an urgent task before the tasks already queued', async () => {
    const pool = makePool(1);
    const order: string[] = [];
    const track = (name: string, p: Promise<unknown>) => p.then(() => order.push(name));
    const running = track('running', pool.run('diag/count', { steps: 5, stepMs: 10 }));
    const queued = ['a', 'b', 'c'].map((name) => track(name, pool.run('diag/echo', { value: name })));
    const urgent = track('urgent', pool.run('diag/echo', { value: 'urgent' }, { urgent: true }));
    await Promise.all([running, ...queued, urgent]);
    expect(order).toEqual(['running', 'urgent', 'a', 'b', 'c']);
  });

  it('fails a task that throws with its message, and keeps working', async () => {
    const pool = makePool(1);
    const error = await errorOf(pool.run('diag/fail', { message: 'sensor table missing' }));
    expect(error.message).toContain('sensor table missing');
    expect(await pool.run('diag/echo', { value: 'still here' })).toBe('still here');
  });

  it('fails the task of a worker that dies and replaces the worker', async () => {
    const pool = makePool(1);
    const error = await errorOf(pool.run('diag/crash', {}));
    expect(error.code).toBe('worker_crashed');
    expect(await pool.run('diag/echo', { value: 42 })).toBe(42);
  });

  it('survives a progress listener that throws: after a cancel it is ignored, otherwise the task fails with it', async () => {
    const pool = makePool(1);
    const controller = new AbortController();
    const cancelled = pool.run(
      'diag/count',
      { steps: 1000, stepMs: 5 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.done >= 3) controller.abort();
          if (controller.signal.aborted) throw new Error('reported after cancel');
        },
      },
    );
    expect((await errorOf(cancelled)).code).toBe('job_cancelled');
    const failed = pool.run(
      'diag/count',
      { steps: 5, stepMs: 1 },
      {
        onProgress: () => {
          throw new Error('listener bug');
        },
      },
    );
    expect((await errorOf(failed)).message).toBe('listener bug');
    expect(await pool.run('diag/echo', { value: 'still here' })).toBe('still here');
  });

  it('reports progress and stops a cooperative task on cancel', async () => {
    const pool = makePool(1);
    const controller = new AbortController();
    const seen: number[] = [];
    const started = Date.now();
    const run = pool.run(
      'diag/count',
      { steps: 1000, stepMs: 20 },
      {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.done);
          if (p.done >= 5) controller.abort();
        },
      },
    );
    const error = await errorOf(run);
    expect(error.code).toBe('job_cancelled');
    expect(seen.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await pool.run('diag/echo', { value: 'next' })).toBe('next');
  });

  it('terminates a task that ignores cancel and replaces its worker', async () => {
    const pool = makePool(1, 300);
    const controller = new AbortController();
    const run = pool.run('diag/hang', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await errorOf(run);
    expect(error.code).toBe('job_cancelled');
    expect(await pool.run('diag/echo', { value: 'replaced' })).toBe('replaced');
  });

  it('cancels a queued task before it starts', async () => {
    const pool = makePool(1);
    const busy = pool.run('diag/count', { steps: 5, stepMs: 50 });
    const controller = new AbortController();
    const queued = pool.run('diag/echo', { value: 1 }, { signal: controller.signal });
    controller.abort();
    expect((await errorOf(queued)).code).toBe('job_cancelled');
    await busy;
  });

  it('gives each worker its own connection to the workspace', async () => {
    const pool = makePool(2);
    const results = await Promise.all([pool.run('diag/workspace', {}), pool.run('diag/workspace', {})]);
    expect(results).toEqual([{ logs: 0 }, { logs: 0 }]);
  });

  it('rejects pending tasks when closed', async () => {
    const pool = makePool(1);
    const running = pool.run('diag/count', { steps: 100, stepMs: 20 });
    const queued = pool.run('diag/echo', { value: 1 });
    const errors = Promise.all([errorOf(running), errorOf(queued)]);
    await pool.close();
    expect((await errors).map((e) => e.code)).toEqual(['job_cancelled', 'job_cancelled']);
    // A task offered after the close gets the same answer (e.g. an import's background checkpoint).
    expect((await errorOf(pool.run('diag/echo', { value: 2 }))).code).toBe('job_cancelled');
  });
});
