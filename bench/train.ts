/**
 * Training benchmark: the whole run (impute, elbow, regimes, grid search per regime and globally with
 * the reference grids, metrics, registry), import excluded. On the reference's real wafer data when
 * ../shared is present (the Python reference took 115 s here: the target is 1/20 of that), and on
 * seeded wafer-like data at 1x (1,567 rows) otherwise or in addition.
 * Usage: node -r tsx/cjs bench/train.ts [--sizes 1] [--real-only]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestSummary } from '../src/shared/contract';
import { closeAppContext, openAppContext, type AppContext } from '../src/main/services/context';
import { startIngest } from '../src/main/services/data';
import { startTraining } from '../src/main/services/training';
import { writeSampleLikeBatch } from './wafer-batch';

const REFERENCE_SECONDS = 115;
const REAL = join(__dirname, '../../shared/data/wafer/training_batch');

async function ingest(ctx: AppContext, dir: string): Promise<IngestSummary> {
  const job = startIngest(ctx, 'training', [dir]);
  const final = await ctx.jobs.wait(job.id);
  if (final.status !== 'succeeded') throw new Error(final.error?.message);
  return final.result as IngestSummary;
}

async function trainOnce(label: string, dataDir: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-train-'));
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli' });
  try {
    const imported = await ingest(ctx, dataDir);
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const job = startTraining(ctx, {});
    const final = await ctx.jobs.wait(job.id);
    const seconds = (performance.now() - started) / 1000;
    // CPU of every thread (the pool's workers are threads of this process): wall time on a shared
    // machine is mostly load, CPU seconds are comparable between runs.
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    if (final.status !== 'succeeded') throw new Error(`${final.status}: ${final.error?.message}`);
    const { runId } = final.result as { runId: number };
    const run = ctx.store.training.run(runId)!;
    const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
    console.log(`${label}: ${imported.rows} rows (${run.fingerprint.faulty} faulty), k = ${run.k} (${run.elbow?.source})`);
    console.log(
      `  total ${seconds.toFixed(2)} s (cpu ${cpuSeconds.toFixed(2)} s, all threads)  [${Object.entries(run.timings)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ')}]  ratio vs reference ${REFERENCE_SECONDS} s: ${(REFERENCE_SECONDS / seconds).toFixed(1)}x faster`,
    );
    for (const c of run.clusters) {
      console.log(`  regime ${c.cluster}: ${c.rows} rows, ${c.faulty} faulty, ${c.family}, cv AUC ${f(c.cvAuc)}, test AUC ${f(c.test?.rocAuc)}`);
    }
    if (run.global) console.log(`  global: ${run.global.family}, cv AUC ${f(run.global.cvAuc)}, test AUC ${f(run.global.test?.rocAuc)}`);
    // The deployed model's held-out figures (the ones the gates judged), and the other strategy's.
    const globalDeployed = run.config.deploy === 'best' && run.global?.betterThanPerCluster === true;
    const heldOut = (label: string, p: typeof run.pooled) =>
      console.log(
        `  ${label} held-out: ROC AUC ${f(p?.rocAuc)}, PR AUC ${f(p?.prAuc)}, recall ${f(p?.recall)} (${p?.confusion.tp}/${(p?.confusion.tp ?? 0) + (p?.confusion.fn ?? 0)} faulty caught), precision ${f(p?.precision)}, threshold ${f(p?.threshold)}`,
      );
    heldOut(globalDeployed ? 'deployed (global model)' : 'deployed (per-regime models, pooled)', globalDeployed ? (run.global?.test ?? null) : run.pooled);
    if (globalDeployed) heldOut('per-regime models, pooled', run.pooled);
    if (run.repeatedCv)
      console.log(`  repeated CV of the deployed models: ROC AUC ${f(run.repeatedCv.auc.mean)} ± ${f(run.repeatedCv.auc.std)} (${run.repeatedCv.repeats} repeats)`);
    if (run.strategyNote) console.log(`  ${run.strategyNote}`);
    console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await closeAppContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTrainBench(argv: string[]): Promise<void> {
  if (existsSync(REAL)) await trainOnce('reference wafer data (training_batch)', REAL);
  else console.log('(../shared/data/wafer absent: skipping the real-data run)');
  if (argv.includes('--real-only')) return;
  const sizesArg = argv[argv.indexOf('--sizes') + 1];
  const sizes = argv.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-data-'));
    try {
      mkdirSync(dir, { recursive: true });
      await writeSampleLikeBatch(dir, 1567 * size, 7 + size, true);
      await trainOnce(`seeded wafer-like data ${size}x`, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (require.main === module) void runTrainBench(process.argv.slice(2));
