/**
 * Text for pdfkit's built-in (standard 14) fonts: they encode WinAnsi only, and pdfkit writes any other
 * character as garbage. Common symbols get an ASCII spelling ("≥" -> ">="), control characters become
 * spaces and anything else unencodable becomes "?", so user data can never corrupt the PDF text.
 */

/** Unicode characters WinAnsi has outside Latin-1 (pdfkit's WIN_ANSI_MAP). */
const WIN_ANSI_EXTRA = new Set([
  402, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224, 8225, 8226, 8230, 8364, 8240, 8249, 8250, 710,
  8482, 338, 339, 732, 352, 353, 376, 381, 382,
]);

const SPELLED: Record<string, string> = {
  '≥': '>=',
  '≤': '<=',
  '≠': '!=',
  '−': '-',
  '→': '->',
  '←': '<-',
  '×': 'x',
  '✓': 'ok',
  '✗': 'x',
  '\u2009': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
};

export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xff && c !== 0xad) || WIN_ANSI_EXTRA.has(c))
      out += ch;
    else if (SPELLED[ch] !== undefined) out += SPELLED[ch];
    else if (c < 0x20 || c === 0x7f || (c >= 0x80 && c < 0xa0)) out += ' ';
    else if (c === 0xad) continue;
    else out += '?';
  }
  return out;
}
