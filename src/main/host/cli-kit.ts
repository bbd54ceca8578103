/**
 * The CLI's shared machinery: global options (--workspace, --json), output in human or JSON form, and
 * the exit codes of DESIGN.md (0 ok, 1 failure, 2 usage). Commands get an opened AppContext.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { JobInfo, JobProgress } from '../../shared/contract';
import type { ErrorShape } from '../../shared/errors';
import { AppError, toErrorShape } from '../errors';
import type { AppContext } from '../services/context';
import type { ModelChoice } from '../services/models';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export interface Output {
  json: boolean;
  /** The command's result: one JSON document in --json mode, the human text otherwise. */
  result(value: unknown, human: string): void;
  /** Progress and notes for people; silent in --json mode (stdout stays one document). */
  note(text: string): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
    },
    note(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
  };
}

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({
      args,
      options: { ...options, workspace: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `--model production|staging|VERSION` (default production). */
export function parseModelOption(value: string | undefined): ModelChoice {
  if (value === undefined || value === 'production') return 'production';
  if (value === 'staging') return 'staging';
  const v = Number(value);
  if (!Number.isInteger(v) || v < 1) throw new UsageError('--model must be production, staging or a version number');
  return v;
}

export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof UsageError) {
    process.stderr.write(`usage error: ${error.message}\nRun with --help for usage.\n`);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'invalid_input', message: error.message } })}\n`);
    return EXIT_USAGE;
  }
  const shape: ErrorShape = toErrorShape(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: shape }, null, 2)}\n`);
  else process.stderr.write(`error (${shape.code}): ${shape.message}\n`);
  return shape.code === 'invalid_input' && error instanceof AppError && error.details === 'usage' ? EXIT_USAGE : EXIT_FAILURE;
}

/** Within one stage of a job, at most one progress line per this many ms. */
export const PROGRESS_EVERY_MS = 2000;

function progressLine(what: string, p: JobProgress): string {
  const pct = p.total > 0 ? ` ${Math.round((100 * p.done) / p.total)}%` : '';
  return `${what}: ${p.stage}${pct}${p.message ? ` (${p.message})` : ''}`;
}

/**
 * Waits for a job a command started, as a person at a terminal expects: its progress as notes (a line
 * when the stage changes, then at most one every PROGRESS_EVERY_MS; none in --json mode), and Ctrl-C
 * cancels the job (its own cancel, which leaves the workspace as it was) instead of killing the process
 * in the middle of it; a second Ctrl-C stops at once. Returns the job's final state; a job that did not
 * succeed becomes an AppError with its code (job_cancelled after Ctrl-C).
 */
export async function followJob(
  ctx: AppContext,
  out: Output,
  jobId: string,
  job: { what: string; whenCancelled: string },
): Promise<JobInfo> {
  const { what } = job;
  let lastStage = '';
  let lastAt = 0;
  const off = ctx.events.subscribe((event, payload) => {
    if (event !== 'jobs/changed') return;
    const info = payload as JobInfo;
    if (info.id !== jobId || info.status !== 'running') return;
    const now = Date.now();
    if (info.progress.stage === lastStage && now - lastAt < PROGRESS_EVERY_MS) return;
    lastStage = info.progress.stage;
    lastAt = now;
    out.note(progressLine(what, info.progress));
  });
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\nCancelling the ${what} (Ctrl-C again to stop at once)...\n`);
    ctx.jobs.cancel(jobId);
  };
  process.on('SIGINT', onInterrupt);
  try {
    const final = await ctx.jobs.wait(jobId);
    if (final.status === 'succeeded') return final;
    if (final.status === 'cancelled') {
      throw new AppError('job_cancelled', `The ${what} was cancelled: ${job.whenCancelled}.`);
    }
    throw new AppError(final.error?.code ?? 'job_failed', final.error?.message ?? `The ${what} ${final.status}.`);
  } finally {
    process.off('SIGINT', onInterrupt);
    off();
  }
}
