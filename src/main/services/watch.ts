/**
 * The watched folder: predicts every prediction file that lands in a folder once it has stopped changing,
 * as batches whose source is 'watch', through the same import and prediction path as a dropped batch.
 * The app keeps one watcher per workspace (its folder, model and settle time are settings, and it
 * resumes when the app or `serve` opens the workspace); the CLI's `watch` command runs its own in the
 * foreground. Files are only read: never moved, renamed or deleted. The workspace's ledger
 * (watched_files) remembers each handled file with the size and time it had, so a file is predicted once,
 * and again only when it changes. Only the folder's own *.csv files are taken (not subfolders, hidden
 * files or office lock files).
 */
import { readdir, stat } from 'node:fs/promises';
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  PredictResult,
  WatchBatch,
  WatchStatus,
} from '../../shared/contract';
import { WATCH_INTERVAL_SECONDS_DEFAULT, WATCH_SETTLE_SECONDS_DEFAULT } from '../../shared/contract';
import type { ErrorShape } from '../../shared/errors';
import { AppError, toErrorShape } from '../errors';
import type { WatchedFile } from '../store/repos/watched';
import type { AppContext } from './context';
import { resolvePredictionVersion, type ModelChoice } from './models';
import { createReport, startBatchPrediction } from './predict';
import type { HandlerMap } from './registry';
import { setWatchProblem } from './watch-health';

/** At most this many files go into one batch; the rest follow in the next, straight after. */
export const WATCH_MAX_FILES_PER_BATCH = 200;
/** After failures in a row, the folder is looked at every 2, 4, ... up to this many intervals. */
const FAILURE_BACKOFF_MAX = 60;

export interface WatcherOptions {
  folder: string;
  model: ModelChoice;
  settleSeconds: number;
  intervalSeconds: number;
  /** After each batch of the folder's files (the CLI prints it, writes its CSV). */
  onBatch?(batch: WatchBatch, result: PredictResult): void | Promise<void>;
  /** A batch was cancelled (its files are left for later); the watcher has stopped. */
  onCancelled?(): void;
  /** The watcher's error changed: a new one, or null once it works again (or stops). */
  onProblem?(error: ErrorShape | null): void;
  /** Its timer keeps the process alive (the CLI's `watch`); the app's and `serve`'s have their own reasons to live. */
  keepAlive?: boolean;
}

interface Candidate {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** The folder's prediction files: its own *.csv files, without hidden files and office lock files. */
function isCandidateName(name: string): boolean {
  return /\.csv$/i.test(name) && !name.startsWith('.') && !name.startsWith('~$');
}

/** An absolute folder path that exists and is a folder, or an error that says which it is not. */
export function checkFolder(folder: string): string {
  const path = resolve(folder);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AppError('not_found', `The folder ${path} does not exist (or cannot be reached).`);
    throw new AppError('io_error', `The folder ${path} cannot be read (${code ?? (error as Error).message}).`);
  }
  if (!isDirectory) throw new AppError('invalid_input', `${path} is a file, not a folder: give the folder the batch files land in.`);
  return path;
}

