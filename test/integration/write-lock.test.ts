// Main's bookkeeping writes while another connection holds the workspace's write lock (as a worker
// does while it stores a file past the import's memory budget): they never wait on the UI thread,
// land in order once the lock is free, and land at close at the latest. Real SQLite files, two real
// connections; the lock is a BEGIN IMMEDIATE on the second one.
import { join } from 'node:path';
import { expect, it, describe } from 'vitest';
import { toErrorShape } from '../../src/main/errors';
import { closeAppContext, openAppContext } from '../../src/main/services/context';
import { Store } from '../../src/main/store';
import { BUSY_TIMEOUT_MS, WORKER_BUSY_TIMEOUT_MS } from '../../src/main/store/db';
import { useTempDir } from '../helpers/tmp';

const tmp = useTempDir();

function logLine(store: Store, message: string): () => void {
  return () =>
    store.logs.insert({
      time: new Date().toISOString(),
      level: 'info',
      component: 'test',
      message,
      context: null,
    });
}

const messages = (store: Store) =>
  store.logs
    .list({ component: 'test', limit: 100 })
    .map((e) => e.message)
    .sort();

describe('writes while another connection holds the write lock', () => {
  it('writeSoon runs at once when the lock is free, and defers in order, without waiting, when it is not', async () => {
    const path = join(tmp(), 'w.sqlite');
    const main = Store.open(path);
    const worker = Store.open(path, { attach: true });
    expect(main.writeSoon(logLine(main, 'a'))).toBe(true);
    expect(messages(main)).toEqual(['a']);

    const lock = worker.begin();
    // With the default busy timeout these would wait 15 s each (and the test would time out).
    expect(main.writeSoon(logLine(main, 'b'))).toBe(false);
    expect(main.writeSoon(logLine(main, 'c'))).toBe(false);
    expect(main.pendingWrites).toBe(2);
    expect(messages(main)).toEqual(['a']);
    // Main's later writes keep the connection's normal timeout: a write that must land still waits.
    expect(main.db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);

    lock.commit();
    await expect.poll(() => main.pendingWrites, { timeout: 5000 }).toBe(0);
    const rows = main.db.prepare("SELECT message FROM logs WHERE component = 'test' ORDER BY id").all() as {
      message: string;
    }[];
    expect(rows.map((r) => r.message)).toEqual(['a', 'b', 'c']);
    worker.close();
    main.close();
  });

  it('writeWhenFree waits for the lock without blocking this thread, then runs a read-then-write whole', async () => {
    const path = join(tmp(), 'w.sqlite');
    const main = Store.open(path);
    const worker = Store.open(path, { attach: true });
    const lock = worker.begin();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const written = main.writeWhenFree(() => {
      // A read first: in a plain deferred transaction the write after it would fail at once.
      const before = main.logs.list({ component: 'test', limit: 10 }).length;
      logLine(main, `after ${before}`)();
      return before;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(messages(main)).toEqual([]);
    // The thread kept running its timers while the write waited.
    expect(ticks).toBeGreaterThan(3);
    lock.commit();
    await expect(written).resolves.toBe(0);
    clearInterval(ticker);
    expect(messages(main)).toEqual(['after 0']);
    worker.close();
    main.close();
  });

  it('a deferred write lands at close, and an error that is not a busy lock still reaches the caller', () => {
    const path = join(tmp(), 'w.sqlite');
    const main = Store.open(path);
    const worker = Store.open(path, { attach: true });
    const lock = worker.begin();
    expect(main.writeSoon(logLine(main, 'at close'))).toBe(false);
    lock.rollback();
    main.close();
    worker.close();
    const reopened = Store.open(path);
    expect(messages(reopened)).toEqual(['at close']);
    expect(() =>
      reopened.writeSoon(() => {
        reopened.db.prepare('INSERT INTO no_such_table VALUES (1)').run();
      }),
    ).toThrow(/no_such_table/);
    expect(reopened.pendingWrites).toBe(0);
    reopened.close();
  });

  it('logging and job states do not wait for the lock; jobs answer from memory until theirs lands', async () => {
    const dir = tmp();
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 1 });
    const logEvents: number[] = [];
    ctx.events.subscribe((event, payload) => {
      if (event === 'data/changed' && (payload as { domain: string }).domain === 'logs')
        logEvents.push(ctx.store.logs.list({ search: 'a note written under the lock', limit: 5 }).length);
    });
    const other = Store.open(ctx.workspacePath, { attach: true });
    try {
      const lock = other.begin();
      ctx.log.info('a note written under the lock');
      const job = ctx.jobs.start('probe', 'Probe while locked', async () => 42);
      const final = await ctx.jobs.wait(job.id);
      expect(final).toMatchObject({ status: 'succeeded', result: 42 });
      // Not in the workspace yet, but every way of asking sees the finished job.
      expect(ctx.store.jobs.get(job.id)).toBeNull();
      expect(ctx.jobs.get(job.id)).toMatchObject({ status: 'succeeded' });
      expect(ctx.jobs.list().find((j) => j.id === job.id)).toMatchObject({ status: 'succeeded' });
      expect(await ctx.jobs.wait(job.id)).toMatchObject({ status: 'succeeded' });
      expect(ctx.store.pendingWrites).toBeGreaterThan(0);

      lock.commit();
      await expect.poll(() => ctx.store.pendingWrites, { timeout: 5000 }).toBe(0);
      expect(ctx.store.jobs.get(job.id)).toMatchObject({ status: 'succeeded', result: 42 });
      expect(ctx.store.logs.list({ search: 'a note written under the lock', limit: 5 })).toHaveLength(1);
      // The Logs page is told again once the deferred entries are there to read.
      await expect.poll(() => logEvents.includes(1), { timeout: 5000 }).toBe(true);
    } finally {
      other.close();
      await closeAppContext(ctx);
    }
  });

  it('workers wait for a long lock instead of failing; a busy lock that does surface has a stable code', () => {
    const path = join(tmp(), 'w.sqlite');
    const main = Store.open(path);
    const worker = Store.open(path, { attach: true });
    expect(worker.db.pragma('busy_timeout', { simple: true })).toBe(WORKER_BUSY_TIMEOUT_MS);
    const lock = worker.begin();
    main.db.pragma('busy_timeout = 0');
    let caught: unknown;
    try {
      main.db.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
    } catch (error) {
      caught = error;
    }
    expect(toErrorShape(caught)).toMatchObject({ code: 'workspace_busy' });
    lock.rollback();
    worker.close();
    main.close();
  });
});
