/**
 * Scoring stored files with a model version, in a worker: the rows are read from the workspace,
 * transformed with the training run's saved preprocessing, given their regime and scored once by that
 * regime's model, explained, and written to the batch one transaction per part. Also the tasks that
 * decode a model ahead of its rows: alone (warming a worker), or followed by the parts of a batch,
 * handed over through shared memory file by file as its import stores them.
 */
import type { PredictionSource } from '../../../shared/contract';
import type { DataSchema } from '../../../shared/schema';
import { predictWithBundle, type ModelBundle } from '../../ml/pipeline/bundle';
import { sampleRows } from '../../ml/preprocess';
import { ScratchArrays } from '../../ml/scratch';
import type { NewPrediction } from '../../store/repos/predictions';
import type { TaskContext } from '../context';
import { AppError } from '../../errors';
import { WARM_IMPORT_ROWS, warmImportPath } from './ingest';
import { STREAM_DROPPED, STREAM_PENDING, StreamReader, type StreamRef } from './predict-stream';

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
  /**
   * Mailbox parts only: the rows come from the file's stream in the mailbox buffer while it is being
   * imported (predict-stream.ts), not from the workspace; fileId is then the stream's (-1 here).
   */
  stream?: StreamRef;
}

/** Training rows scored when a model is decoded for a batch: enough loop iterations for V8 to compile
 *  the hot paths (imputation scan, trees, explanations) before the batch's rows arrive (~10 ms warm). */
const WARM_UP_ROWS = 48;
/**
 * Training rows scored when a model is decoded ahead of any batch (the Predict page warms the workers on
 * opening). With 48, the first batch of a session after the warm-up took ~460 ms here against ~150 for
 * later ones; with 400, ~370 (its scoring loops were still partly unoptimized and the explanation
 * memo empty). ~150 ms more per worker, in the background.
 */
const WARM_AHEAD_ROWS = 400;

/** Decodes a version's bundle into this worker's cache, unless it is there, and compiles what
 *  prediction derives from it (donor structures, trees), so that scoring rows does not pay for it. */
function prepareModel(versionId: number, ctx: TaskContext, warmRows = WARM_UP_ROWS): ScoringModel {
  const model = ctx.bundle(versionId);
  if (!model.decoded) return model;
  ctx.throwIfCancelled();
  const sample = sampleRows(model.bundle.preprocess, warmRows);
  predictWithBundle(model.bundle, sample.X, sample.nRows, { explain: 5 });
  return model;
}

/** Whether this worker has run warmImportPath (once is enough: it warms code, not data). */
let importWarmed = false;

/**
 * Warms a worker for a batch (the Predict page asks on opening): the model decoded and compiled, and,
 * given the prediction schema, the import's parsing path run over a few small files made from the
 * model's training rows, so that the user's first file is not read at cold-code speed.
 */
export function loadForPrediction(input: { versionId: number; schema?: DataSchema }, ctx: TaskContext): null {
  const { bundle } = prepareModel(input.versionId, ctx, WARM_AHEAD_ROWS);
  if (input.schema && !importWarmed) {
    ctx.throwIfCancelled();
    const sample = sampleRows(bundle.preprocess, WARM_IMPORT_ROWS);
    warmImportPath(input.schema, { ...sample, featureNames: bundle.featureNames });
    importWarmed = true;
  }
  return null;
}

/**
 * A batch's shared mailbox, filled while the batch is still being imported: each file's parts are
 * posted as soon as that file is stored (a streamed file's, before its import starts), so scoring
 * overlaps the import. Int32 header slots (MailboxSlot), then an index of MAILBOX_MAX_PARTS (byte
 * offset, byte length) pairs, then up to DATA_CAPACITY bytes of parts (PredictFileInput as UTF-8
 * JSON), then the streamed files' rows (predict-stream.ts). The main thread writes a part, then
 * raises POSTED and notifies; scorers claim parts with a compare-and-swap on NEXT (a worker that is
 * ready early takes more of them) and wait on POSTED while the import goes on. CLOSED says no more
 * parts will come; STATE = stopped (a failed part, a cancel) makes every scorer stop claiming.
 */
export const MailboxSlot = {
  STATE: 0,
  POSTED: 1,
  NEXT: 2,
  DONE: 3,
  CLOSED: 4,
  BYTES: 5,
  DATA_CAPACITY: 6,
} as const;
export const MAILBOX_OPEN = 0;
export const MAILBOX_STOPPED = 1;
export const MAILBOX_HEADER_BYTES = 32;
export const MAILBOX_MAX_PARTS = 16_384;
const MAILBOX_INDEX_BYTES = MAILBOX_MAX_PARTS * 8;

