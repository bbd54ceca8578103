/**
 * `train [--config FILE] [--clusters auto|N]`: one training run on the workspace's good training files;
 * prints the run, the model version, the elbow, per-cluster results, pooled metrics, gates and timings.
 */
import { readFileSync } from 'node:fs';
import type { RunDetail } from '../../../shared/contract';
import { AppError } from '../../errors';
import { startTraining } from '../../services/training';
import { versionDetail } from '../../services/models';
import type { Command } from '../cli';
import { EXIT_FAILURE, EXIT_OK, followJob, parseCommandArgs, UsageError } from '../cli-kit';

/** A config file's contents; yaml is loaded only here, so other commands do not pay its ~40 ms load. */
export async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('io_error', `Could not read the config file ${path}: ${(error as Error).message}`);
  }
  try {
    return /\.json$/i.test(path) ? JSON.parse(text) : (await import('yaml')).parse(text);
  } catch (error) {
    throw new AppError('bad_config', `${path} is not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));

export const trainCommand: Command = {
  summary: 'train regimes and a model per regime on the imported training data',
  usage: `wafer-studio train [--config FILE] [--clusters auto|N] [--workspace FILE] [--json]

  --config    a training config (YAML or JSON); default: the workspace's saved config
  --clusters  auto (the elbow's knee, default) or a fixed number of regimes`,
  async run({ ctx, out, args }) {
    const { values } = parseCommandArgs(args, { config: { type: 'string' }, clusters: { type: 'string' } }, false);
    let k: number | undefined;
    if (values.clusters !== undefined && values.clusters !== 'auto') {
      k = Number(values.clusters);
      if (!Number.isInteger(k) || k < 1 || k > 50) throw new UsageError('--clusters must be auto or a whole number from 1 to 50');
    }
    const config: unknown = values.config ? await readConfigFile(values.config) : undefined;
    const job = startTraining(ctx, { k, config });
    const final = await followJob(ctx, out, job.id, {
      what: 'training',
      whenCancelled: 'the run is recorded as cancelled and no model version was added',
    });
    const { runId, modelVersion } = final.result as { runId: number; modelVersion: number };
    const run = ctx.store.training.run(runId)!;
    const version = versionDetail(ctx, modelVersion);
    const result = toJson(run, modelVersion, version.status);
    const lines = [
      `run ${run.id}: model version ${modelVersion} (${version.status.replace(/_/g, ' ')})`,
      `regimes: k = ${run.k} (${run.elbow?.source}); WCSS ${run.elbow?.wcss.map((w) => w.toExponential(3)).join(', ')}`,
      ...run.clusters.map(
        (c) =>
          `  regime ${c.cluster}: ${c.rows} rows, ${c.faulty} faulty, ${c.family} cv AUC ${fmt(c.cvAuc)}, test AUC ${fmt(c.test?.rocAuc)}, recall ${fmt(c.test?.recall)}`,
      ),
      run.global ? `  global: ${run.global.family} test AUC ${fmt(run.global.test?.rocAuc)}` : '',
      `pooled held-out: ROC AUC ${fmt(run.pooled?.rocAuc)}, PR AUC ${fmt(run.pooled?.prAuc)}, recall ${fmt(run.pooled?.recall)}, precision ${fmt(run.pooled?.precision)}, accuracy ${fmt(run.pooled?.accuracy)} (fail rate ${fmt(run.pooled?.failRateActual)}) at threshold ${fmt(run.pooled?.threshold)}`,
      run.strategyNote ?? '',
      run.repeatedCv ? `repeated CV (${run.repeatedCv.repeats} x ${run.config.repeatedCv.folds}-fold) ROC AUC ${fmt(run.repeatedCv.auc.mean)} ± ${fmt(run.repeatedCv.auc.std)}` : '',
      ...run.gates.map((g) => `  gate ${g.name}: ${fmt(g.value)} vs ${g.threshold} ${g.passed ? 'pass' : 'FAIL'}`),
      `seconds: ${Object.entries(run.timings)
        .map(([s, v]) => `${s} ${v.toFixed(2)}`)
        .join(', ')}`,
    ].filter(Boolean);
    out.result(result, lines.join('\n'));
    return run.status === 'succeeded' ? EXIT_OK : EXIT_FAILURE;
  },
};

function toJson(run: RunDetail, modelVersion: number, status: string) {
  const testOf = (m: RunDetail['pooled']) =>
    m && {
      auc: m.rocAuc,
      pr_auc: m.prAuc,
      recall: m.recall,
      precision: m.precision,
      f1: m.f1,
      accuracy: m.accuracy,
      balanced_accuracy: m.balancedAccuracy,
      specificity: m.specificity,
      npv: m.npv,
      fail_rate: m.failRateActual,
      threshold: m.threshold,
      confusion: m.confusion,
    };
  return {
    run: run.id,
    model_version: modelVersion,
    status,
    k: run.k,
    knee: run.elbow?.knee ?? null,
    wcss: run.elbow?.wcss ?? [],
    clusters: run.clusters.map((c) => ({
      cluster: c.cluster,
      rows: c.rows,
      faulty: c.faulty,
      strategy: c.strategy,
      family: c.family,
      params: c.params,
      cv_auc: c.cvAuc,
      selected_by: c.selectedBy,
      test: testOf(c.test),
    })),
    global: run.global && { family: run.global.family, params: run.global.params, cv_auc: run.global.cvAuc, test: testOf(run.global.test), better: run.global.betterThanPerCluster },
    pooled: testOf(run.pooled),
    strategy_note: run.strategyNote,
    repeated_cv: run.repeatedCv,
    repeated_cv_by_strategy: run.repeatedCvByStrategy && { per_cluster: run.repeatedCvByStrategy.perCluster, global: run.repeatedCvByStrategy.global },
    gates: run.gates.map((g) => ({ name: g.name, value: g.value, threshold: g.threshold, passed: g.passed })),
    seconds: run.timings,
  };
}
