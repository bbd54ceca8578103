/**
 * Scoring stored files with a model version, in a worker: the rows are read from the workspace,
 * transformed with the training run's saved preprocessing, given their regime and scored once by that
 * regime's model, explained, and written to the batch one transaction per part. Also the tasks that
 * decode a model ahead of its rows: alone (warming a worker), or followed by a whole small batch
 * handed over through shared memory once its import has finished.
 */
import type { PredictionSource } from '../../../shared/contract';
import { predictWithBundle, type ModelBundle } from '../../ml/pipeline/bundle';
import { sampleRows } from '../../ml/preprocess';
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

/** Training rows scored when a model is decoded: enough loop iterations for V8 to compile the hot
 *  paths (imputation scan, trees, explanations) before the batch's rows arrive (~10 ms warm). */
const WARM_UP_ROWS = 48;

/** Decodes a version's bundle into this worker's cache and compiles what prediction derives from it
 *  (donor structures, trees), so that scoring rows does not pay for it. */
export function loadForPrediction(input: { versionId: number }, ctx: TaskContext): null {
  if (ctx.hasBundle(input.versionId)) return null;
  const { bundle } = ctx.bundle(input.versionId);
  ctx.throwIfCancelled();
  const sample = sampleRows(bundle.preprocess, WARM_UP_ROWS);
  predictWithBundle(bundle, sample.X, sample.nRows, { explain: 5 });
  return null;
}

/**
 * A batch's shared mailbox: Int32 slots [state, byte length of the parts, next part to claim, parts
 * done], then the parts (PredictFileInput[]) as UTF-8 JSON. Scorers claim parts with an atomic add,
 * so a worker that is ready early takes more of them.
 */
export const MAILBOX_WAITING = 0;
export const MAILBOX_READY = 1;
export const MAILBOX_NONE = 2;
export const MAILBOX_HEADER_BYTES = 16;

export interface PredictBatchInput {
  versionId: number;
  mailbox: SharedArrayBuffer;
}

/**
 * The batch's first scorer: decodes the model while the main thread imports the files, waits for the
 * parts (MAILBOX_READY) or for word that there are none or the batch failed (MAILBOX_NONE), then
 * claims parts until none are left.
 */
export function predictBatch(input: PredictBatchInput, ctx: TaskContext): { parts: number } {
  loadForPrediction(input, ctx);
  const head = new Int32Array(input.mailbox, 0, 4);
  // Short waits so a cancel is seen at once.
  while (Atomics.load(head, 0) === MAILBOX_WAITING) {
    Atomics.wait(head, 0, MAILBOX_WAITING, 50);
    ctx.throwIfCancelled();
  }
  return { parts: scoreParts(input.mailbox, ctx) };
}

/**
 * Another worker's help once the parts are posted: it decodes the model if it has not yet (the batch
 * does not wait for that: its parts may all be scored meanwhile, and later batches find the model
 * here), then claims whatever parts are left.
 */
export function predictHelp(input: PredictBatchInput, ctx: TaskContext): { parts: number } {
  loadForPrediction(input, ctx);
  return { parts: scoreParts(input.mailbox, ctx) };
}

function scoreParts(mailbox: SharedArrayBuffer, ctx: TaskContext): number {
  const head = new Int32Array(mailbox, 0, 4);
  if (Atomics.load(head, 0) !== MAILBOX_READY) return 0;
  const bytes = new Uint8Array(mailbox, MAILBOX_HEADER_BYTES, head[1]);
  const parts = JSON.parse(new TextDecoder().decode(bytes.slice())) as PredictFileInput[];
  let mine = 0;
  for (;;) {
    // A failed part elsewhere turns the mailbox to NONE: stop claiming.
    if (Atomics.load(head, 0) !== MAILBOX_READY) break;
    const i = Atomics.add(head, 2, 1);
    if (i >= parts.length) break;
    predictFile(parts[i]!, ctx);
    mine++;
    const done = Atomics.add(head, 3, 1) + 1;
    ctx.progress({ stage: 'parts', done, total: parts.length, message: parts[i]!.fileName });
  }
  return mine;
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

export function predictFile(input: PredictFileInput, ctx: TaskContext): { rows: number; faulty: number; unfamiliar: number } {
  const store = ctx.store();
  const { bundle, version } = ctx.bundle(input.versionId);
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
  return { rows: rows.length, faulty, unfamiliar };
}

export const predictTasks = {
  'predict/warm': loadForPrediction,
  'predict/file': predictFile,
  'predict/batch': predictBatch,
  'predict/help': predictHelp,
};
