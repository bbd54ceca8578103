import { test, expect } from './fixtures';

test.describe('app shell in Chromium through serve', () => {
  test('the API refuses a request without the token', async ({ served }) => {
    const res = await fetch(`${served.origin}/api/invoke/app/info`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
    const page = await fetch(`${served.origin}/`);
    expect(page.status).toBe(401);
  });

  test('every page is reachable from the navigation and says what it holds', async ({ app, page }) => {
    for (const id of ['data', 'schemas', 'training', 'models', 'predict', 'monitor', 'logs']) {
      await app.goto(id);
      await expect(page).toHaveURL(new RegExp(`#/${id}$`));
      await expect(page.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page');
      await app.screenshot(`page-${id}`);
    }
    await expect(page.locator('.statusbar')).toContainText('workspace.sqlite');
  });

  test('navigation and the theme switch work from the keyboard', async ({ app, page }) => {
    await app.goto('data');
    await page.getByTestId('nav-logs').focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#\/logs$/);
    const before = await page.locator('html').getAttribute('data-theme');
    await page.getByTestId('theme-toggle').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('html')).not.toHaveAttribute('data-theme', before ?? '');
    await app.screenshot('theme-switched');
  });

  test('the Logs page filters by level and component', async ({ app, page }) => {
    await app.goto('logs');
    const table = page.getByTestId('log-table');
    await expect(table).toContainText('Workspace opened');
    await page.getByTestId('log-component').selectOption('app');
    await expect(table.locator('tbody tr').first()).toContainText('app');
    await page.getByTestId('log-level-info').uncheck();
    await expect(table).not.toContainText('Workspace opened');
    await page.getByTestId('log-level-info').check();
    await expect(table).toContainText('Workspace opened');
  });
});
