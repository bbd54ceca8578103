import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, isAllowedNavigation, isAllowedRequest, WEB_PREFERENCES } from '../../src/main/shell/security-policy';

describe('window security settings', () => {
  it('isolates the renderer: contextIsolation and sandbox on, no Node integration anywhere', () => {
    expect(WEB_PREFERENCES.contextIsolation).toBe(true);
    expect(WEB_PREFERENCES.sandbox).toBe(true);
    expect(WEB_PREFERENCES.nodeIntegration).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInSubFrames).toBe(false);
    expect(WEB_PREFERENCES.webSecurity).toBe(true);
    expect(WEB_PREFERENCES.webviewTag).toBe(false);
  });

  it('blocks navigation away from the app page', () => {
    const app = 'file:///opt/wfs/out/renderer/index.html';
    expect(isAllowedNavigation('file:///opt/wfs/out/renderer/index.html#/logs', app)).toBe(true);
    expect(isAllowedNavigation('https://example.com/', app)).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd', app)).toBe(false);
    expect(isAllowedNavigation('not a url', app)).toBe(false);
  });

  it('loads no remote content', () => {
    expect(isAllowedRequest('file:///opt/wfs/out/renderer/assets/index.js', undefined)).toBe(true);
    expect(isAllowedRequest('https://cdn.example.com/plotly.js', undefined)).toBe(false);
    expect(isAllowedRequest('http://127.0.0.1:5173/src/main.tsx', 'http://127.0.0.1:5173')).toBe(true);
  });

  it('has a strict CSP: only our own scripts, no eval, no plugins, no framing', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval/);
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    const html = readFileSync(join(__dirname, '../../src/renderer/index.html'), 'utf8');
    expect(html).toMatch(/http-equiv="Content-Security-Policy"[\s\S]*script-src 'self'/);
    expect(html).not.toMatch(/unsafe-eval|https?:\/\//);
  });

  it('the preload exposes only invoke, on and the dropped-file path', () => {
    const src = readFileSync(join(__dirname, '../../src/preload/index.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    expect(src).toMatch(/exposeInMainWorld\('wfs', bridge\)/);
    expect(src).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(src).not.toMatch(/process\.env/);
    const bridgeBody = src.slice(src.indexOf('const bridge = {'), src.indexOf('} satisfies PreloadBridge'));
    const members = [...bridgeBody.matchAll(/^ {2}(\w+)[<(]/gm)].map((m) => m[1]);
    expect(members).toEqual(['invoke', 'on', 'pathForFile']);
  });
});
