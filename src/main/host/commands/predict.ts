/**
 * `predict [--model production|staging|VERSION] PATH... --out FILE`: validates the files against the
 * prediction schema (bad ones quarantined), scores every wafer with the chosen model version, and
 * writes the predictions CSV.
 */
import type { PredictResult } from '../../../shared/contract';
import { createReport, startBatchPrediction, warmExplanationLookup } from '../../services/predict';
import type { Command } from '../cli';
import { EXIT_OK, followJob, parseCommandArgs, parseModelOption, UsageError } from '../cli-kit';

/** A predicted batch for people: its counts, then each quarantined file with its reasons (`predict`, `watch`). */
export function batchLines(result: PredictResult): string {
  const bad = result.files.filter((f) => f.status === 'bad');
  return [
    `batch ${result.batch} with model version ${result.model_version}: ${result.rows} wafers, ${result.faulty} predicted faulty, ${result.unfamiliar} in an unfamiliar regime`,
    ...bad.map((f) => `  quarantined ${f.name}: ${f.reasons.map((r) => r.code).join(', ')}`),
  ].join('\n');
}

export const predictCommand: Command = {
  summary: 'predict which wafers will fail in batch files, and write the predictions CSV',
  usage: `wafer-studio predict [--model production|staging|VERSION] PATH... --out FILE [--workspace FILE] [--json]`,
  async run({ ctx, out, args }) {
    const { values, positionals } = parseCommandArgs(args, { model: { type: 'string' }, out: { type: 'string' } });
    if (positionals.length === 0) throw new UsageError('give at least one file or folder to predict');
    if (!values.out) throw new UsageError('--out FILE is required (the predictions CSV)');
    const model = parseModelOption(values.model);
    const job = startBatchPrediction(ctx, positionals, model, 'cli');
    // This thread only waits while the workers predict: meanwhile it reads what the CSV's explanations need.
    warmExplanationLookup(ctx, model);
    const final = await followJob(ctx, out, job.id, {
      what: 'prediction',
      whenCancelled: 'no prediction of this batch and none of its files were kept',
    });
    const result = final.result as PredictResult;
    await createReport(ctx, result.batch, 'csv', values.out);
    out.result(result, `${batchLines(result)}\npredictions written to ${values.out}`);
    return EXIT_OK;
  },
};

export const reportCommand: Command = {
  summary: 'write a batch report as CSV, HTML or PDF',
  usage: `wafer-studio report --batch ID --format csv|html|pdf --out FILE [--workspace FILE] [--json]`,
  async run({ ctx, out, args }) {
    const { values } = parseCommandArgs(args, { batch: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, false);
    const batch = Number(values.batch);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch ID is required');
    if (values.format !== 'csv' && values.format !== 'html' && values.format !== 'pdf') throw new UsageError('--format must be csv, html or pdf');
    if (!values.out) throw new UsageError('--out FILE is required');
    const result = await createReport(ctx, batch, values.format, values.out);
    out.result(result, `report written to ${result.path} (${result.bytes} bytes)`);
    return EXIT_OK;
  },
};
