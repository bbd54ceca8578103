/**
 * What is wrong with the app's watched folder right now, if anything: the watcher (watch.ts) records it
 * and the Monitor's alerts (monitor.ts) read it, so a folder that went away or a model that cannot be
 * used shows in the navigation's alert count even when nobody has the Predict page open. Its own module
 * because watch.ts reaches monitor.ts through the prediction service.
 */
import type { ErrorShape } from '../../shared/errors';
import type { AppContext } from './context';

export interface WatchProblem {
  folder: string;
  error: ErrorShape;
  since: string;
}

const problems = new WeakMap<AppContext, WatchProblem>();

export function setWatchProblem(ctx: AppContext, problem: WatchProblem | null): void {
  if (problem) problems.set(ctx, problem);
  else problems.delete(ctx);
}

export function watchProblem(ctx: AppContext): WatchProblem | null {
  return problems.get(ctx) ?? null;
}
