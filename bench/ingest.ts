/**
 * Ingest benchmark: seeded wafer-like files (1x = 1,567 rows x 592 columns, about 6 MB) written to a
 * temporary folder, then imported through the real path — a worker thread streaming, tokenizing and
 * validating the file, SQLite storing the rows in one transaction — on ONE worker. Each size runs in its
 * own child process so peak RSS shows whether memory grows with file size.
 * Usage: node -r tsx/cjs bench/ingest.ts [--sizes 1,100]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeAppContext, openAppContext } from '../src/main/services/context';
import { startIngest } from '../src/main/services/data';
import { SECOM_ROWS } from '../src/main/sample/wafer';
import { writeWaferCsv } from './wafer-batch';
import type { IngestSummary } from '../src/shared/contract';
import { TS_NODE_ARGS } from './node-args';

/** One measurement (runs in a child process). */
async function measure(size: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-bench-ingest-'));
  try {
    const file = join(dir, 'wafer_08012020_120000.csv');
    const bytes = await writeWaferCsv(file, SECOM_ROWS * size, 1000 + size, true);
    const ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'cli', poolSize: 1 });
    // Warm the worker (module load) so the timing is the import itself.
    await ctx.pool.run('diag/echo', 1).catch(() => undefined);
    const started = performance.now();
    const cpu0 = process.cpuUsage(); // process-wide: main thread and the worker
    const job = startIngest(ctx, 'training', [file]);
    const final = await ctx.jobs.wait(job.id);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const summary = final.result as IngestSummary;
    await closeAppContext(ctx);
    const rss = process.resourceUsage().maxRSS / 1024;
    process.stdout.write(
      `${JSON.stringify({ size, bytes, rows: summary.rows, good: summary.good, seconds, mbps: bytes / 1e6 / seconds, cpuSeconds, cpuMbps: bytes / 1e6 / cpuSeconds, rowsPerSec: summary.rows / seconds, peakRssMb: rss })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runIngestBench(argv: string[]): Promise<void> {
  const sizesArg = argv[argv.indexOf('--sizes') + 1];
  const sizes = argv.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1, 10, 100];
  console.log('ingest: one worker, streaming validation + SQLite storage (target >= 100 MB/s, flat RSS)');
  // CPU MB/s (bytes per CPU second of the whole process) is steadier than wall MB/s on a shared machine.
  console.log('size   file MB    rows      seconds   MB/s     rows/s     peak RSS MB   CPU MB/s');
  const results: { size: number; mbps: number; peakRssMb: number }[] = [];
  for (const size of sizes) {
    const child = spawnSync(process.execPath, [...TS_NODE_ARGS, __filename, '--measure', String(size)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    try {
      const r = JSON.parse(line) as { size: number; bytes: number; rows: number; seconds: number; mbps: number; cpuMbps: number; rowsPerSec: number; peakRssMb: number };
      results.push(r);
      console.log(
        `${String(size).padEnd(6)} ${(r.bytes / 1e6).toFixed(1).padStart(8)} ${String(r.rows).padStart(8)} ${r.seconds.toFixed(2).padStart(10)} ${r.mbps.toFixed(1).padStart(7)} ${Math.round(r.rowsPerSec).toString().padStart(10)} ${r.peakRssMb.toFixed(0).padStart(12)} ${r.cpuMbps.toFixed(1).padStart(10)}`,
      );
    } catch {
      console.log(`${size}x failed: ${child.stderr.slice(-2000)}`);
    }
  }
  if (results.length >= 2) {
    const a = results[0]!;
    const b = results[results.length - 1]!;
    console.log(
      `ratios: ${b.size}x/${a.size}x throughput ${(b.mbps / a.mbps).toFixed(2)}, peak RSS ${(b.peakRssMb / a.peakRssMb).toFixed(2)}; vs pandas read alone (~50 MB/s): ${(b.mbps / 50).toFixed(1)}x`,
    );
  }
}

if (process.argv.includes('--measure')) {
  void measure(Number(process.argv[process.argv.indexOf('--measure') + 1]));
} else if (require.main === module) {
  void runIngestBench(process.argv.slice(2));
}
