/**
 * The dashboard's files (plain HTML, CSS and ES modules; no build step), read once from the
 * package. They hold no job data, so they are served without a token; the page reads its token
 * from the URL fragment (never sent to a server) and calls the API with it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from './package-files';
import type { Route } from './routes';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Headers of every dashboard file: no inline script, nothing from other origins, no framing. */
export const DASHBOARD_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** `src/serve/dashboard` of this package, found from the compiled or source location. */
export function dashboardDir(): string {
  return join(packageRoot(), 'src', 'serve', 'dashboard');
}

/** `GET /` (the page), `GET /assets/<file>` and `GET /favicon.ico`, from files loaded once at start. */
export function dashboardRoutes(dir = dashboardDir()): Route[] {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { type, body: readFileSync(join(dir, name)) });
  }
  const send = (name: string) => (ctx: Parameters<Route['handle']>[0]) => {
    const file = files.get(name);
    if (!file) {
      ctx.res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    ctx.res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', ...DASHBOARD_HEADERS, 'content-length': String(file.body.length) });
    ctx.res.end(ctx.req.method === 'HEAD' ? undefined : file.body);
  };
  return [
    { method: 'GET', path: '/', auth: 'self', handle: send('index.html') },
    { method: 'GET', path: '/assets/:file', auth: 'self', handle: (ctx) => send(ctx.params.file!)(ctx) },
    // Browsers ask for it on every page; without this route it was a 401 in every load's log.
    { method: 'GET', path: '/favicon.ico', auth: 'self', handle: send('favicon.svg') },
  ];
}
