// Streaming CSV tokenizer over Uint8Array chunks, with UTF-8/binary detection in the same pass.
// Hand-written because the maintained parsers (csv-parse, papaparse) work on decoded strings, allocate a
// string per field and an array per row, and leave number parsing to parseFloat per cell; for 600-column
// numeric rows that allocation is the whole cost, and the 100 MB/s ingest bar (with SQLite after us) needs
// this stage well above that. Here fields are byte ranges of the chunk itself, plain decimals are parsed
// during the scan (setNumberColumns), and only a field cut by a chunk boundary (or a quoted field, which
// needs unescaping) is copied; across chunks at most the current partial field is held. push() keeps no
// reference to its chunk, so the caller may reuse its read buffer.
//
// Accepts: optional UTF-8 BOM, LF / CRLF / lone CR line ends, RFC 4180 quotes ("" escapes, commas and line
// breaks inside quotes), a last line without line end. Blank lines are skipped. Lenient like most readers:
// a quote inside an unquoted field is kept literally and text after a closing quote is appended.

export interface CsvSink {
  /**
   * One field: buf[start, end), already unescaped; index is its 0-based position in the row. The bytes are
   * only valid during the call. Not called for fields taken by the number fast path (setNumberColumns).
   */
  field(buf: Uint8Array, start: number, end: number, index: number): void;
  /** The current row ended after fieldCount fields (blank lines produce no rows). */
  endRow(fieldCount: number): void;
  /** First sign the input is not UTF-8 text (NUL byte or invalid sequence); reported once. */
  notText?(message: string, byteOffset: number): void;
}

// Byte classes for the scanning loops: 0 = ordinary field byte.
const C_COMMA = 1;
const C_LF = 2;
const C_CR = 3;
const C_QUOTE = 4;
const C_CHECK = 5; // NUL or >= 0x80: needs the UTF-8 validator

import * as W from './words';

// Module-local copies: imported bindings can compile to getter calls, which the hot loop must not pay.
const WORD_MANTISSA_LIMIT = W.WORD_MANTISSA_LIMIT;
const WORD_MISSING = W.WORD_MISSING;
const WORD_RAW = W.WORD_RAW;

// Exact powers of ten for the number fast path (see number.ts for why this is exact).
const P10 = new Float64Array(23);
for (let k = 0, p = 1; k <= 22; k++, p *= 10) P10[k] = p;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

function makeClasses(delimiter: number): Uint8Array {
  const t = new Uint8Array(256);
  t[delimiter] = C_COMMA;
  t[LF] = C_LF;
  t[CR] = C_CR;
  t[QUOTE] = C_QUOTE;
  t[0] = C_CHECK;
  for (let b = 0x80; b < 256; b++) t[b] = C_CHECK;
  return t;
}

const DEFAULT_CLASSES = makeClasses(0x2c);

export interface TokenizerOptions {
  delimiter?: string; // one ASCII character, default ','
  // A value longer than this is reported through notText and not kept: it bounds memory for inputs with no
  // delimiters or line ends (or an unclosed quote), which are not sensor tables anyway. Default 16 MiB.
  maxFieldBytes?: number;
}

export class CsvTokenizer {
  private readonly sink: CsvSink;
  private readonly cls: Uint8Array;
  private carry = new Uint8Array(256);
  private carryLen = 0;
  private inCarry = false; // current field's bytes so far are in carry
  private atFieldStart = true;
  private inQuoted = false;
  private quotePending = false; // chunk ended right after a quote inside a quoted field
  private fieldQuoted = false;
  private rowFields = 0;
  private afterCR = false;
  private head: Uint8Array | null = new Uint8Array(0); // first bytes until the BOM question is settled
  // UTF-8 sequence cut by a chunk boundary: continuation bytes still needed and the first one's range.
  private uNeed = 0;
  private uLo = 0x80;
  private uHi = 0xbf;
  private uStart = 0; // stream offset of the cut character's first byte, for the error message
  private skipUntil = 0;
  private base = 0; // stream offset of the current chunk
  private failed = false;
  private ended = false;
  /** Bytes consumed so far. */
  bytes = 0;
  /** Whether the stream started with a UTF-8 BOM. */
  hadBom = false;
  /** Set at end() when a quoted field was never closed. */
  unterminatedQuote = false;
  /** Data rows (including the header) emitted so far. */
  rows = 0;
  private nums: Float64Array | null = null;
  private numMask: Uint8Array | null = null;
  private emptyCounts: Uint32Array | null = null;
  private words: Int32Array | null = null;
  private readonly maxField: number;
  private tooLong = false;

