/**
 * Predictions: a batch is validated and stored through the same import path as training data (bad
 * files quarantined with reasons), then every stored row of its good files — or of files already in the
 * workspace with the same bytes — is scored in the worker pool with the chosen model version. A
 * cancelled or failed batch leaves the workspace as it was. Single rows are scored at once.
 * Speed: workers keep decoded models across batches; a worker decodes the model while the batch is
 * imported, and each file's parts are claimed through a shared mailbox as soon as that file is stored,
 * so scoring runs beside the import of the rest (see runBatchPrediction). The batch's first files go
 * further: their rows reach the scorers through shared memory as the import reads them, so even a
 * one-file batch is scored by every worker while it is still being read, and those rows are never
 * read back from the workspace (workers/tasks/predict-stream.ts).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  BatchReportData,
  IngestFileResult,
  IngestSummary,
  JobProgress,
  PredictionDetail,
  PredictionSource,
  PredictResult,
} from '../../shared/contract';
import { AppError } from '../errors';
import type { JobHandle } from '../jobs/manager';
import { explanationLookup, predictWithBundle } from '../ml/pipeline/bundle';
import { decodeExplanation, type ExplanationLookup } from '../ml/pipeline/explanation';
import type { ExplanationReader } from '../store/repos/predictions';
import {
  closeMailbox,
  createMailbox,
  mailboxStreamsStart,
  postPart,
  stopMailbox,
  toPredictions,
} from '../workers/tasks/predict';
import type { PredictFileInput } from '../workers/tasks/predict';
import {
  resetStream,
  STREAM_GOOD,
  StreamReader,
  streamBytes,
  streamCapacity,
  type StreamRef,
} from '../workers/tasks/predict-stream';
import { schemaLayout, type DataSchema } from '../../shared/schema';
import { checkpointWhenIdle, runInBackground, type AppContext } from './context';
import { exportDestination } from './exports';
import { currentSchemaForImport, expandPaths, runIngest } from './data';
import { findVersion, loadBundle, readBundleBriefly, resolvePredictionVersion, versionDetail, type ModelChoice } from './models';
import { batchDrift } from './monitor';
import type { HandlerMap } from './registry';
import { reportFileName, renderHtmlReport, writePdfReport, writePredictionsCsv } from '../reports';

export type { ModelChoice } from './models';

/** Rows per part: enough parts that the workers share a file, few enough that a part's fixed work (a
 *  write transaction; reading a range re-reads the file's rows before it) stays small. */
const SLICE_MIN_ROWS = 128;
const SLICES_PER_WORKER = 2;
/** A streamed file's first part: small, so a scorer starts as soon as the import has read a few rows
 *  instead of waiting for a whole part (about 25 ms of an idle core per 1,567-row file at 392 rows). */
const FIRST_PART_ROWS = 48;
/** Where a streamed file's half-size parts start, as a fraction of its estimated rows (streamParts). */
const TAIL_FROM = 0.75;
const MAILBOX_BYTES = 1 << 20;

/**
 * Streaming (predict-stream.ts) is for the batch's first files, up to this much shared memory: room
 * for every row a file of its size could hold, of which only the pages its real rows touch are ever
 * backed by memory. Later files of a big batch are read back from the workspace as before.
 */
const STREAM_BUDGET_BYTES = 128 * 1024 * 1024;
const STREAM_MAX_PARTS = 1024;

interface StreamPlan {
  ref: StreamRef;
  /** The file's parts, [start, start + count) rows each. */
  parts: { start: number; count: number }[];
}

/**
 * A streamed file's parts, cut before its row count is known: parts of `perPart` rows up to a little
 * past the estimate, then one tail part up to the capacity. The tail is empty unless the estimate
 * was short (then it holds the rest of the file), so the batch's part count, shown as its progress,
 * stays close to the real one instead of counting parts for every row the capacity allows.
 * The batch's last file puts its last quarter in half-size parts, so the workers finish together:
 * the importing worker joins the scoring only once the file is read, so equal parts leave one worker
 * scoring the last of them alone, a quarter of a 1x batch's time. Halved, a 1x batch took 6-8% less
 * wall time (40 batches, old and new cuts alternating). Earlier files need no such tail (the next
 * file's parts keep both workers busy), and nor do files read back from the workspace: their parts are
 * posted at once and split evenly (halving them there changed nothing, 40 duplicate batches).
 */
