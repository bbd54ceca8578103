/**
 * The batch prediction in progress and the batch on show, kept outside React so both survive page
 * changes. A job store (api/jobStore) that stages dropped files, starts `predict/batch-start`, follows the
 * job and, once it succeeds, shows the batch it made.
 */
import type { PredictResult } from '../../../../shared/contract';
import { api, type StagedInput } from '../../api/client';
import { createJobStore, type JobState } from '../../api/jobStore';
import type { ModelChoice } from './format';

export interface BatchState extends JobState<PredictResult> {
  /** The batch the page shows (the one just predicted, or one picked from the recent list). */
  batchId: number | null;
}

const store = createJobStore<PredictResult, { batchId: number | null }>({
  extra: { batchId: null },
  keep: ['batchId'],
  toResult: (job) => (job.result as PredictResult | null) ?? null,
  onResult: (result) => ({ batchId: result.batch }),
  failedMessage: 'The prediction failed.',
});

export function useBatch(): BatchState {
  return store.useJob();
}

export function isBusy(s?: BatchState): boolean {
  return store.isBusy(s);
}

export function showBatch(batchId: number | null) {
  store.update({ batchId });
}

/** Stages the files and predicts them with the chosen model. */
export function predictFiles(inputs: StagedInput[], model: ModelChoice): Promise<void> {
  const title = `Predict ${inputs.length} file${inputs.length === 1 ? '' : 's'}`;
  return store.run(inputs, title, (paths) =>
    api.invoke('predict/batch-start', { paths, model, source: 'app' }),
  );
}

export const cancelBatch = (): Promise<void> => store.cancel();
export const dismissOutcome = (): void => store.dismiss();
