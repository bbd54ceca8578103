/**
 * The watched folder on a real workspace, real files and real workers: files that settle are predicted
 * once as 'watch' batches, files still being written wait, changed files are taken again, the ledger
 * survives a restart (and the app's watcher resumes), a cancelled batch stops the watcher and keeps
 * nothing, and a folder that goes away is an error the watcher recovers from.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatchStatus } from '../../src/shared/contract';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { monitorSummary } from '../../src/main/services/monitor';
import { FolderWatcher, resumeWatching, startWatching, stopWatching, watchStatus } from '../../src/main/services/watch';
import { trainIntoProduction } from '../helpers/production-model';
import { useTempDir } from '../helpers/tmp';
import { writeTrainingBatch } from '../helpers/training-data';
import { waferCsv } from '../helpers/wafer-files';

const tmp = useTempDir();
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

function open(dir: string): AppContext {
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 2 });
  contexts.push(ctx);
  return ctx;
}

/** A prediction file (no label) in the folder, its time set `ageSeconds` in the past. */
function drop(folder: string, name: string, rows = 20, seed = 5, ageSeconds = 60): string {
  const path = join(folder, name);
  writeFileSync(path, waferCsv({ rows, seed, withLabel: false }));
  const t = (Date.now() - ageSeconds * 1000) / 1000;
  utimesSync(path, t, t);
  return path;
}

function watcher(ctx: AppContext, folder: string, settleSeconds = 5): FolderWatcher {
  return new FolderWatcher(ctx, { folder, model: 'production', settleSeconds, intervalSeconds: 0.2 });
}

