// Scaled-decimal words: how the number fast path hands a sensor value over in 4 bytes instead of 8, so
// storage can keep rows compact (see store/repos/rows.ts). A word is mantissa * 16 + code:
//   code 0..9  the value is mantissa / 10^code (mantissa a signed integer below 2^27), which is exactly the
//              double the tokenizer computed for the text (one correctly rounded division; the sign of a
//              quotient does not change its rounding), so decoding gives back the same bits;
//   code 10    missing (NaN);
//   code 11    any other value: the double itself is kept beside the words (nums).
// -0 is never a scaled word (the integer mantissa would lose the sign).

export const WORD_MISSING = 10;
export const WORD_RAW = 11;
/** Mantissas at or above this (in magnitude) do not fit a word; such values are WORD_RAW. */
export const WORD_MANTISSA_LIMIT = 1 << 27;

const P10 = new Float64Array(10);
for (let k = 0, p = 1; k <= 9; k++, p *= 10) P10[k] = p;

/** The value of a word whose code is 0..10 (WORD_RAW words carry no value: undefined behaviour). */
export function wordValue(w: number): number {
  const code = w & 15;
  return code === WORD_MISSING ? NaN : (w >> 4) / P10[code]!;
}