/** The mailbox's header slots (MailboxSlot). */
const headOf = (mailbox: SharedArrayBuffer): Int32Array =>
  new Int32Array(mailbox, 0, MAILBOX_HEADER_BYTES / 4);

const MAILBOX_ROUND_BYTES = 8 * 1024 * 1024;

/** Where a mailbox with room for `dataBytes` of parts keeps its file streams (a multiple of 8). */
export function mailboxStreamsStart(dataBytes: number): number {
  return (MAILBOX_HEADER_BYTES + MAILBOX_INDEX_BYTES + dataBytes + 7) & ~7;
}

/**
 * A mailbox with room for `dataBytes` of parts, followed by `streamBytes` for file streams; `spare`,
 * an earlier batch's mailbox no thread uses any more, is reset and used instead when it is big enough.
 */
export function createMailbox(
  dataBytes: number,
  streamBytes = 0,
  spare?: SharedArrayBuffer,
): SharedArrayBuffer {
  const bytes = mailboxStreamsStart(dataBytes) + streamBytes;
  // Streams are sized by their files, which differ a little from batch to batch: rounding up lets
  // the next batch's similar files fit the spare (untouched bytes cost address space, not memory).
  const round = streamBytes > 0 ? MAILBOX_ROUND_BYTES : 1;
  const mailbox =
    spare && spare.byteLength >= bytes ? spare : new SharedArrayBuffer(Math.ceil(bytes / round) * round);
  const head = headOf(mailbox);
  head.fill(0);
  head[MailboxSlot.DATA_CAPACITY] = dataBytes;
  return mailbox;
}

/** Posts one part (main thread); false when the mailbox is full or stopped (run the part another way). */
export function postPart(mailbox: SharedArrayBuffer, part: PredictFileInput): boolean {
  const head = headOf(mailbox);
  if (Atomics.load(head, MailboxSlot.STATE) !== MAILBOX_OPEN) return false;
  const i = head[MailboxSlot.POSTED]!;
  const bytes = new TextEncoder().encode(JSON.stringify(part));
  const offset = head[MailboxSlot.BYTES]!;
  const dataStart = MAILBOX_HEADER_BYTES + MAILBOX_INDEX_BYTES;
  if (i >= MAILBOX_MAX_PARTS || offset + bytes.length > head[MailboxSlot.DATA_CAPACITY]!) return false;
  new Uint8Array(mailbox, dataStart + offset, bytes.length).set(bytes);
  const index = new Int32Array(mailbox, MAILBOX_HEADER_BYTES, MAILBOX_MAX_PARTS * 2);
  index[2 * i] = offset;
  index[2 * i + 1] = bytes.length;
  head[MailboxSlot.BYTES] = offset + bytes.length;
  // The store publishes the part's bytes (Atomics are sequentially consistent) before anyone claims it.
  Atomics.store(head, MailboxSlot.POSTED, i + 1);
  Atomics.notify(head, MailboxSlot.POSTED);
  return true;
}

/** No more parts will be posted (main thread). */
export function closeMailbox(mailbox: SharedArrayBuffer): void {
  const head = headOf(mailbox);
  Atomics.store(head, MailboxSlot.CLOSED, 1);
  Atomics.notify(head, MailboxSlot.POSTED);
}

/** Every scorer stops claiming parts (main thread on a failure or cancel, or a failing scorer). */
export function stopMailbox(mailbox: SharedArrayBuffer): void {
  const head = headOf(mailbox);
  Atomics.store(head, MailboxSlot.STATE, MAILBOX_STOPPED);
  Atomics.notify(head, MailboxSlot.POSTED);
}

export interface PredictBatchInput {
  versionId: number;
  mailbox: SharedArrayBuffer;
}

/**
 * The batch's first scorer: decodes the model while the main thread imports the files, then claims
 * parts as they are posted until the mailbox is closed and empty, or stopped.
 */
export function predictBatch(input: PredictBatchInput, ctx: TaskContext): { parts: number } {
  return { parts: scoreParts(input, prepareModel(input.versionId, ctx), ctx) };
}

/**
 * Another worker's help once it is free of import work: it decodes the model if it has not yet (the
 * batch does not wait for that: its parts may all be scored meanwhile, and later batches find the model
 * here), then claims whatever parts are left or still to come.
 */
export function predictHelp(input: PredictBatchInput, ctx: TaskContext): { parts: number } {
  return { parts: scoreParts(input, prepareModel(input.versionId, ctx), ctx) };
}

