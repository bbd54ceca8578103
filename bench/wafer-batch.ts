/** Writes a seeded wafer-like batch (files of up to 1,567 rows, valid names) for the benchmarks. */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { generateWaferCsvChunks, SECOM_ROWS } from '../src/main/sample/wafer';

/** One seeded wafer-like file, streamed to disk; every row distinct (repeated rows would make neighbour
 *  searches unrealistic). Returns its size in bytes. */
export async function writeWaferCsv(
  path: string,
  rows: number,
  seed: number,
  withLabel: boolean,
  profileSeed?: number,
): Promise<number> {
  const out = createWriteStream(path);
  for (const chunk of generateWaferCsvChunks(seed, rows, { withLabel, templates: Math.min(rows, SECOM_ROWS), profileSeed })) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return out.bytesWritten;
}

/** Files i = 0, 1, ... use seed * 1000 + i; with `profileSeed`, every file draws new wafers from that one
 *  process profile (otherwise each file's profile follows its own seed). */
export async function writeSampleLikeBatch(
  dir: string,
  rows: number,
  seed: number,
  withLabel: boolean,
  profileSeed?: number,
): Promise<string[]> {
  const paths: string[] = [];
  let left = rows;
  let i = 0;
  while (left > 0) {
    const n = Math.min(SECOM_ROWS, left);
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (Math.floor(i / 28) % 12)).padStart(2, '0');
    const pad = (v: number) => String(v).padStart(2, '0');
    const time = `${pad(10 + Math.floor(i / 3600))}${pad(Math.floor(i / 60) % 60)}${pad(i % 60)}`;
    const path = join(dir, `wafer_${day}${month}2020_${time}.csv`);
    await writeWaferCsv(path, n, seed * 1000 + i, withLabel, profileSeed);
    paths.push(path);
    left -= n;
    i++;
  }
  return paths;
}
