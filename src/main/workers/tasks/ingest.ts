/**
 * Importing one batch file, in a worker: the file is read in chunks of up to 4 MiB (never whole), hashed,
 * tokenized and validated as it streams, and its rows are stored in one transaction that commits only
 * if the whole file is good and its bytes are new. The transaction opens once the file has proved good,
 * or once its rows outgrow a memory budget, so the write lock is not held while a file is read. A bad
 * file is kept whole (gzip) in quarantine with all of its reasons. A cancel rolls the file back.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { IngestFileResult } from '../../../shared/contract';
import { schemaLayout } from '../../../shared/schema-names';
import type { DataSchema, Reason, SchemaKind } from '../../../shared/schema';
import { createFileValidator, duplicateFileReason } from '../../ml/validate';
import { encodeRowValues, rowValuesCapacity } from '../../store/repos/rows';
import type { TaskContext } from '../context';
import { StreamWriter, type StreamRef } from './predict-stream';

export interface IngestFileInput {
  path: string;
  name: string;
  kind: SchemaKind;
  schemaId: number;
  schema: DataSchema;
  batch: string;
  /** Prediction: also hand each valid row to the batch's scorers as it is read (predict-stream.ts). */
  stream?: { buffer: SharedArrayBuffer; ref: StreamRef };
  /** Bytes of stored rows kept in memory before the file takes the write lock (default 16 MiB). */
  pendingMaxBytes?: number;
}

const CHUNK = 1 << 22;
/** The first read's size; each read doubles it up to CHUNK. The tokenizer scans a chunk's lines before
 *  its rows come out, so a small first chunk gets the first rows to a prediction's scorers in well
 *  under a millisecond instead of after a whole 4 MiB chunk (~20 ms of an idle core per batch). */
const FIRST_CHUNK = 1 << 16;

/** The worker's read buffer, shared by the files it imports one after another: a new 4 MiB buffer's
 *  pages are faulted in as reads fill it, which cost about 8 ms per file here. */
let sharedReadBuffer: Buffer | null = null;
const readBuffer = (): Buffer => (sharedReadBuffer ??= Buffer.allocUnsafe(CHUNK));

class DuplicateFile extends Error {
  constructor(
    readonly firstSeenAs: string,
    readonly existingId: number,
  ) {
    super('duplicate');
  }
}

