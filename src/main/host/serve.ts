/**
 * `serve`: the built renderer and the same API over HTTP on 127.0.0.1, with server-sent events for
 * progress. A random token is made per start; every request must carry it (the first page load as
 * ?token=, which sets an HttpOnly SameSite=Strict cookie; scripts may send `Authorization: Bearer`).
 * A request without it gets 401. This is how the UI is tested in a real browser and how engineers
 * script the app.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../services/context';
import type { HandlerRegistry } from '../services/registry';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // plotly.js injects its own <style> elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  ctx: AppContext;
  registry: HandlerRegistry;
  port?: number;
  rendererDir: string | null;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

export function stagingDir(ctx: AppContext): string {
  return join(dirname(ctx.workspacePath), '.wfs-staging');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBuf = Buffer.from(token);
  const { ctx, registry } = options;
  const sseClients = new Set<ServerResponse>();
  const unsubscribe = ctx.events.subscribe((event, payload) => {
    const data = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const res of sseClients) res.write(data);
  });

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const candidates: string[] = [];
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) candidates.push(header.slice(7));
    const cookie = /(?:^|;\s*)wfs_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (cookie) candidates.push(decodeURIComponent(cookie));
    const query = url.searchParams.get('token');
    if (query) candidates.push(query);
    return candidates.some((c) => {
      const buf = Buffer.from(c);
      return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
    });
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: String(error) } });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // A page on another origin must not be able to drive this API through the user's cookie.
    const origin = req.headers.origin;
    const host = req.headers.host ?? '';
    if (origin && origin !== `http://${host}`) {
      sendJson(res, 403, { ok: false, error: { code: 'unauthorized', message: 'Cross-origin requests are refused.' } });
      return;
    }
    if (!authorized(req, url)) {
      sendJson(res, 401, {
        ok: false,
        error: { code: 'unauthorized', message: 'This server needs its access token: open the URL that `serve` printed.' },
      });
      return;
    }
    if (url.searchParams.has('token')) {
      res.setHeader('Set-Cookie', `wfs_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    if (url.pathname.startsWith('/api/invoke/') && req.method === 'POST') {
      const channel = decodeURIComponent(url.pathname.slice('/api/invoke/'.length));
      let input: unknown;
      try {
        const body = await readBody(req, 16 * 1024 * 1024);
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        sendJson(res, 400, { ok: false, error: { code: 'invalid_input', message: 'The request body is not JSON.' } });
        return;
      }
      sendJson(res, 200, await registry.dispatch(ctx, channel, input));
      return;
    }
    if (url.pathname === '/api/events' && req.method === 'GET') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      const keepAlive = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => {
        clearInterval(keepAlive);
        sseClients.delete(res);
      });
      return;
    }
    if (url.pathname === '/api/upload' && req.method === 'POST') {
      // Browsers cannot hand us a path for a dropped file: the bytes are staged beside the workspace.
      const name = basename(url.searchParams.get('name') ?? '');
      const relDir = (url.searchParams.get('dir') ?? '').split(/[\\/]/).filter((p) => p && p !== '..' && p !== '.');
      if (!name || name === '.' || name === '..') {
        sendJson(res, 400, { ok: false, error: { code: 'invalid_input', message: 'Upload needs a file name.' } });
        return;
      }
      const batch = /^[\w-]{1,64}$/.test(url.searchParams.get('batch') ?? '') ? url.searchParams.get('batch')! : randomUUID();
      const dir = join(stagingDir(ctx), batch, ...relDir);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, name);
      await pipeline(req, createWriteStream(path));
      sendJson(res, 200, { ok: true, value: { path, batch } });
      return;
    }
    if (url.pathname.startsWith('/api/download') && req.method === 'GET') {
      const path = url.searchParams.get('path') ?? '';
      const root = resolve(stagingDir(ctx));
      const full = resolve(path);
      if (!full.startsWith(root + sep) || !existsSync(full)) {
        sendJson(res, 404, { ok: false, error: { code: 'not_found', message: 'No such export.' } });
        return;
      }
      const name = url.searchParams.get('name') ?? basename(full);
      res.writeHead(200, {
        'Content-Type': MIME[extname(full)] ?? 'application/octet-stream',
        'Content-Length': statSync(full).size,
        'Content-Disposition': `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`,
      });
      createReadStream(full).pipe(res);
      return;
    }
    if (req.method === 'GET' && options.rendererDir) {
      serveStatic(options.rendererDir, url.pathname, res);
      return;
    }
    sendJson(res, 404, { ok: false, error: { code: 'not_found', message: `Nothing at ${url.pathname}.` } });
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  ctx.log.info(`Serving on ${origin}`, { port });
  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    origin,
    token,
    port,
    close: async () => {
      unsubscribe();
      for (const res of sseClients) res.end();
      sseClients.clear();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function serveStatic(root: string, pathname: string, res: ServerResponse): void {
  const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  let file = resolve(root, rel || 'index.html');
  if (!file.startsWith(resolve(root))) file = join(root, 'index.html');
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  const type = MIME[extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'Content-Type': type };
  if (type.startsWith('text/html')) {
    headers['Content-Security-Policy'] = CONTENT_SECURITY_POLICY;
    headers['Cache-Control'] = 'no-store';
  }
  res.writeHead(200, headers);
  createReadStream(file).pipe(res);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