/** Scored parts a scorer may hold unwritten while the import keeps the write lock (~0.5 MB each). */
const MAX_UNWRITTEN_PARTS = 64;

/** Thrown inside a wait when the batch's mailbox is stopped: the scorer stops claiming. */
class MailboxStopped extends Error {}

/** Claims and scores parts until the mailbox is closed and empty, or stopped. Every part of a batch is
 *  scored with its version, looked up once by the caller (not once per part). */
function scoreParts({ mailbox }: PredictBatchInput, model: ScoringModel, ctx: TaskContext): number {
  const head = headOf(mailbox);
  const index = new Int32Array(mailbox, MAILBOX_HEADER_BYTES, MAILBOX_MAX_PARTS * 2);
  const dataStart = MAILBOX_HEADER_BYTES + MAILBOX_INDEX_BYTES;
  const decoder = new TextDecoder();
  // Parts scored but not yet written: while an import holds the write lock (or has not yet committed
  // a streamed part's file) the scorer goes on scoring, and writes when it can, when it has nothing
  // else to do, or when it holds too many. A part counts as done (DONE, progress) only once its rows
  // are committed, or dropped with their file.
  const unwritten: ScoredPart[] = [];
  const finish = (fileName: string) => {
    const done = Atomics.add(head, MailboxSlot.DONE, 1) + 1;
    ctx.progress({ stage: 'parts', done, total: Atomics.load(head, MailboxSlot.POSTED), message: fileName });
  };
  const write = (wait: boolean) => {
    while (unwritten.length > 0) {
      const part = unwritten[0]!;
      if (writePart(part, ctx, wait) === 'later') return;
      unwritten.shift();
      finish(part.input.fileName);
    }
  };
  const check = () => {
    if (Atomics.load(head, MailboxSlot.STATE) !== MAILBOX_OPEN) throw new MailboxStopped();
    ctx.throwIfCancelled();
  };
  let mine = 0;
  try {
    for (;;) {
      // Stopped: the batch failed or was cancelled and is being removed; unwritten parts are dropped.
      if (Atomics.load(head, MailboxSlot.STATE) !== MAILBOX_OPEN) break;
      // CLOSED before POSTED: once closed, the count read after it is final.
      const closed = Atomics.load(head, MailboxSlot.CLOSED) === 1;
      const posted = Atomics.load(head, MailboxSlot.POSTED);
      const i = Atomics.load(head, MailboxSlot.NEXT);
      if (i >= posted) {
        // Nothing to score: write what can be written; once the import is over, wait for the lock.
        write(closed);
        // Every file is settled once the mailbox is closed (imports settle their streams before
        // they return); a part still 'later' is re-tried after a short wait.
        if (closed && unwritten.length === 0) break;
        // Short waits so a cancel is seen at once.
        Atomics.wait(head, MailboxSlot.POSTED, posted, 50);
        ctx.throwIfCancelled();
        continue;
      }
      if (Atomics.compareExchange(head, MailboxSlot.NEXT, i, i + 1) !== i) continue;
      const bytes = new Uint8Array(mailbox, dataStart + index[2 * i]!, index[2 * i + 1]!);
      const input = JSON.parse(decoder.decode(bytes.slice())) as PredictFileInput;
      mine++;
      if (input.stream) {
        const reader = new StreamReader(mailbox, input.stream);
        // Write what can be written before waiting for the import to read further.
        write(false);
        const count = reader.waitForRows(input.rowStart, input.rowStart + input.rowCount, check);
        // Past the file's end, or the file was dropped: nothing to score.
        if (count === 0) finish(input.fileName);
        else unwritten.push(scoreStreamedPart(input, model, reader, count, ctx));
      } else {
        unwritten.push(scorePart(input, model, ctx));
      }
      write(unwritten.length >= MAX_UNWRITTEN_PARTS);
    }
  } catch (error) {
    if (!(error instanceof MailboxStopped)) throw error;
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

type ScoringModel = ReturnType<TaskContext['bundle']>;

/** This worker's arrays for a part's intermediates: parts are scored one at a time, each in one call. */
const partArrays = new ScratchArrays();

interface ScoredPart {
  input: PredictFileInput;
  threshold: number;
  /** The records to write; null for a streamed part until its file is committed (see `streamed`). */
  rows: NewPrediction[] | null;
  streamed?: {
    reader: StreamReader;
    bundle: ModelBundle;
    scores: ReturnType<typeof predictWithBundle>;
    count: number;
  };
}

/** Reads a part's rows and scores them (nothing written). */
function scorePart(input: PredictFileInput, { bundle, version }: ScoringModel, ctx: TaskContext): ScoredPart {
  const store = ctx.store();
  const nFeatures = bundle.featureNames.length;
  ctx.progress({ stage: 'scoring', done: 0, total: 1, message: input.fileName });
  let m;
  try {
    m = store.rows.matrixForFiles([input.fileId], nFeatures, {
      start: input.rowStart,
      count: input.rowCount,
    });
  } catch (error) {
    throw wrongSensors(input, nFeatures, version.version, (error as Error).message);
  }
  ctx.throwIfCancelled();
  const p = predictWithBundle(bundle, m.X, m.nRows, { explain: input.explain, scratch: partArrays });
  ctx.throwIfCancelled();
  const rowNos: number[] = [];
  for (let i = 0; i < m.nRows; i++) rowNos.push(input.rowStart + i + 1);
  const rows = toPredictions(bundle, p, {
    fileId: input.fileId,
    fileName: input.fileName,
    rowNos,
    wafers: m.wafers,
  });
  return { input, threshold: version.threshold, rows };
}

const wrongSensors = (input: PredictFileInput, nFeatures: number, version: number, detail: string) =>
  new AppError(
    'invalid_input',
    `${input.fileName} does not have the ${nFeatures} sensors model version ${version} was trained on: ${detail}`,
  );

/** Scores `count` rows of a part from its file's stream; the records are made once the file is committed. */
function scoreStreamedPart(
  input: PredictFileInput,
  { bundle, version }: ScoringModel,
  reader: StreamReader,
  count: number,
  ctx: TaskContext,
): ScoredPart {
  const nFeatures = bundle.featureNames.length;
  if (reader.ref.nFeatures !== nFeatures)
    throw wrongSensors(input, nFeatures, version.version, `it has ${reader.ref.nFeatures}.`);
  ctx.progress({ stage: 'scoring', done: 0, total: 1, message: input.fileName });
  const raw = reader.matrix(input.rowStart, count, partArrays.f64('raw', count * nFeatures));
  const scores = predictWithBundle(bundle, raw, count, {
    explain: input.explain,
    rows: reader.rows(input.rowStart, count),
    scratch: partArrays,
  });
  ctx.throwIfCancelled();
  return { input, threshold: version.threshold, rows: null, streamed: { reader, bundle, scores, count } };
}

/**
 * Writes a scored part in one transaction. With wait = false, gives up ('later', nothing written) if
 * the lock is taken; a streamed part whose file is not yet committed is also 'later', and one whose
 * file was dropped is 'dropped' (nothing to write).
 */
function writePart(part: ScoredPart, ctx: TaskContext, wait: boolean): 'written' | 'later' | 'dropped' {
  const { batchId, versionId, source } = part.input;
  const predictions = ctx.store().predictions;
  if (part.rows === null) {
    const { reader, bundle, scores, count } = part.streamed!;
    const fate = reader.fate();
    if (fate === STREAM_PENDING) return 'later';
    if (fate === STREAM_DROPPED) return 'dropped';
    const fileId = reader.fileId();
    const rowNos: number[] = [];
    for (let i = 0; i < count; i++) rowNos.push(part.input.rowStart + i + 1);
    const wafers = ctx.store().rows.wafers(fileId, part.input.rowStart, count);
    part.rows = toPredictions(bundle, scores, { fileId, fileName: part.input.fileName, rowNos, wafers });
  }
  if (wait) predictions.addRows(batchId, versionId, part.threshold, source, part.rows);
  else if (!predictions.tryAddRows(batchId, versionId, part.threshold, source, part.rows)) return 'later';
  ctx.progress({ stage: 'scoring', done: 1, total: 1, message: part.input.fileName });
  return 'written';
}

export function predictFile(
  input: PredictFileInput,
  ctx: TaskContext,
): { rows: number; faulty: number; unfamiliar: number } {
  const part = scorePart(input, ctx.bundle(input.versionId), ctx);
  writePart(part, ctx, true);
  let faulty = 0;
  let unfamiliar = 0;
  for (const r of part.rows!) {
    faulty += r.faulty ? 1 : 0;
    unfamiliar += r.unfamiliar ? 1 : 0;
  }
  return { rows: part.rows!.length, faulty, unfamiliar };
}

export const predictTasks = {
  'predict/warm': loadForPrediction,
  'predict/file': predictFile,
  'predict/batch': predictBatch,
  'predict/help': predictHelp,
};