export function ingestFile(input: IngestFileInput, ctx: TaskContext): IngestFileResult {
  const store = ctx.store();
  const stream = input.stream ? new StreamWriter(input.stream.buffer, input.stream.ref) : null;
  let fd: number;
  try {
    fd = openSync(input.path, 'r');
  } catch (error) {
    stream?.settle(false);
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const fileMeta = {
      kind: input.kind,
      name: input.name,
      bytes: size,
      schemaId: input.schemaId,
      batch: input.batch,
      sourcePath: input.path,
    };
    const buffer = readBuffer();
    let blob = Buffer.alloc(0);
    const views = new Map<number, Buffer>();
    const hash = createHash('sha256');
    let fileId = -1;
    let validation: ReturnType<ReturnType<typeof createFileValidator>['finish']> | null = null;
    let sha = '';
    // Rows are kept in memory while the file is read, and the write lock is taken only to store them
    // once the file has proved good and new: imports in other workers then read and validate at the
    // same time, and the app's own writes (which never wait on the UI thread: Store.writeSoon and
    // writeWhenFree) land between files instead of after them. A file whose rows outgrow pendingMax
    // takes the lock there and stores the rest as it reads them, so memory stays bounded; either way
    // the file lands whole or not at all.
    const pending = new PendingRows();
    const pendingMax = input.pendingMaxBytes ?? PENDING_MAX_BYTES;
    // The file's transaction once open (a holder: it is opened inside the row callback too).
    const txn: { open: ReturnType<typeof store.begin> | null } = { open: null };
    const openTransaction = () => {
      txn.open = store.begin();
      fileId = store.files.startFile(fileMeta, `pending:${randomUUID()}`);
      stream?.begin(fileId);
      pending.flush((r) => store.files.insertRow(fileId, r.rowNo, r.wafer, r.label, r.faulty, r.vals));
    };
    try {
      const validator = createFileValidator(input.schema, input.name, {
        onRow(row) {
          // Compact form (rows.ts); SQLite copies the bound bytes, so one reused buffer serves every row.
          if (blob.length < rowValuesCapacity(row.words.length)) {
            blob = Buffer.allocUnsafe(rowValuesCapacity(row.words.length));
            views.clear();
          }
          const n = encodeRowValues(row.words, row.values, blob);
          if (txn.open === null) {
            pending.add(row.rowNo, row.id, row.label, row.faulty, blob, n);
            if (pending.bytes > pendingMax) openTransaction();
          } else {
            // Row lengths repeat (they differ only by the few raw doubles), so views are kept per length.
            let view = views.get(n);
            if (view === undefined) views.set(n, (view = blob.subarray(0, n)));
            store.files.insertRow(fileId, row.rowNo, row.id, row.label, row.faulty, view);
          }
          stream?.row(row.rowNo, row.values);
        },
      });
      let offset = 0;
      for (let want = FIRST_CHUNK; ; want = Math.min(CHUNK, 2 * want)) {
        const n = readSync(fd, buffer, 0, want, offset);
        if (n === 0) break;
        offset += n;
        const chunk = buffer.subarray(0, n);
        hash.update(chunk);
        validator.push(chunk);
        ctx.progress({ stage: 'reading', done: offset, total: size, message: input.name });
      }
      validation = validator.finish();
      sha = hash.digest('hex');
      if (validation.status !== 'good') throw new BadFile();
      // Checked before the lock (a duplicate never takes it) and again under it (another worker may
      // have stored the same bytes meanwhile; the unique index on sha256 is the last word).
      let existing = store.files.findBySha(input.kind, sha);
      if (existing) throw new DuplicateFile(existing.name, existing.id);
      if (txn.open === null) openTransaction();
      existing = store.files.findBySha(input.kind, sha);
      if (existing) throw new DuplicateFile(existing.name, existing.id);
      store.files.finishGood(fileId, sha, validation.rows, validation.labelCounts);
      txn.open!.commit();
      // Committed: the scorers may write what they scored of it.
      stream?.settle(true, validation!.rows);
      return {
        name: input.name,
        path: input.path,
        status: 'good',
        rows: validation!.rows,
        reasons: [],
        fileId,
        sha256: sha,
      };
    } catch (error) {
      // Bad, duplicate, cancelled or failed: nothing of the file stays (its rows, its file row).
      txn.open?.rollback();
      pending.release();
      if (error instanceof DuplicateFile) {
        return duplicate(input, sha, error.firstSeenAs, error.existingId);
      }
      if (!(error instanceof BadFile)) {
        if (isUniqueShaViolation(error)) {
          return duplicate(
            input,
            sha,
            'another file of this import',
            store.files.findBySha(input.kind, sha)?.id ?? null,
          );
        }
        throw error;
      }
    }
    const result = validation! as { rows: number; reasons: Reason[] };
    const bad = (fileId: number): IngestFileResult => ({
      name: input.name,
      path: input.path,
      status: 'bad',
      rows: result.rows,
      reasons: result.reasons,
      fileId,
      sha256: sha,
    });
    // The same name and bytes already in quarantine: the same verdict, and no second copy.
    const quarantined = store.files.findBad(input.kind, sha, input.name);
    if (quarantined !== null) return bad(quarantined);
    ctx.throwIfCancelled();
    // Level 1: a new batch's bad files are compressed while its good ones are scored, and level 6 took
    // three times as long for 11% less (all 19 wafer prediction files: 291 vs 95 ms, 2.42 vs 2.71 MB).
    const content = gzipSync(readFileSync(input.path), { level: 1 });
    return bad(store.files.addBad(fileMeta, sha, result.rows, result.reasons, content));
  } finally {
    closeSync(fd);
    // Bad, duplicate, failed or cancelled: whatever the scorers took from the stream is dropped.
    stream?.settle(false);
  }
}

/** Encoded rows a file may hold in memory before its import takes the write lock (see ingestFile). */
const PENDING_MAX_BYTES = 16 * 1024 * 1024;
const PENDING_CHUNK_BYTES = 1 << 20;
/** Chunks a worker keeps for its next files. */
const SPARE_CHUNKS = 8;
const spareChunks: Buffer[] = [];

interface PendingRow {
  rowNo: number;
  wafer: string;
  label: number | null;
  faulty: boolean | null;
  /** The stored form (rows.ts), a view into one of the chunks. */
  vals: Buffer;
}

/** A file's rows read before its transaction opens: their stored bytes, packed into chunks. */
class PendingRows {
  bytes = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private readonly taken: Buffer[] = [];
  private used = 0;
  private readonly rows: PendingRow[] = [];

