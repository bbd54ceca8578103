/**
 * Training and Models in Chromium through `serve`: a user edits the training config (small grids so the
 * run is quick), analyses the regimes and sees the elbow chart with the knee, trains, reads the
 * per-cluster results, then approves the new model version with a comment and promotes it to
 * Production, and the audit trail records each transition.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, type AppPage, type Served } from './fixtures';

interface Job {
  id: string;
  status: string;
  finishedAt: string | null;
  error: { message: string } | null;
}

/** Imports the bundled sample batches through the API and waits for the import job to end. */
async function importSample(served: Served): Promise<void> {
  const { jobId } = await served.invoke<{ jobId: string }>('data/load-sample');
  await expect
    .poll(async () => (await served.invoke<Job>('jobs/get', { id: jobId })).finishedAt !== null, {
      timeout: 60_000,
    })
    .toBe(true);
  const job = await served.invoke<Job>('jobs/get', { id: jobId });
  expect(job.status, job.error?.message).toBe('succeeded');
}

class TrainingPageObject {
  constructor(
    readonly app: AppPage,
    readonly page: Page,
  ) {}
  field(path: string) {
    return this.page.getByTestId(`cfg-${path.replace(/\./g, '-')}`);
  }
  async set(path: string, value: string) {
    await this.field(path).fill(value);
  }
  elbowChart() {
    return this.page.getByTestId('train-panel').getByTestId('elbow-chart');
  }
  runRow(status: string) {
    return this.page.locator(`[data-testid="run-row"][data-status="${status}"]`);
  }
}

class ModelsPageObject {
  constructor(readonly page: Page) {}
  detail() {
    return this.page.getByTestId('version-detail');
  }
  async act(action: string, comment?: string) {
    if (comment !== undefined) await this.page.getByTestId('model-comment').fill(comment);
    await this.page.getByTestId(`model-${action}`).click();
    await expect(this.page.getByTestId('model-done')).toBeVisible();
  }
}

