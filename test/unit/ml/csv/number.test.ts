import { describe, expect, it } from 'vitest';
import { parseDecimalBytes } from '../../../../src/main/ml/csv/number';

const enc = new TextEncoder();

function parse(s: string): number {
  // Parse from the middle of a larger buffer to prove only [start, end) is read.
  const b = enc.encode(`9${s}9`);
  return parseDecimalBytes(b, 1, b.length - 1);
}

function same(s: string): void {
  const got = parse(s);
  const want = Number(s);
  if (!Object.is(got, want)) throw new Error(`"${s}": got ${got}, Number() gives ${want}`);
}

// Small deterministic PRNG so failures are reproducible.
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

describe('parseDecimalBytes', () => {
  it('equals Number() on edge values', () => {
    for (const s of [
      '0',
      '-0',
      '+0',
      '0.0',
      '-0.0',
      '00012',
      '1.',
      '.5',
      '-.5',
      '+.5',
      '1.e5',
      '3076.81',
      '-6273.75',
      '0.0089',
      '1e22',
      '1e23',
      '1e-22',
      '1e-23',
      '123456789012345e7',
      '9007199254740991',
      '9007199254740992',
      '9007199254740993',
      '18014398509481985',
      '4.9e-324',
      '5e-324',
      '2e-324',
      '1e-400',
      '2.2250738585072014e-308',
      '2.2250738585072011e-308',
      '1.7976931348623157e308',
      '1.7976931348623158e308',
      '1.8e308',
      '-1e309',
      '0.1',
      '0.2',
      '0.30000000000000004',
      '9.9999999999999999',
      '99.999999999999999',
      '0.0017999999999999998',
      '123.456E-7',
      '1E+3',
      '1e+0',
      '1e-0',
      '0e999999999999',
      '1e999999999999',
      '1e-999999999999',
      '  42  ',
      '\t-1.5',
      '7.0000000000000000000000000000001',
      '1' + '0'.repeat(400),
      '0.' + '0'.repeat(400) + '1',
      '8.98846567431158e307',
      '22250738585072012e-324',
    ]) {
      same(s);
    }
  });

  it('returns NaN for what is not decimal syntax', () => {
    for (const s of [
      '',
      ' ',
      '-',
      '+',
      '.',
      '-.',
      'e5',
      '1e',
      '1e+',
      '1e-',
      '--1',
      '1-',
      '1.2.3',
      '1,5',
      'NA',
      'NaN',
      'inf',
      'Infinity',
      '-Infinity',
      '0x10',
      '0b1',
      '0o7',
      '1_000',
      '21-01-1998',
      'invalid',
      '1 2',
      '١',
    ]) {
      expect(parse(s), s).toBeNaN();
    }
  });

  it('equals Number() on many random values in many notations', () => {
    const r = rng(12345);
    for (let n = 0; n < 60000; n++) {
      const mag = Math.pow(10, Math.floor(r() * 40) - 20);
      const x = (r() - 0.5) * mag;
      same(String(x));
      same(x.toFixed(Math.floor(r() * 12)));
      same(x.toPrecision(1 + Math.floor(r() * 21)));
      same(x.toExponential(Math.floor(r() * 21)));
      const y = r() * 2 ** (Math.floor(r() * 2098) - 1074);
      same(String(y));
    }
  });

  it('equals Number() on random digit strings around the fast-path limits', () => {
    const r = rng(99);
    for (let n = 0; n < 100000; n++) {
      const nd = 1 + Math.floor(r() * 22);
      let digits = '';
      for (let k = 0; k < nd; k++) digits += String(Math.floor(r() * 10));
      const dot = Math.floor(r() * (nd + 1));
      let s = `${r() < 0.3 ? '-' : ''}${digits.slice(0, dot)}.${digits.slice(dot)}`;
      if (s.endsWith('.') && r() < 0.5) s = s.slice(0, -1);
      if (s === '.' || s === '-.' || s === '' || s === '-') continue;
      if (r() < 0.3) s += `e${Math.floor(r() * 60) - 30}`;
      same(s);
    }
  });
});

describe('parseDecimalBytes on huge inputs', () => {
  it('handles a million-digit number without overflowing', () => {
    const s = '1' + '0'.repeat(1_000_000);
    expect(parse(s)).toBe(Infinity);
    expect(parse(`0.${'0'.repeat(1_000_000)}1`)).toBe(0);
  });
});