export class FolderWatcher {
  readonly folder: string;
  private readonly settleMs: number;
  private readonly intervalMs: number;
  private readonly ledger: Map<string, WatchedFile>;
  /** Each unhandled file's size and time when first seen so, and since when: settles a file whose clock is off. */
  private readonly observed = new Map<string, { size: number; mtimeMs: number; since: number }>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = true;
  private jobId: string | null = null;
  /** Failed looks or batches in a row. */
  private failures = 0;
  private lastShown = '';
  /** The last error came after a batch (its CSV): only another batch clears it, and it slows no look. */
  private stickyError = false;
  state: WatchStatus['state'] = 'off';
  lastScanAt: string | null = null;
  settling: string[] = [];
  lastBatch: WatchBatch | null = null;
  lastError: ErrorShape | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: WatcherOptions,
  ) {
    this.folder = resolve(options.folder);
    this.settleMs = options.settleSeconds * 1000;
    this.intervalMs = options.intervalSeconds * 1000;
    this.ledger = ctx.store.watched.ofFolder(this.folder);
  }

  /** Records the folder's current files as handled ('skipped') without predicting them. */
  async skipExisting(): Promise<number> {
    const files = await this.list();
    const handledAt = new Date().toISOString();
    const skipped: WatchedFile[] = files.map((f) => ({ name: f.name, size: f.size, mtimeMs: f.mtimeMs, batchId: null, outcome: 'skipped', handledAt }));
    // In memory at once (the first look must leave them), stored when the write lock is free.
    for (const f of skipped) this.ledger.set(f.name, f);
    const folder = this.folder;
    this.ctx.store.writeSoon(() => this.ctx.store.watched.record(folder, skipped));
    return skipped.length;
  }

  /** Looks at the folder now (or once `after` has settled) and every interval after, until stop(). */
  start(after?: Promise<void>): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.state = 'watching';
    if (after) void after.then(() => this.schedule(0));
    else this.schedule(0);
  }

  /** Settles once no look or batch of this watcher is running (a stopped watcher's last batch may be). */
  idle(): Promise<void> {
    return this.ticking ?? Promise.resolve();
  }

  /**
   * Stops looking at the folder. A batch already running finishes in the background (it is a job with
   * its own Cancel) and is recorded; with cancelRunning (the workspace closing) it is cancelled instead,
   * and stop resolves once it has ended.
   */
  async stop(options: { cancelRunning?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (options.cancelRunning) {
      if (this.jobId) this.ctx.jobs.cancel(this.jobId);
      await this.ticking;
    }
    this.state = 'off';
    this.settling = [];
    this.options.onProblem?.(null);
  }

  /** The running batch's job, if any. */
  get runningJob(): string | null {
    return this.jobId;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking = this.scanOnce().then((more) => {
        this.ticking = null;
        // After failures, look less often (up to every FAILURE_BACKOFF_MAX intervals): a batch that
        // fails the same way each time is not run every few seconds all night.
        const backoff = Math.min(2 ** this.failures, FAILURE_BACKOFF_MAX);
        this.schedule(more ? 0 : this.intervalMs * (this.lastError && !this.stickyError ? backoff : 1));
      });
    }, delayMs);
    if (!this.options.keepAlive) this.timer.unref?.();
  }

  private async list(): Promise<Candidate[]> {
    let entries;
    try {
      entries = await readdir(this.folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new AppError('not_found', `The watched folder ${this.folder} is not there (deleted, renamed or not mounted).`);
      throw new AppError('io_error', `The watched folder ${this.folder} cannot be read (${code ?? (error as Error).message}).`);
    }
    const files: Candidate[] = [];
    for (const entry of entries) {
      if (!(entry.isFile() || entry.isSymbolicLink()) || !isCandidateName(entry.name)) continue;
      const path = join(this.folder, entry.name);
      try {
        const st = await stat(path);
        if (st.isFile()) files.push({ name: entry.name, path, size: st.size, mtimeMs: st.mtimeMs });
      } catch {
        // Gone between the listing and the look (moved away by whoever wrote it): nothing to take.
      }
    }
    return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * One look at the folder: the files that have settled (unchanged for the settle time) and were not
   * handled as they are now are predicted as one batch (at most WATCH_MAX_FILES_PER_BATCH). Resolves
   * whether settled files are left over for another batch straight away. Never throws: a failure is
   * kept as lastError (and logged once per distinct message), and the next look tries again.
   */
  async scanOnce(now = Date.now()): Promise<boolean> {
    let ready: Candidate[];
    let left = 0;
    try {
      const files = await this.list();
      const settling: string[] = [];
      ready = [];
      const present = new Set<string>();
      for (const f of files) {
        present.add(f.name);
        if (this.isHandled(f)) continue;
        const before = this.observed.get(f.name);
        const since = before && before.size === f.size && before.mtimeMs === f.mtimeMs ? before.since : now;
        this.observed.set(f.name, { size: f.size, mtimeMs: f.mtimeMs, since });
        // Settled: its time is old enough, or (a writer whose clock is ahead) it has not changed for as long.
        if (now - f.mtimeMs >= this.settleMs || now - since >= this.settleMs) ready.push(f);
        else settling.push(f.name);
      }
      for (const name of this.observed.keys()) if (!present.has(name)) this.observed.delete(name);
      this.settling = settling;
      this.lastScanAt = new Date(now).toISOString();
      left = Math.max(0, ready.length - WATCH_MAX_FILES_PER_BATCH);
      ready = ready.slice(0, WATCH_MAX_FILES_PER_BATCH);
    } catch (error) {
      this.fail(error);
      return false;
    }
    if (ready.length > 0) {
      // Another process on this workspace (the app and a CLI `watch`, say) may have taken them meanwhile.
      // (Only newer entries: this watcher's own latest may still wait for the write lock.)
      for (const [name, f] of this.ctx.store.watched.ofFolder(this.folder)) {
        const mine = this.ledger.get(name);
        if (!mine || mine.handledAt < f.handledAt) this.ledger.set(name, f);
      }
      ready = ready.filter((f) => !this.isHandled(f));
    }
    if (ready.length === 0) {
      // Nothing to take: the folder is readable again, and a failed batch's files are gone.
      if (this.lastError && !this.stickyError) this.recovered();
      this.changed();
      return false;
    }
    const predicted = await this.predict(ready);
    return predicted && left > 0;
  }

  /** Handled as it is now (same size and time as when it was handled). */
  private isHandled(f: Candidate): boolean {
    const seen = this.ledger.get(f.name);
    return seen !== undefined && seen.size === f.size && seen.mtimeMs === f.mtimeMs;
  }

  private async predict(files: Candidate[]): Promise<boolean> {
    let jobId: string;
    try {
      jobId = startBatchPrediction(this.ctx, files.map((f) => f.path), this.options.model, 'watch').id;
    } catch (error) {
      this.fail(error);
      return false;
    }
    this.jobId = jobId;
    this.state = 'predicting';
    this.changed();
    const final = await this.ctx.jobs.wait(jobId);
    this.jobId = null;
    if (final.status === 'cancelled') {
      if (this.stopped) return false; // stop({ cancelRunning }) (the app closing): its files wait for the next start
      // A person cancelled the batch: taking its files again at the next look would undo that.
      this.ctx.log.info(`Watched folder ${this.folder}: the batch was cancelled, so watching stopped; its files were left as they are.`);
      this.stopped = true;
      this.state = 'off';
      this.changed();
      this.options.onCancelled?.();
      return false;
    }
    if (final.status !== 'succeeded') {
      this.fail(final.error ?? new AppError('job_failed', 'The batch of the watched folder failed.'));
      return false;
    }
    const result = final.result as PredictResult;
    const handledAt = new Date().toISOString();
    const byName = new Map(files.map((f) => [f.name, f]));
    const handled: WatchedFile[] = [];
    for (const r of result.files) {
      const f = byName.get(r.name);
      if (!f) continue;
      const outcome = r.status === 'good' || r.status === 'bad' || r.status === 'duplicate' ? r.status : 'bad';
      handled.push({ name: f.name, size: f.size, mtimeMs: f.mtimeMs, batchId: result.batch, outcome, handledAt });
    }
    // Kept in memory at once (the next look must not take these files again), stored when the lock is free.
    for (const h of handled) {
      this.ledger.set(h.name, h);
      this.observed.delete(h.name);
    }
    const folder = this.folder;
    this.ctx.store.writeSoon(() => this.ctx.store.watched.record(folder, handled));
    const quarantined = result.files.filter((f) => f.status === 'bad').length;
    this.lastBatch = {
      batchId: result.batch,
      at: handledAt,
      modelVersion: result.model_version,
      files: result.files.length,
      quarantined,
      rows: result.rows,
      faulty: result.faulty,
      unfamiliar: result.unfamiliar,
    };
    this.ctx.log.info(
      `Watched folder: batch ${result.batch} with model version ${result.model_version}: ${result.files.length} file(s)${quarantined ? ` (${quarantined} quarantined)` : ''}, ${result.rows} wafers, ${result.faulty} predicted faulty.`,
      { folder, batch: result.batch },
    );
    this.recovered();
    this.state = this.stopped ? 'off' : 'watching';
    this.changed();
    try {
      await this.options.onBatch?.(this.lastBatch, result);
    } catch (error) {
      // The batch is kept and its files handled, but what was to follow it (its CSV) is missing: that
      // stays in view until a later batch gets through, not only until the next quiet look.
      this.fail(new AppError(toErrorShape(error).code, `Batch ${result.batch} was predicted, but ${(error as Error).message}`));
      this.stickyError = true;
    }
    return true;
  }

  private fail(error: unknown): void {
    const shape = toErrorShape(error);
    const isNew = this.lastError?.message !== shape.message;
    this.lastError = shape;
    this.failures++;
    this.state = this.stopped ? 'off' : 'error';
    // Logged and announced once per distinct error, not at every look that meets it again.
    if (isNew) {
      this.ctx.log.warn(`Watched folder ${this.folder}: ${shape.message}`, { code: shape.code });
      this.options.onProblem?.(shape);
    }
    this.changed();
  }

  private recovered(): void {
    if (this.lastError) this.options.onProblem?.(null);
    this.lastError = null;
    this.failures = 0;
    this.stickyError = false;
    if (!this.stopped) this.state = 'watching';
  }

  /** Tells the app when what its status shows changed (not after every quiet look at the folder). */
  private changed(): void {
    const shown = JSON.stringify([this.state, this.settling, this.lastBatch?.batchId, this.lastError?.message]);
    if (shown === this.lastShown) return;
    this.lastShown = shown;
    this.ctx.events.emit('data/changed', { domain: 'watch' });
  }
}

// ---- The app's watcher (settings, resume, handlers) ----

interface WatchSettings {
  enabled: boolean;
  folder: string;
  model: ModelChoice;
  settleSeconds: number;
  outFolder?: string | null;
}

const SETTINGS_KEY = 'watch';
const RECENT_FILES_SHOWN = 20;
const appWatchers = new WeakMap<AppContext, FolderWatcher>();
/** The last watcher of the app that stopped, so the status still shows its last batch and error. */
const lastStopped = new WeakMap<AppContext, FolderWatcher>();

function settingsOf(ctx: AppContext): WatchSettings | undefined {
  return ctx.store.settings.get<WatchSettings>(SETTINGS_KEY);
}

function startAppWatcher(ctx: AppContext, s: WatchSettings): FolderWatcher {
  const watcher = new FolderWatcher(ctx, {
    folder: s.folder,
    model: s.model,
    settleSeconds: s.settleSeconds,
    intervalSeconds: WATCH_INTERVAL_SECONDS_DEFAULT,
    onBatch: async (batch) => {
      if (!s.outFolder) return;
      try {
        await createReport(ctx, batch.batchId, 'csv', s.outFolder, true);
      } catch (error) {
        throw new AppError('io_error', `its predictions CSV could not be written to ${s.outFolder}: ${(error as Error).message}`);
      }
    },
    onProblem: (error) => setWatchProblem(ctx, error ? { folder: watcher.folder, error, since: new Date().toISOString() } : null),
    onCancelled: () => {
      const now = settingsOf(ctx);
      if (now && appWatchers.get(ctx) === watcher) ctx.store.settings.set(SETTINGS_KEY, { ...now, enabled: false });
      appWatchers.delete(ctx);
      lastStopped.set(ctx, watcher);
    },
  });
  appWatchers.set(ctx, watcher);
  ctx.closeHooks.add(closeAppWatcher);
  return watcher;
}

export function watchStatus(ctx: AppContext): WatchStatus {
  const s = settingsOf(ctx);
  const watcher = appWatchers.get(ctx) ?? lastStopped.get(ctx);
  const folder = s?.folder ?? null;
  return {
    enabled: appWatchers.has(ctx),
    folder,
    model: s?.model ?? 'production',
    settleSeconds: s?.settleSeconds ?? WATCH_SETTLE_SECONDS_DEFAULT,
    outFolder: s?.outFolder ?? null,
    state: appWatchers.has(ctx) ? (watcher?.state ?? 'off') : 'off',
    lastScanAt: watcher?.lastScanAt ?? null,
    settling: appWatchers.has(ctx) ? (watcher?.settling ?? []) : [],
    lastBatch: watcher && watcher.folder === folder ? watcher.lastBatch : null,
    lastError: watcher && watcher.folder === folder ? watcher.lastError : null,
    handled: folder ? ctx.store.watched.counts(resolve(folder)) : { good: 0, bad: 0, duplicate: 0, skipped: 0 },
    recent: folder
      ? ctx.store.watched
          .recent(resolve(folder), RECENT_FILES_SHOWN)
          .map((f) => ({ name: f.name, handledAt: f.handledAt, outcome: f.outcome, batchId: f.batchId }))
      : [],
  };
}

/** The folder each batch's CSV goes to: made if missing; not the watched folder (the CSVs would be taken as batches). */
export function prepareOutFolder(out: string, watched: string): string {
  const path = resolve(out);
  if (path === watched) {
    throw new AppError('invalid_input', 'The predictions CSVs cannot go into the watched folder itself: the watcher would take them as new batches. Pick another folder.');
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (error) {
    throw new AppError('io_error', `The folder ${path} for the predictions CSVs cannot be made (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  return checkFolder(path);
}

/** Starts watching a folder (replacing the folder watched before), and remembers it for the next start. */
export async function startWatching(
  ctx: AppContext,
  input: { folder: string; model: ModelChoice; settleSeconds: number; skipExisting: boolean; outFolder?: string | null },
): Promise<WatchStatus> {
  const folder = checkFolder(input.folder);
  const outFolder = input.outFolder ? prepareOutFolder(input.outFolder, folder) : null;
  // Fail now, not at the first file: no model in Production, or a version out of use.
  resolvePredictionVersion(ctx, input.model);
  // A batch the previous watcher still runs (stopped without cancelling it) is recorded before the new
  // watcher's first look, so its files are not taken twice.
  const previous = appWatchers.get(ctx) ?? lastStopped.get(ctx);
  await stopAppWatcher(ctx);
  const s: WatchSettings = { enabled: true, folder, model: input.model, settleSeconds: input.settleSeconds, outFolder };
  ctx.store.settings.set(SETTINGS_KEY, s);
  const watcher = startAppWatcher(ctx, s);
  const skipped = input.skipExisting ? await watcher.skipExisting() : 0;
  watcher.start(previous?.idle());
  ctx.log.info(`Watching ${folder} for prediction files${skipped ? ` (${skipped} file(s) already there left alone)` : ''}.`, { folder });
  ctx.events.emit('data/changed', { domain: 'watch' });
  return watchStatus(ctx);
}

async function stopAppWatcher(ctx: AppContext, options: { cancelRunning?: boolean } = {}): Promise<void> {
  const watcher = appWatchers.get(ctx);
  if (!watcher) return;
  appWatchers.delete(ctx);
  lastStopped.set(ctx, watcher);
  await watcher.stop(options);
}

/** The workspace closes: a running batch is cancelled (nothing of it kept); watching resumes at the next open. */
function closeAppWatcher(ctx: AppContext): Promise<void> {
  return stopAppWatcher(ctx, { cancelRunning: true });
}

/** Stops the app's watcher (a batch already running finishes) and remembers that it is off. */
export async function stopWatching(ctx: AppContext): Promise<WatchStatus> {
  const s = settingsOf(ctx);
  if (s) ctx.store.settings.set(SETTINGS_KEY, { ...s, enabled: false });
  const was = appWatchers.get(ctx);
  await stopAppWatcher(ctx);
  if (was) ctx.log.info(`Stopped watching ${was.folder}.`);
  ctx.events.emit('data/changed', { domain: 'watch' });
  return watchStatus(ctx);
}

/**
 * Resumes the watched folder the workspace remembers (the app and `serve` call this once they have
 * opened it). A folder that is not there now is not an error here: the watcher says so in its status
 * and looks again every interval, as a network share may come back.
 */
export function resumeWatching(ctx: AppContext): void {
  const s = settingsOf(ctx);
  if (!s?.enabled || appWatchers.has(ctx)) return;
  startAppWatcher(ctx, s).start();
  ctx.log.info(`Watching ${s.folder} for prediction files (resumed).`, { folder: s.folder });
}

export const watchHandlers: HandlerMap<'watch/status' | 'watch/start' | 'watch/stop'> = {
  'watch/status': (_input, ctx) => watchStatus(ctx),
  'watch/start': (input, ctx) => startWatching(ctx, input),
  'watch/stop': (_input, ctx) => stopWatching(ctx),
};
