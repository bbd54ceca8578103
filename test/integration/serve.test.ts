import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/main/services';
import { closeAppContext, openAppContext, type AppContext } from '../../src/main/services/context';
import { startServer, stagingDir, CONTENT_SECURITY_POLICY, type RunningServer } from '../../src/main/host/serve';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

let ctx: AppContext;
let server: RunningServer;
let rendererDir: string;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wfs-serve-'));
  rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
  ctx = openAppContext({ workspacePath: join(dir, 'w.sqlite'), host: 'serve', poolSize: 1, diagnostics: true });
  server = await startServer({ ctx, registry: createRegistry(), rendererDir });
});
afterAll(async () => {
  await server.close();
  await closeAppContext(ctx);
});

const auth = () => ({ Authorization: `Bearer ${server.token}` });

describe('serve', () => {
  it('binds 127.0.0.1 and prints a URL carrying the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
  });

  it('answers 401 to any request without the token', async () => {
    for (const [path, method] of [
      ['/', 'GET'],
      ['/assets/app.js', 'GET'],
      ['/api/invoke/app/info', 'POST'],
      ['/api/events', 'GET'],
      ['/api/upload?name=a.csv', 'POST'],
    ] as const) {
      const res = await fetch(`${server.origin}${path}`, { method });
      expect(res.status, path).toBe(401);
    }
    const wrong = await fetch(`${server.origin}/api/invoke/app/info`, { method: 'POST', headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('serves the page with the token, sets a strict cookie and the CSP', async () => {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const api = await fetch(`${server.origin}/api/invoke/app/info`, { method: 'POST', headers: { cookie }, body: '{}' });
    expect(((await api.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('refuses cross-origin calls even with the cookie', async () => {
    const res = await fetch(`${server.origin}/api/invoke/app/info`, {
      method: 'POST',
      headers: { ...auth(), Origin: 'http://evil.example' },
      body: '{}',
    });
    expect(res.status).toBe(403);
  });

  it('validates input like IPC does', async () => {
    const res = await fetch(`${server.origin}/api/invoke/logs/list`, { method: 'POST', headers: auth(), body: '{"limit":-1}' });
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('streams job progress as server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.origin}/api/events`, { headers: auth(), signal: controller.signal });
    const reader = res.body!.getReader();
    const job = ctx.jobs.start('diag', 'SSE count', (h) => h.runTask('diag/count', { steps: 3, stepMs: 10 }));
    let text = '';
    while (!text.includes('"status":"succeeded"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toContain('event: jobs/changed');
    expect(text).toContain(job.id);
  });

  it('stages uploads inside the staging folder whatever the name says', async () => {
    const res = await fetch(`${server.origin}/api/upload?name=${encodeURIComponent('../../evil.csv')}&dir=${encodeURIComponent('../x')}`, {
      method: 'POST',
      headers: auth(),
      body: 'a,b\n1,2\n',
    });
    const body = (await res.json()) as { ok: boolean; value: { path: string } };
    expect(body.ok).toBe(true);
    expect(body.value.path.startsWith(stagingDir(ctx))).toBe(true);
    expect(existsSync(body.value.path)).toBe(true);
  });

  it('downloads only files inside the staging folder', async () => {
    const outside = await fetch(`${server.origin}/api/download?path=${encodeURIComponent(ctx.workspacePath)}`, { headers: auth() });
    expect(outside.status).toBe(404);
  });
});