  add(
    rowNo: number,
    wafer: string,
    label: number | null,
    faulty: boolean | null,
    encoded: Buffer,
    n: number,
  ): void {
    if (this.used + n > this.chunk.length) {
      this.chunk =
        n <= PENDING_CHUNK_BYTES
          ? (spareChunks.pop() ?? Buffer.allocUnsafe(PENDING_CHUNK_BYTES))
          : Buffer.allocUnsafe(n);
      if (this.chunk.length === PENDING_CHUNK_BYTES) this.taken.push(this.chunk);
      this.used = 0;
    }
    encoded.copy(this.chunk, this.used, 0, n);
    this.rows.push({ rowNo, wafer, label, faulty, vals: this.chunk.subarray(this.used, this.used + n) });
    this.used += n;
    this.bytes += n;
  }

  /** Hands every kept row to insert, in order, and forgets them. */
  flush(insert: (row: PendingRow) => void): void {
    for (const r of this.rows) insert(r);
    this.release();
  }

  /** Forgets the kept rows; their chunks serve the worker's next file (fresh memory is slow to touch). */
  release(): void {
    for (const c of this.taken) if (spareChunks.length < SPARE_CHUNKS) spareChunks.push(c);
    this.taken.length = 0;
    this.rows.length = 0;
    this.chunk = Buffer.alloc(0);
    this.used = 0;
    this.bytes = 0;
  }
}

class BadFile extends Error {
  constructor() {
    super('bad file');
  }
}

/** A duplicate points at the stored file with the same bytes, so prediction can reuse its rows. */
function duplicate(
  input: IngestFileInput,
  sha: string,
  firstSeenAs: string,
  existingId: number | null,
): IngestFileResult {
  return {
    name: input.name,
    path: input.path,
    status: 'duplicate',
    rows: 0,
    reasons: [duplicateFileReason(firstSeenAs)],
    fileId: existingId,
    sha256: sha,
  };
}

function isUniqueShaViolation(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes('files.')
  );
}

/**
 * Warm-up files for warmImportPath. In a fresh worker the first two 1,567-row wafer files took ~100 ms
 * each to tokenize and validate and later ones ~52 ms: V8 settles the parser's compiled code over a few
 * files rather than rows. After three 200-row files, the first real one took ~54 ms.
 */
const WARM_FILES = 3;
export const WARM_IMPORT_ROWS = 200;

/**
 * Runs a prediction import's parsing path (tokenizer, validator, stored-row encoding) over a few small
 * files made in memory from sample rows (column-major over `featureNames`, NaN = missing), so that the
 * first file a user drops is read at full speed. Nothing is read from disk or written. Returns what the
 * last warm-up file came to: a good file, every row delivered, or the row path was not warmed.
 */
export function warmImportPath(
  schema: DataSchema,
  sample: { X: Float64Array; nRows: number; featureNames: readonly string[] },
): { status: 'good' | 'bad'; rows: number } {
  const { idIndex, labelIndex } = schemaLayout(schema);
  const featureOf = new Map(sample.featureNames.map((name, f) => [name, f]));
  const cellOf = schema.columns.map((column, c) => {
    if (c === idIndex) return (r: number) => `W-${r + 1}`;
    if (c === labelIndex) return () => String(schema.labelValues.good);
    const f = featureOf.get(column.name);
    if (f === undefined) return () => '';
    return (r: number) => {
      const v = sample.X[f * sample.nRows + r]!;
      return Number.isNaN(v) ? '' : String(v);
    };
  });
  const quoted = (name: string) => (/[",\r\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name);
  let text = `${schema.columns.map((c) => quoted(c.name)).join(',')}\n`;
  for (let r = 0; r < sample.nRows; r++) text += `${cellOf.map((cell) => cell(r)).join(',')}\n`;
  const bytes = Buffer.from(text);
  const date = schema.dateStampLength === 8 ? '01012020' : '1'.repeat(Math.max(1, schema.dateStampLength));
  const time = schema.timeStampLength === 6 ? '000000' : '0'.repeat(Math.max(1, schema.timeStampLength));
  const name = `${schema.namePrefix}_${date}_${time}.csv`;
  let blob = Buffer.alloc(0);
  let last = { status: 'bad' as 'good' | 'bad', rows: 0 };
  for (let k = 0; k < WARM_FILES; k++) {
    const validator = createFileValidator(schema, name, {
      onRow(row) {
        if (blob.length < rowValuesCapacity(row.words.length))
          blob = Buffer.allocUnsafe(rowValuesCapacity(row.words.length));
        encodeRowValues(row.words, row.values, blob);
      },
    });
    for (let o = 0; o < bytes.length; o += FIRST_CHUNK) validator.push(bytes.subarray(o, o + FIRST_CHUNK));
    const result = validator.finish();
    last = { status: result.status, rows: result.deliveredRows };
  }
  return last;
}

export const ingestTasks = {
  'ingest/file': ingestFile,
};
