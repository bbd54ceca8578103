// Streaming validation of one sensor batch file against the data sharing agreement (DataSchema).
// Sits directly on the byte tokenizer and parses numbers from bytes, so checking and row extraction happen in
// one pass with no per-cell strings; a general schema library (zod etc.) applied per row would be far
// too slow for the 100 MB/s ingest bar. Pure: works on Uint8Array chunks, no I/O.
//
// Columns are matched by position (header names are not compared, as in the reference system). A file gets
// every reason that applies, with repeated per-cell reasons capped (first N listed plus a count).

import { CsvTokenizer, type CsvSink } from '../csv/tokenizer';
import { parseDecimalBytes } from '../csv/number';
import * as W from '../csv/words';
import { matchFileName, schemaLayout } from '../../../shared/schema-names';
import type { DataSchema, Reason, ReasonCode, ReasonColumn } from '../../../shared/schema';

export interface ValidRow {
  rowNo: number; // 1-based data row (the header is not counted)
  id: string; // the id cell, e.g. "Wafer-801"
  // Feature (sensor) columns only, in file order; NaN = missing. The SAME buffer is reused for every row:
  // onRow must copy it (or write it out) before returning.
  values: Float64Array;
  // The same values as scaled-decimal words (csv/words.ts), for compact storage; WORD_RAW entries are the
  // values[k] doubles. Reused like values.
  words: Int32Array;
  label: number | null; // null when the schema has no label column
  faulty: boolean | null; // label === schema.labelValues.faulty
}

export interface FileValidatorOptions {
  /**
   * Called for each good row as it streams, while the file can still turn out good. Once any reason is found
   * no more rows are delivered; a file can also turn bad at finish() (e.g. column_all_missing), so write rows
   * inside a transaction and roll back unless finish() says 'good'.
   */
  onRow?(row: ValidRow): void;
  /** How many individual per-cell/per-row reasons of one code to list before summarising (default 20). */
  maxListed?: number;
}

export interface FileValidationResult {
  fileName: string;
  status: 'good' | 'bad';
  rows: number; // data rows read (header excluded)
  deliveredRows: number; // rows passed to onRow
  reasons: Reason[];
  header: string[];
  // Per schema column (same order as schema.columns): cells that held a missing-value token.
  columnMissingCounts: number[];
  labelCounts: { good: number; faulty: number } | null;
  bytes: number;
  hadBom: boolean;
}

export interface FileValidator {
  push(chunk: Uint8Array): void;
  finish(): FileValidationResult;
}

// Module-local copies: imported bindings can compile to getter calls on the per-cell path.
const WORD_MISSING = W.WORD_MISSING;
const WORD_RAW = W.WORD_RAW;

const K_ID = 0;
const K_FLOAT = 1;
const K_INT = 2;
const K_LABEL = 3;
const K_OTHER = 4; // a non-id text column; schema validation forbids it, skip its cells if it appears

