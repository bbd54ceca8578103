// Throughput of the ingest parse path alone: CSV tokenizer + number parsing + file validation (no SQLite), on
// seeded wafer-like files of 1x (1,567 rows x 592 columns, ~6.5 MB) and 100x. Only time spent inside the
// tokenizer/validator is counted (data generation is excluded); 1x is held in memory and run several times,
// 100x is streamed chunk by chunk so memory stays flat. Peak RSS is the process maximum after each size.
// With --real DIR it also validates every .csv in DIR (e.g. /work/shared/data/wafer/training_batch) with the
// wafer training schema, held in memory, best of reps.
// Usage: node -r tsx/cjs bench/ingest-parse.ts [--sizes 1,100] [--seed 7] [--chunk 1048576] [--reps 5] [--real DIR] [--json]

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsvTokenizer } from '../src/main/ml/csv';
import { createFileValidator } from '../src/main/ml/validate';
import { generateWaferCsvChunks, SECOM_ROWS } from '../src/main/sample/wafer';
import { WAFER_TRAINING_SCHEMA } from '../src/shared/schema';

export interface ParseBenchResult {
  size: number; // multiple of the 1x row count
  rows: number;
  bytes: number;
  validateSec: number; // best of reps (1x) or the single streamed pass
  validateMBps: number;
  rowsPerSec: number;
  tokenizeMBps: number; // tokenizer alone, no number parsing or checks, for reference
  peakRssMB: number;
  status: string;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

const NAME = 'wafer_01012021_000000.csv';

function validateChunks(chunks: Iterable<Uint8Array>): {
  sec: number;
  bytes: number;
  rows: number;
  status: string;
} {
  let sec = 0;
  let bytes = 0;
  let rows = 0;
  let sink = 0;
  let t = performance.now();
  const v = createFileValidator(WAFER_TRAINING_SCHEMA, NAME, {
    onRow: (r) => {
      rows++;
      sink += r.values[0]! === r.values[0]! ? 1 : 0; // touch the row like a real consumer would
    },
  });
  sec += performance.now() - t;
  for (const c of chunks) {
    bytes += c.length;
    t = performance.now();
    v.push(c);
    sec += performance.now() - t;
  }
  t = performance.now();
  const r = v.finish();
  sec += performance.now() - t;
  if (sink < 0) console.log(sink);
  return {
    sec: sec / 1000,
    bytes,
    rows,
    status: `${r.status}${r.reasons.length ? `: ${r.reasons[0]!.code}` : ''}`,
  };
}

function tokenizeChunks(chunks: Iterable<Uint8Array>): { sec: number; bytes: number } {
  let sec = 0;
  let bytes = 0;
  let fields = 0;
  const tok = new CsvTokenizer({ field: () => void fields++, endRow: () => {} });
  for (const c of chunks) {
    bytes += c.length;
    const t = performance.now();
    tok.push(c);
    sec += performance.now() - t;
  }
  tok.end();
  return { sec: sec / 1000, bytes };
}

const rssMB = () => process.resourceUsage().maxRSS / 1024;

export async function runParseBench(argv: string[] = []): Promise<ParseBenchResult[]> {
  const sizes = (arg(argv, 'sizes') ?? '1,100').split(',').map(Number);
  const seed = Number(arg(argv, 'seed') ?? 7);
  const chunkSize = Number(arg(argv, 'chunk') ?? 1 << 20);
  const reps = Number(arg(argv, 'reps') ?? 5);
  const results: ParseBenchResult[] = [];
  for (const size of sizes) {
    const rows = Math.round(SECOM_ROWS * size);
    let best = Infinity;
    let tokBest = Infinity;
    let out = { sec: 0, bytes: 0, rows: 0, status: '' };
    if (size <= 10) {
      const chunks = [...generateWaferCsvChunks(seed, rows, { chunkSize })];
      for (let r = 0; r < reps; r++) {
        out = validateChunks(chunks);
        best = Math.min(best, out.sec);
        tokBest = Math.min(tokBest, tokenizeChunks(chunks).sec);
      }
    } else {
      out = validateChunks(generateWaferCsvChunks(seed, rows, { chunkSize }));
      best = out.sec;
      tokBest = tokenizeChunks(generateWaferCsvChunks(seed, rows, { chunkSize })).sec;
    }
    const res: ParseBenchResult = {
      size,
      rows: out.rows,
      bytes: out.bytes,
      validateSec: best,
      validateMBps: out.bytes / 1e6 / best,
      rowsPerSec: out.rows / best,
      tokenizeMBps: out.bytes / 1e6 / tokBest,
      peakRssMB: rssMB(),
      status: out.status,
    };
    results.push(res);
    if (!argv.includes('--json')) {
      console.log(
        `${String(size).padStart(4)}x  ${(res.bytes / 1e6).toFixed(1).padStart(7)} MB  ${String(res.rows).padStart(7)} rows  ` +
          `validate ${res.validateMBps.toFixed(0).padStart(4)} MB/s ${Math.round(res.rowsPerSec).toLocaleString('en-US').padStart(9)} rows/s  ` +
          `tokenize-only ${res.tokenizeMBps.toFixed(0).padStart(4)} MB/s  peak RSS ${res.peakRssMB.toFixed(0)} MB  [${res.status}]`,
      );
    }
  }
  const realDir = arg(argv, 'real');
  if (realDir !== undefined) {
    const files = readdirSync(realDir)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(realDir, f))) }));
    const total = files.reduce((n, f) => n + f.bytes.length, 0);
    let best = Infinity;
    let rows = 0;
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      rows = 0;
      for (const f of files) {
        const v = createFileValidator(WAFER_TRAINING_SCHEMA, f.name, { onRow: () => void rows++ });
        for (let o = 0; o < f.bytes.length; o += chunkSize) v.push(f.bytes.subarray(o, o + chunkSize));
        v.finish();
      }
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    if (!argv.includes('--json')) {
      console.log(
        `real  ${(total / 1e6).toFixed(1).padStart(7)} MB  ${files.length} files, ${rows} good rows  ` +
          `validate ${(total / 1e6 / best).toFixed(0).padStart(4)} MB/s`,
      );
    }
  }
  if (argv.includes('--json')) console.log(JSON.stringify(results));
  return results;
}

if (process.argv[1] && /bench[\\/]ingest-parse\.ts$/.test(process.argv[1])) {
  runParseBench(process.argv.slice(2)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
