/**
 * The schema editor in Chromium through `serve`: a column edit is checked live and saved as a new version
 * that survives a reload; the name-pattern preview and the reference JSON export/import work in the page.
 */
import type { Page } from '@playwright/test';
import { test, expect, type AppPage } from './fixtures';

class SchemasPageObject {
  constructor(
    readonly app: AppPage,
    readonly page: Page,
  ) {}
  version() {
    return this.page.getByTestId('schema-version');
  }
  column(index: number) {
    return this.page.locator(`[data-testid="column-row"][data-index="${index}"]`);
  }
  async open() {
    await this.app.goto('schemas');
    await expect(this.version()).toBeVisible();
  }
}

test.describe('Schemas page', () => {
  test('a column edit is validated live and saved as a new version', async ({ app, page }) => {
    const schemas = new SchemasPageObject(app, page);
    await schemas.open();
    await expect(schemas.version()).toHaveText('v1');
    await expect(page.getByTestId('column-row')).toHaveCount(592);
    await expect(page.getByTestId('number-of-columns')).toHaveValue('592');

    // A name that repeats another column's is flagged at the field and blocks saving.
    const name = schemas.column(3).getByTestId('column-name');
    await expect(name).toHaveValue('Sensor - 3');
    await name.fill('Sensor - 4');
    await expect(schemas.column(4)).toContainText('repeats the name "Sensor - 4" of column 4');
    await expect(page.getByTestId('schema-save')).toBeDisabled();

    await name.fill('Sensor - 3 (chamber pressure)');
    await schemas.column(4).getByTestId('column-type').selectOption('integer');
    await expect(page.getByTestId('schema-issues')).toHaveCount(0);
    await expect(page.getByTestId('schema-dirty')).toBeVisible();

    // Removing a column keeps NumberofColumns in step with the list.
    await page.getByTestId('column-filter').fill('Sensor - 590');
    await expect(page.getByTestId('column-row')).toHaveCount(1);
    await schemas.column(590).getByRole('button', { name: 'Remove column 591' }).click();
    await expect(page.getByTestId('number-of-columns')).toHaveValue('591');
    await page.getByTestId('column-filter').fill('');

    await page.getByTestId('schema-note').fill('Sensor 3 is the chamber pressure; 590 retired');
    await page.getByTestId('schema-save').click();
    await expect(page.getByTestId('schema-message')).toHaveText('Saved as version 2.');
    await expect(schemas.version()).toHaveText('v2');
    await expect(page.getByTestId('schema-version-row')).toHaveCount(2);
    await app.screenshot('schemas-editor');

    await page.reload();
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    await schemas.open();
    await expect(schemas.version()).toHaveText('v2');
    await expect(schemas.column(3).getByTestId('column-name')).toHaveValue('Sensor - 3 (chamber pressure)');
    await expect(schemas.column(4).getByTestId('column-type')).toHaveValue('integer');
    await expect(page.getByTestId('column-row')).toHaveCount(591);
  });

  test('the file-name preview follows the rule as it is edited', async ({ app, page }) => {
    const schemas = new SchemasPageObject(app, page);
    await schemas.open();
    await expect(page.getByTestId('name-pattern')).toHaveText('wafer_DDMMYYYY_HHMMSS.csv');
    const example = (name: string) => page.locator(`[data-testid="name-example"][data-name="${name}"]`);
    await page.getByTestId('extra-names').fill('Wafer_13012020_090000.csv\nwafer_13012020_090000.csv');
    await expect(example('Wafer_13012020_090000.csv')).toHaveAttribute('data-ok', 'false');
    await expect(example('wafer_13012020_090000.csv')).toHaveAttribute('data-ok', 'true');
    await page.getByTestId('case-insensitive').check();
    await expect(example('Wafer_13012020_090000.csv')).toHaveAttribute('data-ok', 'true');
    await page.getByTestId('date-length').fill('6');
    await expect(page.getByTestId('name-pattern')).toHaveText('wafer_DDDDDD_HHMMSS.csv');
    await expect(page.getByTestId('schemas-page')).toContainText('the schema expects 6');
    await page.getByTestId('schema-tab-prediction').click();
    await expect(page.getByTestId('label-column')).toHaveValue('');
    await page.getByTestId('theme-toggle').click();
    await app.screenshot('schemas-editor-dark');
  });

  test('the reference JSON exports through a download and imports back as a new version', async ({ app, page }) => {
    const schemas = new SchemasPageObject(app, page);
    await schemas.open();
    const download = page.waitForEvent('download');
    await page.getByTestId('schema-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('schema_training.json');
    const chunks: Buffer[] = [];
    for await (const c of (await file.createReadStream()) as AsyncIterable<Buffer>) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain('"SampleFileName": "wafer_08012020_120000.csv"');
    expect(text).toContain('"NumberofColumns" : 592');

    const edited = text.replace('"Sensor - 7"', '"Sensor - 7 (rf power)"');
    await page.getByTestId('schema-import-input').setInputFiles({
      name: 'schema_training.json',
      mimeType: 'application/json',
      buffer: Buffer.from(edited),
    });
    await expect(page.getByTestId('schema-message')).toHaveText('Imported schema_training.json as version 2.');
    await expect(schemas.version()).toHaveText('v2');
    await expect(schemas.column(7).getByTestId('column-name')).toHaveValue('Sensor - 7 (rf power)');
  });
});
