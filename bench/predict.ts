/**
 * Prediction benchmark, end to end: seeded prediction files are validated and stored (import path),
 * preprocessed with the saved state, assigned regimes, scored, explained and written to the history.
 * A small model is trained first on seeded 1x training data. Each size runs in its own child process.
 * Usage: npx tsx bench/predict.ts [--sizes 1,100]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PredictResult } from '../src/shared/contract';
import { closeAppContext, openAppContext } from '../src/main/services/context';
import { startIngest } from '../src/main/services/data';
import { approveVersion, promoteVersion } from '../src/main/services/models';
import { startBatchPrediction } from '../src/main/services/predict';
import { startTraining } from '../src/main/services/training';
import { writeSampleLikeBatch } from './wafer-batch';

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

async function measure(size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-predict-'));
  try {
    const trainDir = join(dir, 'train');
    const predDir = join(dir, 'predict');
    mkdirSync(trainDir);
    mkdirSync(predDir);
    await writeSampleLikeBatch(trainDir, 1567, 11, true);
    // Same profile as the training data (same seed), so the rows come from the regimes the model knows.
    await writeSampleLikeBatch(predDir, 1567 * size, 11, false);
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli' });
    const ing = await ctx.jobs.wait(startIngest(ctx, 'training', [trainDir]).id);
    if (ing.status !== 'succeeded') throw new Error(ing.error?.message);
    const tr = await ctx.jobs.wait(startTraining(ctx, { config: BENCH_CONFIG }).id);
    if (tr.status !== 'succeeded') throw new Error(tr.error?.message);
    const { modelVersion } = tr.result as { modelVersion: number };
    approveVersion(ctx, modelVersion, 'bench');
    promoteVersion(ctx, modelVersion, 'production', 'bench');
    const rssBefore = process.resourceUsage().maxRSS / 1024;
    const started = performance.now();
    const job = startBatchPrediction(ctx, [predDir], 'production', 'cli');
    const final = await ctx.jobs.wait(job.id);
    const seconds = (performance.now() - started) / 1000;
    if (final.status !== 'succeeded') throw new Error(final.error?.message);
    const r = final.result as PredictResult;
    await closeAppContext(ctx);
    process.stdout.write(
      `${JSON.stringify({ size, rows: r.rows, faulty: r.faulty, unfamiliar: r.unfamiliar, seconds, rowsPerSec: r.rows / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, rssBeforeMb: rssBefore })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runPredictBench(argv: string[]): Promise<void> {
  const sizesArg = argv[argv.indexOf('--sizes') + 1];
  const sizes = argv.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1, 100];
  console.log('predict: end to end (validation, storage, preprocessing, regimes, scoring, explanations, history); target >= 20,000 rows/s at 1x');
  console.log('size   rows      seconds   rows/s     faulty  unfamiliar  peak RSS MB');
  for (const size of sizes) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--measure', String(size)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line) as { size: number; rows: number; seconds: number; rowsPerSec: number; faulty: number; unfamiliar: number; peakRssMb: number };
      console.log(
        `${String(size).padEnd(6)} ${String(r.rows).padStart(7)} ${r.seconds.toFixed(2).padStart(10)} ${Math.round(r.rowsPerSec).toString().padStart(9)} ${String(r.faulty).padStart(8)} ${String(r.unfamiliar).padStart(10)} ${r.peakRssMb.toFixed(0).padStart(12)}`,
      );
    } catch {
      console.log(`${size}x failed: ${child.stderr.slice(-2000)}`);
    }
  }
}

if (process.argv.includes('--measure')) void measure(Number(process.argv[process.argv.indexOf('--measure') + 1]));
else if (require.main === module) void runPredictBench(process.argv.slice(2));
