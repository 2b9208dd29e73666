/**
 * Where a request goes: backend family, origin and path prefix.
 *
 * | family  | origin                                                       | prefix                                      | auth            |
 * |---------|--------------------------------------------------------------|---------------------------------------------|-----------------|
 * | gemini  | https://generativelanguage.googleapis.com                    | /v1beta                                     | x-goog-api-key  |
 * | vertex  | global: aiplatform.googleapis.com; us/eu: aiplatform.{us,eu}.rep.googleapis.com; else {loc}-aiplatform.googleapis.com | /v1beta1/projects/{p}/locations/{l} | Bearer (OAuth2) |
 * | express | https://aiplatform.googleapis.com                            | /v1beta1                                    | x-goog-api-key  |
 *
 * The Vertex prefix applies to every resource (interactions and webhooks alike). A `baseUrl`
 * override (the emulator, a proxy) replaces only the origin (plus any path it carries); the
 * version prefix stays, so the same server code can tell the families apart.
 */

import type { RouteInfo } from './errors';

export const GEMINI_ORIGIN = 'https://generativelanguage.googleapis.com';
export const VERTEX_GLOBAL_ORIGIN = 'https://aiplatform.googleapis.com';
export const DEFAULT_VERTEX_LOCATION = 'global';

export interface RouteOptions {
  /** Use Vertex AI instead of the Gemini Developer API. */
  vertexai?: boolean;
  /** Vertex project id (required for OAuth Vertex; absent with an API key = express mode). */
  project?: string;
  /** Vertex location; default `global`. */
  location?: string;
  /** An API key is configured (decides express mode on Vertex when no project is set). */
  hasApiKey?: boolean;
  /** Origin override, e.g. `http://127.0.0.1:4000` (may carry a path prefix). */
  baseUrl?: string;
}

export interface Route extends RouteInfo {
  /** Origin plus any base path, without a trailing slash. */
  origin: string;
  /** Version path, e.g. `/v1beta` or `/v1beta1/projects/p/locations/l`. */
  prefix: string;
}

/** The Vertex origin for a location. */
export function vertexOrigin(location: string): string {
  if (location === 'global') return VERTEX_GLOBAL_ORIGIN;
  if (location === 'us' || location === 'eu') return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}

/** Resolve the route for a client configuration. Throws on an unusable Vertex configuration. */
export function resolveRoute(opts: RouteOptions): Route {
  let family: Route['family'];
  let origin: string;
  let prefix: string;
  if (!opts.vertexai) {
    family = 'gemini';
    origin = GEMINI_ORIGIN;
    prefix = '/v1beta';
  } else if (opts.project) {
    const location = opts.location || DEFAULT_VERTEX_LOCATION;
    if (!/^[a-z0-9-]+$/.test(location)) throw new TypeError(`invalid Vertex location ${JSON.stringify(location)}`);
    family = 'vertex';
    origin = vertexOrigin(location);
    prefix = `/v1beta1/projects/${encodeURIComponent(opts.project)}/locations/${location}`;
  } else if (opts.hasApiKey) {
    family = 'express';
    origin = VERTEX_GLOBAL_ORIGIN;
    prefix = '/v1beta1';
  } else {
    throw new TypeError(
      'Vertex AI needs a `project` (or GOOGLE_CLOUD_PROJECT) for OAuth routing, or an API key for express mode',
    );
  }
  if (opts.baseUrl) origin = opts.baseUrl.replace(/\/+$/, '');
  return { family, origin, prefix, host: new URL(origin).host };
}

/** Serialise a query; booleans as `true`/`false`, undefined values skipped. */
export function buildQuery(query: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!query) return '';
  let out = '';
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (v === undefined) continue;
    out += (out ? '&' : '?') + encodeURIComponent(k) + '=' + encodeURIComponent(String(v));
  }
  return out;
}

/** Full URL for `path` (e.g. `/interactions/abc`) on a route. */
export function buildUrl(
  route: Route,
  path: string,
  query?: Record<string, string | number | boolean | undefined>,
): string {
  return route.origin + route.prefix + path + buildQuery(query);
}

/** Encode an id for one path segment; a full resource name (`interactions/x`) is reduced to its id. */
export function idSegment(id: string, collection: string): string {
  const marker = collection + '/';
  const at = id.lastIndexOf(marker);
  return encodeURIComponent(at === -1 ? id : id.slice(at + marker.length));
}
