/** Small wafer-like CSV files for tests, written to a temp folder: exact control over every cell. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SENSORS = 590;

export interface WaferFileOptions {
  rows?: number;
  /** Labels per row (-1 good, 1 faulty); default alternates a fault every 10th row. */
  label?: (row: number) => number | string;
  /** Override one cell: return undefined to keep the generated value. */
  cell?: (row: number, sensor: number) => string | undefined;
  withLabel?: boolean;
  seed?: number;
  eol?: '\n' | '\r\n';
  bom?: boolean;
  idHeader?: string;
}

export function waferCsv(options: WaferFileOptions = {}): string {
  const rows = options.rows ?? 5;
  const withLabel = options.withLabel ?? true;
  const eol = options.eol ?? '\r\n';
  let seed = options.seed ?? 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const header = [options.idHeader ?? '', ...Array.from({ length: SENSORS }, (_, i) => `Sensor-${i + 1}`)];
  if (withLabel) header.push('Good/Bad');
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const cells = [`Wafer-${100 + r}`];
    for (let s = 0; s < SENSORS; s++) {
      const custom = options.cell?.(r, s);
      cells.push(custom ?? (s % 7 === 3 ? '100' : (1000 * rand()).toFixed(4)));
    }
    if (withLabel) cells.push(String(options.label ? options.label(r) : r % 10 === 9 ? 1 : -1));
    lines.push(cells.join(','));
  }
  return (options.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}

export function writeWaferFile(dir: string, name: string, options: WaferFileOptions = {}): string {
  const path = join(dir, name);
  writeFileSync(path, waferCsv(options));
  return path;
}