function streamParts(
  estimate: number,
  capacity: number,
  perPart: number,
  lastFile: boolean,
): { start: number; count: number }[] {
  const covered = Math.min(capacity, Math.ceil(estimate * 1.1));
  const parts: { start: number; count: number }[] = [];
  for (let start = 0; start < covered; ) {
    const size = lastFile && start >= estimate * TAIL_FROM ? Math.ceil(perPart / 2) : perPart;
    const count = Math.min(start === 0 ? Math.min(perPart, FIRST_PART_ROWS) : size, covered - start);
    parts.push({ start, count });
    start += count;
  }
  if (covered < capacity) parts.push({ start: covered, count: capacity - covered });
  return parts;
}

/** Rows per part for a file: enough parts that every worker scores a share of it. */
function rowsPerPart(rows: number, workers: number): number {
  return Math.max(SLICE_MIN_ROWS, Math.ceil(rows / (workers * SLICES_PER_WORKER)));
}

/** A file's row count, estimated from the length of its first lines (for cutting it into parts). */
function estimateRows(path: string, bytes: number, fallback: number): number {
  const head = Buffer.alloc(Math.min(bytes, 1 << 16));
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    let lines = 0;
    for (let i = 0; i < n; i++) if (head[i] === 10) lines++;
    return lines >= 2 ? Math.ceil((bytes * lines) / n) : fallback;
  } finally {
    closeSync(fd);
  }
}

/** Which of the batch's files stream their rows, where in the mailbox, and how their parts are cut. */
function planStreams(
  ctx: AppContext,
  paths: string[],
  streamsStart: number,
): { plans: Map<string, StreamPlan>; bytes: number } {
  const schema = currentSchemaForImport(ctx, 'prediction').definition;
  const nFeatures = schemaLayout(schema).featureIndexes.length;
  const plans = new Map<string, StreamPlan>();
  let bytes = 0;
  let parts = 0;
  const files = expandPaths(paths);
  for (const [i, file] of files.entries()) {
    const size = statSync(file.path).size;
    const capacity = streamCapacity(size, schema.columns.length);
    const need = streamBytes(capacity, nFeatures);
    const estimate = estimateRows(file.path, size, capacity);
    const fileParts = streamParts(estimate, capacity, rowsPerPart(estimate, ctx.pool.size), i === files.length - 1);
    if (
      bytes + need > STREAM_BUDGET_BYTES ||
      parts + fileParts.length > STREAM_MAX_PARTS ||
      plans.has(file.path)
    )
      break;
    plans.set(file.path, { ref: { offset: streamsStart + bytes, capacity, nFeatures }, parts: fileParts });
    bytes += need;
    parts += fileParts.length;
  }
  return { plans, bytes };
}

/**
 * Per pool: the last batch's mailbox, once every scorer of that batch has stopped, for the next batch
 * to reuse. Its stream pages are then already backed by memory; a fresh buffer's pages are faulted in
 * (and zero-filled) as the import writes rows into them, which costs as much as copying the rows.
 * Only a small one is kept, as it stays resident between batches.
 */
const spareMailbox = new WeakMap<object, SharedArrayBuffer>();
const SPARE_MAILBOX_MAX_BYTES = 64 * 1024 * 1024;

/** Per pool: first-scorer tasks holding a worker. At most size - 1, so imports always find a worker. */
const holding = new WeakMap<object, number>();

