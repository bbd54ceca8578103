/**
 * A prediction file's rows handed from its import straight to the scorers, through shared memory: the
 * importing worker writes each validated row's values into the file's stream as it parses, and a
 * scorer scores a part as soon as its rows are there, while the rest of the file is still being read,
 * instead of waiting for the file's commit and reading the rows back from SQLite. Scored rows are
 * written only once the import has committed the file (fate GOOD); if the file turns out bad or a
 * duplicate (fate DROPPED), they are dropped and the batch goes on as for any other file.
 *
 * A stream is a region of the batch's mailbox buffer: Int32 header slots (StreamSlot), then row-major
 * Float64 values, `capacity` rows of `nFeatures`. The capacity is an upper bound on the rows a good
 * file of that size can hold, so a good file always fits; a row beyond it marks the stream DROPPED.
 */

export const StreamSlot = { FILE_ID: 0, ROWS: 1, FATE: 2 } as const;
export const STREAM_PENDING = 0;
export const STREAM_GOOD = 1;
export const STREAM_DROPPED = 2;
const HEADER_BYTES = 16;

/** Where one file's stream is: structured-clonable, so it travels in task inputs and mailbox parts. */
export interface StreamRef {
  /** Byte offset of the region in the batch's mailbox buffer. */
  offset: number;
  capacity: number;
  nFeatures: number;
}

/** Most rows a good file of `bytes` bytes can hold: every line of it, the header included, has
 *  `cellsPerRow` cells, so at least cellsPerRow - 1 separators and a line break. */
export function streamCapacity(bytes: number, cellsPerRow: number): number {
  return Math.floor((bytes + 1) / Math.max(1, cellsPerRow)) + 1;
}

/** Bytes of a stream region (a multiple of 8, so regions can follow one another). */
export function streamBytes(capacity: number, nFeatures: number): number {
  return HEADER_BYTES + capacity * nFeatures * 8;
}

const headerOf = (buffer: SharedArrayBuffer, ref: StreamRef): Int32Array =>
  new Int32Array(buffer, ref.offset, HEADER_BYTES / 4);

/** Makes a stream empty and pending (its buffer may be a reused one), before its file's import starts. */
export function resetStream(buffer: SharedArrayBuffer, ref: StreamRef): void {
  headerOf(buffer, ref).fill(0);
}

/** The importing worker's side. */
export class StreamWriter {
  private readonly head: Int32Array;
  private readonly values: Float64Array;
  private overflow = false;
  private settled = false;

  constructor(
    buffer: SharedArrayBuffer,
    private readonly ref: StreamRef,
  ) {
    this.head = headerOf(buffer, ref);
    this.values = new Float64Array(buffer, ref.offset + HEADER_BYTES, ref.capacity * ref.nFeatures);
  }

  /** The file's row in the workspace is created (its id goes with the scored rows). */
  begin(fileId: number): void {
    Atomics.store(this.head, StreamSlot.FILE_ID, fileId);
  }

  /** Row rowNo (1-based, delivered in order) is valid so far. */
  row(rowNo: number, values: Float64Array): void {
    if (this.overflow) return;
    if (rowNo > this.ref.capacity || values.length !== this.ref.nFeatures) {
      this.overflow = true;
      return;
    }
    this.values.set(values, (rowNo - 1) * this.ref.nFeatures);
    Atomics.store(this.head, StreamSlot.ROWS, rowNo);
    // Waking costs a system call only when a scorer waits. Every 16 rows: a scorer waiting for a part's
    // last row (the first part is 48 rows) is woken within half a millisecond of it, not at the next 64th.
    if ((rowNo & 15) === 0) Atomics.notify(this.head, StreamSlot.ROWS);
  }

  /** The file is committed with `rows` rows (good), or will not be (bad, duplicate, failed). Once only. */
  settle(good: boolean, rows = 0): void {
    if (this.settled) return;
    this.settled = true;
    const ok = good && !this.overflow;
    if (ok) Atomics.store(this.head, StreamSlot.ROWS, rows);
    Atomics.store(this.head, StreamSlot.FATE, ok ? STREAM_GOOD : STREAM_DROPPED);
    Atomics.notify(this.head, StreamSlot.ROWS);
  }
}

/** A scorer's view of a stream. */
export class StreamReader {
  private readonly head: Int32Array;
  private readonly values: Float64Array;

  constructor(
    buffer: SharedArrayBuffer,
    readonly ref: StreamRef,
  ) {
    this.head = headerOf(buffer, ref);
    this.values = new Float64Array(buffer, ref.offset + HEADER_BYTES, ref.capacity * ref.nFeatures);
  }

  fate(): number {
    return Atomics.load(this.head, StreamSlot.FATE);
  }

  fileId(): number {
    return Atomics.load(this.head, StreamSlot.FILE_ID);
  }

  /**
   * Waits until rows [start, end) are delivered or the file is settled; returns how many of them
   * there are (fewer at the file's end; 0 past it or when the file is dropped). `check` runs between
   * short waits and throws to give up (cancel, batch stopped).
   */
  waitForRows(start: number, end: number, check: () => void): number {
    for (;;) {
      // FATE before ROWS: once settled, the count read after it is final.
      const fate = Atomics.load(this.head, StreamSlot.FATE);
      const rows = Atomics.load(this.head, StreamSlot.ROWS);
      if (fate === STREAM_DROPPED) return 0;
      if (fate === STREAM_GOOD || rows >= end) return Math.max(0, Math.min(end, rows) - start);
      Atomics.wait(this.head, StreamSlot.ROWS, rows, 50);
      check();
    }
  }

  /** Rows [start, start + count) as they are stored, row-major (a view, no copy). */
  rows(start: number, count: number): Float64Array {
    const p = this.ref.nFeatures;
    return this.values.subarray(start * p, (start + count) * p);
  }

  /** Rows [start, start + count) as a column-major matrix, the layout the pipeline works on (into X
   *  when given, count x nFeatures values). */
  matrix(start: number, count: number, X = new Float64Array(count * this.ref.nFeatures)): Float64Array {
    const p = this.ref.nFeatures;
    const v = this.values;
    for (let i = 0; i < count; i++) {
      const o = (start + i) * p;
      for (let f = 0; f < p; f++) X[f * count + i] = v[o + f]!;
    }
    return X;
  }
}
