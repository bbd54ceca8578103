/**
 * CSV writing for exports: RFC 4180 quoting, and cells a spreadsheet would run as a formula (=, +, -,
 * @, tab, CR at the start) prefixed with an apostrophe — except real numbers, which stay numbers
 * (sensor values such as -6273.75 are data, not formulas).
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = value;
  if (FORMULA_START.test(text) && !NUMBER.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text)) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function csvLine(cells: (string | number | boolean | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\n`;
}