export async function runBatchPrediction(
  ctx: AppContext,
  job: JobHandle,
  paths: string[],
  model: ModelChoice,
  source: PredictionSource,
): Promise<PredictResult> {
  const version = resolvePredictionVersion(ctx, model);
  // The batch's first scorer starts now and decodes the model (or finds it cached) while the files are
  // imported. Each file's parts go to it through a shared mailbox as soon as that file is stored, so
  // scoring runs beside the import of the next files; once the import has no files left for them, the
  // other workers help (predict/help tasks queue behind the import's). The batch is done when every
  // part is: a helper still decoding the model for later batches is not waited for. When no worker may
  // be held waiting (one-worker pool, or other batches already waiting), the parts run as plain tasks,
  // each worker decoding the model on first use.
  // The batch's first files also hand their rows to the scorers as they are read (predict-stream.ts).
  const held = holding.get(ctx.pool) ?? 0;
  const streams =
    held + 1 < ctx.pool.size ? planStreams(ctx, paths, mailboxStreamsStart(MAILBOX_BYTES)) : null;
  let mailbox: SharedArrayBuffer | null = null;
  if (streams) {
    mailbox = createMailbox(MAILBOX_BYTES, streams.bytes, spareMailbox.get(ctx.pool));
    spareMailbox.delete(ctx.pool);
  }
  let parts = 0;
  let done = 0;
  let importing = true;
  // Settles when every part is scored (a part reports only after its rows are committed) or a scorer fails.
  let allScored!: () => void;
  let scoringFailed!: (error: Error) => void;
  const scoring = new Promise<void>((resolve, reject) => {
    allScored = resolve;
    scoringFailed = reject;
  });
  scoring.catch(() => undefined);
  const reportScoring = () => {
    if (!job.signal.aborted)
      job.progress({ stage: 'predicting', done, total: parts, message: `${done} of ${parts} parts scored` });
  };
  const onProgress = (p: JobProgress) => {
    if (p.stage !== 'parts' || p.done <= done) return;
    done = p.done;
    if (importing) return;
    if (done >= parts) allScored();
    reportScoring();
  };
  // Every scorer task, settled into a value at once (no unhandled rejection while the import runs).
  const scorers: Promise<Error | null>[] = [];
  let failed = false;
  const track = (task: Promise<unknown>) => {
    const settled = task.then(
      () => null,
      (error: unknown) => {
        // A failed scorer stops the others claiming parts, and no more are handed out.
        failed = true;
        if (mailbox) stopMailbox(mailbox);
        const e = error instanceof Error ? error : new Error(String(error));
        scoringFailed(e);
        return e;
      },
    );
    scorers.push(settled);
    return settled;
  };
  // The first scorer holds its worker until the batch's mailbox is closed and its parts are done; from
  // then on it only returns, so the next batch may count on that worker (a batch started right after
  // this one would otherwise see it still held and lose streaming).
  let released = !mailbox;
  const release = () => {
    if (released) return;
    released = true;
    holding.set(ctx.pool, (holding.get(ctx.pool) ?? 1) - 1);
  };
  if (mailbox) {
    holding.set(ctx.pool, held + 1);
    void track(
      job.runTask('predict/batch', { versionId: version.id, mailbox }, { quiet: true, onProgress }),
    ).then(release);
  }
  const ingestBatch = randomUUID();
  let ingest: IngestSummary | null = null;
  let batchId: number | null = null;
  let rowsTotal = 0;
  let helping = false;
  try {
    // The batch's own records wait for the write lock without blocking the UI (Store.writeWhenFree).
    batchId = await ctx.store.writeWhenFree(() =>
      ctx.store.predictions.startBatch({
        source,
        modelVersionId: version.id,
        threshold: version.threshold,
        ingestBatch,
      }),
    );
    const id = batchId;
    if (streams?.plans.size)
      job.log.info(`Scoring the rows of ${streams.plans.size} file(s) as they are read`, {
        batch: ingestBatch,
      });
    const startHelping = () => {
      if (helping || !mailbox) return;
      helping = true;
      const help = { versionId: version.id, mailbox };
      for (let w = 1; w < ctx.pool.size; w++)
        void track(job.runTask('predict/help', help, { quiet: true, onProgress }));
    };
    const post = (part: PredictFileInput, help: () => void = startHelping) => {
      parts++;
      if (!mailbox || !postPart(mailbox, part)) return false;
      help();
      return true;
    };
    // A streamed file's parts are posted before its import starts (streamParts); a part past its real
    // end turns out empty. Its rows are counted once it is committed.
    const streamFor = (file: { path: string; name: string }) => {
      const plan = streams?.plans.get(file.path);
      if (!plan || !mailbox) return undefined;
      resetStream(mailbox, plan.ref);
      for (const { start, count } of plan.parts) {
        const part = {
          versionId: version.id,
          batchId: id,
          fileId: -1,
          fileName: file.name,
          source,
          explain: 5,
          rowStart: start,
          rowCount: count,
          stream: plan.ref,
        };
        // Planned within the mailbox's room, and posted before any other part. The helpers queue once
        // this call has returned and every file's import is queued (a helper waiting for the rows
        // of a file whose import is queued behind it would hold its worker for nothing).
        if (!post(part, () => queueMicrotask(startHelping)))
          throw new AppError('internal', `No room in the batch's mailbox for ${file.name}.`);
      }
      return { buffer: mailbox, ref: plan.ref };
    };
    // Every file is cut into parts so all workers score, even when the batch is one big file.
    const scoreFile = (f: IngestFileResult) => {
      if (
        !((f.status === 'good' || f.status === 'duplicate') && f.fileId !== null) ||
        failed ||
        job.signal.aborted
      )
        return;
      const plan = streams?.plans.get(f.path);
      if (
        f.status === 'good' &&
        plan &&
        mailbox &&
        new StreamReader(mailbox, plan.ref).fate() === STREAM_GOOD
      ) {
        rowsTotal += f.rows;
        return;
      }
      // A duplicate is scored from the stored file with its bytes (its own stream was dropped).
      const rows = ctx.store.rows.countForFiles([f.fileId]);
      rowsTotal += rows;
      const size = rowsPerPart(rows, ctx.pool.size);
      for (let start = 0; start < rows; start += size) {
        const part: PredictFileInput = {
          versionId: version.id,
          batchId: id,
          fileId: f.fileId,
          fileName: f.name,
          source,
          explain: 5,
          rowStart: start,
          rowCount: size,
        };
        if (!post(part)) {
          void track(
            job
              .runTask('predict/file', part, { quiet: true })
              .then(() => onProgress({ stage: 'parts', done: done + 1, total: parts })),
          );
        }
      }
    };
    // A report after a cancel throws inside the pool's progress listener, which the pool absorbs.
    ingest = await runIngest(ctx, job, 'prediction', paths, undefined, {
      batch: ingestBatch,
      onFile: scoreFile,
      streamFor,
    });
    importing = false;
    if (mailbox) closeMailbox(mailbox);
    if (done >= parts) allScored();
    reportScoring();
    // Also ends when every scorer has stopped (no parts at all, or a cancel): the row count decides.
    await Promise.race([scoring, Promise.all(scorers)]);
    release();
    job.throwIfCancelled();
    const scored = ctx.store.predictions.batchRowCount(batchId);
    if (scored !== rowsTotal)
      throw new AppError('internal', `Scored ${scored} of the batch's ${rowsTotal} rows.`);
    const fileResults = ingest.files;
    await ctx.store.writeWhenFree(() => ctx.store.predictions.finishBatch(id, fileResults, fileResults.length));
    const batch = ctx.store.predictions.batch(batchId)!;
    job.log.info(
      `Batch ${batchId}: ${batch.rows} wafers predicted with model version ${version.version}: ${batch.faulty} faulty, ${batch.unfamiliar} unfamiliar`,
    );
    ctx.events.emit('data/changed', { domain: 'predictions' });
    // Give this batch's scorers a moment to return (they have nothing left to do) so the mailbox is the
    // spare before the caller can start another batch: a fresh one would fault in every page of its
    // streams again (~5-9 ms per 1,567-row batch). Bounded: a scorer still queued behind another job's
    // task must not hold up the result.
    await Promise.race([Promise.all(scorers), new Promise((resolve) => setTimeout(resolve, 25))]);
    return {
      batch: batchId,
      model_version: version.version,
      files: ingest.files.map((f) => ({ name: f.name, status: f.status, rows: f.rows, reasons: f.reasons })),
      rows: batch.rows,
      faulty: batch.faulty,
      unfamiliar: batch.unfamiliar,
    };
  } catch (error) {
    // Every scorer must have stopped before the batch is removed (they write parts as they go).
    if (mailbox) stopMailbox(mailbox);
    await Promise.all(scorers);
    const failedBatch = batchId;
    await ctx.store.writeWhenFree(() => {
      if (failedBatch !== null) ctx.store.predictions.deleteBatch(failedBatch);
      ctx.store.files.deleteBatch(ingestBatch);
    });
    ctx.events.emit('data/changed', { domain: 'predictions' });
    ctx.events.emit('data/changed', { domain: 'files' });
    throw error;
  } finally {
    // The mailbox may serve the next batch once no scorer of this one can touch it.
    const box = mailbox;
    if (box && box.byteLength <= SPARE_MAILBOX_MAX_BYTES)
      void Promise.all(scorers).then(() => spareMailbox.set(ctx.pool, box));
  }
}

