/**
 * `createJobsHttpHandler`: the HTTP face of `JobsClient` as one `(req, res)` function, mountable
 * on any Node HTTP server (or run by `gemini-jobs serve`). Every API route needs a bearer token;
 * bodies are size-limited JSON; errors are JSON with stable codes; the log gets method, route,
 * status and duration, never a header or a body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobsClient } from '../jobs/jobs-client';
import { TokenVerifier } from './auth';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './body';
import { HttpError, sendError } from './errors';
import { jobRoutes } from './job-routes';
import { openApiDocument } from './openapi';
import { matchRoute } from './routes';
import type { Route } from './routes';
import { dashboardRoutes } from './static-files';

export interface JobsHttpHandlerOptions {
  jobs: JobsClient;
  /** Accepted bearer tokens (at least one). */
  tokens: readonly string[];
  /** Extra routes, matched before the built-in ones (e.g. `nodeRoute('POST', '/webhooks/gemini', receiver, { auth: 'self' })`). */
  routes?: Route[];
  /** Largest request body, in bytes. Default 2 MiB. */
  maxBodyBytes?: number;
  /** Most SSE streams open at once. Default 200. */
  maxEventStreams?: number;
  /** Milliseconds between state reads of one event stream. Default 1 000. */
  watchPollIntervalMs?: number;
  /** Serve the dashboard at `/`. Default true. */
  dashboard?: boolean;
  /** One call per request: `{ method, route, status, code?, ms }`. Never headers or bodies. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface JobsHttpHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The route table in match order (for documentation and tests). */
  readonly routes: readonly Route[];
  /** Ends every open event stream (call before closing the server). */
  close(): void;
}

/** Builds the handler; throws `invalid_config` when no token is given. */
export function createJobsHttpHandler(options: JobsHttpHandlerOptions): JobsHttpHandler {
  const verifier = new TokenVerifier(options.tokens);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const shutdown = new AbortController();
  const api = jobRoutes({
    jobs: options.jobs,
    maxEventStreams: options.maxEventStreams ?? 200,
    watchPollIntervalMs: options.watchPollIntervalMs ?? 1_000,
    signal: shutdown.signal,
  });
  const openApi: Route = {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    handle(ctx) {
      ctx.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
      ctx.res.end(JSON.stringify(openApiDocument()));
    },
  };
  const routes: Route[] = [...(options.routes ?? []), openApi, ...api, ...(options.dashboard === false ? [] : dashboardRoutes())];

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    let routeName = 'unmatched';
    let code: string | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
      // Authenticate before anything else, so an unauthenticated caller learns nothing (not even
      // which paths exist) and costs no body read.
      const route = match && 'route' in match ? match.route : undefined;
      if (route?.auth !== 'self' && !verifier.verify(req.headers)) {
        req.resume();
        throw new HttpError('unauthorized', 'Send Authorization: Bearer <token> with a token from GEMINI_JOBS_SERVE_TOKENS.', {
          headers: { 'www-authenticate': 'Bearer realm="gemini-jobs"' },
        });
      }
      if (!match) throw new HttpError('not_found', `No route ${req.method} ${url.pathname}; see GET /v1/openapi.json.`);
      if ('allowed' in match)
        throw new HttpError('method_not_allowed', `${req.method} is not allowed on ${url.pathname}; use ${match.allowed.join(' or ')}.`, {
          headers: { allow: match.allowed.join(', ') },
        });
      routeName = `${match.route.method} ${match.route.path}`;
      let bodyPromise: Promise<Record<string, unknown>> | undefined;
      await match.route.handle({
        req,
        res,
        url,
        params: match.params,
        body: () => (bodyPromise ??= readJsonBody(req, maxBodyBytes)),
      });
    } catch (err) {
      const sent = sendError(res, err);
      code = sent.code;
      if (sent.status >= 500 && options.log) {
        const e = err as { name?: unknown; code?: unknown };
        options.log({
          level: 'warn',
          msg: 'request failed',
          route: routeName,
          errorName: String(e?.name ?? typeof err),
          errorCode: typeof e?.code === 'string' ? e.code : undefined,
        });
      }
    } finally {
      options.log?.({ level: 'info', msg: 'request', method: req.method, route: routeName, status: res.statusCode, ...(code ? { code } : {}), ms: Date.now() - started });
    }
  };
  return Object.assign(handler, { routes, close: () => shutdown.abort() });
}
