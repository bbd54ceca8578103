/**
 * The Data page in Chromium through `serve`: files dropped onto the window (a real drop event carrying a
 * DataTransfer of File objects) are judged good or bad with every reason; a long import shows progress and
 * can be cancelled, leaving the file list as it was.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, type AppPage } from './fixtures';

const SENSORS = 590;
const HEADER = ['', ...Array.from({ length: SENSORS }, (_, i) => `Sensor-${i + 1}`), 'Good/Bad'].join(',');

/** A wafer training batch: `rows` wafers, deterministic sensor values, labels -1 (good) / 1 (faulty). */
function batchCsv(rows: number, seed: number, edit?: (cells: string[], row: number) => void): string {
  const lines = [HEADER];
  for (let r = 0; r < rows; r++) {
    const cells = [`Wafer-${seed}-${r}`];
    for (let c = 0; c < SENSORS; c++) cells.push(String(((r * 7 + c * 13 + seed) % 97) / 4));
    cells.push(r % 4 === 1 ? '1' : '-1');
    edit?.(cells, r);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

interface DropFile {
  name: string;
  text: string;
}

class DataPageObject {
  constructor(
    readonly app: AppPage,
    readonly page: Page,
  ) {}
  rows() {
    return this.page.getByTestId('file-row');
  }
  row(name: string) {
    return this.page.locator(`[data-testid="file-row"][data-name="${name}"]`);
  }
  /** Drags the files over the window and drops them: the same events a real drag from the desktop fires. */
  async drop(files: DropFile[]) {
    const dataTransfer = await this.page.evaluateHandle((list) => {
      const dt = new DataTransfer();
      for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'text/csv' }));
      return dt;
    }, files);
    await this.page.dispatchEvent('body', 'dragenter', { dataTransfer });
    await expect(this.page.getByTestId('drop-overlay')).toBeVisible();
    await this.page.dispatchEvent('body', 'dragover', { dataTransfer });
    await this.page.dispatchEvent('body', 'drop', { dataTransfer });
    await expect(this.page.getByTestId('drop-overlay')).toBeHidden();
  }
  async expectResult(outcome: string) {
    await expect(this.page.getByTestId('ingest-result')).toHaveAttribute('data-outcome', outcome);
  }
}