export function startBatchPrediction(
  ctx: AppContext,
  paths: string[],
  model: ModelChoice,
  source: PredictionSource,
) {
  // Fail fast (no model in Production) before a job is created.
  resolvePredictionVersion(ctx, model);
  const handle = ctx.jobs.start(
    'predict',
    `Predict ${paths.length === 1 ? paths[0]!.split(/[\\/]/).pop() : `${paths.length} items`}`,
    (job) => runBatchPrediction(ctx, job, paths, model, source),
  );
  void ctx.jobs.wait(handle.id).then(() => checkpointWhenIdle(ctx));
  return handle;
}

/**
 * Decodes a version's model into every worker in the background, so the first batch of a session
 * does not wait for it (~0.5 s per worker on wafer-sized models); later batches find it cached. Best
 * effort: no version, a busy worker or a closing app only mean the batch decodes it itself.
 */
export function warmPrediction(
  ctx: AppContext,
  model: ModelChoice,
): { version: number | null; ready: Promise<void> } {
  let version;
  try {
    version = resolvePredictionVersion(ctx, model);
  } catch {
    return { version: null, ready: Promise.resolve() };
  }
  // With the prediction schema, each worker also warms the import's parsing path (once per worker).
  let schema: DataSchema | undefined;
  try {
    schema = currentSchemaForImport(ctx, 'prediction').definition;
  } catch {
    schema = undefined;
  }
  const tasks = Array.from({ length: ctx.pool.size }, () =>
    runInBackground(
      ctx,
      'predict/warm',
      { versionId: version.id, schema },
      `Could not prepare model version ${version.version} for prediction`,
    ),
  );
  return { version: version.version, ready: Promise.all(tasks).then(() => undefined) };
}

