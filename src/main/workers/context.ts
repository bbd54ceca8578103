/**
 * What a task sees inside a worker: its own connection to the workspace (opened on first use),
 * progress reporting, the cancel flag (checked at every progress point so generators that yield per
 * iteration stop within one iteration of a cancel), and the worker's cache of decoded model bundles.
 */
import type { JobProgress } from '../../shared/contract';
import { AppError } from '../errors';
import { checkBundle, type ModelBundle } from '../ml/pipeline/bundle';
import { Store } from '../store';
import type { VersionRef } from '../store/repos/registry';

export interface TaskContext {
  readonly workspacePath: string;
  store(): Store;
  progress(progress: JobProgress): void;
  isCancelled(): boolean;
  throwIfCancelled(): void;
  /** Runs a generator to completion, reporting each yielded progress and stopping on cancel. */
  drain<T>(generator: Generator<Partial<JobProgress> | undefined, T>, stage: string): T;
  /** A model version and its decoded bundle, kept in this worker across tasks and jobs. */
  bundle(versionId: number): { version: VersionRef; bundle: ModelBundle; decoded: boolean };
  /** Whether this worker has the version's bundle decoded already. */
  hasBundle(versionId: number): boolean;
}

export type TaskFn = (input: never, ctx: TaskContext) => unknown;

let sharedStore: Store | null = null;

// Decoding a bundle (gunzip, checksum, JSON, then the compiled donor and tree structures hung off it)
// costs a few hundred milliseconds, more than scoring a small batch; so each worker keeps the last few
// it used. The key includes the recorded sha256, so a version whose bundle changed is never served stale.
const BUNDLE_CACHE_SIZE = 2;
const bundleCache = new Map<string, ModelBundle>();

function bundleKey(store: Store, versionId: number): { version: VersionRef; key: string } {
  const version = store.registry.refById(versionId);
  if (!version) throw new AppError('not_found', `There is no model version with id ${versionId}.`);
  return { version, key: `${versionId}:${version.sha256}` };
}

function cachedBundle(store: Store, versionId: number): { version: VersionRef; bundle: ModelBundle; decoded: boolean } {
  const { version, key } = bundleKey(store, versionId);
  let bundle = bundleCache.get(key);
  const decoded = !bundle;
  if (bundle) bundleCache.delete(key);
  else bundle = checkBundle(store.registry.readBundle(versionId));
  // Re-inserted last: Map order is the least recently used first.
  bundleCache.set(key, bundle);
  while (bundleCache.size > BUNDLE_CACHE_SIZE) bundleCache.delete(bundleCache.keys().next().value!);
  return { version, bundle, decoded };
}

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
    bundle: (versionId) => cachedBundle(ctx.store(), versionId),
    hasBundle: (versionId) => bundleCache.has(bundleKey(ctx.store(), versionId).key),
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
