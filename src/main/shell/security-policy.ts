/**
 * The window's security settings as plain data (no 'electron' import), so tests can check each one
 * without an Electron binary. The shell applies exactly these.
 */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  spellcheck: false,
} as const;

/** Navigation is allowed only within the app's own page; everything else is refused. */
export function isAllowedNavigation(target: string, appUrl: string): boolean {
  try {
    const t = new URL(target);
    const a = new URL(appUrl);
    if (a.protocol === 'file:') return t.protocol === 'file:' && t.pathname === a.pathname;
    return t.origin === a.origin;
  } catch {
    return false;
  }
}

/** Remote content is never loaded: only the app's own files (and the dev server while developing). */
export function isAllowedRequest(url: string, devServerUrl: string | undefined): boolean {
  if (url.startsWith('file:') || url.startsWith('devtools:') || url.startsWith('data:') || url.startsWith('blob:')) {
    return true;
  }
  return devServerUrl !== undefined && url.startsWith(devServerUrl);
}

export { CONTENT_SECURITY_POLICY } from '../host/serve';
