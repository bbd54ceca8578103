/**
 * Scoring stored files with a model version, in a worker: the rows are read from the workspace,
 * transformed with the training run's saved preprocessing, given their regime and scored once by that
 * regime's model, explained, and written to the batch one transaction per part. Also the tasks that
 * decode a model ahead of its rows: alone (warming a worker), or followed by a whole small batch
 * handed over through shared memory once its import has finished.
 */
import type { PredictionSource } from '../../../shared/contract';
import { predictWithBundle, type ModelBundle } from '../../ml/pipeline/bundle';
import type { NewPrediction } from '../../store/repos/predictions';
import type { TaskContext } from '../context';
import { AppError } from '../../errors';

export interface PredictFileInput {
  versionId: number;
  batchId: number;
  fileId: number;
  fileName: string;
  source: PredictionSource;
  explain: number;
  /** The slice of the file's rows this task scores (files are split across workers). */
  rowStart: number;
  rowCount: number;
}

/**
 * Decodes a version's bundle into this worker's cache and compiles what prediction derives from it
 * (donor structures, trees), so a batch's first part does not pay for it: the service runs this while
 * the batch's files are still being imported.
 */
export function loadForPrediction(input: { versionId: number }, ctx: TaskContext): { decoded: boolean } {
  const { bundle, decoded } = ctx.bundle(input.versionId);
  ctx.throwIfCancelled();
  predictWithBundle(bundle, new Float64Array(0), 0, { explain: 1 });
  return { decoded };
}

/** Mailbox layout (Int32 slots, then JSON bytes): the state and the byte length of the parts. */
export const MAILBOX_WAITING = 0;
export const MAILBOX_READY = 1;
export const MAILBOX_NONE = 2;
export const MAILBOX_HEADER_BYTES = 8;

export interface PredictBatchInput {
  versionId: number;
  /** [state, byte length] as Int32, then the parts (PredictFileInput[]) as UTF-8 JSON. */
  mailbox: SharedArrayBuffer;
}

/**
 * A small batch in one worker: decode the model while the main thread imports the files, wait for the
 * parts to score (MAILBOX_READY) or for word that there are none (MAILBOX_NONE), then score them all.
 * One worker decoding and scoring beats two workers each decoding when the batch is small.
 */
export function predictBatch(input: PredictBatchInput, ctx: TaskContext): { decoded: boolean; parts: number } {
  const { decoded } = loadForPrediction(input, ctx);
  const head = new Int32Array(input.mailbox, 0, 2);
  // Short waits so a cancel is seen at once.
  while (Atomics.load(head, 0) === MAILBOX_WAITING) {
    Atomics.wait(head, 0, MAILBOX_WAITING, 50);
    ctx.throwIfCancelled();
  }
  if (Atomics.load(head, 0) !== MAILBOX_READY) return { decoded, parts: 0 };
  const bytes = new Uint8Array(input.mailbox, MAILBOX_HEADER_BYTES, head[1]);
  const parts = JSON.parse(new TextDecoder().decode(bytes.slice())) as PredictFileInput[];
  parts.forEach((part, i) => {
    predictFile(part, ctx);
    ctx.progress({ stage: 'parts', done: i + 1, total: parts.length, message: part.fileName });
  });
  return { decoded, parts: parts.length };
}

/** Rows to prediction records, shared by batch files and typed single rows. */
export function toPredictions(
  bundle: ModelBundle,
  p: ReturnType<typeof predictWithBundle>,
  meta: { fileId: number | null; fileName: string | null; rowNos: (number | null)[]; wafers: string[] },
): NewPrediction[] {
  const out: NewPrediction[] = [];
  const { good, faulty } = bundle.schema.labelValues;
  for (let r = 0; r < p.prob.length; r++) {
    out.push({
      fileId: meta.fileId,
      fileName: meta.fileName,
      rowNo: meta.rowNos[r] ?? null,
      wafer: meta.wafers[r]!,
      cluster: p.cluster[r]!,
      distance: p.distance[r]!,
      unfamiliar: p.unfamiliar[r] === 1,
      probability: p.prob[r]!,
      faulty: p.faulty[r] === 1,
      label: p.faulty[r] === 1 ? faulty : good,
      explanation: p.explanations?.[r] ?? null,
    });
  }
  return out;
}

export function predictFile(input: PredictFileInput, ctx: TaskContext): { rows: number; faulty: number; unfamiliar: number; decoded: boolean } {
  const store = ctx.store();
  const { bundle, version, decoded } = ctx.bundle(input.versionId);
  const nFeatures = bundle.featureNames.length;
  ctx.progress({ stage: 'scoring', done: 0, total: 1, message: input.fileName });
  let m;
  try {
    m = store.rows.matrixForFiles([input.fileId], nFeatures, { start: input.rowStart, count: input.rowCount });
  } catch (error) {
    throw new AppError('invalid_input', `${input.fileName} does not have the ${nFeatures} sensors model version ${version.version} was trained on: ${(error as Error).message}`);
  }
  ctx.throwIfCancelled();
  const p = predictWithBundle(bundle, m.X, m.nRows, { explain: input.explain });
  ctx.throwIfCancelled();
  const rowNos: number[] = [];
  for (let i = 0; i < m.nRows; i++) rowNos.push(input.rowStart + i + 1);
  const rows = toPredictions(bundle, p, { fileId: input.fileId, fileName: input.fileName, rowNos, wafers: m.wafers });
  store.predictions.addRows(input.batchId, input.versionId, version.threshold, input.source, rows);
  ctx.progress({ stage: 'scoring', done: 1, total: 1, message: input.fileName });
  let faulty = 0;
  let unfamiliar = 0;
  for (const r of rows) {
    faulty += r.faulty ? 1 : 0;
    unfamiliar += r.unfamiliar ? 1 : 0;
  }
  return { rows: rows.length, faulty, unfamiliar, decoded };
}

export const predictTasks = {
  'predict/file': predictFile,
  'predict/load': loadForPrediction,
  'predict/batch': predictBatch,
};
