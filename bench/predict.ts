/**
 * Prediction benchmark, end to end: seeded prediction files are validated and stored (import path),
 * preprocessed with the saved state, assigned regimes, scored, explained and written to the history.
 * A small model is trained first on seeded 1x training data. Each size runs in its own child process.
 * Two batches of the size are timed one after the other: the first right after training (the workers
 * decode the model during it), the next with the model already decoded in the workers, as every
 * later batch of an app session is. Both batches are new wafers of the process the model was trained
 * on (the training file's profile, other row seeds), as a later shift's batches are: new bytes, so
 * they are imported, not reused as duplicates. `--unfamiliar` draws the next batch from another
 * process instead (its rows are then mostly flagged unfamiliar, and the neighbour search prunes less).
 * At 1x, where one batch takes a fraction of a second and this machine's noise is ±15%, five more
 * such batches follow (new wafers each), and their median and best are printed too.
 * Same machine: up to 10x, when Debian's scikit-learn, xgboost and pandas are installed, a replica of the
 * reference pipeline's batch prediction (bench/reference/wafer_reference_predict.py) predicts the same
 * "next" files after fitting its models the reference's way on the same training file, and the ratio
 * is printed (the design's budgets are ratios against the reference where one exists).
 * Usage: node -r tsx/cjs bench/predict.ts [--sizes 1,100] [--unfamiliar] [--no-reference]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PredictResult } from '../src/shared/contract';
import { closeAppContext, openAppContext } from '../src/main/services/context';
import { startIngest } from '../src/main/services/data';
import { approveVersion, promoteVersion } from '../src/main/services/models';
import { startBatchPrediction, warmPrediction } from '../src/main/services/predict';
import { startTraining } from '../src/main/services/training';
import { writeSampleLikeBatch } from './wafer-batch';
import { TS_NODE_ARGS } from './node-args';
import { PYTHON, pythonHas } from './python';

const BENCH_CONFIG = {
  clusters: { mode: 'fixed', k: 3 },
  families: {
    gbm: { enabled: true, grid: { nEstimators: [100], maxDepth: [5], learningRate: [0.1] } },
    forest: { enabled: false },
  },
  cvFolds: 3,
  globalModel: false,
  gates: { minAccuracy: 0, minF1: null, minRecall: null, minRocAuc: null, minPrAuc: null },
};

const REFERENCE_SCRIPT = join(__dirname, 'reference/wafer_reference_predict.py');

/** The reference pipeline's batch prediction on the same files (bench/reference/wafer_reference_predict.py),
 *  when Debian's scikit-learn, xgboost and pandas are installed: its seconds, or null. */
