// Decimal number parsing straight from CSV bytes, so the ingest path never builds a string per cell.
// Hand-written because nothing maintained parses from a Uint8Array range: Number()/parseFloat need a string,
// and making one per cell is most of the cost of CSV ingest. Results equal Number(text) exactly.

// Exact powers of ten: every 10^k for k <= 22 is representable in a double, which is what makes Clinger's fast
// path exact (one correctly rounded multiply or divide of two exact values).
const P10 = new Float64Array(23);
for (let k = 0, p = 1; k <= 22; k++, p *= 10) P10[k] = p;

const TWO_53 = 9007199254740992;

/**
 * Parse a plain decimal ("-12", "3076.81", ".5", "1.", "6.02e23", surrounding spaces/tabs allowed) from
 * buf[start, end). Returns NaN for anything else (text, "inf", "0x10", empty) and +-Infinity for overflow,
 * exactly like Number(text) would for decimal syntax. Hex/binary/octal literals, which Number() accepts,
 * are deliberately rejected: in a sensor column they are a data error.
 */
export function parseDecimalBytes(buf: Uint8Array, start: number, end: number): number {
  while (start < end && (buf[start] === 32 || buf[start] === 9)) start++;
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
  let i = start;
  let neg = false;
  let b = buf[i];
  if (b === 45) {
    neg = true;
    i++;
  } else if (b === 43) i++;
  let mant = 0;
  let exp = 0;
  const intStart = i;
  while (i < end) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    mant = mant * 10 + d;
    i++;
  }
  let nDigits = i - intStart;
  if (i < end && buf[i] === 46) {
    i++;
    const fracStart = i;
    while (i < end) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      i++;
    }
    exp = fracStart - i;
    nDigits += i - fracStart;
  }
  if (nDigits === 0) return NaN;
  if (i < end) {
    b = buf[i];
    if (b !== 101 && b !== 69) return NaN;
    i++;
    let eneg = false;
    b = buf[i];
    if (b === 45) {
      eneg = true;
      i++;
    } else if (b === 43) i++;
    const eStart = i;
    let e = 0;
    while (i < end) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      // Past 1e6 the result is 0 or Infinity anyway (Number() agrees); stop growing to stay an integer.
      if (e < 1e6) e = e * 10 + d;
      i++;
    }
    if (i === eStart || i !== end) return NaN;
    exp += eneg ? -e : e;
  }
  if (mant === 0) return neg ? -0 : 0;
  // The accumulated mantissa is exact iff it stayed below 2^53 (every partial value is smaller and exact).
  if (mant < TWO_53 && exp >= -22 && exp <= 22) {
    const v = exp < 0 ? mant / P10[-exp]! : mant * P10[exp]!;
    return neg ? -v : v;
  }
  return Number(latin1(buf, start, end));
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  // One call instead of per-character concatenation (which builds a rope Number() must flatten); very long
  // digit strings go in pieces so a hostile file cannot overflow the argument limit.
  let s = '';
  for (let o = start; o < end; o += 4096) {
    s += String.fromCharCode.apply(null, buf.subarray(o, Math.min(end, o + 4096)) as unknown as number[]);
  }
  return s;
}
