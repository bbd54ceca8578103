/**
 * The Predict page in Chromium through `serve`: with a model trained and promoted through the API, a batch
 * dropped on the page (a real drop event carrying a DataTransfer of File objects) is predicted; its rows
 * open with their explanation; the history filters narrow the table; the batch's CSV and HTML report
 * download.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeWaferFile } from '../helpers/wafer-files';
import { test, expect, type AppPage, type Served } from './fixtures';

interface Job {
  id: string;
  status: string;
  finishedAt: string | null;
  error: { message: string } | null;
}

/** Sensors (0-based) that run high on faulty wafers, so a small model has something to learn. */
const SIGNAL = [11, 46, 87, 124];
/** Sensors that set the operating regime (two regimes, independent of the label). */
const REGIME = Array.from({ length: 40 }, (_, i) => 200 + i);

/** A cell: the regime shifts 40 sensors for every other triple of rows; faulty wafers run high on SIGNAL. */
function cell(r: number, s: number, faulty: boolean, offset = 3000): string | undefined {
  if (REGIME.includes(s) && Math.floor(r / 3) % 2 === 0)
    return (offset + ((r * 13 + s * 7) % 1000)).toFixed(3);
  if (faulty && SIGNAL.includes(s)) return (1200 + ((r * 37 + s) % 500)).toFixed(3);
  return undefined;
}

async function waitForJob(served: Served, jobId: string, timeout = 120_000): Promise<void> {
  await expect
    .poll(async () => (await served.invoke<Job>('jobs/get', { id: jobId })).finishedAt !== null, { timeout })
    .toBe(true);
  const job = await served.invoke<Job>('jobs/get', { id: jobId });
  expect(job.status, job.error?.message).toBe('succeeded');
}

/** Training data (300 wafers, every 10th faulty with the signal sensors high), a model in Production. */
async function trainProductionModel(served: Served): Promise<void> {
  const dir = join(served.dir, 'training');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 3; i++) {
    writeWaferFile(dir, `wafer_0${i + 1}012021_080000.csv`, {
      rows: 100,
      seed: 11 + i,
      label: (r) => (r % 10 === 9 ? 1 : -1),
      cell: (r, s) => cell(r, s, r % 10 === 9),
    });
  }
  const ingest = await served.invoke<{ jobId: string }>('data/ingest', { kind: 'training', paths: [dir] });
  await waitForJob(served, ingest.jobId);
  const train = await served.invoke<{ jobId: string }>('training/start', {
    config: {
      families: {
        gbm: { enabled: true, grid: { nEstimators: [20], maxDepth: [3], learningRate: [0.3] } },
        forest: { enabled: false },
      },
      clusters: { mode: 'fixed', k: 2 },
      cvFolds: 3,
      gates: { minAccuracy: 0, minF1: null, minRecall: null, minRocAuc: null, minPrAuc: null },
    },
  });
  await waitForJob(served, train.jobId, 240_000);
  await served.invoke('models/approve', { version: 1 });
  await served.invoke('models/promote', { version: 1, to: 'production' });
}

interface DropFile {
  name: string;
  text: string;
}

/** Prediction files: no label column; every 4th wafer looks like the faulty training wafers. */
function predictionFiles(served: Served): DropFile[] {
  const dir = join(served.dir, 'prediction');
  mkdirSync(dir, { recursive: true });
  const files = [
    { name: 'wafer_20022021_080000.csv', seed: 101 },
    { name: 'wafer_21022021_093000.csv', seed: 202 },
  ].map(({ name, seed }) => {
    const path = writeWaferFile(dir, name, {
      rows: 40,
      seed,
      withLabel: false,
      // Row 7 of each file sits far from both regimes: an operating point the model never saw.
      cell: (r, s) => (r === 6 ? cell(r, s, false, 40000) : cell(r, s, r % 4 === 0)),
    });
    return { name, text: readFileSync(path, 'utf8') };
  });
  // A file that breaks the agreement: its name has no valid date, so it is refused with a reason.
  const bad = writeWaferFile(dir, 'wafer_99999999_080000.csv', { rows: 5, seed: 303, withLabel: false });
  files.push({ name: 'wafer_99999999_080000.csv', text: readFileSync(bad, 'utf8') });
  return files;
}

