/**
 * The command line as users script it (DESIGN.md's CLI contract): real processes running the CLI from
 * the TypeScript sources, each test in a temporary workspace, the JSON documents and exit codes checked
 * as a script would read them (monitor's --fail-on included), and Ctrl-C on a running batch.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { trainIntoProduction } from '../helpers/production-model';
import { useTempDir } from '../helpers/tmp';
import { SMALL_CONFIG, writeTrainingBatch } from '../helpers/training-data';
import { writeWaferFile } from '../helpers/wafer-files';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/main/host/cli.ts');
const tmp = useTempDir('wfs-cli-');
const contexts: AppContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => closeAppContext(c)));
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end; `onStderr` and `onStdout` see its output as it comes (and may signal the process). */
function cli(
  args: string[],
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, WFS_WORKSPACE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A closed workspace (so the CLI opens it alone) with the seeded model in Production. */
async function workspaceWithProductionModel(): Promise<{ dir: string; ws: string }> {
  const dir = tmp();
  const ws = join(dir, 'w.sqlite');
  const ctx = openAppContext({ workspacePath: ws, host: 'cli', poolSize: 2 });
  contexts.push(ctx);
  await trainIntoProduction(ctx, dir);
  await closeAppContext(contexts.pop()!);
  return { dir, ws };
}

const json = (run: Run) => JSON.parse(run.stdout) as Record<string, unknown>;

describe('command line', () => {
  it('answers usage mistakes with exit code 2 and failures with 1, in words or as JSON', async () => {
    const ws = join(tmp(), 'w.sqlite');
    const help = await cli([]);
    expect(help.code).toBe(2);
    expect(help.stdout).toContain('usage: wafer-studio <command>');
    expect((await cli(['nonsense'])).code).toBe(2);

    const noOut = await cli(['predict', 'somewhere', '--workspace', ws]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out FILE is required');
    const noOutJson = await cli(['predict', 'somewhere', '--workspace', ws, '--json']);
    expect(noOutJson.code).toBe(2);
    expect(json(noOutJson)).toEqual({ error: { code: 'invalid_input', message: expect.stringContaining('--out') } });

    // Nothing in Production yet: a failure with a stable code, and nothing written.
    const noModel = await cli(['predict', 'somewhere', '--out', join(tmp(), 'p.csv'), '--workspace', ws, '--json']);
    expect(noModel.code).toBe(1);
    expect(json(noModel)).toMatchObject({ error: { code: 'no_model' } });
    const words = await cli(['predict', 'somewhere', '--out', join(tmp(), 'p.csv'), '--workspace', ws]);
    expect(words.code).toBe(1);
    expect(words.stderr).toMatch(/^error \(no_model\): No model is in Production/m);
  });

  it('imports, trains, approves, promotes, predicts and reports, each as one JSON document', async () => {
    const dir = tmp();
    const ws = join(dir, 'w.sqlite');
    const train = writeTrainingBatch(join(dir, 'train'));
    // One file the schema refuses (its name has no time stamp): quarantined, with its reason.
    writeWaferFile(train, 'wafer_10012020.csv', { rows: 5, seed: 99 });
    const ingest = await cli(['ingest', '--kind', 'training', train, '--workspace', ws, '--json']);
    expect(ingest.code).toBe(0);
    const imported = json(ingest) as { good: number; bad: number; rows: number; files: { name: string; status: string; reasons: { code: string }[] }[] };
    expect(imported).toMatchObject({ good: 4, bad: 1, rows: 240 });
    expect(imported.files.find((f) => f.status === 'bad')).toMatchObject({
      name: 'wafer_10012020.csv',
      reasons: [expect.objectContaining({ code: 'name_pattern' })],
    });

    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(SMALL_CONFIG));
    const trained = await cli(['train', '--config', configPath, '--workspace', ws, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    const version = (json(trained) as { model_version: number }).model_version;
    expect(version).toBe(1);
    expect((await cli(['models', 'approve', '1', '--comment', 'checked', '--workspace', ws])).code).toBe(0);
    const promoted = await cli(['models', 'promote', '1', '--to', 'production', '--workspace', ws, '--json']);
    expect(json(promoted)).toMatchObject({ version: 1, status: 'approved', stages: ['production'] });

    const batchDir = writeTrainingBatch(join(dir, 'predict'), 2, 30, false);
    const csvPath = join(dir, 'out', 'predictions.csv');
    mkdirSync(join(dir, 'out'));
    const predicted = await cli(['predict', batchDir, '--out', csvPath, '--workspace', ws, '--json']);
    expect(predicted.code, predicted.stderr).toBe(0);
    const result = json(predicted) as { batch: number; rows: number; faulty: number; files: { status: string }[] };
    expect(Object.keys(result)).toEqual(['batch', 'model_version', 'files', 'rows', 'faulty', 'unfamiliar']);
    expect(result).toMatchObject({ batch: 1, model_version: 1, rows: 60 });
    expect(result.files.map((f) => f.status)).toEqual(['good', 'good']);
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^Wafer,Prediction,Probability,Cluster,ModelVersion,Unfamiliar/);
    expect(lines).toHaveLength(61);
    expect(lines.slice(1).filter((l) => l.split(',')[1] === '1')).toHaveLength(result.faulty);

    // Monitor: the batch's rows against the training rows (too few for a drift alert) and its files.
    const monitor = await cli(['monitor', '--workspace', ws, '--json', '--fail-on', 'alert']);
    expect(monitor.code, monitor.stderr).toBe(0);
    expect(json(monitor)).toMatchObject({
      modelVersion: 1,
      days: 30,
      quality: [{ files: 2, bad: 0 }],
      drift: { reference: 'model', currentRows: 60 },
      driftNote: expect.stringContaining('until 300 rows'),
    });
    expect((await cli(['monitor', '--days', '0', '--workspace', ws])).code).toBe(2);
    const words = await cli(['monitor', '--workspace', ws]);
    expect(words.stdout).toMatch(/^last 30 days, drift against model version 1\n {2}prediction files: 2, quarantined 0/);

    for (const format of ['html', 'pdf'] as const) {
      const out = join(dir, 'out', `report.${format}`);
      const report = await cli(['report', '--batch', String(result.batch), '--format', format, '--out', out, '--workspace', ws, '--json']);
      expect(report.code, report.stderr).toBe(0);
      expect(json(report)).toMatchObject({ path: out });
      const bytes = readFileSync(out);
      if (format === 'pdf') expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      else expect(bytes.toString()).not.toMatch(/(src|href)="https?:/);
    }
  });

  it('Ctrl-C during a batch cancels it and keeps none of its files or predictions', async () => {
    const { dir, ws } = await workspaceWithProductionModel();

    // Enough rows that the batch is still running when the signal lands (its first progress line).
    const batchDir = join(dir, 'predict');
    mkdirSync(batchDir);
    for (let i = 0; i < 24; i++) {
      writeWaferFile(batchDir, `wafer_15012020_${String(100000 + i * 100)}.csv`, { rows: 400, seed: 500 + i, withLabel: false });
    }
    const count = (sql: string) => {
      const db = new Database(ws, { readonly: true });
      try {
        return (db.prepare(sql).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const filesBefore = count('SELECT COUNT(*) AS n FROM files');
    let signalled = false;
    const run = await cli(['predict', batchDir, '--out', join(dir, 'p.csv'), '--workspace', ws], (text, child) => {
      if (!signalled && /^prediction: /m.test(text)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(signalled).toBe(true);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('Cancelling the prediction');
    expect(run.stderr).toMatch(/error \(job_cancelled\): The prediction was cancelled/);
    expect(existsSync(join(dir, 'p.csv'))).toBe(false);
    expect(count('SELECT COUNT(*) AS n FROM prediction_batches')).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM predictions')).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM files')).toBe(filesBefore);
  });

  it('watch: --once predicts what has settled, once; without it, each file as it lands until Ctrl-C', async () => {
    const { dir, ws } = await workspaceWithProductionModel();
    const folder = join(dir, 'incoming');
    mkdirSync(folder);
    const old = (Date.now() - 120_000) / 1000;
    for (const [name, seed] of [['wafer_15012020_100000.csv', 1], ['wafer_15012020_110000.csv', 2]] as const) {
      utimesSync(writeWaferFile(folder, name, { rows: 12, seed, withLabel: false }), old, old);
    }
    writeWaferFile(folder, 'wafer_15012020_120000.csv', { rows: 12, seed: 3, withLabel: false }); // just written

    const outDir = join(dir, 'out');
    const once = await cli(['watch', folder, '--once', '--settle', '60', '--out', outDir, '--json', '--workspace', ws]);
    expect(once.code, once.stderr).toBe(0);
    const doc = json(once) as { folder: string; batches: { batch: number; rows: number; files: unknown[] }[]; settling: string[] };
    expect(doc.folder).toBe(folder);
    expect(doc.batches).toHaveLength(1);
    expect(doc.batches[0]).toMatchObject({ rows: 24, files: [{ status: 'good' }, { status: 'good' }] });
    expect(doc.settling).toEqual(['wafer_15012020_120000.csv']);
    expect(readdirSync(outDir)).toEqual([expect.stringMatching(new RegExp(`^wafer-batch-${doc.batches[0]!.batch}-\\d{4}-\\d\\d-\\d\\d-predictions\\.csv$`))]);
    const again = await cli(['watch', folder, '--once', '--settle', '60', '--workspace', ws]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`nothing new to predict in ${folder}`);
    expect(again.stdout).toContain('1 file(s) still changing, left for the next run: wafer_15012020_120000.csv');

    // Watching: the settling file is taken at once (no settle time), then a file that lands meanwhile.
    let stage = 0;
    const run = await cli(['watch', folder, '--settle', '0', '--interval', '0.2', '--json', '--workspace', ws], undefined, (text, child) => {
      const lines = text.trim().split('\n').filter(Boolean);
      if (stage === 0 && lines.length === 1) {
        stage = 1;
        writeWaferFile(folder, 'wafer_16012020_080000.csv', { rows: 7, seed: 4, withLabel: false });
      } else if (stage === 1 && lines.length === 2) {
        stage = 2;
        child.kill('SIGINT');
      }
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Stopped watching.');
    const batches = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { rows: number; files: { name: string }[] });
    expect(batches.map((b) => [b.files.map((f) => f.name), b.rows])).toEqual([
      [['wafer_15012020_120000.csv'], 12],
      [['wafer_16012020_080000.csv'], 7],
    ]);
  });
});