  constructor(sink: CsvSink, options: TokenizerOptions = {}) {
    this.sink = sink;
    const d = options.delimiter ?? ',';
    const code = d.charCodeAt(0);
    if (d.length !== 1 || code >= 0x80 || code === QUOTE || code === LF || code === CR || code === 0) {
      throw new Error(`Unsupported CSV delimiter ${JSON.stringify(d)}`);
    }
    this.cls = code === 0x2c ? DEFAULT_CLASSES : makeClasses(code);
    this.maxField = options.maxFieldBytes ?? 16 << 20;
  }

  /**
   * Number fast path: from now on, a field at index f with mask[f] === 1 that is a plain decimal (optional
   * '-', digits, optional '.' and digits, at most 15 digits in all) on a line that lies
   * whole in one chunk is parsed while scanning and stored in nums[f], and field() is not called for it;
   * every other field still goes to field(). The value equals Number(text) exactly (Clinger's fast path).
   * With emptyCounts, an empty unquoted field at such an index stores NaN and increments emptyCounts[f]
   * instead of calling field(). With words, every field the fast path takes also gets its scaled-decimal
   * word (words.ts) in words[f]: WORD_RAW when the value does not fit one. Pass null to turn it off. Safe to
   * call from endRow().
   */
  setNumberColumns(
    nums: Float64Array | null,
    mask: Uint8Array | null,
    emptyCounts: Uint32Array | null = null,
    words: Int32Array | null = null,
  ): void {
    if (nums !== null && (mask === null || mask.length > nums.length))
      throw new Error('mask longer than nums');
    if (nums !== null && emptyCounts !== null && emptyCounts.length < mask!.length) {
      throw new Error('emptyCounts shorter than mask');
    }
    this.nums = nums;
    this.numMask = nums === null ? null : mask;
    this.emptyCounts = nums === null ? null : emptyCounts;
    if (nums !== null && words !== null && words.length < mask!.length)
      throw new Error('words shorter than mask');
    this.words = nums === null ? null : words;
  }

  /** Whether invalid UTF-8 or a NUL byte was seen. */
  get notText(): boolean {
    return this.failed;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('CsvTokenizer.push after end()');
    if (chunk.length === 0) return;
    if (this.head !== null) {
      // Settle the BOM question once 3 bytes are known; only a first chunk shorter than that is copied.
      const h = this.head.length === 0 ? chunk : concat(this.head, chunk);
      if (h.length < 3 && isBomPrefix(h)) {
        this.head = h === chunk ? chunk.slice() : h;
        return;
      }
      this.head = null;
      const bom = h.length >= 3 && h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf;
      this.hadBom = bom;
      this.run(h, bom ? 3 : 0);
      return;
    }
    this.run(chunk, 0);
  }

  end(): void {
    if (this.ended) return;
    if (this.head !== null && this.head.length > 0) {
      const h = this.head;
      this.head = null;
      this.run(h, 0);
    }
    this.ended = true;
    if (this.uNeed > 0) this.fail('the file ends inside a multi-byte UTF-8 character', this.uStart);
    if (this.inQuoted && !this.quotePending) this.unterminatedQuote = true;
    this.inQuoted = false;
    this.quotePending = false;
    if (this.inCarry || this.fieldQuoted || (this.atFieldStart && this.rowFields > 0)) {
      this.emitCarry();
      this.finishRow();
    }
  }

  private fail(message: string, offset: number): void {
    if (this.failed) return;
    this.failed = true;
    this.sink.notText?.(message, offset);
  }

