/**
 * The route table behind `createJobsHttpHandler`: method + path pattern (`/v1/jobs/:jobId`) →
 * handler. The table is plain data so a host can add routes (e.g. the webhook receiver at
 * `POST /webhooks/gemini`) with one line; `auth: 'self'` marks a route that authenticates its
 * callers itself (a signed webhook) instead of with the bearer token, and `anyHost` one that is
 * reached under any `Host` name (a webhook behind a tunnel).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, already URI-decoded. */
  params: Record<string, string>;
  /** Query parameters the operation documents, validated and typed (numbers, lists). */
  query: Record<string, unknown>;
  /** Header parameters the operation documents (by their documented name), validated and typed. */
  headers: Record<string, unknown>;
  /** The JSON body (size-limited, `{}` when empty). Reads the request once. */
  body(): Promise<Record<string, unknown>>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path pattern: literal segments and `:name` parameters. */
  path: string;
  /** `bearer` (default): needs an accepted token. `self`: the handler authenticates the caller. */
  auth?: 'bearer' | 'self';
  /** Answer under any `Host` name, not only the server's allowed hosts. Default false. */
  anyHost?: boolean;
  /** OpenAPI operation id; routes without one are left out of the document. */
  operationId?: string;
  handle(ctx: RouteContext): Promise<void> | void;
}

/** Wraps a plain Node `(req, res)` handler (such as a webhook receiver) as a route. */
export function nodeRoute(
  method: Route['method'],
  path: string,
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: { auth?: Route['auth']; anyHost?: boolean } = {},
): Route {
  return { method, path, auth: options.auth ?? 'bearer', anyHost: options.anyHost ?? false, handle: async ({ req, res }) => void (await handler(req, res)) };
}

/** Finds the route for a method and path: the route, its params, or the methods the path allows. */
export function matchRoute(routes: readonly Route[], method: string, pathname: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
  const segments = pathname.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of routes) {
    const pattern = route.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const s = segments[i]!;
      if (p.startsWith(':')) {
        if (s.length === 0) ok = false;
        else {
          try {
            params[p.slice(1)] = decodeURIComponent(s);
          } catch {
            ok = false;
          }
        }
      } else if (p !== s) ok = false;
    }
    if (!ok) continue;
    if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { route, params };
    allowed.push(route.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
