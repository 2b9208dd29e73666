/**
 * `createJobsHttpHandler`: the HTTP face of `JobsClient` as one `(req, res)` function, mountable
 * on any Node HTTP server (or run by `gemini-jobs serve`). In order, a request is refused when its
 * target is malformed (400), its `Host` is not served (403), it has no valid bearer token (401,
 * body unread, connection closed), no route matches (404/405), or a parameter or its JSON body
 * breaks the OpenAPI document (400, naming the field). Errors are JSON with stable codes; the log
 * gets method, route, status and duration, never a header or a body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobsClient } from '../jobs/jobs-client';
import { TokenVerifier } from './auth';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './body';
import { HttpError, sendError } from './errors';
import { jobRoutes } from './job-routes';
import { MAX_WAIT_MS, openApiDocument, openApiText } from './openapi';
import { scheduleRoutes } from './schedule-routes';
import { assertHostAllowed, parseRequestTarget } from './request-target';
import type { AllowedHosts } from './request-target';
import { matchRoute } from './routes';
import type { Route } from './routes';
import { dashboardRoutes } from './static-files';
import { createRequestValidators } from './validation';

export interface JobsHttpHandlerOptions {
  jobs: JobsClient;
  /** Accepted bearer tokens (at least one). */
  tokens: readonly string[];
  /** Extra routes, matched before the built-in ones (e.g. `nodeRoute('POST', '/webhooks/gemini', receiver, { auth: 'self', anyHost: true })`). */
  routes?: Route[];
  /** Largest request body, in bytes. Default 2 MiB. */
  maxBodyBytes?: number;
  /** Most SSE streams open at once. Default 200. */
  maxEventStreams?: number;
  /** Longest life of one event stream, in ms; the client then resumes with Last-Event-ID. Default 1 hour. */
  maxStreamMs?: number;
  /** Longest `result?wait=1`, in ms (the document allows up to 300 000). Default 300 000. */
  maxWaitMs?: number;
  /** Milliseconds between state reads of one event stream. Default 1 000. */
  watchPollIntervalMs?: number;
  /** `Host` names answered (see `resolveAllowedHosts`). Default: any. */
  allowedHosts?: AllowedHosts;
  /** Called when a request presents an accepted token (a bounded server then stops counting its connection as unauthenticated). */
  onAuthenticated?: (req: IncomingMessage) => void;
  /** Serve the dashboard at `/`. Default true. */
  dashboard?: boolean;
  /** One call per request: `{ method, route, status, code?, ms }`. Never headers or bodies. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface JobsHttpHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The route table in match order (for documentation and tests). */
  readonly routes: readonly Route[];
  /** Event streams open now (slots taken, including streams still reading the job before their headers). */
  readonly openEventStreams: number;
  /** Ends every open event stream (call before closing the server). */
  close(): void;
}

const UNAUTHORIZED_HEADERS = { 'www-authenticate': 'Bearer realm="gemini-jobs"', connection: 'close' };

/** Most SSE event streams `serve` holds open at once (docs/serve.md, Limits). */
export const DEFAULT_MAX_EVENT_STREAMS = 200;

/** Builds the handler; throws `invalid_config` when no token is given. */
export function createJobsHttpHandler(options: JobsHttpHandlerOptions): JobsHttpHandler {
  const verifier = new TokenVerifier(options.tokens);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const allowedHosts = options.allowedHosts ?? 'any';
  const shutdown = new AbortController();
  const api = jobRoutes({
    jobs: options.jobs,
    maxEventStreams: options.maxEventStreams ?? DEFAULT_MAX_EVENT_STREAMS,
    maxStreamMs: options.maxStreamMs ?? 3_600_000,
    maxWaitMs: Math.min(options.maxWaitMs ?? MAX_WAIT_MS, MAX_WAIT_MS),
    watchPollIntervalMs: options.watchPollIntervalMs ?? 1_000,
    signal: shutdown.signal,
  });
  const openApi: Route = {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    handle(ctx) {
      const text = openApiText();
      ctx.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', 'content-length': String(Buffer.byteLength(text)) });
      ctx.res.end(ctx.req.method === 'HEAD' ? undefined : text);
    },
  };
  const routes: Route[] = [...(options.routes ?? []), openApi, ...api.routes, ...scheduleRoutes(options.jobs), ...(options.dashboard === false ? [] : dashboardRoutes())];
  const validators = createRequestValidators(openApiDocument());

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = Date.now();
    let routeName = 'unmatched';
    let code: string | undefined;
    try {
      const target = parseRequestTarget(req.url);
      const match = matchRoute(routes, req.method ?? 'GET', target.pathname);
      const route = match && 'route' in match ? match.route : undefined;
      if (!route?.anyHost) assertHostAllowed(req.headers.host, allowedHosts);
      // Authenticate before anything else, so an unauthenticated caller learns nothing (not even
      // which paths exist) and its body is never read.
      if (route?.auth !== 'self') {
        if (!verifier.verify(req.headers)) {
          throw new HttpError('unauthorized', 'Send Authorization: Bearer <token> with a token from GEMINI_JOBS_SERVE_TOKENS.', { headers: UNAUTHORIZED_HEADERS });
        }
        options.onAuthenticated?.(req);
      }
      if (!match) throw new HttpError('not_found', `No route ${req.method} ${target.pathname}; see GET /v1/openapi.json.`);
      if ('allowed' in match)
        throw new HttpError('method_not_allowed', `${req.method} is not allowed on ${target.pathname}; use ${match.allowed.join(' or ')}.`, {
          headers: { allow: match.allowed.join(', ') },
        });
      routeName = `${match.route.method} ${match.route.path}`;
      const validator = match.route.operationId ? validators.get(match.route.operationId) : undefined;
      const parameters = validator?.parameters({ path: match.params, query: target.query, headers: req.headers });
      let bodyPromise: Promise<Record<string, unknown>> | undefined;
      await match.route.handle({
        req,
        res,
        url: target.url,
        params: match.params,
        query: parameters?.query ?? {},
        headers: parameters?.header ?? {},
        body: () =>
          (bodyPromise ??= readJsonBody(req, res, maxBodyBytes).then((body) => {
            validator?.body(body);
            return body;
          })),
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
  return Object.defineProperties(handler, {
    routes: { value: routes, enumerable: true },
    close: { value: () => shutdown.abort(), enumerable: true },
    openEventStreams: { get: () => api.openStreams(), enumerable: true },
  }) as JobsHttpHandler;
}
