/**
 * The worker's Prometheus endpoint: the Temporal Runtime's exporter (SDK metrics plus the
 * project's, see ./metrics.ts), off unless `GEMINI_JOBS_METRICS_ADDRESS` is set.
 *
 * The Runtime's exporter cannot authenticate, so it only ever binds to loopback. A loopback
 * address is served by it directly (reachable only from this host: a sidecar, an agent, a
 * port-forward). Any other address needs `GEMINI_JOBS_METRICS_TOKEN`: the exporter then binds to
 * a free loopback port and a small server on the requested address answers `GET /metrics` only
 * to `Authorization: Bearer <token>` (Prometheus `authorization: { credentials: … }`), comparing
 * in constant time. The token is never logged.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, isIP } from 'node:net';
import { ConfigError } from '../common/errors';

/** A bad metrics setting, named with its fix. */
export class MetricsConfigError extends ConfigError {}

export interface MetricsSettings {
  host: string;
  port: number;
  /** Required unless `host` is loopback. */
  token?: string;
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/** Settings from `GEMINI_JOBS_METRICS_ADDRESS` (`host:port`) and `GEMINI_JOBS_METRICS_TOKEN`; undefined when off. */
export function resolveMetricsSettings(env: NodeJS.ProcessEnv = process.env): MetricsSettings | undefined {
  const address = env.GEMINI_JOBS_METRICS_ADDRESS?.trim();
  if (!address) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new MetricsConfigError(`GEMINI_JOBS_METRICS_ADDRESS must be host:port, e.g. 127.0.0.1:9464 (got ${JSON.stringify(address)})`);
  }
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const token = env.GEMINI_JOBS_METRICS_TOKEN?.trim() || undefined;
  if (!isLoopbackHost(host)) {
    if (!token) {
      throw new MetricsConfigError(
        `GEMINI_JOBS_METRICS_ADDRESS ${address} is reachable beyond this host: set GEMINI_JOBS_METRICS_TOKEN (callers send Authorization: Bearer <token>), or bind to 127.0.0.1 behind your own proxy`,
      );
    }
    if (token.length < 16) throw new MetricsConfigError('GEMINI_JOBS_METRICS_TOKEN must be at least 16 characters');
  }
  return token ? { host, port, token } : { host, port };
}

/** A free TCP port on 127.0.0.1 (the exporter needs a concrete port). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Where the Runtime's exporter binds: the requested loopback address, else a free loopback port. */
export async function exporterBindAddress(settings: MetricsSettings): Promise<string> {
  if (isLoopbackHost(settings.host) && !settings.token) {
    const port = settings.port === 0 ? await freeLoopbackPort() : settings.port;
    return `${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  }
  return `127.0.0.1:${await freeLoopbackPort()}`;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** True when the request's `Authorization: Bearer` matches `token` (constant-time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!.trim()), digest(token));
}

/**
 * Serves `GET /metrics` on `host:port` to callers with the bearer token, relaying the loopback
 * exporter at `upstream`. Everything else: 401 without a valid token, 404 for other paths.
 */
export async function startAuthenticatedMetricsServer(
  settings: MetricsSettings & { token: string },
  upstream: string,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const [upHost, upPort] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const server = createHttpServer((req, res) => {
    if (!bearerMatches(req.headers.authorization, settings.token)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="gemini-jobs metrics"', 'content-type': 'text/plain' }).end('unauthorized\n');
      return;
    }
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const up = httpRequest({ host: upHost, port: upPort, path: '/metrics', method: 'GET', timeout: 10_000 }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, { 'content-type': upRes.headers['content-type'] ?? 'text/plain; version=0.0.4' });
      upRes.pipe(res);
    });
    up.on('timeout', () => up.destroy(new Error('upstream timeout')));
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('metrics exporter unavailable\n');
    });
    up.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