function show(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

class FileValidatorImpl implements CsvSink, FileValidator {
  private readonly tok: CsvTokenizer;
  private readonly ncols: number;
  private readonly kinds: Uint8Array;
  // One slot per schema column for the current row; the tokenizer's number fast path writes straight into it.
  private readonly nums: Float64Array;
  private readonly numMask: Uint8Array;
  private readonly featureIndexes: Int32Array;
  private readonly values: Float64Array; // a view into nums when the feature columns are contiguous
  private readonly words: Int32Array; // one per schema column, like nums
  private readonly featureWords: Int32Array; // a view into words when the feature columns are contiguous
  private readonly valuesIsView: boolean;
  private readonly intColumns: number[]; // integer feature columns: whole-number check per row
  private readonly labelIndex: number;
  private readonly missing: Uint32Array;
  private readonly tokenBytes: Uint8Array[];
  private readonly emptyIsMissing: boolean;
  private readonly numericTokens: boolean;
  private readonly labelGood: number;
  private readonly labelFaulty: number;
  private readonly maxListed: number;
  private readonly onRow: ((row: ValidRow) => void) | undefined;
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly nameReasons: Reason[];

  private readonly header: string[] = [];
  private headerDone = false;
  private headerCount = 0;
  private skipContent = false; // column count wrong or not text: per-cell checks would be noise
  private canBeGood: boolean;
  private rowOk = true;
  private labelReported = false;
  private rowNo = 0;
  private delivered = 0;
  private id = '';
  private goodLabels = 0;
  private faultyLabels = 0;
  private notTextReason: Reason | null = null;
  private readonly listed: Reason[] = [];
  private readonly counts = new Map<ReasonCode, number>();
  private finished: FileValidationResult | null = null;
  private skippedBytes = 0;

  constructor(
    private readonly schema: DataSchema,
    private readonly fileName: string,
    options: FileValidatorOptions,
  ) {
    this.tok = new CsvTokenizer(this);
    this.ncols = schema.columns.length;
    const layout = schemaLayout(schema);
    this.kinds = new Uint8Array(this.ncols);
    this.numMask = new Uint8Array(this.ncols);
    this.intColumns = [];
    schema.columns.forEach((c, j) => {
      if (j === layout.idIndex) this.kinds[j] = K_ID;
      else if (j === layout.labelIndex) this.kinds[j] = K_LABEL;
      else if (c.type === 'float') this.kinds[j] = K_FLOAT;
      else if (c.type === 'integer') {
        this.kinds[j] = K_INT;
        this.intColumns.push(j);
      } else this.kinds[j] = K_OTHER;
      const k = this.kinds[j];
      this.numMask[j] = k === K_FLOAT || k === K_INT || k === K_LABEL ? 1 : 0;
    });
    this.labelIndex = layout.labelIndex;
    this.nums = new Float64Array(this.ncols);
    this.featureIndexes = Int32Array.from(layout.featureIndexes);
    const f = layout.featureIndexes;
    const first = f[0] ?? 0;
    this.valuesIsView = f.every((j, k) => j === first + k);
    this.values = this.valuesIsView
      ? this.nums.subarray(first, first + f.length)
      : new Float64Array(f.length);
    this.words = new Int32Array(this.ncols);
    this.featureWords = this.valuesIsView
      ? this.words.subarray(first, first + f.length)
      : new Int32Array(f.length);
    this.missing = new Uint32Array(this.ncols);
    const enc = new TextEncoder();
    this.emptyIsMissing = schema.missingTokens.includes('');
    this.tokenBytes = schema.missingTokens.filter((t) => t !== '').map((t) => enc.encode(t));
    // A numeric-looking missing token (e.g. "-999") must be seen before the number fast path takes it.
    this.numericTokens = schema.missingTokens.some((t) => t !== '' && !Number.isNaN(Number(t)));
    this.labelGood = Number(schema.labelValues.good);
    this.labelFaulty = Number(schema.labelValues.faulty);
    this.maxListed = options.maxListed ?? 20;
    this.onRow = options.onRow;
    this.nameReasons = matchFileName(schema, fileName).map((r) => ({ code: r.code, message: r.message }));
    this.canBeGood = this.nameReasons.length === 0;
  }

  push(chunk: Uint8Array): void {
    if (this.finished) throw new Error('push after finish()');
    // Once the file is known not to be text, tokenizing the rest is wasted work and, for data without line
    // ends, unbounded memory; only the size is still counted.
    if (this.notTextReason !== null) this.skippedBytes += chunk.length;
    else this.tok.push(chunk);
  }

  // ---- CsvSink -------------------------------------------------------------------------------------------

  field(buf: Uint8Array, s: number, e: number, j: number): void {
    if (!this.headerDone) {
      this.header.push(this.decoder.decode(buf.subarray(s, e)));
      return;
    }
    if (j >= this.ncols || this.skipContent) return;
    const kind = this.kinds[j]!;
    if (kind === K_FLOAT || kind === K_INT) {
      if ((s === e && this.emptyIsMissing) || (this.numericTokens && this.isMissingToken(buf, s, e))) {
        this.nums[j] = NaN;
        this.words[j] = WORD_MISSING;
        this.missing[j]!++;
        return;
      }
      const v = parseDecimalBytes(buf, s, e);
      if (v - v === 0) {
        this.nums[j] = v; // integer columns are checked per row in endRow
        this.words[j] = WORD_RAW;
        return;
      }
      this.nums[j] = NaN;
      this.words[j] = WORD_MISSING;
      if (this.isMissingToken(buf, s, e)) {
        this.missing[j]!++;
        return;
      }
      this.badCell(j, this.decoder.decode(buf.subarray(s, e)), v, false);
    } else if (kind === K_ID) {
      this.id = decodeShort(buf, s, e, this.decoder);
    } else if (kind === K_LABEL) {
      const v = parseDecimalBytes(buf, s, e);
      this.nums[j] = v;
      if (v !== this.labelGood && v !== this.labelFaulty) {
        if (s === e || this.isMissingToken(buf, s, e)) this.missing[j]!++;
        this.badLabel(this.decoder.decode(buf.subarray(s, e)));
      }
    }
  }

  endRow(got: number): void {
    if (!this.headerDone) {
      this.headerDone = true;
      this.headerCount = got;
      if (this.headerCount !== this.ncols && !this.tok.notText) {
        this.skipContent = true;
        this.fail({
          code: 'column_count',
          message:
            `The file has ${this.headerCount} columns but the schema expects ${this.ncols}` +
            `${this.schema.labelColumn === null ? '' : ' (including the label column)'}.`,
        });
      } else if (!this.numericTokens) {
        this.tok.setNumberColumns(
          this.nums,
          this.numMask,
          this.emptyIsMissing ? this.missing : null,
          this.words,
        );
      }
      return;
    }
    const rowNo = ++this.rowNo;
    if (got !== this.headerCount) {
      this.rowOk = true;
      this.labelReported = false;
      this.addListed('ragged_row', {
        code: 'ragged_row',
        row: rowNo,
        message: `Row ${rowNo} has ${got} values but the header has ${this.headerCount} columns.`,
      });
      return;
    }
    if (this.skipContent) return;
    const nums = this.nums;
    for (let k = 0; k < this.intColumns.length; k++) {
      const j = this.intColumns[k]!;
      const v = nums[j]!;
      if (v === v && !Number.isInteger(v)) this.badCell(j, String(v), v, true, rowNo);
    }
    let faulty: boolean | null = null;
    let label: number | null = null;
    if (this.labelIndex >= 0) {
      label = nums[this.labelIndex]!;
      if (label !== this.labelGood && label !== this.labelFaulty) {
        // A NaN nobody reported came from the empty-field fast path.
        if (!this.labelReported) this.badLabel(label === label ? String(label) : '', rowNo);
      } else if (label === this.labelFaulty) {
        faulty = true;
        this.faultyLabels++;
      } else {
        faulty = false;
        this.goodLabels++;
      }
    }
    this.labelReported = false;
    if (!this.rowOk) {
      this.rowOk = true;
      return;
    }
    if (this.canBeGood && this.onRow) {
      if (!this.valuesIsView) {
        const fi = this.featureIndexes;
        for (let k = 0; k < fi.length; k++) {
          this.values[k] = nums[fi[k]!]!;
          this.featureWords[k] = this.words[fi[k]!]!;
        }
      }
      this.delivered++;
      this.onRow({ rowNo, id: this.id, values: this.values, words: this.featureWords, label, faulty });
    }
  }

  notText(message: string, byteOffset: number): void {
    this.skipContent = true;
    this.canBeGood = false;
    this.notTextReason = {
      code: 'not_text',
      message: `The file is not a CSV text file: ${message} (at byte ${byteOffset}).`,
    };
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private isMissingToken(buf: Uint8Array, s: number, e: number): boolean {
    if (s === e) return this.emptyIsMissing;
    const len = e - s;
    outer: for (const t of this.tokenBytes) {
      if (t.length !== len) continue;
      for (let k = 0; k < len; k++) if (t[k] !== buf[s + k]) continue outer;
      return true;
    }
    return false;
  }

  private column(j: number): ReasonColumn {
    const c: ReasonColumn = { index: j + 1, name: this.schema.columns[j]?.name ?? '' };
    const h = this.header[j];
    if (h !== undefined) c.header = h;
    return c;
  }

  private columnText(j: number): string {
    const c = this.column(j);
    const h = c.header !== undefined && c.header !== c.name ? `, header "${c.header}"` : '';
    return `column ${c.index} ("${c.name}"${h})`;
  }

  private badCell(j: number, text: string, v: number, notWhole: boolean, row = this.rowNo + 1): void {
    this.rowOk = false;
    let why: string;
    if (notWhole) why = 'is not a whole number, but the column is integer';
    else if (v === Infinity || v === -Infinity || /^\s*[-+]?(inf|infinity)\s*$/i.test(text)) {
      why = 'is not a finite number';
    } else why = 'is not a number';
    this.addListed('non_numeric_value', {
      code: 'non_numeric_value',
      row,
      column: this.column(j),
      value: show(text),
      message: `Row ${row}, ${this.columnText(j)}: "${show(text)}" ${why}.`,
    });
  }

  private badLabel(text: string, row = this.rowNo + 1): void {
    this.rowOk = false;
    this.labelReported = true;
    const g = this.schema.labelValues;
    const n = this.schema.labelNames;
    this.addListed('bad_label', {
      code: 'bad_label',
      row,
      column: this.column(this.labelIndex),
      value: show(text),
      message:
        `Row ${row}: the label ${text === '' ? 'is empty' : `"${show(text)}"`}; ` +
        `only ${g.good} (${n.good}) or ${g.faulty} (${n.faulty}) are agreed.`,
    });
  }

  private fail(r: Reason): void {
    this.canBeGood = false;
    this.listed.push(r);
  }

  private addListed(code: ReasonCode, r: Reason): void {
    this.canBeGood = false;
    const n = (this.counts.get(code) ?? 0) + 1;
    this.counts.set(code, n);
    if (n <= this.maxListed) this.listed.push(r);
  }

  finish(): FileValidationResult {
    if (this.finished) return this.finished;
    this.tok.end();
    let content: Reason[] = [...this.listed];
    for (const [code, n] of this.counts) {
      if (n <= this.maxListed) continue;
      const what =
        code === 'ragged_row'
          ? 'rows have the wrong number of values'
          : code === 'bad_label'
            ? 'rows have a label outside the agreed values'
            : 'cells are not valid numbers';
      content.push({
        code,
        count: n - this.maxListed,
        message: `${n - this.maxListed} more ${what} (${n} in total; only the first ${this.maxListed} are listed).`,
      });
    }
    if (this.tok.unterminatedQuote && !this.tok.notText) {
      content.push({
        code: 'ragged_row',
        row: this.rowNo,
        message: `A quoted value opened in row ${this.rowNo} is never closed, so the rest of the file is one value.`,
      });
    }
    const reasons: Reason[] = [...this.nameReasons];
    if (this.notTextReason) {
      reasons.push(this.notTextReason);
      content = [];
    } else if (!this.headerDone) {
      reasons.push({
        code: 'empty_file',
        message:
          this.tok.bytes === 0 ? 'The file is empty.' : 'The file has no header row (only blank lines).',
      });
    } else {
      if (this.rowNo === 0) {
        content.push({ code: 'no_rows', message: 'The file has a header row but no data rows.' });
      } else if (!this.skipContent) {
        const empty: ReasonColumn[] = [];
        for (let j = 0; j < this.ncols; j++) {
          const k = this.kinds[j];
          if ((k === K_FLOAT || k === K_INT) && this.missing[j] === this.rowNo) empty.push(this.column(j));
        }
        if (empty.length > 0) {
          const names = empty.map((c) => `"${c.name}"`);
          content.push({
            code: 'column_all_missing',
            columns: empty,
            message:
              empty.length === 1
                ? `Column ${names[0]} has no values in any row.`
                : `${empty.length} columns have no values in any row: ${names.join(', ')}.`,
          });
        }
      }
      reasons.push(...content);
    }
    const hasLabel = this.schema.labelColumn !== null;
    this.finished = {
      fileName: this.fileName,
      status: reasons.length === 0 ? 'good' : 'bad',
      rows: this.rowNo,
      deliveredRows: this.delivered,
      reasons,
      header: this.header,
      columnMissingCounts: Array.from(this.missing),
      labelCounts: hasLabel ? { good: this.goodLabels, faulty: this.faultyLabels } : null,
      bytes: this.tok.bytes + this.skippedBytes,
      hadBom: this.tok.hadBom,
    };
    return this.finished;
  }
}

function decodeShort(buf: Uint8Array, s: number, e: number, dec: TextDecoder): string {
  if (e - s > 64) return dec.decode(buf.subarray(s, e));
  let out = '';
  for (let i = s; i < e; i++) {
    const b = buf[i]!;
    if (b >= 0x80) return dec.decode(buf.subarray(s, e));
    out += String.fromCharCode(b);
  }
  return out;
}

export function createFileValidator(
  schema: DataSchema,
  fileName: string,
  options: FileValidatorOptions = {},
): FileValidator {
  return new FileValidatorImpl(schema, fileName, options);
}

/** Validate a whole in-memory file, optionally fed in chunks of chunkSize (tests, small files). */
export function validateFileBytes(
  schema: DataSchema,
  fileName: string,
  bytes: Uint8Array,
  options: FileValidatorOptions & { chunkSize?: number } = {},
): FileValidationResult {
  const v = createFileValidator(schema, fileName, options);
  const step = options.chunkSize ?? 1 << 16;
  for (let o = 0; o < bytes.length; o += step) v.push(bytes.subarray(o, Math.min(o + step, bytes.length)));
  return v.finish();
}

/** The reason the caller adds when a file's sha256 was already ingested (status 'duplicate'). */
export function duplicateFileReason(firstSeenAs?: string): Reason {
  return {
    code: 'duplicate_file',
    message:
      firstSeenAs === undefined
        ? 'This exact file (same SHA-256) was already ingested.'
        : `This exact file (same SHA-256) was already ingested as "${firstSeenAs}".`,
  };
}
