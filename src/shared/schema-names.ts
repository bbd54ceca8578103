// The parts of the data sharing agreement the ingest worker needs at run time: the file-name rule and the
// column layout. Kept apart from schema.ts so that a worker does not load zod (~100 ms at every worker's
// start); schema.ts re-exports them, so everything else keeps importing from there.

import type { DataSchema } from './schema';

// File names: <prefix>_<date stamp>_<time stamp>.csv. The prefix is compared exactly (the reference used the
// character class ['wafer']+ by mistake, which also accepts e.g. "waffer"); case-sensitive unless the schema
// says otherwise.

export interface NameReason {
  code: 'name_pattern' | 'date_stamp_length' | 'time_stamp_length' | 'date';
  message: string;
}

function isDigits(s: string): boolean {
  return s.length > 0 && /^[0-9]+$/.test(s);
}

function realDate(ddmmyyyy: string): boolean {
  const d = Number(ddmmyyyy.slice(0, 2));
  const m = Number(ddmmyyyy.slice(2, 4));
  const y = Number(ddmmyyyy.slice(4, 8));
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

function realTime(hhmmss: string): boolean {
  return (
    Number(hhmmss.slice(0, 2)) <= 23 && Number(hhmmss.slice(2, 4)) <= 59 && Number(hhmmss.slice(4, 6)) <= 59
  );
}

/** Human pattern such as "wafer_DDMMYYYY_HHMMSS.csv" (D/T repeated for stamp lengths other than 8/6). */
export function namePatternText(s: DataSchema): string {
  const n = (v: number) => (Number.isInteger(v) ? Math.min(Math.max(v, 0), 64) : 0);
  const date = s.dateStampLength === 8 ? 'DDMMYYYY' : 'D'.repeat(n(s.dateStampLength));
  const time = s.timeStampLength === 6 ? 'HHMMSS' : 'T'.repeat(n(s.timeStampLength));
  return `${s.namePrefix}_${date}_${time}.csv`;
}

/** Every reason a file name breaks the schema's naming rule; empty when it is fine. */
export function matchFileName(s: DataSchema, fileName: string): NameReason[] {
  const out: NameReason[] = [];
  const ci = s.caseInsensitiveName;
  const expected = namePatternText(s);
  const lower = fileName.toLowerCase();
  const hasExt = ci ? lower.endsWith('.csv') : fileName.endsWith('.csv');
  const base = hasExt ? fileName.slice(0, -4) : fileName.replace(/\.[^._]*$/, '');
  const parts = base.split('_');
  const structured =
    parts.length >= 3 && isDigits(parts[parts.length - 1]!) && isDigits(parts[parts.length - 2]!);
  const prefix = structured ? parts.slice(0, -2).join('_') : null;
  const prefixOk =
    prefix !== null && (ci ? prefix.toLowerCase() === s.namePrefix.toLowerCase() : prefix === s.namePrefix);
  if (!hasExt || !structured || !prefixOk) {
    let why: string;
    if (!hasExt) why = 'it does not end in ".csv"';
    else if (!structured) why = 'it is not <prefix>_<date>_<time> with digits for date and time';
    else why = `its prefix "${prefix}" is not "${s.namePrefix}"${ci ? '' : ' (case matters)'}`;
    out.push({
      code: 'name_pattern',
      message: `The file name "${fileName}" does not match ${expected}: ${why}.`,
    });
  }
  if (structured) {
    const date = parts[parts.length - 2]!;
    const time = parts[parts.length - 1]!;
    if (date.length !== s.dateStampLength) {
      out.push({
        code: 'date_stamp_length',
        message: `The date stamp "${date}" has ${date.length} digits; the schema expects ${s.dateStampLength}.`,
      });
    } else if (s.dateStampLength === 8 && !realDate(date)) {
      out.push({ code: 'date', message: `The date stamp "${date}" is not a real date (DDMMYYYY).` });
    }
    if (time.length !== s.timeStampLength) {
      out.push({
        code: 'time_stamp_length',
        message: `The time stamp "${time}" has ${time.length} digits; the schema expects ${s.timeStampLength}.`,
      });
    } else if (s.timeStampLength === 6 && !realTime(time)) {
      out.push({ code: 'date', message: `The time stamp "${time}" is not a real time of day (HHMMSS).` });
    }
  }
  return out;
}

/** Positions (0-based) of id, label and the numeric feature columns, in file order. */
export function schemaLayout(s: DataSchema): {
  idIndex: number;
  labelIndex: number;
  featureIndexes: number[];
} {
  const idIndex = s.columns.findIndex((c) => c.name === s.idColumn);
  const labelIndex = s.labelColumn === null ? -1 : s.columns.findIndex((c) => c.name === s.labelColumn);
  const featureIndexes: number[] = [];
  s.columns.forEach((_, i) => {
    if (i !== idIndex && i !== labelIndex) featureIndexes.push(i);
  });
  return { idIndex, labelIndex, featureIndexes };
}