/** Parses one typed row: a CSV line (id first, then sensors in schema order) or values by sensor name. */
export function parseSingleRow(
  featureNames: string[],
  missingTokens: string[],
  input: { csv?: string; values?: Record<string, number | string | null>; wafer?: string },
): { wafer: string; values: Float64Array } {
  const values = new Float64Array(featureNames.length).fill(NaN);
  const toNumber = (raw: string | number | null, where: string): number => {
    if (raw === null) return NaN;
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw))
        throw new AppError('invalid_input', `${where}: ${raw} is not a finite number.`);
      return raw;
    }
    const text = raw.trim().replace(/^"(.*)"$/, '$1');
    if (missingTokens.includes(text)) return NaN;
    const n = Number(text);
    if (text === '' || !Number.isFinite(n))
      throw new AppError('invalid_input', `${where}: "${text}" is not a number.`);
    return n;
  };
  if (input.csv !== undefined) {
    const cells = input.csv.replace(/\r?\n$/, '').split(',');
    const hasId = cells.length === featureNames.length + 1;
    if (!hasId && cells.length !== featureNames.length) {
      throw new AppError(
        'invalid_input',
        `The line has ${cells.length} values; expected ${featureNames.length + 1} (the wafer id, then ${featureNames.length} sensors) or ${featureNames.length}.`,
      );
    }
    const offset = hasId ? 1 : 0;
    featureNames.forEach((name, i) => (values[i] = toNumber(cells[i + offset]!, name)));
    return { wafer: input.wafer ?? (hasId ? cells[0]!.trim() || 'typed row' : 'typed row'), values };
  }
  const normalize = (s: string) => s.replace(/\s+/g, '').toLowerCase();
  const index = new Map(featureNames.map((n, i) => [normalize(n), i]));
  for (const [name, raw] of Object.entries(input.values ?? {})) {
    const i = index.get(normalize(name));
    if (i === undefined)
      throw new AppError('invalid_input', `There is no sensor called "${name}" in the model's schema.`);
    values[i] = toNumber(raw, name);
  }
  return { wafer: input.wafer ?? 'typed row', values };
}

