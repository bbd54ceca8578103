/**
 * Where things live when no one says otherwise: the same per-user folder Electron's userData uses, so
 * the app, the CLI and `serve` share one default workspace. WFS_WORKSPACE overrides it (tests use it).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const PRODUCT_DIR = 'Wafer Fault Studio';

export function userDataDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), PRODUCT_DIR);
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_DIR);
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), PRODUCT_DIR);
}

export function defaultWorkspacePath(): string {
  const fromEnv = process.env.WFS_WORKSPACE;
  if (fromEnv) return resolve(fromEnv);
  return join(userDataDir(), 'workspace.sqlite');
}

/** The built renderer (out/renderer), found from the bundle (out/main) or the source tree. */
export function rendererDir(): string | null {
  const candidates = [
    typeof __dirname === 'string' ? join(__dirname, '../renderer') : '',
    join(process.cwd(), 'out/renderer'),
    typeof __dirname === 'string' ? join(__dirname, '../../../out/renderer') : '',
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/** The app's bundled resources (sample data, report assets), from the bundle or the source tree. */
export function resourcesDir(): string {
  const candidates = [
    typeof __dirname === 'string' ? join(__dirname, '../../resources') : '',
    typeof __dirname === 'string' ? join(__dirname, '../../../resources') : '',
    join(process.cwd(), 'resources'),
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(dir)) ?? join(process.cwd(), 'resources');
}
