/**
 * Held-out quality against the reference pipeline on the SAME held-out rows. A single held-out part of
 * the wafer data holds about 12 faulty wafers, so two systems' figures on different splits say little;
 * this bench trains our default run on ../shared/data/wafer/training_batch, then hands the raw matrix,
 * our regimes and our train/held-out rows to a Python replica of the reference's modelling step
 * (bench/reference/wafer_reference.py: KNNImputer k=3, std == 0 columns dropped, per regime
 * GridSearchCV(cv=5, default accuracy scoring) over XGBoost and random forest with the reference grids,
 * family chosen by ROC AUC on hard labels) and prints both pooled held-out figures side by side.
 * Needs Debian's python3-sklearn and python3-xgboost (the project itself never does); without them it
 * prints our figures only.
 * Usage: node -r tsx/cjs bench/reference-quality.ts [--ours-only]  (or npm run bench -- reference)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { predictWithBundle } from '../src/main/ml/pipeline/bundle';
import { rocAuc } from '../src/main/ml/metrics';
import { closeAppContext, openAppContext, type AppContext } from '../src/main/services/context';
import { startIngest } from '../src/main/services/data';
import { loadBundle, resolvePredictionVersion } from '../src/main/services/models';
import { startTraining } from '../src/main/services/training';
import { PYTHON, pythonHas } from './python';

const REAL = join(__dirname, '../../shared/data/wafer/training_batch');
const SCRIPT = join(__dirname, 'reference/wafer_reference.py');

export async function runReferenceQualityBench(argv: string[] = []): Promise<void> {
  if (!existsSync(REAL)) {
    console.log('(../shared/data/wafer absent: nothing to compare)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-quality-'));
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli' });
  try {
    const { seconds, runId, modelVersion } = await importAndTrain(ctx);
    const run = ctx.store.training.run(runId)!;
    const bundle = loadBundle(ctx, resolvePredictionVersion(ctx, modelVersion).id);

    // The raw matrix in the run's row order; regimes as prediction assigns them (training rows agree).
    const files = ctx.store.files.goodFiles('training');
    const nFeatures = bundle.featureNames.length;
    const m = ctx.store.rows.matrixForFiles(
      files.map((f) => f.id),
      nFeatures,
    );
    const scored = predictWithBundle(bundle, m.X, m.nRows);
    const heldOut = new Set(run.heldOut!.rowIds);
    const labels = Array.from(m.labels, (l) => (l === 1 ? 1 : 0));
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < m.nRows; i++) (heldOut.has(m.rowIds[i]!) ? test : train).push(i);
    const yTest = Uint8Array.from(test, (r) => labels[r]!);
    const deployedAuc = rocAuc(
      yTest,
      Float64Array.from(test, (r) => scored.prob[r]!),
    );
    const caught = test.filter((r) => labels[r] === 1 && scored.faulty[r] === 1).length;
    const f = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
    console.log(
      `ours: run ${runId} in ${seconds.toFixed(1)} s, k = ${run.k}, ${test.length} held-out rows (${yTest.reduce((a, b) => a + b, 0)} faulty)`,
    );
    console.log(
      `  per-regime models, pooled held-out ROC AUC ${f(run.pooled?.rocAuc)}, PR AUC ${f(run.pooled?.prAuc)}`,
    );
    if (run.global)
      console.log(
        `  global model (regime as a feature), held-out ROC AUC ${f(run.global.test?.rocAuc)}, PR AUC ${f(run.global.test?.prAuc)}`,
      );
    console.log(
      `  deployed (${bundle.strategy}): held-out ROC AUC ${f(deployedAuc)}, faulty caught at the chosen threshold ${caught}/${yTest.reduce((a, b) => a + b, 0)}`,
    );
    const both = run.repeatedCvByStrategy;
    if (both?.perCluster && both.global)
      console.log(
        `  repeated CV by strategy: per-regime ${f(both.perCluster.auc.mean)} ± ${f(both.perCluster.auc.std)}, global ${f(both.global.auc.mean)} ± ${f(both.global.auc.std)}`,
      );
    if (run.repeatedCv)
      console.log(
        `  repeated CV of the deployed models: ROC AUC ${f(run.repeatedCv.auc.mean)} ± ${f(run.repeatedCv.auc.std)} (${run.repeatedCv.repeats} repeats)`,
      );

    if (argv.includes('--ours-only')) return;
    if (!pythonHas(['sklearn', 'xgboost'])) {
      console.log('(python3 with scikit-learn and xgboost not found: the reference replica is skipped)');
      return;
    }
    const rawCsv = join(dir, 'raw.csv');
    const lines: string[] = [];
    for (let i = 0; i < m.nRows; i++) {
      const cells: string[] = [];
      for (let c = 0; c < nFeatures; c++) {
        const v = m.X[c * m.nRows + i]!;
        cells.push(Number.isNaN(v) ? '' : String(v));
      }
      lines.push(cells.join(','));
    }
    writeFileSync(rawCsv, lines.join('\n'));
    const splitJson = join(dir, 'split.json');
    writeFileSync(splitJson, JSON.stringify({ labels, cluster: Array.from(scored.cluster), train, test }));
    console.log('reference replica on the same rows and regimes (scikit-learn + xgboost, n_jobs=2) ...');
    const py = spawnSync(PYTHON, [SCRIPT, rawCsv, splitJson], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (py.status !== 0) throw new Error(`reference replica failed: ${py.stderr.slice(-2000)}`);
    // Issue 5's time budget is a ratio to this replica on the same machine; it reports its seconds on a
    // line of its own (SECONDS s), which is not echoed.
    let replicaSeconds = 0;
    for (const line of py.stdout.trim().split('\n')) {
      if (line.startsWith('SECONDS ')) replicaSeconds = Number(line.slice(8));
      else console.log(`  ${line}`);
    }
    if (replicaSeconds > 0) {
      // This machine's speed drifts by tens of percent within minutes, so our run is timed again right
      // after the replica (fresh workspace and workers, as the first) and the ratio is taken against
      // both: the replica's minutes sit between them.
      const after = await timeOurRun();
      const slower = Math.max(seconds, after);
      console.log(
        `time: ours ${seconds.toFixed(1)} s before and ${after.toFixed(1)} s after the replica (whole run, import excluded) vs the replica's ${replicaSeconds.toFixed(0)} s (imputation and model search): ` +
          `${(replicaSeconds / ((seconds + after) / 2)).toFixed(1)}x faster (${(replicaSeconds / slower).toFixed(1)}x against our slower run); the budget asks for 20x (${(replicaSeconds / 20).toFixed(1)} s)`,
      );
    }
  } finally {
    await closeAppContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Imports the reference data and runs our default training on it; seconds exclude the import. */
async function importAndTrain(
  ctx: AppContext,
): Promise<{ seconds: number; runId: number; modelVersion: number }> {
  const ing = await ctx.jobs.wait(startIngest(ctx, 'training', [REAL]).id);
  if (ing.status !== 'succeeded') throw new Error(ing.error?.message);
  const started = performance.now();
  const tr = await ctx.jobs.wait(startTraining(ctx, {}).id);
  const seconds = (performance.now() - started) / 1000;
  if (tr.status !== 'succeeded') throw new Error(tr.error?.message);
  return { seconds, ...(tr.result as { runId: number; modelVersion: number }) };
}

/** Seconds of our default training run on the reference data in a fresh workspace (import excluded). */
async function timeOurRun(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-quality-'));
  const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli' });
  try {
    return (await importAndTrain(ctx)).seconds;
  } finally {
    await closeAppContext(ctx);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void runReferenceQualityBench(process.argv.slice(2));