function referenceReplica(trainDir: string, predictDir: string, workDir: string): { seconds: number; rows: number } | null {
  if (!pythonHas(['sklearn', 'xgboost', 'pandas'])) return null;
  mkdirSync(workDir);
  const child = spawnSync(PYTHON, [REFERENCE_SCRIPT, trainDir, predictDir, workDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = /SECONDS ([0-9.]+)/.exec(child.stdout ?? '');
  const rows = /ROWS ([0-9]+)/.exec(child.stdout ?? '');
  if (child.status !== 0 || !seconds || !rows) {
    process.stderr.write(`reference replica failed: ${(child.stderr ?? '').slice(-2000)}\n`);
    return null;
  }
  return { seconds: Number(seconds[1]), rows: Number(rows[1]) };
}

async function measure(size: number, unfamiliar: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-predict-'));
  try {
    const trainDir = join(dir, 'train');
    const predDir = join(dir, 'predict');
    const nextDir = join(dir, 'next');
    mkdirSync(trainDir);
    mkdirSync(predDir);
    mkdirSync(nextDir);
    await writeSampleLikeBatch(trainDir, 1567, 11, true);
    // The training file's process profile (seed 11 * 1000), new wafers drawn with other seeds.
    const TRAIN_PROFILE = 11_000;
    await writeSampleLikeBatch(predDir, 1567 * size, 21, false, TRAIN_PROFILE);
    await writeSampleLikeBatch(nextDir, 1567 * size, 22, false, unfamiliar ? undefined : TRAIN_PROFILE);
    // The later 1x batches are written now, not between timed batches: writing one leaves garbage for
    // the main thread's collector and dirty pages for the disk, which the next timed batch would pay for.
    const moreDirs: string[] = [];
    for (let rep = 0; size === 1 && rep < 5; rep++) {
      const repDir = join(dir, `more-${rep}`);
      mkdirSync(repDir);
      await writeSampleLikeBatch(repDir, 1567, 30 + rep, false, unfamiliar ? undefined : TRAIN_PROFILE);
      moreDirs.push(repDir);
    }
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli' });
    const ing = await ctx.jobs.wait(startIngest(ctx, 'training', [trainDir]).id);
    if (ing.status !== 'succeeded') throw new Error(ing.error?.message);
    const tr = await ctx.jobs.wait(startTraining(ctx, { config: BENCH_CONFIG }).id);
    if (tr.status !== 'succeeded') throw new Error(tr.error?.message);
    const { modelVersion } = tr.result as { modelVersion: number };
    await approveVersion(ctx, modelVersion, 'bench');
    await promoteVersion(ctx, modelVersion, 'production', 'bench');
    const rssBefore = process.resourceUsage().maxRSS / 1024;
    // CPU time of the whole process (main thread and workers): steadier than wall time on a shared machine.
    const timed = async (path: string) => {
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      const final = await ctx.jobs.wait(startBatchPrediction(ctx, [path], 'production', 'cli').id);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (final.status !== 'succeeded') throw new Error(final.error?.message);
      return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, result: final.result as PredictResult };
    };
    const first = await timed(predDir);
    // The first batch returns once its rows are scored, while a helper worker may still be decoding the
    // model for later batches; the Predict page warms every worker the same way when it opens.
    await warmPrediction(ctx, 'production').ready;
    const next = await timed(nextDir);
    const more: number[] = [];
    for (const repDir of moreDirs) more.push((await timed(repDir)).seconds);
    more.push(next.seconds);
    more.sort((a, b) => a - b);
    const r = first.result;
    await closeAppContext(ctx);
    // Same machine, same files: the reference's prediction of the "next" batch. Only up to 10x: it fits its
    // imputer on the batch itself, whose pairwise distances grow with the square of the rows.
    const reference = size <= 10 && !process.argv.includes('--no-reference') ? referenceReplica(trainDir, nextDir, join(dir, 'reference')) : null;
    process.stdout.write(
      `${JSON.stringify({ size, rows: r.rows, faulty: r.faulty, unfamiliar: r.unfamiliar, nextUnfamiliar: next.result.unfamiliar, seconds: first.seconds, cpuSeconds: first.cpuSeconds, rowsPerSec: r.rows / first.seconds, nextSeconds: next.seconds, nextCpuSeconds: next.cpuSeconds, nextRowsPerSec: next.result.rows / next.seconds, medianSeconds: more[more.length >> 1], bestSeconds: more[0], peakRssMb: process.resourceUsage().maxRSS / 1024, rssBeforeMb: rssBefore, reference })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPredictBench(argv: string[]): Promise<void> {
  const sizesArg = argv[argv.indexOf('--sizes') + 1];
  const sizes = argv.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1, 100];
  console.log('predict: end to end (validation, storage, preprocessing, regimes, scoring, explanations, history); target >= 20,000 rows/s at 1x');
  console.log('(first: the batch right after training; next: the following batch, model decoded in the workers; cpu: all threads)');
  console.log('(1x: "next" also as the median and best of six such batches, rows/s)');
  console.log('size   rows      seconds   cpu s   rows/s  next: seconds   cpu s   rows/s     faulty  unfamiliar (first/next)  peak RSS MB   median/best rows/s');
  for (const size of sizes) {
    const args = [...TS_NODE_ARGS, __filename, '--measure', String(size), ...(argv.includes('--unfamiliar') ? ['--unfamiliar'] : []), ...(argv.includes('--no-reference') ? ['--no-reference'] : [])];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line) as {
        size: number;
        rows: number;
        seconds: number;
        cpuSeconds: number;
        rowsPerSec: number;
        nextSeconds: number;
        nextCpuSeconds: number;
        nextRowsPerSec: number;
        faulty: number;
        unfamiliar: number;
        nextUnfamiliar: number;
        peakRssMb: number;
        medianSeconds: number;
        bestSeconds: number;
        reference: { seconds: number; rows: number } | null;
      };
      console.log(
        `${String(size).padEnd(6)} ${String(r.rows).padStart(7)} ${r.seconds.toFixed(2).padStart(10)} ${r.cpuSeconds.toFixed(2).padStart(7)} ${Math.round(r.rowsPerSec).toString().padStart(8)} ${r.nextSeconds.toFixed(2).padStart(14)} ${r.nextCpuSeconds.toFixed(2).padStart(7)} ${Math.round(r.nextRowsPerSec).toString().padStart(8)} ${String(r.faulty).padStart(10)} ${`${r.unfamiliar}/${r.nextUnfamiliar}`.padStart(12)} ${r.peakRssMb.toFixed(0).padStart(12)}${size === 1 ? `   ${Math.round(r.rows / r.medianSeconds)}/${Math.round(r.rows / r.bestSeconds)}` : ''}`,
      );
      const ours = size === 1 ? r.medianSeconds : r.nextSeconds;
      if (r.reference)
        console.log(
          `       same machine, same "next" files: the reference pipeline's replica ${r.reference.seconds.toFixed(2)} s for ${r.reference.rows} rows (${Math.round(r.reference.rows / r.reference.seconds)} rows/s); ours ${ours.toFixed(3)} s${size === 1 ? ' (median)' : ''}: ${(r.reference.seconds / ours).toFixed(1)}x faster`,
        );
      else if (size <= 10 && !argv.includes('--no-reference'))
        console.log('       (reference replica not run: needs /usr/bin/python3 with scikit-learn, xgboost and pandas)');
    } catch {
      console.log(`${size}x failed: ${child.stderr.slice(-2000)}`);
    }
  }
}

if (process.argv.includes('--measure'))
  void measure(Number(process.argv[process.argv.indexOf('--measure') + 1]), process.argv.includes('--unfamiliar'));
else if (require.main === module) void runPredictBench(process.argv.slice(2));