  private append(buf: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (n <= 0 || this.tooLong) return;
    if (this.carryLen + n > this.maxField) {
      this.tooLong = true;
      this.fail(
        `a single value is longer than ${this.maxField} bytes, so this is not a CSV table`,
        this.base + s,
      );
      return;
    }
    if (this.carryLen + n > this.carry.length) {
      let cap = this.carry.length * 2;
      while (cap < this.carryLen + n) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.carry.subarray(0, this.carryLen));
      this.carry = next;
    }
    this.carry.set(buf.subarray(s, e), this.carryLen);
    this.carryLen += n;
  }

  private appendByte(b: number): void {
    if (this.tooLong) return;
    if (this.carryLen === this.carry.length) {
      const next = new Uint8Array(this.carry.length * 2);
      next.set(this.carry);
      this.carry = next;
    }
    this.carry[this.carryLen++] = b;
  }

  private emitCarry(): void {
    this.sink.field(this.carry, 0, this.carryLen, this.rowFields);
    this.carryLen = 0;
    this.tooLong = false;
    this.inCarry = false;
    this.fieldQuoted = false;
    this.rowFields++;
  }

  private finishRow(): void {
    const count = this.rowFields;
    this.rowFields = 0;
    this.atFieldStart = true;
    this.rows++;
    this.sink.endRow(count);
  }

  /** Validate the UTF-8 sequence (or NUL) at buf[i]; returns the index after it. */
  private checkBytes(buf: Uint8Array, i: number, n: number): number {
    if (i < this.skipUntil) return this.skipUntil;
    if (this.failed) return i + 1;
    const b = buf[i]!;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b === 0) {
      this.fail('the file contains a NUL byte (binary data)', this.base + i);
      return i + 1;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else {
      this.fail(`byte 0x${b.toString(16)} is not valid UTF-8`, this.base + i);
      return i + 1;
    }
    let j = i + 1;
    for (let k = 0; k < need; k++, j++) {
      if (j >= n) {
        this.uNeed = need - k;
        this.uLo = k === 0 ? lo : 0x80;
        this.uHi = k === 0 ? hi : 0xbf;
        this.uStart = this.base + i;
        return n;
      }
      const c = buf[j]!;
      if (c < (k === 0 ? lo : 0x80) || c > (k === 0 ? hi : 0xbf)) {
        this.fail('invalid UTF-8 sequence', this.base + i);
        return j;
      }
    }
    return j;
  }

  /**
   * The fast path over complete lines: buf[i, end) ends with a line end and i is a field start outside quotes,
   * so every scan below stops at a non-digit or a line end before `end` and needs no bounds check. Unquoted
   * ASCII fields go straight to field(); plain decimals at number positions (setNumberColumns) are parsed in
   * the same pass, with up to 9 digits accumulated in int32 (a shorter dependency chain than doubles; sensor
   * values rarely have more). Returns where it stopped: `end`, or the start of a field it leaves to the
   * general path in run() (a quote at its start or inside it, a NUL byte or a byte >= 0x80). Measured on
   * wafer rows it runs at the speed of a bare digit loop; word-at-a-time (SWAR) digit parsing through a
   * DataView and a digit lookup table were no faster in V8, so the plain loop stays.
   */
  private scanLines(buf: Uint8Array, i: number, end: number): number {
    const cls = this.cls;
    const sink = this.sink;
    let nums = this.nums;
    let mask = this.numMask;
    let maskLen = mask === null ? 0 : mask.length;
    let empties = this.emptyCounts;
    let words = this.words;
    let f = this.rowFields;
    while (i < end) {
      const s = i;
      let j = i;
      let c = 0;
      let taken = false;
      if (f < maskLen && mask![f] === 1) {
        let b = buf[j]!;
        const neg = b === 45;
        if (neg) b = buf[++j]!;
        const ds = j;
        let m = 0;
        let d = b - 48;
        while (d >= 0 && d <= 9) {
          m = (m * 10 + d) | 0;
          d = buf[++j]! - 48;
        }
        let nd = j - ds;
        let e10 = 0;
        if (d === -2) {
          // '.': the fraction digits continue the same mantissa.
          const fs = ++j;
          d = buf[j]! - 48;
          while (d >= 0 && d <= 9) {
            m = (m * 10 + d) | 0;
            d = buf[++j]! - 48;
          }
          e10 = fs - j;
          nd -= e10;
        }
        c = cls[d + 48]!;
        if (c === C_COMMA || c === C_LF || c === C_CR) {
          if (nd > 0 && nd <= 9) {
            // Exact: m < 10^9 and 10^-e10 <= 10^9 are both exact doubles, one correctly rounded division.
            const v = e10 === 0 ? m : m / P10[-e10]!;
            nums![f] = neg ? -v : v;
            if (words !== null) {
              words[f] = m >= WORD_MANTISSA_LIMIT || (neg && m === 0) ? WORD_RAW : (neg ? -m : m) * 16 - e10;
            }
            taken = true;
          } else if (nd > 9 && nd <= 15) {
            // m wrapped in int32: redo in double, exact below 10^15 < 2^53.
            let md = 0;
            for (let k = ds; k < j; k++) if (buf[k] !== 46) md = md * 10 + (buf[k]! - 48);
            const v = e10 === 0 ? md : md / P10[-e10]!;
            nums![f] = neg ? -v : v;
            if (words !== null) words[f] = WORD_RAW;
            taken = true;
          } else if (nd === 0 && j === s && empties !== null && (f > 0 || c === C_COMMA)) {
            nums![f] = NaN;
            empties[f]!++;
            if (words !== null) words[f] = WORD_MISSING;
            taken = true;
          }
        }
        if (!taken) j = s;
      }
      if (!taken) {
        while ((c = cls[buf[j]!]!) === 0) j++;
        if (c === C_QUOTE || c === C_CHECK) break; // the general path takes this field
        if (f === 0 && j === s && c !== C_COMMA) {
          // A blank line.
          i = j + 1;
          if (c === C_CR && i < end && buf[i] === LF) i++;
          else if (c === C_CR && i === buf.length) this.afterCR = true;
          continue;
        }
        sink.field(buf, s, j, f);
      }
      i = j + 1;
      if (c === C_COMMA) {
        f++;
        continue;
      }
      this.rowFields = f + 1;
      this.finishRow();
      nums = this.nums;
      mask = this.numMask;
      maskLen = mask === null ? 0 : mask.length;
      empties = this.emptyCounts;
      words = this.words;
      f = 0;
      if (c === C_CR) {
        if (i < end) {
          if (buf[i] === LF) i++;
        } else if (i === buf.length) this.afterCR = true;
      }
    }
    this.rowFields = f;
    return i;
  }

  private run(buf: Uint8Array, i: number): void {
    const n = buf.length;
    const cls = this.cls;
    const sink = this.sink;
    this.base = this.bytes;
    this.bytes += n;
    this.skipUntil = 0;
    if (this.uNeed > 0) {
      // Finish the character cut by the previous chunk boundary.
      let j = i;
      while (this.uNeed > 0 && j < n) {
        const c = buf[j]!;
        if (c < this.uLo || c > this.uHi) {
          this.fail('invalid UTF-8 sequence', this.uStart);
          this.uNeed = 0;
          break;
        }
        this.uLo = 0x80;
        this.uHi = 0xbf;
        this.uNeed--;
        j++;
      }
      this.skipUntil = j;
    }
    if (this.afterCR) {
      this.afterCR = false;
      if (buf[i] === LF) i++;
    }
    if (this.quotePending) {
      // The previous chunk ended on a quote inside a quoted field: escape ("") or closing quote.
      this.quotePending = false;
      if (buf[i] === QUOTE) {
        this.appendByte(QUOTE);
        i++;
      } else this.inQuoted = false;
    }

    // Complete lines end at safeEnd (just after the chunk's last line end); scanLines takes them.
    let safeEnd = n;
    while (safeEnd > i && cls[buf[safeEnd - 1]!] !== C_LF && cls[buf[safeEnd - 1]!] !== C_CR) safeEnd--;
    while (i < n) {
      if (this.inQuoted) {
        const s = i;
        while (i < n) {
          const b = buf[i]!;
          if (b === QUOTE) break;
          if (b >= 0x80 || b === 0) i = this.checkBytes(buf, i, n);
          else i++;
        }
        this.append(buf, s, i);
        if (i >= n) break;
        i++; // the quote
        if (i === n) {
          this.quotePending = true;
          break;
        }
        if (buf[i] === QUOTE) {
          this.appendByte(QUOTE);
          i++;
        } else this.inQuoted = false;
        continue;
      }
      let c = 0;
      if (this.atFieldStart) {
        if (i < safeEnd && i >= this.skipUntil) {
          i = this.scanLines(buf, i, safeEnd);
          if (i >= n) break;
        }
        this.atFieldStart = false;
        if (buf[i] === QUOTE) {
          this.inQuoted = true;
          this.fieldQuoted = true;
          this.inCarry = true;
          i++;
          continue;
        }
      }
      const s = i;
      for (;;) {
        while (i < n && (c = cls[buf[i]!]!) === 0) i++;
        if (i >= n) break;
        if (c === C_QUOTE) i++;
        else if (c === C_CHECK) i = this.checkBytes(buf, i, n);
        else break;
      }
      if (i >= n) {
        this.append(buf, s, n);
        this.inCarry = true;
        break;
      }
      // c is a delimiter or a line end at buf[i].
      if (this.inCarry) {
        this.append(buf, s, i);
        if (c === C_COMMA || this.rowFields > 0 || this.carryLen > 0 || this.fieldQuoted) this.emitCarry();
        else this.inCarry = false;
      } else if (c === C_COMMA || this.rowFields > 0 || i > s) {
        sink.field(buf, s, i, this.rowFields);
        this.rowFields++;
      }
      i++;
      if (c === C_COMMA) {
        this.atFieldStart = true;
        continue;
      }
      if (this.rowFields > 0) this.finishRow();
      else this.atFieldStart = true; // blank line
      if (c === C_CR) {
        if (i < n) {
          if (buf[i] === LF) i++;
        } else this.afterCR = true;
      }
    }
  }
}

function isBomPrefix(h: Uint8Array): boolean {
  return (h.length < 1 || h[0] === 0xef) && (h.length < 2 || h[1] === 0xbb);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Convenience for small inputs and tests: all rows as strings. Not for the ingest path. */
export function parseCsv(input: Uint8Array | string, chunkSize = 1 << 16): string[][] {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const rows: string[][] = [];
  let row: string[] = [];
  const dec = new TextDecoder('utf-8', { ignoreBOM: true }); // the tokenizer already dropped a leading BOM
  const t = new CsvTokenizer({
    field(buf, s, e) {
      row.push(dec.decode(buf.subarray(s, e)));
    },
    endRow() {
      rows.push(row);
      row = [];
    },
  });
  for (let o = 0; o < bytes.length; o += chunkSize) t.push(bytes.subarray(o, o + chunkSize));
  t.end();
  return rows;
}