class PredictPageObject {
  constructor(
    readonly app: AppPage,
    readonly page: Page,
  ) {}
  /** Drags the files over the window and drops them: the same events a real drag from the desktop fires. */
  async drop(files: DropFile[]) {
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/csv' }));
      return dt;
    }, files);
    await this.page.dispatchEvent('body', 'dragenter', { dataTransfer });
    await expect(this.page.getByTestId('drop-overlay')).toContainText('Drop to predict with Production (v1)');
    await this.page.dispatchEvent('body', 'dragover', { dataTransfer });
    await this.page.dispatchEvent('body', 'drop', { dataTransfer });
    await expect(this.page.getByTestId('drop-overlay')).toBeHidden();
  }
  rows(scope = this.page.getByTestId('batch-view')) {
    return scope.getByTestId('prediction-row');
  }
  async download(testId: string) {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId(testId).click();
    const file = await download;
    return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
  }
}

test.describe('Predict page', () => {
  test('a dropped batch is predicted and explained; history filters; CSV and report download', async ({
    app,
    page,
    served,
  }) => {
    test.setTimeout(360_000);
    const predict = new PredictPageObject(app, page);

    // Before any model is in Production the page says what to do, with a way to the Models page.
    await app.goto('predict');
    await expect(page.getByTestId('no-model')).toBeVisible();
    await expect(page.getByTestId('no-model-link')).toHaveAttribute('href', '#/models');

    await trainProductionModel(served);
    await expect(page.getByTestId('no-model')).toBeHidden();
    await expect(page.getByTestId('model-select').locator('option').first()).toHaveText('Production (v1)');

    // Drop the batch: it goes to prediction (not to training import) and shows its predictions.
    await predict.drop(predictionFiles(served));
    await expect(page.getByTestId('predict-done')).toContainText('80 wafers');
    await expect(page).toHaveURL(/#\/predict$/);
    const view = page.getByTestId('batch-view');
    await expect(view.getByTestId('batch-rows')).toHaveText('80');
    await expect(predict.rows()).toHaveCount(80);
    await expect(view.getByTestId('prediction-total')).toHaveAttribute('data-total', '80');
    await expect(view.locator('[data-testid="batch-file"][data-status="good"]')).toHaveCount(2);
    const bad = view.locator('[data-testid="batch-file"][data-status="bad"]');
    await expect(bad).toHaveCount(1);
    await expect(bad).toContainText('wafer_99999999_080000.csv');
    await expect(bad.locator('.badge.bad.mono')).toBeVisible();
    const faultyCount = Number(await view.getByTestId('batch-faulty').textContent());
    expect(faultyCount, 'the model should find the wafers that look like the faulty ones').toBeGreaterThan(0);
    expect(faultyCount).toBeLessThan(80);
    await app.screenshot('predict-batch');

    // The batch's own filter, then a faulty row opens with the sensors that pushed it.
    await view.getByTestId('batch-filter-faulty').check();
    await expect(view.getByTestId('prediction-total')).toHaveAttribute('data-total', String(faultyCount));
    await expect(predict.rows().and(page.locator('[data-result="good"]'))).toHaveCount(0);
    await predict.rows().first().click();
    const detail = page.getByTestId('row-detail');
    await expect(detail.getByTestId('result')).toHaveAttribute('data-result', 'faulty');
    await expect(detail.getByTestId('detail-probability')).toContainText('threshold');
    await expect(detail.getByTestId('detail-regime')).toContainText('cluster');
    const explanation = detail.getByTestId('explanation');
    await expect(explanation).toBeVisible();
    await expect(
      explanation.getByTestId('towards-faulty').getByTestId('sensor-effect').first(),
    ).toBeVisible();
    await explanation.scrollIntoViewIfNeeded();
    await app.screenshot('predict-detail');

    // Keyboard: Enter on another row opens that one.
    await predict.rows().nth(1).focus();
    await page.keyboard.press('Enter');
    await expect(predict.rows().nth(1)).toHaveAttribute('aria-selected', 'true');

    // Exports: the CSV of the batch and its HTML report download.
    const csv = await predict.download('export-csv');
    expect(csv.name).toMatch(/\.csv$/);
    expect(csv.text.split(/\r?\n/).filter((l) => l.trim()).length).toBeGreaterThan(80);
    await expect(page.getByTestId('export-notice')).toContainText('Downloading');
    const report = await predict.download('report-html');
    expect(report.name).toMatch(/\.html?$/);
    expect(report.text).toMatch(/<html/i);

    // History: every prediction; the result filter narrows the table, and the chart draws.
    await page.getByTestId('predict-tab-history').click();
    const history = page.getByTestId('history-panel');
    await expect(history.getByTestId('prediction-total')).toHaveAttribute('data-total', '80');
    await expect(history.getByTestId('fail-rate-chart').locator('.js-plotly-plot')).toBeVisible();
    await history.getByTestId('history-result').selectOption('faulty');
    await expect(history.getByTestId('prediction-total')).toHaveAttribute('data-total', String(faultyCount));
    await expect(history.getByTestId('prediction-row')).toHaveCount(faultyCount);
    await expect(history.locator('[data-testid="prediction-row"][data-result="good"]')).toHaveCount(0);
    await history.getByTestId('history-file').fill('wafer_20022021');
    await expect(history.getByTestId('prediction-row').first()).toContainText('wafer_20022021_080000.csv');
    await expect(history.getByTestId('prediction-row').filter({ hasText: 'wafer_21022021' })).toHaveCount(0);
    await history.getByTestId('history-source').selectOption('cli');
    await expect(history.getByTestId('prediction-empty')).toBeVisible();
    await history.getByTestId('history-source').selectOption('');
    await history.getByTestId('prediction-row').first().click();
    await expect(page.getByTestId('row-detail').getByTestId('explanation')).toBeVisible();
    await app.screenshot('predict-history');

    // Single row: values typed by sensor name are predicted at once, with the same explanation.
    await page.getByTestId('predict-tab-single').click();
    await page.getByTestId('single-wafer').fill('Wafer-typed');
    await page
      .getByTestId('single-values')
      .fill('Sensor - 12 = 1500\nSensor - 47 = 1600\nSensor - 88 = 1400');
    await expect(page.getByTestId('single-parse')).toContainText('3 sensors given');
    await page.getByTestId('single-predict').click();
    const single = page.getByTestId('single-panel').getByTestId('row-detail');
    await expect(single.getByTestId('detail-wafer')).toHaveText('Wafer-typed');
    await expect(single.getByTestId('explanation')).toBeVisible();
    await app.screenshot('predict-single');
    await page.getByTestId('predict-tab-history').click();
    await history.getByTestId('history-clear').click();
    await history.getByTestId('history-source').selectOption('single');
    await expect(history.getByTestId('prediction-total')).toHaveAttribute('data-total', '1');

    // Monitor: the batch's quarantined file and why, the fail rate, and its rows' drift against the
    // training rows (too few rows for an alert yet, and the page says so).
    // The navigation shows the Monitor's alert count from any page.
    await expect(page.getByTestId('monitor-badge')).toHaveText('1');
    await app.goto('monitor');
    const monitor = page.getByTestId('monitor-page');
    await expect(monitor.getByTestId('monitor-quarantined')).toHaveText('33%');
    await expect(monitor.getByTestId('monitor-reasons')).toContainText('date');
    await expect(monitor.getByTestId('alert-quarantine_share')).toContainText('1 of 3 prediction files');
    await expect(monitor.getByTestId('drift-table').locator('tbody tr')).toHaveCount(15);
    await expect(monitor).toContainText('raise no alert until 300 rows');
    await expect(monitor.getByTestId('drift-chart').locator('.js-plotly-plot')).toBeVisible();
    await expect(monitor.getByTestId('quality-chart').locator('.js-plotly-plot')).toBeVisible();
    await expect(monitor.getByTestId('fail-rate-chart').locator('.js-plotly-plot')).toBeVisible();
    // The model's two regimes, training share against the window's.
    await expect(monitor.getByTestId('monitor-regimes').locator('tbody tr')).toHaveCount(2);
    await app.screenshot('monitor');

    // This line quarantines a third of its files for a known reason: its own threshold silences the alert.
    await monitor.getByTestId('monitor-thresholds').locator('summary').click();
    await expect(monitor.getByTestId('threshold-quarantineShare')).toHaveValue('20');
    await monitor.getByTestId('threshold-psiDrifted').fill('0.05');
    await monitor.getByTestId('thresholds-save').click();
    await expect(monitor.getByTestId('thresholds-error')).toContainText('the drifted threshold must be above the moving one');
    await monitor.getByTestId('threshold-psiDrifted').fill('0.25');
    await monitor.getByTestId('threshold-quarantineShare').fill('40');
    await monitor.getByTestId('thresholds-save').click();
    await expect(monitor.getByTestId('monitor-thresholds')).toContainText('set for this workspace');
    await expect(monitor.getByTestId('alert-quarantine_share')).toHaveCount(0);
    await expect(page.getByTestId('monitor-badge')).toBeHidden();
    await app.screenshot('monitor-thresholds');
  });

  test('a batch whose sensors moved away from the training rows says so', async ({ app, page, served }) => {
    test.setTimeout(300_000);
    await trainProductionModel(served);
    await app.goto('predict');
    await expect(page.getByTestId('model-select').locator('option').first()).toHaveText('Production (v1)');
    // 400 wafers like the training ones, except five sensors reading ~90,000 instead of 0-1,000.
    const dir = join(served.dir, 'drifted');
    mkdirSync(dir, { recursive: true });
    const files = ['wafer_03032021_080000.csv', 'wafer_04032021_080000.csv'].map((name, i) => {
      const path = writeWaferFile(dir, name, {
        rows: 200,
        seed: 700 + i,
        withLabel: false,
        cell: (r, s) => (s >= 300 && s < 305 ? String(90000 + ((r + s) % 50)) : cell(r, s, r % 10 === 9)),
      });
      return { name, text: readFileSync(path, 'utf8') };
    });
    await new PredictPageObject(app, page).drop(files);
    await expect(page.getByTestId('predict-done')).toContainText('400 wafers');
    const note = page.getByTestId('batch-drift');
    await expect(note).toContainText('5 sensors of this batch drifted from the training rows of model v1');
    await expect(note).toContainText('Sensor - 301');
    await expect(note.getByRole('link', { name: 'Monitor page' })).toHaveAttribute('href', '#/monitor');
    await expect(page.getByTestId('monitor-badge')).toBeVisible();
    await app.screenshot('predict-drift');
  });

  test('a watched folder predicts each file that lands in it; the batch opens from the panel', async ({ app, page, served }) => {
    test.setTimeout(300_000);
    await trainProductionModel(served);
    const folder = join(served.dir, 'incoming');
    mkdirSync(folder, { recursive: true });
    // Already there when watching begins: left alone on request.
    writeWaferFile(folder, 'wafer_01032021_080000.csv', { rows: 10, seed: 900, withLabel: false });

    await app.goto('predict');
    await page.getByTestId('predict-tab-watch').click();
    await expect(page.getByTestId('watch-state')).toHaveText('Not watching');
    await page.getByTestId('watch-folder-input').fill(join(served.dir, 'nowhere'));
    await page.getByTestId('watch-start').click();
    await expect(page.getByTestId('watch-error')).toContainText('does not exist');

    await page.getByTestId('watch-folder-input').fill(folder);
    await page.getByTestId('watch-settle').fill('0');
    await page.getByTestId('watch-skip-existing').check();
    const outFolder = join(served.dir, 'for-mes');
    await page.getByTestId('watch-out-input').fill(outFolder);
    await page.getByTestId('watch-start').click();
    await expect(page.getByTestId('watch-state')).toHaveText('Watching');
    await expect(page.getByTestId('watch-folder')).toHaveText(folder);
    await expect(page.getByTestId('watch-out-folder')).toContainText(outFolder);
    await expect(page.getByTestId('watch-handled')).toContainText('1 there before watching began');

    // A data collector writes two files: one good, one whose name breaks the agreement.
    writeWaferFile(folder, 'wafer_02032021_080000.csv', {
      rows: 30,
      seed: 901,
      withLabel: false,
      cell: (r, s) => cell(r, s, r % 4 === 0),
    });
    writeWaferFile(folder, 'wafer_0203_080000.csv', { rows: 5, seed: 902, withLabel: false });
    await expect(page.getByTestId('watch-last-batch')).toContainText('2 files (1 quarantined), 30 wafers', { timeout: 60_000 });
    await expect(page.getByTestId('watch-handled')).toContainText('3 files of this folder: 1 predicted, 1 quarantined');
    const recent = page.getByTestId('watch-recent');
    await expect(recent.locator('tr', { hasText: 'wafer_0203_080000.csv' })).toContainText('quarantined');
    await expect(recent.locator('tr', { hasText: 'wafer_02032021_080000.csv' })).toContainText('predicted');
    await expect(recent.locator('tr', { hasText: 'wafer_01032021_080000.csv' })).toContainText('left alone');
    await app.screenshot('predict-watch');
    // Each batch's predictions CSV also went to the folder a downstream system reads.
    await expect.poll(() => readdirSync(outFolder).filter((n) => n.endsWith('-predictions.csv')).length).toBe(1);

    await page.getByTestId('watch-open-batch').click();
    const view = page.getByTestId('batch-view');
    await expect(view).toContainText('source: watched folder');
    await expect(new PredictPageObject(app, page).rows(view)).toHaveCount(30);

    // Stopped: a later file is left alone, and the workspace remembers the folder is no longer watched.
    await page.getByTestId('predict-tab-watch').click();
    await page.getByTestId('watch-stop').click();
    await expect(page.getByTestId('watch-state')).toHaveText('Not watching');
    expect(await served.invoke<{ enabled: boolean; folder: string }>('watch/status')).toMatchObject({ enabled: false, folder });
  });
});
