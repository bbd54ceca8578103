/**
 * The application context: one open workspace with its store, worker pool, jobs, events and logs.
 * Electron, the CLI and `serve` all build one of these; nothing here imports 'electron'.
 */
import { dirname, join } from 'node:path';
import { EventBus } from '../events';
import { JobManager } from '../jobs/manager';
import { WorkerPool } from '../jobs/pool';
import { LogSink, type Logger } from '../logging';
import { Store } from '../store';
import { APP_VERSION } from '../version';

export type HostKind = 'electron' | 'serve' | 'cli';

export interface AppContext {
  readonly workspacePath: string;
  readonly host: HostKind;
  readonly appVersion: string;
  readonly store: Store;
  readonly pool: WorkerPool;
  readonly jobs: JobManager;
  readonly events: EventBus;
  readonly log: Logger;
  readonly logSink: LogSink;
  /** Run first when the context closes (a watched folder's timer, say), before jobs are cancelled. */
  readonly closeHooks: Set<(ctx: AppContext) => Promise<void> | void>;
}

export interface OpenContextOptions {
  workspacePath: string;
  host: HostKind;
  /** Defaults to a `logs` folder beside the workspace. */
  logsDir?: string;
  poolSize?: number;
  diagnostics?: boolean;
  echoLogs?: boolean;
}

/** The least time between two "logs changed" events. */
const LOG_EVENT_MS = 250;

export function openAppContext(options: OpenContextOptions): AppContext {
  const store = Store.open(options.workspacePath);
  const events = new EventBus();
  // The Logs page hears of new entries at most every 250 ms, and always of the last ones: an entry in
  // a quiet spell schedules one more event, so the page never stops short of what is stored.
  let lastLogEvent = 0;
  let trailingLogEvent: ReturnType<typeof setTimeout> | null = null;
  const emitLogs = () => {
    lastLogEvent = Date.now();
    events.emit('data/changed', { domain: 'logs' });
  };
  const logSink = new LogSink({
    store,
    logsDir: options.logsDir ?? join(dirname(options.workspacePath), 'logs'),
    echo: options.echoLogs,
    onEntry: () => {
      const wait = LOG_EVENT_MS - (Date.now() - lastLogEvent);
      if (wait <= 0) emitLogs();
      else if (trailingLogEvent === null) {
        trailingLogEvent = setTimeout(() => {
          trailingLogEvent = null;
          emitLogs();
        }, wait);
        trailingLogEvent.unref?.();
      }
    },
  });
  const log = logSink.logger('app');
  const pool = new WorkerPool({
    workspacePath: options.workspacePath,
    size: options.poolSize,
    diagnostics: options.diagnostics,
  });
  const jobs = new JobManager(store, pool, events, logSink.logger('jobs'));
  const orphanRuns = store.training.failOrphanRuns();
  const orphanBatches = store.predictions.failOrphans();
  if (orphanBatches > 0) log.warn(`${orphanBatches} unfinished prediction batch(es) from a stopped app were removed.`);
  if (orphanRuns > 0) log.warn(`${orphanRuns} training run(s) were interrupted when the app last stopped; marked failed.`);
  log.info(`Workspace opened (${options.host})`, { workspace: options.workspacePath, version: APP_VERSION });
  return {
    workspacePath: options.workspacePath,
    host: options.host,
    appVersion: APP_VERSION,
    store,
    pool,
    jobs,
    events,
    log,
    logSink,
    closeHooks: new Set(),
  };
}

export async function closeAppContext(ctx: AppContext): Promise<void> {
  clearTimeout(idleCheckpoints.get(ctx));
  await Promise.all([...ctx.closeHooks].map(async (hook) => hook(ctx)));
  await ctx.jobs.cancelAll();
  await ctx.pool.close();
  ctx.store.close();
}

/**
 * Runs a best-effort worker task outside any job (maintenance, warming caches): it settles to
 * undefined whatever happens; a failure is logged as `what`, except the cancel of a closing app.
 */
export function runInBackground(ctx: AppContext, kind: string, input: unknown, what: string): Promise<void> {
  return ctx.pool.run(kind, input).then(
    () => undefined,
    (error: unknown) => {
      if ((error as { code?: string }).code !== 'job_cancelled') ctx.log.warn(`${what}: ${(error as Error).message}`);
    },
  );
}

/** How long no job must have run before checkpointWhenIdle copies the WAL. */
export const IDLE_CHECKPOINT_MS = 2000;
const idleCheckpoints = new WeakMap<AppContext, ReturnType<typeof setTimeout>>();

/**
 * Copies the WAL into the database file in a worker once no job has run for `idleMs` (each call
 * restarts the wait). Prediction batches add ~5 MB each to the WAL; left there, they pile up until
 * SQLite's own checkpoint at ~160 MB copies and syncs them all inside whichever commit crosses the
 * line: a batch ~0.7 s slower, or the UI thread stalled as long when that commit is one of main's.
 * Not right after each batch: batches back to back ran ~10% slower with a checkpoint between them.
 */
export function checkpointWhenIdle(ctx: AppContext, idleMs = IDLE_CHECKPOINT_MS): void {
  clearTimeout(idleCheckpoints.get(ctx));
  const timer = setTimeout(() => {
    idleCheckpoints.delete(ctx);
    if (ctx.jobs.list(true).length > 0) checkpointWhenIdle(ctx, idleMs);
    else void runInBackground(ctx, 'store/checkpoint', {}, 'Background checkpoint failed');
  }, idleMs);
  timer.unref?.();
  idleCheckpoints.set(ctx, timer);
}
