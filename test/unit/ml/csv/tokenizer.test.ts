import { describe, expect, it } from 'vitest';
import { CsvTokenizer, parseCsv } from '../../../../src/main/ml/csv/tokenizer';

const enc = new TextEncoder();

interface Out {
  rows: string[][];
  notText: string | null;
  tok: CsvTokenizer;
}

function run(bytes: Uint8Array, splits: number[]): Out {
  const rows: string[][] = [];
  let row: string[] = [];
  let notText: string | null = null;
  const dec = new TextDecoder();
  const tok = new CsvTokenizer({
    field(b, s, e) {
      row.push(dec.decode(b.subarray(s, e)));
    },
    endRow() {
      rows.push(row);
      row = [];
    },
    notText(m) {
      notText = m;
    },
  });
  let o = 0;
  for (const p of [...splits, bytes.length]) {
    tok.push(bytes.subarray(o, p));
    o = p;
  }
  tok.end();
  return { rows, notText, tok };
}

/** Parse with every single split point and every pair of nearby split points; all must agree. */
function allSplits(input: string | Uint8Array): Out {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  const whole = run(bytes, []);
  for (let a = 0; a <= bytes.length; a++) {
    const one = run(bytes, [a]);
    expect(one.rows, `split at ${a}`).toEqual(whole.rows);
    expect(one.notText === null, `split at ${a}`).toBe(whole.notText === null);
    for (let b = a; b <= Math.min(bytes.length, a + 4); b++) {
      const two = run(bytes, [a, b]);
      expect(two.rows, `split at ${a},${b}`).toEqual(whole.rows);
      expect(two.notText === null).toBe(whole.notText === null);
    }
  }
  const ones = run(
    bytes,
    Array.from({ length: bytes.length }, (_, i) => i),
  );
  expect(ones.rows).toEqual(whole.rows);
  return whole;
}