export async function predictSingle(
  ctx: AppContext,
  input: {
    csv?: string;
    values?: Record<string, number | string | null>;
    wafer?: string;
    model: ModelChoice;
  },
): Promise<PredictionDetail> {
  const version = resolvePredictionVersion(ctx, input.model);
  const bundle = loadBundle(ctx, version.id);
  const { wafer, values } = parseSingleRow(bundle.featureNames, bundle.schema.missingTokens, input);
  const p = predictWithBundle(bundle, values, 1, { explain: 5 });
  const rows = toPredictions(bundle, p, { fileId: null, fileName: null, rowNos: [null], wafers: [wafer] });
  const batchId = await ctx.store.writeWhenFree(() => {
    const id = ctx.store.predictions.startBatch({
      source: 'single',
      modelVersionId: version.id,
      threshold: version.threshold,
      ingestBatch: null,
    });
    ctx.store.predictions.addRows(id, version.id, version.threshold, 'single', rows);
    ctx.store.predictions.finishBatch(id, [], 0);
    return id;
  });
  ctx.events.emit('data/changed', { domain: 'predictions' });
  const stored = ctx.store.predictions.history({ batchId, limit: 1, offset: 0 }).rows[0]!;
  return predictionDetail(ctx, stored.id)!;
}

/** Per workspace, each model version's explanation lookup: its sensor names and ranges (tens of KB),
 *  kept without the bundle they come from, so browsing many versions' history holds no bundles. */
const explanationLookups = new WeakMap<AppContext, Map<number, ExplanationLookup>>();

/** A version's explanation lookup, read once per workspace. */
function lookupFor(ctx: AppContext, versionId: number): ExplanationLookup {
  let lookups = explanationLookups.get(ctx);
  if (!lookups) explanationLookups.set(ctx, (lookups = new Map()));
  let lookup = lookups.get(versionId);
  if (!lookup) {
    lookup = explanationLookup(readBundleBriefly(ctx, versionId));
    lookups.set(versionId, lookup);
  }
  return lookup;
}

/** Reads stored explanations with the sensor names and training ranges of the model that scored them. */
export function explanationReader(ctx: AppContext): ExplanationReader {
  return (stored, versionId, cluster) => decodeExplanation(stored, lookupFor(ctx, versionId), cluster);
}

/**
 * Builds the explanation lookup of the version `model` resolves to on this thread, after the current
 * turn of its event loop. For a one-shot host (the CLI) whose main thread only waits while the workers
 * predict: the predictions CSV then does not decode the model's bundle (~0.1 s) after the batch.
 * Best effort: a missing version only means the CSV reads it itself.
 */
export function warmExplanationLookup(ctx: AppContext, model: ModelChoice): void {
  setImmediate(() => {
    try {
      // Found without resolvePredictionVersion's checks and warning: the batch makes those.
      const version = findVersion(ctx, model);
      if (version) lookupFor(ctx, version.id);
    } catch {
      // The batch reports its own error; the CSV reads the lookup itself.
    }
  });
}

/** One stored prediction with its explanation, or null. */
export function predictionDetail(ctx: AppContext, id: number): PredictionDetail | null {
  return ctx.store.predictions.row(id, explanationReader(ctx));
}

/**
 * Everything a report shows for a batch, gathered once. The CSV has no drift section: without it the
 * model's bundle is not read at all (the CLI writes its CSV right after a batch).
 */