test.describe('Data page', () => {
  test('dropped files are judged good and bad, with every reason', async ({ app, page }) => {
    const data = new DataPageObject(app, page);
    // Start elsewhere: an unclaimed drop imports training files and switches to the Data page.
    await app.goto('logs');
    await data.drop([
      { name: 'wafer_08012020_120000.csv', text: batchCsv(6, 1) },
      { name: 'Wafer_08012020_130000.csv', text: batchCsv(6, 2) },
      {
        name: 'wafer_09012020_120000.csv',
        text: batchCsv(6, 3, (cells, r) => {
          if (r === 2) cells[3] = 'abc';
        }),
      },
    ]);
    await expect(page).toHaveURL(/#\/data$/);
    await data.expectResult('succeeded');
    await expect(page.getByTestId('result-good')).toHaveText('1 good');
    await expect(page.getByTestId('result-bad')).toHaveText('2 bad');

    await expect(data.rows()).toHaveCount(3);
    await expect(data.row('wafer_08012020_120000.csv').getByTestId('file-status')).toHaveText('good');
    await expect(data.row('Wafer_08012020_130000.csv').getByTestId('file-status')).toHaveText('bad');
    await expect(data.row('wafer_09012020_120000.csv').getByTestId('file-status')).toHaveText('bad');
    await expect(page.getByTestId('summary-good')).toHaveText('1');
    await expect(page.getByTestId('summary-bad')).toHaveText('2');
    await expect(page.getByTestId('summary-rows')).toHaveText('6');
    await expect(page.getByTestId('label-legend')).toContainText('-1 = good, 1 = faulty');

    // The capital W breaks the exact prefix rule.
    await data.row('Wafer_08012020_130000.csv').getByTestId('file-expand').click();
    const nameReasons = page.getByTestId('reasons-row').getByTestId('reason');
    await expect(nameReasons.first()).toHaveAttribute('data-code', 'name_pattern');
    await expect(nameReasons.first()).toContainText('"wafer"');
    await data.row('Wafer_08012020_130000.csv').getByTestId('file-expand').click();
    await expect(page.getByTestId('reasons-row')).toHaveCount(0);

    // The text cell is located by row and column (keyboard: the expander is a button).
    await data.row('wafer_09012020_120000.csv').getByTestId('file-expand').focus();
    await page.keyboard.press('Enter');
    const textReason = page.locator('[data-testid="reason"][data-code="non_numeric_value"]');
    await expect(textReason).toBeVisible();
    await expect(textReason).toContainText('Row 3');
    await expect(textReason).toContainText('Sensor');
    await expect(textReason).toContainText('abc');

    // Filters and search narrow the list.
    await page.getByTestId('status-filter').selectOption('good');
    await expect(data.rows()).toHaveCount(1);
    await page.getByTestId('status-filter').selectOption('bad');
    await expect(data.rows()).toHaveCount(2);
    await page.getByTestId('file-search').fill('0901');
    await expect(data.rows()).toHaveCount(1);
    await page.getByTestId('file-search').fill('');
    await page.getByTestId('status-filter').selectOption('');
    await expect(data.rows()).toHaveCount(3);
    await app.screenshot('data-results');

    // A quarantined file exports unchanged.
    const download = page.waitForEvent('download');
    await data.row('wafer_09012020_120000.csv').getByTestId('export-quarantined').click();
    expect((await download).suggestedFilename()).toBe('wafer_09012020_120000.csv');

    await page.getByTestId('theme-toggle').click();
    await app.screenshot('data-results-dark');
  });

  test('the same file dropped twice is a duplicate the second time', async ({ app, page }) => {
    const data = new DataPageObject(app, page);
    await app.goto('data');
    await expect(page.getByTestId('data-empty')).toBeVisible();
    const file = { name: 'wafer_08012020_120000.csv', text: batchCsv(4, 9) };
    await data.drop([file]);
    await data.expectResult('succeeded');
    await expect(page.getByTestId('result-good')).toHaveText('1 good');
    await data.drop([file]);
    await data.expectResult('succeeded');
    await expect(page.getByTestId('result-duplicate')).toHaveText('1 duplicate');
    await expect(data.rows()).toHaveCount(1);
  });

  test('an empty workspace offers the sample data, which imports with good and quarantined files', async ({ app, page }) => {
    const data = new DataPageObject(app, page);
    await app.goto('data');
    await expect(page.getByTestId('data-empty')).toBeVisible();
    await app.screenshot('data-empty');
    await page.getByTestId('load-sample').click();
    await data.expectResult('succeeded');
    await expect(page.getByTestId('data-empty')).toHaveCount(0);
    await expect.poll(() => data.rows().count()).toBeGreaterThan(1);
    await expect(page.locator('[data-testid="file-row"][data-status="good"]').first()).toBeVisible();
    await expect(page.locator('[data-testid="file-row"][data-status="bad"]').first()).toBeVisible();
    expect(Number(await page.getByTestId('summary-bad').textContent())).toBeGreaterThan(0);
    // Expand every bad file: each shows at least one coded reason.
    await page.getByTestId('status-filter').selectOption('bad');
    await expect(page.locator('[data-testid="file-row"][data-status="good"]')).toHaveCount(0);
    const bad = await data.rows().count();
    for (let i = 0; i < bad; i++) await data.rows().nth(i).getByTestId('file-expand').click();
    await expect(page.getByTestId('reasons-row')).toHaveCount(bad);
    await expect(page.locator('[data-testid="reason"][data-code="column_all_missing"] [data-testid="reason-columns"]')).toBeVisible();
    await app.screenshot('data-sample-reasons');
  });

  test('a long import shows progress and Cancel leaves the file list unchanged', async ({ app, page, served }) => {
    const data = new DataPageObject(app, page);
    const dir = join(served.dir, 'batches');
    mkdirSync(dir, { recursive: true });
    const first = join(dir, 'wafer_07012020_120000.csv');
    writeFileSync(first, batchCsv(5, 100));
    // 40 files of 3,000 wafers (about 300 MB): several seconds of work, so Cancel lands mid-import.
    const big: string[] = [];
    for (let f = 0; f < 40; f++) {
      const path = join(dir, `wafer_${String((f % 28) + 1).padStart(2, '0')}022021_${String(100000 + f)}.csv`);
      writeFileSync(path, batchCsv(3000, f));
      big.push(path);
    }
    await app.goto('data');
    await page.getByTestId('file-input').setInputFiles(first);
    await data.expectResult('succeeded');
    await expect(data.rows()).toHaveCount(1);

    await page.getByTestId('file-input').setInputFiles(big);
    await expect(page.getByTestId('import-panel')).toBeVisible();
    await expect(page.getByTestId('import-stage')).toContainText('importing');
    await expect(page.getByTestId('file-progress')).toBeVisible();
    await expect(page.getByTestId('job-chip')).toBeVisible();
    await app.screenshot('data-import-progress');
    await page.getByTestId('import-cancel').click();
    await data.expectResult('cancelled');
    await expect(page.getByTestId('job-chip')).toHaveCount(0);
    await expect(data.rows()).toHaveCount(1);
    await expect(data.row('wafer_07012020_120000.csv')).toBeVisible();
    await expect(page.getByTestId('summary-good')).toHaveText('1');
    await expect(page.getByTestId('summary-bad')).toHaveText('0');
    await expect(page.getByTestId('summary-rows')).toHaveText('5');
  });
});
