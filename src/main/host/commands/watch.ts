/**
 * `watch FOLDER [--model ...] [--settle S] [--interval S] [--once] [--skip-existing] [--out DIR]`: predicts
 * each prediction file that lands in FOLDER once it has stopped changing (for a line's data collector
 * that writes batches there, or a scheduled task with --once). Files are only read; the workspace's ledger
 * keeps each from being predicted twice, shared with the app's own watched folder. Runs until Ctrl-C,
 * which cancels a batch in progress (nothing of it kept); with --once, takes what has settled and exits.
 * --json: with --once one document; otherwise one JSON line per batch (JSON Lines), for a pipe to read.
 */
import type { PredictResult } from '../../../shared/contract';
import { WATCH_INTERVAL_SECONDS_DEFAULT, WATCH_SETTLE_SECONDS_DEFAULT } from '../../../shared/contract';
import { AppError } from '../../errors';
import { createReport } from '../../services/predict';
import { batchLines } from './predict';
import { resolvePredictionVersion } from '../../services/models';
import { checkFolder, FolderWatcher, prepareOutFolder } from '../../services/watch';
import type { Command } from '../cli';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, parseModelOption, UsageError } from '../cli-kit';

function seconds(value: string | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > 3600) throw new UsageError(`--${name} must be a number of seconds, ${min} to 3600`);
  return n;
}

export const watchCommand: Command = {
  summary: 'predict each prediction file that lands in a folder (or, with --once, those there now)',
  usage: `wafer-studio watch FOLDER [--model production|staging|VERSION] [--settle SECONDS] [--interval SECONDS]
       [--once] [--skip-existing] [--out DIR] [--workspace FILE] [--json]`,
  async run({ ctx, out, args }) {
    const { values, positionals } = parseCommandArgs(args, {
      model: { type: 'string' },
      settle: { type: 'string' },
      interval: { type: 'string' },
      once: { type: 'boolean' },
      'skip-existing': { type: 'boolean' },
      out: { type: 'string' },
    });
    if (positionals.length !== 1) throw new UsageError('give the one folder to watch');
    const model = parseModelOption(values.model);
    const settleSeconds = seconds(values.settle, WATCH_SETTLE_SECONDS_DEFAULT, 'settle', 0);
    const intervalSeconds = seconds(values.interval, WATCH_INTERVAL_SECONDS_DEFAULT, 'interval', 0.1);
    const folder = checkFolder(positionals[0]!);
    resolvePredictionVersion(ctx, model);
    const outDir = values.out ? prepareOutFolder(values.out, folder) : null;

    const batches: PredictResult[] = [];
    // Set while watching: how the foreground wait ends when a batch is cancelled by another client.
    let endWatching: ((code: number) => void) | null = null;
    let cancelled = false;
    const watcher = new FolderWatcher(ctx, {
      folder,
      model,
      settleSeconds,
      intervalSeconds,
      keepAlive: true,
      async onBatch(batch, result) {
        batches.push(result);
        const csv = outDir ? (await createReport(ctx, batch.batchId, 'csv', outDir, true)).path : null;
        if (values.once) return;
        if (out.json) process.stdout.write(`${JSON.stringify({ ...result, csv })}\n`);
        else process.stdout.write(`${batchLines(result)}${csv ? `\n  predictions written to ${csv}` : ''}\n`);
      },
      onProblem(error) {
        if (error && !values.once) process.stderr.write(`error (${error.code}): ${error.message}\n`);
      },
      onCancelled() {
        cancelled = true;
        endWatching?.(EXIT_FAILURE);
      },
    });
    if (values['skip-existing']) {
      const skipped = await watcher.skipExisting();
      out.note(`${skipped} file(s) already in ${folder} left alone.`);
    }

    if (values.once) {
      // Settled files may need more than one batch (at most 200 files each).
      while (await watcher.scanOnce()) {
        /* the next batch of settled files */
      }
      if (watcher.lastError) throw new AppError(watcher.lastError.code, watcher.lastError.message);
      if (cancelled) throw new AppError('job_cancelled', 'A batch was cancelled (by another client of the workspace): nothing of it was kept, and its files are taken at the next run.');
      const settling = watcher.settling;
      out.result(
        { folder, batches, settling },
        [
          ...batches.map(batchLines),
          batches.length === 0 ? `nothing new to predict in ${folder}` : '',
          settling.length ? `${settling.length} file(s) still changing, left for the next run: ${settling.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      return EXIT_OK;
    }

    out.note(`Watching ${folder} (files are taken once unchanged for ${settleSeconds} s; Ctrl-C stops)...`);
    let interrupts = 0;
    const onInterrupt = () => {
      interrupts++;
      if (interrupts > 1) process.exit(130);
      const running = watcher.runningJob !== null;
      process.stderr.write(running ? '\nStopping: cancelling the batch in progress (Ctrl-C again to stop at once)...\n' : '\nStopped watching.\n');
      cancelled = running;
      void watcher.stop({ cancelRunning: true }).then(() => endWatching?.(running ? EXIT_FAILURE : EXIT_OK));
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    try {
      const code = await new Promise<number>((resolve) => {
        endWatching = resolve;
        watcher.start();
      });
      if (cancelled) out.note('The batch in progress was cancelled: nothing of it was kept, and its files are taken at the next run.');
      return code;
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }
  },
};