export function gatherReportData(ctx: AppContext, batchId: number, options: { drift: boolean } = { drift: true }): BatchReportData {
  const batch = ctx.store.predictions.batch(batchId);
  if (!batch || batch.status !== 'succeeded')
    throw new AppError('not_found', `There is no finished prediction batch ${batchId}.`);
  const model = versionDetail(ctx, batch.modelVersion);
  const rows = [...ctx.store.predictions.batchRows(batchId, explanationReader(ctx))];
  const drift = options.drift ? batchDrift(ctx, batchId) : null;
  const histogram = Array.from({ length: 20 }, (_, i) => ({
    from: i / 20,
    to: (i + 1) / 20,
    count: 0,
    faulty: 0,
  }));
  const byCluster = new Map<number, { cluster: number; rows: number; faulty: number; unfamiliar: number }>();
  const byFile = new Map<string, { fileName: string; rows: number; faulty: number }>();
  for (const r of rows) {
    const bin = histogram[Math.min(19, Math.floor(r.probability * 20))]!;
    bin.count++;
    if (r.faulty) bin.faulty++;
    const c = byCluster.get(r.cluster) ?? { cluster: r.cluster, rows: 0, faulty: 0, unfamiliar: 0 };
    c.rows++;
    if (r.faulty) c.faulty++;
    if (r.unfamiliar) c.unfamiliar++;
    byCluster.set(r.cluster, c);
    const name = r.fileName ?? '(typed row)';
    const f = byFile.get(name) ?? { fileName: name, rows: 0, faulty: 0 };
    f.rows++;
    if (r.faulty) f.faulty++;
    byFile.set(name, f);
  }
  return {
    appVersion: ctx.appVersion,
    generatedAt: new Date().toISOString(),
    workspace: ctx.workspacePath,
    batch,
    model: {
      version: model.version,
      status: model.status,
      stages: model.stages,
      k: model.k,
      threshold: model.threshold,
      metrics: model.metrics,
      gates: model.gates,
      createdAt: model.createdAt,
      strategy: model.strategy,
    },
    rows,
    histogram,
    byCluster: [...byCluster.values()].sort((a, b) => a.cluster - b.cluster),
    byFile: [...byFile.values()].sort((a, b) => a.fileName.localeCompare(b.fileName)),
    drift,
  };
}

export async function createReport(
  ctx: AppContext,
  batchId: number,
  format: 'csv' | 'html' | 'pdf',
  out?: string,
  /** `out` is a folder: the report goes into it under its usual name. */
  outIsFolder = false,
): Promise<{ path: string; name: string; bytes: number; rows: number }> {
  const data = gatherReportData(ctx, batchId, { drift: format !== 'csv' });
  const name = reportFileName(data, format);
  const path = exportDestination(ctx, name, out, outIsFolder);
  // Into a folder another program reads (a watched folder's CSVs): written under a hidden name and
  // renamed when whole, so that program never reads a half-written report.
  const writing = outIsFolder ? join(dirname(path), `.${name}.partial`) : path;
  if (format === 'csv') await writePredictionsCsv(data, writing);
  else if (format === 'html') writeFileSync(writing, renderHtmlReport(data));
  else await writePdfReport(data, writing);
  if (writing !== path) renameSync(writing, path);
  ctx.log.info(`Report for batch ${batchId} written (${format})`, { path });
  return { path, name, bytes: statSync(path).size, rows: data.rows.length };
}

export const predictHandlers: HandlerMap<
  | 'predict/batch-start'
  | 'predict/single'
  | 'predict/warm'
  | 'predict/batches'
  | 'predict/batch'
  | 'predict/history'
  | 'predict/fail-rate'
  | 'predict/row'
  | 'predict/export-csv'
  | 'reports/create'
> = {
  'predict/batch-start': (input, ctx) => ({
    jobId: startBatchPrediction(ctx, input.paths, input.model, input.source).id,
  }),
  'predict/single': (input, ctx) => predictSingle(ctx, input),
  'predict/warm': (input, ctx) => ({ version: warmPrediction(ctx, input.model).version }),
  'predict/batches': (input, ctx) => ctx.store.predictions.batches(input.limit),
  'predict/batch': (input, ctx) => {
    const b = ctx.store.predictions.batch(input.id);
    if (!b) throw new AppError('not_found', `There is no prediction batch ${input.id}.`);
    return b;
  },
  'predict/history': (input, ctx) => ctx.store.predictions.history(input),
  'predict/fail-rate': (input, ctx) => ctx.store.predictions.failRate(input, input.bucket),
  'predict/row': (input, ctx) => {
    const r = predictionDetail(ctx, input.id);
    if (!r) throw new AppError('not_found', `There is no prediction ${input.id}.`);
    return r;
  },
  'predict/export-csv': (input, ctx) => createReport(ctx, input.batchId, 'csv', input.out),
  'reports/create': (input, ctx) => createReport(ctx, input.batchId, input.format, input.out),
};