describe('CsvTokenizer', () => {
  it('reads LF, CRLF and lone CR lines and a last line without a line end', () => {
    expect(allSplits('a,b\n1,2\n').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(allSplits('a,b\r\n1,2\r\n').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(allSplits('a,b\r1,2').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(allSplits('a,b\r\n1,2').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(allSplits(',x,\r\n,,\r\n').rows).toEqual([
      ['', 'x', ''],
      ['', '', ''],
    ]);
  });

  it('handles quotes: escapes, delimiters and line breaks inside, empty quoted values', () => {
    const src = '"id","say ""hi"""\r\n"a,b","line1\r\nline2"\r\n"",x\r\n"q"tail,"end"';
    expect(allSplits(src).rows).toEqual([
      ['id', 'say "hi"'],
      ['a,b', 'line1\r\nline2'],
      ['', 'x'],
      ['qtail', 'end'],
    ]);
    expect(allSplits('a"b,c\n').rows).toEqual([['a"b', 'c']]);
    expect(allSplits('""\n').rows).toEqual([['']]);
    expect(allSplits('"""",""""""\n').rows).toEqual([['"', '""']]);
  });

  it('skips blank lines but not a line holding an empty quoted value', () => {
    expect(allSplits('\r\n\na,b\r\n\r\n1,2\n\n\n').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('strips a UTF-8 BOM, also when split across chunks', () => {
    const out = allSplits('\uFEFFid,v\n1,2\n');
    expect(out.rows).toEqual([
      ['id', 'v'],
      ['1', '2'],
    ]);
    expect(out.tok.hadBom).toBe(true);
    expect(run(enc.encode('\uFEFF'), []).rows).toEqual([]);
    expect(run(enc.encode('\uFEFF'), [1]).notText).toBeNull();
    // A BOM in the middle is content, not stripped.
    expect(parseCsv('a\n\uFEFFb\n')).toEqual([['a'], ['\uFEFFb']]);
  });

  it('keeps multi-byte UTF-8 characters intact across every boundary', () => {
    const out = allSplits('nom,é\n"日本,語",😀x\n€,\n');
    expect(out.notText).toBeNull();
    expect(out.rows).toEqual([
      ['nom', 'é'],
      ['日本,語', '😀x'],
      ['€', ''],
    ]);
  });

  it('reports an unterminated quote at the end', () => {
    const out = run(enc.encode('a,"bc\nd'), []);
    expect(out.rows).toEqual([['a', 'bc\nd']]);
    expect(out.tok.unterminatedQuote).toBe(true);
    expect(run(enc.encode('a,"b"'), [4]).tok.unterminatedQuote).toBe(false);
  });

  it('detects NUL bytes and invalid UTF-8, wherever the chunks split', () => {
    const bad: [string, number[]][] = [
      ['NUL', [0x61, 0x00, 0x62, 0x0a]],
      ['lone continuation', [0x61, 0x80, 0x0a]],
      ['invalid lead 0xff', [0x61, 0xff, 0x0a]],
      ['overlong C0', [0xc0, 0x80, 0x0a]],
      ['overlong E0', [0xe0, 0x80, 0x80, 0x0a]],
      ['surrogate', [0xed, 0xa0, 0x80, 0x0a]],
      ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['lead then ASCII', [0xc3, 0x2c, 0x41]],
      ['truncated at end', [0x61, 0x2c, 0xe2, 0x82]],
      ['in quotes', [0x22, 0xc3, 0x22, 0x0a]],
    ];
    for (const [name, bytes] of bad) {
      const out = allSplits(new Uint8Array(bytes));
      expect(out.notText, name).not.toBeNull();
    }
  });

  it('agrees with a fatal TextDecoder on random byte strings', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
    const pool = [
      0x61, 0x2c, 0x0a, 0x22, 0x80, 0xbf, 0xc2, 0xc3, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xa0, 0x9f, 0x8f,
      0x90,
    ];
    for (let n = 0; n < 3000; n++) {
      const len = 1 + Math.floor(rnd() * 10);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = pool[Math.floor(rnd() * pool.length)]!;
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        valid = false;
      }
      const split = Math.floor(rnd() * (len + 1));
      expect(run(bytes, [split]).notText === null, Array.from(bytes).join(' ')).toBe(valid);
    }
  });

  it('holds at most the current partial field between chunks', () => {
    const line = Array.from({ length: 600 }, (_, i) => (i * 1.25).toFixed(2)).join(',') + '\r\n';
    const big = enc.encode(line.repeat(2000));
    let rows = 0;
    const tok = new CsvTokenizer({ field() {}, endRow: () => rows++ });
    for (let o = 0; o < big.length; o += 4093) tok.push(big.subarray(o, o + 4093));
    tok.end();
    expect(rows).toBe(2000);
    expect((tok as unknown as { carry: Uint8Array }).carry.length).toBeLessThanOrEqual(256);
    expect(tok.bytes).toBe(big.length);
  });

  it('supports another one-byte delimiter and rejects unusable ones', () => {
    const rows: string[][] = [[]];
    const t = new CsvTokenizer(
      {
        field: (b, s, e) => rows.at(-1)!.push(new TextDecoder().decode(b.subarray(s, e))),
        endRow: () => rows.push([]),
      },
      { delimiter: ';' },
    );
    t.push(enc.encode('a;b,c\n'));
    t.end();
    expect(rows[0]).toEqual(['a', 'b,c']);
    expect(() => new CsvTokenizer({ field() {}, endRow() {} }, { delimiter: '"' })).toThrow();
  });
});

describe('CsvTokenizer number fast path', () => {
  function fastParse(text: string, chunk: number, width: number): { nums: number[][]; viaField: string[] } {
    const bytes = enc.encode(text);
    const nums = new Float64Array(width);
    const mask = new Uint8Array(width).fill(1);
    mask[0] = 0;
    const out: number[][] = [];
    const viaField: string[] = [];
    const dec = new TextDecoder();
    const tok = new CsvTokenizer({
      field(b, s, e, idx) {
        const t = dec.decode(b.subarray(s, e));
        if (idx > 0) viaField.push(t);
        nums[idx] = idx === 0 ? 0 : t.trim() === '' ? NaN : Number(t);
      },
      endRow() {
        out.push(Array.from(nums));
      },
    });
    tok.setNumberColumns(nums, mask);
    for (let o = 0; o < bytes.length; o += chunk) tok.push(bytes.subarray(o, o + chunk));
    tok.end();
    return { nums: out, viaField };
  }

  it('stores exactly Number(text) for every plain decimal, whatever the chunking', () => {
    let seed = 3;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
    const rows: string[] = [];
    const want: number[][] = [];
    for (let r = 0; r < 400; r++) {
      const cells = ['W'];
      for (let k = 0; k < 12; k++) {
        const nd = 1 + Math.floor(rnd() * 24);
        let digits = '';
        for (let q = 0; q < nd; q++) digits += String(Math.floor(rnd() * 10));
        const dot = Math.floor(rnd() * (nd + 1));
        let s = `${rnd() < 0.3 ? '-' : ''}${digits.slice(0, dot)}${dot < nd || rnd() < 0.2 ? '.' : ''}${digits.slice(dot)}`;
        if (rnd() < 0.05) s = '';
        if (rnd() < 0.05) s = `${s}e${Math.floor(rnd() * 20) - 10}`;
        cells.push(s);
      }
      rows.push(cells.join(','));
      want.push([0, ...cells.slice(1).map((c) => (c === '' ? NaN : Number(c)))]);
    }
    const text = rows.join('\r\n') + '\r\n';
    for (const chunk of [1, 2, 3, 7, 64, 1000, 1 << 20]) {
      const { nums } = fastParse(text, chunk, 13);
      expect(nums.length).toBe(400);
      nums.forEach((row, r) => {
        row.forEach((v, k) => {
          if (!Object.is(v, want[r]![k]!))
            throw new Error(`chunk ${chunk} row ${r} col ${k}: ${v} vs ${want[r]![k]}`);
        });
      });
    }
  });

  it('leaves empty, quoted, exponent, long and text fields to field()', () => {
    const { nums, viaField } = fastParse(
      'W,1.5,,"2",1e3,1234567890.12345,1234567890123456,99999999999999999.5,abc,-0\n',
      1 << 16,
      10,
    );
    expect(viaField).toEqual(['', '2', '1e3', '1234567890123456', '99999999999999999.5', 'abc']);
    expect(nums[0]!.slice(1)).toEqual([
      1.5,
      NaN,
      2,
      1000,
      1234567890.12345,
      1234567890123456,
      Number('99999999999999999.5'),
      NaN,
      -0,
    ]);
    expect(Object.is(nums[0]![9], -0)).toBe(true);
  });

  it('gives the same rows and values with the fast path as field by field, whatever the line shapes', () => {
    // Whole lines in one chunk take the fast path; chunks of 1 byte never do. Mixed content: quotes (at a
    // field start and inside one), blank lines, CR / CRLF / LF, non-ASCII text, ragged rows, long values.
    let seed = 11;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const cells = [
      '1',
      '-2.5',
      '',
      '0.0001',
      '.5',
      '5.',
      '-',
      '.',
      '"3"',
      'a"b',
      'é',
      '12345678901234',
      '7e2',
      'NA',
      ' 4 ',
      '-0',
      '123456789',
      '1234567890',
      '"x\ny"',
      '+1',
    ];
    const ends = ['\n', '\r\n', '\r', '\n\n', '\r\n\r\n'];
    let text = 'id,a,b,c,d,e\n';
    for (let r = 0; r < 300; r++) {
      const width = rnd() < 0.9 ? 6 : 1 + Math.floor(rnd() * 8);
      const row = [`W${r}`];
      for (let k = 1; k < width; k++) row.push(pick(cells));
      text += row.join(',') + pick(ends);
    }
    text += 'W,1,2'; // a last line without a line end
    const fieldByField = fastParse(text, 1, 12).nums;
    for (const chunk of [5, 64, 333, 4096, 1 << 20]) {
      const got = fastParse(text, chunk, 12).nums;
      expect(got.length).toBe(fieldByField.length);
      got.forEach((row, r) =>
        row.forEach((v, k) => {
          if (!Object.is(v, fieldByField[r]![k]!)) {
            throw new Error(`chunk ${chunk} row ${r} col ${k}: ${v} vs ${fieldByField[r]![k]}`);
          }
        }),
      );
    }
  });
});

describe('CsvTokenizer empty-field fast path', () => {
  it('stores NaN and counts empty fields at number positions; "-", "." and quoted empties still go to field()', () => {
    const nums = new Float64Array(5);
    const mask = Uint8Array.from([0, 1, 1, 1, 1]);
    const empties = new Uint32Array(5);
    const viaField: string[] = [];
    const rows: number[][] = [];
    const dec = new TextDecoder();
    const tok = new CsvTokenizer({
      field: (b, s, e, idx) => {
        viaField.push(`${idx}:${dec.decode(b.subarray(s, e))}`);
        nums[idx] = -99;
      },
      endRow: () => rows.push(Array.from(nums)),
    });
    tok.setNumberColumns(nums, mask, empties);
    for (const part of ['W1,,1,-,\r\n', 'W2,.,,"",2\n', 'W3,,,,\r', '\n']) tok.push(enc.encode(part));
    tok.end();
    expect(viaField).toEqual(['0:W1', '3:-', '0:W2', '1:.', '3:', '0:W3']);
    expect(rows).toEqual([
      [-99, NaN, 1, -99, NaN],
      [-99, -99, NaN, -99, 2],
      [-99, NaN, NaN, NaN, NaN],
    ]);
    expect(Array.from(empties)).toEqual([0, 2, 2, 1, 2]);
  });
});

describe('CsvTokenizer memory bound', () => {
  it('reports a value longer than maxFieldBytes once and does not keep it', () => {
    const msgs: string[] = [];
    const tok = new CsvTokenizer(
      { field() {}, endRow() {}, notText: (m) => msgs.push(m) },
      { maxFieldBytes: 100 },
    );
    for (let k = 0; k < 50; k++) tok.push(enc.encode('x'.repeat(37)));
    tok.push(enc.encode('"' + 'y'.repeat(500)));
    tok.end();
    expect(msgs).toEqual(['a single value is longer than 100 bytes, so this is not a CSV table']);
    expect((tok as unknown as { carry: Uint8Array }).carry.length).toBeLessThanOrEqual(256);
  });
});
