/**
 * E2E fixtures: each test gets its own temporary workspace and its own `serve` process, and the page
 * opens only once the app marks itself ready (body[data-ready]) — no sleeps.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
export const SCREENSHOTS = join(ROOT, 'test-results/screenshots');

export interface Served {
  url: string;
  origin: string;
  token: string;
  dir: string;
  workspace: string;
  /** Calls the API the way scripts do (Bearer token). */
  invoke<T = unknown>(channel: string, input?: unknown): Promise<T>;
}

async function startServe(dir: string): Promise<{ served: Served; child: ChildProcess }> {
  const workspace = join(dir, 'workspace.sqlite');
  const child = spawn(process.execPath, [join(ROOT, 'bin/wafer-studio.cjs'), 'serve', '--workspace', workspace, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const info = await new Promise<{ url: string; origin: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        const parsed = JSON.parse(out) as { url: string; origin: string };
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // not the whole document yet
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  const token = new URL(info.url).searchParams.get('token')!;
  const served: Served = {
    ...info,
    token,
    dir,
    workspace,
    async invoke<T>(channel: string, input: unknown = {}) {
      const res = await fetch(`${info.origin}/api/invoke/${channel}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
      if (!body.ok) throw new Error(body.error?.message);
      return body.value as T;
    },
  };
  return { served, child };
}

export class AppPage {
  constructor(readonly page: Page) {}
  async goto(pageId: string) {
    await this.page.getByTestId(`nav-${pageId}`).click();
    await expect(this.page.locator('#page-title')).toBeVisible();
  }
  async screenshot(name: string) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  }
}

export const test = base.extend<{ served: Served; app: AppPage }>({
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'wfs-e2e-'));
    const { served, child } = await startServe(dir);
    await use(served);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  },
  app: async ({ page, served }, use) => {
    await page.goto(served.url);
    await expect(page.locator('body[data-ready="true"]')).toBeAttached();
    await use(new AppPage(page));
  },
});

export { expect };
