// Randomised cross-check: whatever the cell spellings, line ends and chunk sizes, the rows the validator
// delivers equal a naive reading of the same text (split + Number()).
import { describe, expect, it } from 'vitest';
import { validateFileBytes } from '../../../../src/main/ml/validate';
import { parseDataSchema } from '../../../../src/shared/schema';
import { WORD_RAW, wordValue } from '../../../../src/main/ml/csv';

const COLS = 9;
const schema = parseDataSchema({
  sampleFileName: 'lot_01012021_000000.csv',
  dateStampLength: 8,
  timeStampLength: 6,
  columns: [
    { name: 'Id', type: 'varchar' },
    ...Array.from({ length: COLS }, (_, i) => ({ name: `S${i + 1}`, type: 'float' as const })),
    { name: 'Label', type: 'integer' },
  ],
  idColumn: 'Id',
  labelColumn: 'Label',
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cell(r: () => number): { text: string; value: number } {
  const k = Math.floor(r() * 12);
  const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  switch (k) {
    case 0:
      return { text: '', value: NaN };
    case 1:
      return { text: ['NA', 'NaN', 'NULL'][Math.floor(r() * 3)]!, value: NaN };
    case 2: {
      const t = `${digits(1 + Math.floor(r() * 20))}.${digits(Math.floor(r() * 20))}`;
      return { text: t, value: Number(t) };
    }
    case 3: {
      const t = `-${digits(1 + Math.floor(r() * 4))}e${Math.floor(r() * 40) - 20}`;
      return { text: t, value: Number(t) };
    }
    case 4: {
      const t = `${digits(1 + Math.floor(r() * 3))}.${digits(1 + Math.floor(r() * 3))}`;
      return { text: `"${t}"`, value: Number(t) };
    }
    case 5: {
      const t = `${digits(2)}.${digits(2)}`;
      return { text: ` ${t} `, value: Number(t) };
    }
    case 6:
      return { text: `.${digits(1 + Math.floor(r() * 5))}`, value: NaN };
    case 7:
      return { text: `${digits(1 + Math.floor(r() * 12))}`, value: NaN };
    default: {
      const t = `${r() < 0.3 ? '-' : ''}${digits(1 + Math.floor(r() * 4))}.${digits(1 + Math.floor(r() * 5))}`;
      return { text: t, value: Number(t) };
    }
  }
}

describe('validator vs a naive reading', () => {
  it('delivers the same rows for random spellings, line ends and chunk sizes', () => {
    for (let round = 0; round < 40; round++) {
      const r = rng(1000 + round);
      const eol = () => (r() < 0.5 ? '\r\n' : '\n');
      let text = `${r() < 0.3 ? '\uFEFF' : ''},${Array.from({ length: COLS }, (_, i) => `S-${i + 1}`).join(',')},Out${eol()}`;
      const want: { id: string; values: number[]; label: number }[] = [];
      const nRows = 1 + Math.floor(r() * 60);
      for (let i = 0; i < nRows; i++) {
        const cells = Array.from({ length: COLS }, () => cell(r));
        const values = cells.map((c) =>
          Number.isNaN(c.value) && c.text.startsWith('.') ? Number(c.text) : c.value,
        );
        cells.forEach((c, j) => {
          if (/^\d+$/.test(c.text)) values[j] = Number(c.text);
        });
        const label = r() < 0.5 ? -1 : 1;
        const id = r() < 0.2 ? `"W,${i}"` : `W${i}`;
        want.push({ id: id.replace(/"/g, ''), values, label });
        text += `${id},${cells.map((c) => c.text).join(',')},${label}${i === nRows - 1 && r() < 0.3 ? '' : eol()}`;
      }
      const bytes = new TextEncoder().encode(text);
      for (const chunkSize of [1, 2, 3, 5, 17, 64, 333, 1 << 16]) {
        const got: { id: string; values: number[]; label: number }[] = [];
        const res = validateFileBytes(schema, 'lot_01012021_000000.csv', bytes, {
          chunkSize,
          onRow: (row) => {
            row.words.forEach((w, k) => {
              if ((w & 15) !== WORD_RAW && !Object.is(wordValue(w), row.values[k])) {
                throw new Error(`round ${round} chunk ${chunkSize}: word ${w} is not ${row.values[k]}`);
              }
            });
            got.push({ id: row.id, values: Array.from(row.values), label: row.label! });
          },
        });
        expect(res.reasons, `round ${round} chunk ${chunkSize}`).toEqual([]);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => {
          const w = want[i]!;
          const same =
            g.id === w.id && g.label === w.label && g.values.every((v, j) => Object.is(v, w.values[j]));
          if (!same)
            throw new Error(`round ${round} chunk ${chunkSize} row ${i + 1}: ${JSON.stringify([g, w])}`);
        });
      }
    }
  });
});