test.describe('Training and Models pages', () => {
  test('a user trains on imported data, sees the elbow and per-cluster results, approves and promotes', async ({
    app,
    page,
    served,
  }) => {
    test.setTimeout(300_000);
    await importSample(served);
    const training = new TrainingPageObject(app, page);
    await app.goto('training');

    // No run yet, so the config editor is open. A bad value is flagged beside its field, live.
    await expect(page.getByTestId('config-editor')).toBeVisible();
    await training.set('clusters.kMax', '1');
    await expect(page.locator('#cfg-clusters-kMax-err')).toContainText('kMin must be less than kMax');
    await expect(page.getByTestId('config-save')).toBeDisabled();
    await training.set('clusters.kMax', '6');
    await training.set('cvFolds', '3');
    await training.set('gates.minAccuracy', '0.5');
    await training.set('gates.minF1', '');
    await training.set('gates.minRecall', '');
    await training.set('gates.minRocAuc', '0.5');
    await page.getByText('Advanced: hyper-parameter grids').click();
    await page
      .getByTestId('cfg-grids')
      .fill(
        'gbm:\n  learningRate: [0.1]\n  maxDepth: [3]\n  nEstimators: [20, 40]\nforest:\n  nEstimators: [20]\n  maxDepth: [3]\n  maxFeatures: [sqrt]\n',
      );
    await expect(page.getByTestId('cfg-grids')).toHaveAttribute('aria-invalid', 'false');
    await page.getByTestId('config-note').fill('small grids for the end-to-end test');
    await page.getByTestId('config-save').click();
    await expect(page.getByTestId('config-message')).toContainText('Saved as version 1');
    await expect(page.getByTestId('config-version')).toHaveText('version 1');
    await app.screenshot('training-config');
    await page.getByTestId('config-toggle').click();
    await expect(page.getByTestId('config-editor')).toBeHidden();

    // Regimes: the elbow chart draws with the knee marked and annotated.
    await page.getByTestId('analyse-regimes').click();
    const chart = training.elbowChart();
    await expect(chart.locator('.js-plotly-plot')).toBeVisible();
    await expect(chart.locator('.scatterlayer .trace')).not.toHaveCount(0);
    const knee = (await page.getByTestId('elbow-knee').textContent()) ?? '';
    const kneeK = /k = (\d+)/.exec(knee)?.[1];
    if (kneeK) {
      await expect(chart.locator('.annotation-text')).toHaveText(`knee k = ${kneeK}`);
      // The knee is its own trace (a diamond), distinct from the WCSS line.
      await expect(chart.locator('.scatterlayer .trace')).toHaveCount(2);
      await expect(page.getByTestId('pick-k')).toHaveValue(kneeK);
    }
    // Training continues with the k the user leaves selected.
    const pick = await page.getByTestId('pick-k').inputValue();
    await expect(page.getByTestId('train-start')).toHaveText(`Train with k = ${pick}`);
    await chart.scrollIntoViewIfNeeded();
    await app.screenshot('training-elbow');

    // Train: the run appears, succeeds, and opens with its per-cluster results.
    await page.getByTestId('train-start').click();
    await expect(training.runRow('succeeded')).toHaveCount(1, { timeout: 240_000 });
    await expect(page.getByTestId('train-notice')).toContainText('Training finished');
    const detail = page.getByTestId('run-detail');
    await expect(detail).toBeVisible();
    await expect(detail.getByTestId('cluster-table')).toBeVisible();
    await expect(detail.locator('[data-testid="cluster-row"][data-cluster^="Cluster"]')).toHaveCount(
      Number(pick),
    );
    await expect(detail.getByTestId('metric-accuracy')).toContainText('fail rate');
    await expect(detail.getByTestId('gates-table')).toBeVisible();
    await expect(detail.getByTestId('confusion-matrix')).toBeVisible();
    await detail.getByTestId('cluster-table').scrollIntoViewIfNeeded();
    await app.screenshot('training-run');

    await detail.getByTestId('run-tab-charts').click();
    await expect(detail.getByTestId('roc-chart').locator('.js-plotly-plot')).toBeVisible();
    await expect(detail.getByTestId('pr-chart').locator('.js-plotly-plot')).toBeVisible();
    await detail.getByTestId('pr-chart').scrollIntoViewIfNeeded();
    await app.screenshot('training-curves');

    // Models: the version waits for approval; promotion is explained as unavailable until approved.
    await app.goto('models');
    const models = new ModelsPageObject(page);
    await expect(page.getByTestId('version-row')).toHaveCount(1);
    const status = models.detail().getByTestId('version-status');
    const gatesPassed =
      (await page.getByTestId('version-row').getAttribute('data-status')) === 'pending_approval';
    expect(gatesPassed, 'the small-grid model should pass the lowered gates').toBe(true);
    await expect(status).toHaveText('pending approval');
    await expect(page.getByTestId('model-promote-production')).toBeDisabled();
    await expect(page.getByTestId('why-promote-production')).toContainText('approve it first');

    await models.act('approve', 'Checked the per-cluster results against last month');
    await expect(status).toHaveText('approved');
    await models.act('promote-production', 'Go live on line 3');
    await expect(models.detail().getByTestId('stage-production')).toHaveText('Production');
    await expect(page.getByTestId('version-row').getByTestId('stage-production')).toBeVisible();
    await expect(page.getByTestId('production-version')).toHaveText('v1');

    const trail = models.detail().getByTestId('audit-trail');
    await expect(trail.locator('[data-action*="approve"]')).toContainText('Checked the per-cluster results');
    await expect(trail.locator('[data-action*="promote"]')).toContainText('Go live on line 3');
    await expect(trail.locator('[data-action*="promote"]')).toContainText('production');
    await app.screenshot('models-detail');
    await trail.scrollIntoViewIfNeeded();
    await app.screenshot('models-audit');

    // Another k, picked by the user, gives a second run; the comparison highlights what differs.
    await app.goto('training');
    const other = pick === '2' ? '3' : '2';
    await page.getByTestId('pick-k').selectOption(other);
    await expect(page.getByTestId('train-start')).toHaveText(`Train with k = ${other}`);
    await page.getByTestId('train-start').click();
    await expect(training.runRow('succeeded')).toHaveCount(2, { timeout: 240_000 });
    await page.getByTestId('run-compare-1').check();
    await page.getByTestId('run-compare-2').check();
    await page.getByTestId('compare-runs').click();
    const compare = page.getByTestId('compare-table');
    const field = (name: string) =>
      compare
        .locator('tr')
        .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${name}$`) }) });
    await expect(field('k')).toHaveAttribute('data-differs', 'true');
    await expect(field('fingerprint')).toHaveAttribute('data-differs', 'false');
    await page.getByTestId('compare-only-diff').check();
    await expect(compare.locator('tr[data-differs="false"]')).toHaveCount(0);
    await compare.scrollIntoViewIfNeeded();
    await app.screenshot('training-compare');

    // The charts follow the theme.
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('run-detail').scrollIntoViewIfNeeded();
    await app.screenshot('training-dark');
  });
});

test.describe('Models page actions', () => {
  test('a rejection needs a comment; a version exports to a file and imports back as a new version', async ({
    app,
    page,
    served,
  }) => {
    test.setTimeout(300_000);
    await importSample(served);
    // Set up through the API the way a script would: a quick config and one training run.
    await served.invoke('training/config-save', {
      config: {
        cvFolds: 2,
        clusters: { mode: 'fixed', k: 2 },
        families: {
          gbm: { enabled: true, grid: { nEstimators: [10], maxDepth: [3] } },
          forest: { enabled: false },
        },
        gates: { minAccuracy: 0.5, minF1: null, minRecall: null, minRocAuc: null, minPrAuc: null },
      },
    });
    const { jobId } = await served.invoke<{ jobId: string }>('training/start', {});
    await expect
      .poll(async () => (await served.invoke<Job>('jobs/get', { id: jobId })).status, { timeout: 240_000 })
      .toBe('succeeded');

    await app.goto('models');
    const models = new ModelsPageObject(page);
    await expect(models.detail()).toHaveAttribute('data-version', '1');
    await expect(page.getByTestId('model-reject')).toBeDisabled();
    await expect(page.getByTestId('why-reject')).toContainText('needs a reason');
    await page.getByTestId('model-comment').fill('Recall too low on line 2');
    await expect(page.getByTestId('model-reject')).toBeEnabled();

    const download = page.waitForEvent('download');
    await page.getByTestId('model-export').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('wafer-model-v1.wfsmodel');
    // Saved under its own name, as a user's browser would (Playwright's copy has a random one).
    const saved = join(served.dir, file.suggestedFilename());
    await file.saveAs(saved);

    await models.act('reject');
    await expect(models.detail().getByTestId('version-status')).toHaveText('rejected');
    await expect(models.detail().getByTestId('audit-trail').locator('[data-action*="reject"]')).toContainText(
      'Recall too low on line 2',
    );

    // The exported file comes back as a new version waiting for approval.
    await page.getByTestId('models-import').setInputFiles(saved);
    await expect(page.getByTestId('version-row')).toHaveCount(2);
    await expect(models.detail()).toHaveAttribute('data-version', '2');
    await expect(models.detail().getByTestId('version-status')).not.toHaveText('rejected');
    await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toHaveText(
      'Imported wafer-model-v1.wfsmodel as version 2; it waits for approval.',
    );
    await app.screenshot('models-imported');
  });
});