async function until<T>(read: () => T, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watched folder', () => {
  it('predicts settled files once, leaves files being written, and takes a changed file again', async () => {
    const dir = tmp();
    const ctx = open(dir);
    await trainIntoProduction(ctx, dir);
    const folder = join(dir, 'incoming');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    drop(folder, 'wafer_01022021_080000.csv', 20, 5);
    drop(folder, 'wafer_99999999_080000.csv', 5, 6); // a date that is no date: quarantined
    drop(folder, 'wafer_02022021_080000.csv', 20, 7, 0); // written just now: still settling
    drop(folder, 'notes.txt'); // not a CSV
    drop(folder, '~$wafer_03022021_080000.csv'); // an office lock file
    drop(join(folder, 'sub'), 'wafer_04022021_080000.csv'); // subfolders are not watched

    const w = watcher(ctx, folder);
    expect(await w.scanOnce()).toBe(false);
    expect(w.lastError).toBeNull();
    expect(w.settling).toEqual(['wafer_02022021_080000.csv']);
    expect(w.lastBatch).toMatchObject({ files: 2, quarantined: 1, rows: 20 });
    const first = ctx.store.predictions.batch(w.lastBatch!.batchId)!;
    expect(first.source).toBe('watch');
    expect(first.fileResults.map((f) => [f.name, f.status]).sort()).toEqual([
      ['wafer_01022021_080000.csv', 'good'],
      ['wafer_99999999_080000.csv', 'bad'],
    ]);

    // Nothing new: no batch. The settling file is taken once it has been unchanged for the settle time.
    const before = w.lastBatch;
    await w.scanOnce();
    expect(w.lastBatch).toBe(before);
    await w.scanOnce(Date.now() + 6000);
    expect(w.lastBatch).toMatchObject({ files: 1, quarantined: 0, rows: 20 });
    expect(w.settling).toEqual([]);

    // Rewritten with other wafers (new size or time): predicted again.
    drop(folder, 'wafer_01022021_080000.csv', 30, 9);
    await w.scanOnce();
    expect(w.lastBatch).toMatchObject({ files: 1, rows: 30 });
    await w.scanOnce();
    expect(w.lastBatch).toMatchObject({ files: 1, rows: 30 });

    // The ledger is in the workspace: another watcher of the folder finds nothing new to do.
    const last = w.lastBatch!.batchId;
    await until(() => ctx.store.watched.ofFolder(folder).get('wafer_01022021_080000.csv')?.batchId, (b) => b === last);
    expect(ctx.store.watched.counts(folder)).toEqual({ good: 2, bad: 1, duplicate: 0, skipped: 0 });
    const again = watcher(ctx, folder);
    await again.scanOnce();
    expect(again.lastBatch).toBeNull();
  });

  it('settles a file whose time is in the future once it has stopped changing', async () => {
    const dir = tmp();
    const ctx = open(dir);
    await trainIntoProduction(ctx, dir);
    const folder = join(dir, 'incoming');
    mkdirSync(folder);
    // Written by a machine whose clock runs an hour ahead.
    drop(folder, 'wafer_05022021_080000.csv', 10, 3, -3600);
    const w = watcher(ctx, folder);
    const now = Date.now();
    await w.scanOnce(now);
    expect(w.settling).toEqual(['wafer_05022021_080000.csv']);
    await w.scanOnce(now + 2000);
    expect(w.lastBatch).toBeNull();
    await w.scanOnce(now + 5000);
    expect(w.lastBatch).toMatchObject({ files: 1, rows: 10 });
  });

  it('the app watcher: refuses a folder that is not one, skips existing files on request, resumes after a restart', async () => {
    const dir = tmp();
    let ctx = open(dir);
    const folder = join(dir, 'incoming');
    mkdirSync(folder);
    drop(folder, 'wafer_01022021_080000.csv');
    await expect(startWatching(ctx, { folder, model: 'production', settleSeconds: 0, skipExisting: false })).rejects.toMatchObject({ code: 'no_model' });
    await trainIntoProduction(ctx, dir);
    await expect(startWatching(ctx, { folder: join(dir, 'nowhere'), model: 'production', settleSeconds: 0, skipExisting: false })).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      startWatching(ctx, { folder: join(folder, 'wafer_01022021_080000.csv'), model: 'production', settleSeconds: 0, skipExisting: false }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(watchStatus(ctx)).toMatchObject({ enabled: false, folder: null, state: 'off' });

    await expect(startWatching(ctx, { folder, model: 'production', settleSeconds: 0, skipExisting: false, outFolder: folder })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('cannot go into the watched folder itself') as unknown,
    });

    const outFolder = join(dir, 'for-mes', 'predictions');
    const started = await startWatching(ctx, { folder, model: 'production', settleSeconds: 0, skipExisting: true, outFolder });
    expect(started).toMatchObject({ enabled: true, folder, outFolder, handled: { skipped: 1 } });
    drop(folder, 'wafer_02022021_080000.csv', 25);
    const s1 = await until(() => watchStatus(ctx), (s) => s.lastBatch !== null);
    expect(s1).toMatchObject({ enabled: true, state: 'watching', lastBatch: { files: 1, rows: 25 }, lastError: null });
    expect(s1.recent).toEqual([
      { name: 'wafer_02022021_080000.csv', handledAt: expect.any(String) as unknown, outcome: 'good', batchId: s1.lastBatch!.batchId },
      { name: 'wafer_01022021_080000.csv', handledAt: expect.any(String) as unknown, outcome: 'skipped', batchId: null },
    ]);
    // The batch's predictions CSV, as Export CSV writes it: a header and a line per wafer.
    // Written under a hidden name and renamed when whole: once there, it is complete.
    const csvs = await until(() => readdirSync(outFolder).filter((n) => !n.startsWith('.')), (names) => names.length === 1);
    expect(csvs[0]).toMatch(new RegExp(`^wafer-batch-${s1.lastBatch!.batchId}-.*-predictions\\.csv$`));
    expect(readFileSync(join(outFolder, csvs[0]!), 'utf8').trim().split('\n')).toHaveLength(26);
    const batches = ctx.store.predictions.batches(100).length;

    // Closed and opened again, as when the app restarts: watching resumes, and handled files stay handled.
    await closeAppContext(contexts.pop()!);
    ctx = open(dir);
    expect(watchStatus(ctx)).toMatchObject({ enabled: false, handled: { good: 1, skipped: 1 } });
    resumeWatching(ctx);
    expect(watchStatus(ctx)).toMatchObject({ enabled: true, folder });
    drop(folder, 'wafer_03022021_080000.csv', 15);
    const s2 = await until(() => watchStatus(ctx), (s) => s.lastBatch !== null);
    expect(s2.lastBatch).toMatchObject({ files: 1, rows: 15 });
    expect(ctx.store.predictions.batches(100).length).toBe(batches + 1);

    const stopped = await stopWatching(ctx);
    expect(stopped).toMatchObject({ enabled: false, state: 'off' });
    drop(folder, 'wafer_04022021_080000.csv', 15);
    await new Promise((r) => setTimeout(r, 500));
    expect(ctx.store.predictions.batches(100).length).toBe(batches + 1);
  });

  it('a cancelled batch stops the watcher and keeps nothing; Stop lets a running batch finish; a folder that goes away is an error it recovers from', async () => {
    const dir = tmp();
    const ctx = open(dir);
    await trainIntoProduction(ctx, dir);
    const folder = join(dir, 'incoming');
    mkdirSync(folder);
    // Large enough that the cancel lands while the batch runs.
    writeTrainingBatch(folder, 3, 3000, false, { seed: 40 });
    const batches = ctx.store.predictions.batches(100).length;
    await startWatching(ctx, { folder, model: 'production', settleSeconds: 0, skipExisting: false });
    const running = await until(() => watchStatus(ctx), (s) => s.state === 'predicting');
    expect(running.enabled).toBe(true);
    const job = await until(() => ctx.jobs.list(true).find((j) => j.kind === 'predict'), (j) => j !== undefined);
    ctx.jobs.cancel(job!.id);
    const after = await until(() => watchStatus(ctx), (s: WatchStatus) => !s.enabled);
    expect(after).toMatchObject({ enabled: false, state: 'off', handled: { good: 0, bad: 0 } });
    expect(ctx.store.predictions.batches(100).length).toBe(batches);

    // Stop while a batch runs: it returns at once, the batch finishes and is recorded, nothing follows it.
    await startWatching(ctx, { folder, model: 'production', settleSeconds: 0, skipExisting: false });
    await until(() => watchStatus(ctx), (s) => s.state === 'predicting');
    const stopped = await stopWatching(ctx);
    expect(stopped).toMatchObject({ enabled: false, state: 'off' });
    expect(ctx.jobs.list(true).some((j) => j.kind === 'predict')).toBe(true);
    await until(() => ctx.store.watched.counts(folder).good, (n) => n === 3);
    expect(ctx.store.predictions.batches(100).length).toBe(batches + 1);

    // Watching again; the folder is then renamed away (a share unmounted) and comes back.
    const small = join(dir, 'small');
    mkdirSync(small);
    await startWatching(ctx, { folder: small, model: 'production', settleSeconds: 0, skipExisting: false });
    renameSync(small, join(dir, 'away'));
    const failing = await until(() => watchStatus(ctx), (s) => s.lastError !== null);
    expect(failing).toMatchObject({ state: 'error', lastError: { code: 'not_found' } });
    // The Monitor raises it, so the navigation's alert count shows it wherever the engineer is.
    const alert = monitorSummary(ctx, { model: 'production', days: 30 }).alerts[0];
    expect(alert).toMatchObject({ level: 'alert', code: 'watched_folder' });
    expect(alert!.message).toContain(`The watched folder ${small} is not there`);
    expect(alert!.message).toContain(`no file of ${small} was predicted`);
    renameSync(join(dir, 'away'), small);
    drop(small, 'wafer_06022021_080000.csv', 12);
    // The watcher backs off after a failure (two intervals here): it comes back by itself.
    const recovered = await until(() => watchStatus(ctx), (s) => s.lastBatch !== null && s.lastError === null);
    expect(recovered).toMatchObject({ state: 'watching', lastBatch: { rows: 12 } });
    expect(monitorSummary(ctx, { model: 'production', days: 30 }).alerts.map((a) => a.code)).not.toContain('watched_folder');
    rmSync(small, { recursive: true, force: true });
  });
});
