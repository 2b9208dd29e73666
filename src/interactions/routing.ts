/**
 * Where a request goes: backend family, origin, path prefix and auth scheme. Defaults follow
 * Google's newest SDKs (@google/genai 3.3.0, google-genai 3.6.1; evidence in README.md):
 *
 * | family  | origin                                                       | prefix (default version)                    | auth            |
 * |---------|--------------------------------------------------------------|---------------------------------------------|-----------------|
 * | gemini  | https://generativelanguage.googleapis.com                    | /v1                                         | x-goog-api-key  |
 * | vertex  | global: aiplatform.googleapis.com; us/eu: aiplatform.{us,eu}.rep.googleapis.com; else {loc}-aiplatform.googleapis.com | /v1beta1/projects/{p}/locations/{l} | Bearer (OAuth2), or x-goog-api-key when a key is given with the project |
 * | express | https://aiplatform.googleapis.com                            | /v1beta1                                    | x-goog-api-key  |
 *
 * `apiVersion` replaces the version segment (e.g. `v1beta`); the Vertex prefix applies to every
 * resource (interactions and webhooks alike). A `baseUrl` override (the emulator, a proxy)
 * replaces only the origin (plus any path it carries); the version prefix stays, so the same
 * server code can tell the families apart.
 */

import type { RouteInfo } from './errors';

export const GEMINI_ORIGIN = 'https://generativelanguage.googleapis.com';
export const VERTEX_GLOBAL_ORIGIN = 'https://aiplatform.googleapis.com';
export const DEFAULT_VERTEX_LOCATION = 'global';
/** The Gemini API version of @google/genai 3.3.0 (`GOOGLE_AI_API_DEFAULT_VERSION`): Interactions is GA on v1. */
export const DEFAULT_GEMINI_API_VERSION = 'v1';
/** The Vertex AI version of @google/genai 3.3.0 (`VERTEX_AI_API_DEFAULT_VERSION`). */
export const DEFAULT_VERTEX_API_VERSION = 'v1beta1';

const API_VERSION = /^v\d+[a-z0-9]*$/;

export interface RouteOptions {
  /** Use Vertex AI instead of the Gemini Developer API. */
  vertexai?: boolean;
  /** Vertex project id (OAuth routing, or the project path with an API key; absent with a key = express mode). */
  project?: string;
  /** Vertex location; default `global`. */
  location?: string;
  /** An API key is configured (express mode without a project; the project path with one). */
  hasApiKey?: boolean;
  /** API version segment (`v1`, `v1beta`, `v1beta1`…); default `v1` (Gemini API) / `v1beta1` (Vertex). */
  apiVersion?: string;
  /** Origin override, e.g. `http://127.0.0.1:4000` (may carry a path prefix). */
  baseUrl?: string;
}

export interface Route extends RouteInfo {
  /** Origin plus any base path, without a trailing slash. */
  origin: string;
  /** Version path, e.g. `/v1` or `/v1beta1/projects/p/locations/l`. */
  prefix: string;
  /** The API version segment in use. */
  apiVersion: string;
  /** How requests authenticate: an API key header, or OAuth2 bearer tokens. */
  auth: 'api-key' | 'bearer';
}

/** The Vertex origin for a location. */
export function vertexOrigin(location: string): string {
  if (location === 'global') return VERTEX_GLOBAL_ORIGIN;
  if (location === 'us' || location === 'eu') return `https://aiplatform.${location}.rep.googleapis.com`;
  return `https://${location}-aiplatform.googleapis.com`;
}

/**
 * `GOOGLE_GENAI_API_VERSION` as @google/genai 3.3.0 reads it: `beta` means `v1beta` on the Gemini
 * API and `v1beta1` on Vertex; any other value is the version itself; empty means unset.
 */
export function apiVersionFromEnv(value: string | undefined, vertexai: boolean): string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (v === 'beta') return vertexai ? 'v1beta1' : 'v1beta';
  return v;
}

/** Resolve the route for a client configuration. Throws on an unusable configuration, naming the option. */
export function resolveRoute(opts: RouteOptions): Route {
  let family: Route['family'];
  let origin: string;
  let prefix: string;
  let auth: Route['auth'] = 'api-key';
  const apiVersion = opts.apiVersion?.trim() || (opts.vertexai ? DEFAULT_VERTEX_API_VERSION : DEFAULT_GEMINI_API_VERSION);
  if (!API_VERSION.test(apiVersion)) {
    throw new TypeError(`invalid apiVersion ${JSON.stringify(apiVersion)}: use a version segment such as "v1", "v1beta" or "v1beta1" (or GOOGLE_GENAI_API_VERSION=beta)`);
  }
  if (!opts.vertexai) {
    family = 'gemini';
    origin = GEMINI_ORIGIN;
    prefix = `/${apiVersion}`;
  } else if (opts.project) {
    const location = opts.location || DEFAULT_VERTEX_LOCATION;
    if (!/^[a-z0-9-]+$/.test(location)) throw new TypeError(`invalid Vertex location ${JSON.stringify(location)}`);
    family = 'vertex';
    origin = vertexOrigin(location);
    prefix = `/${apiVersion}/projects/${encodeURIComponent(opts.project)}/locations/${location}`;
    // Like the SDKs: a key given together with a project goes on the project path (no OAuth).
    auth = opts.hasApiKey ? 'api-key' : 'bearer';
  } else if (opts.hasApiKey) {
    family = 'express';
    origin = VERTEX_GLOBAL_ORIGIN;
    prefix = `/${apiVersion}`;
  } else {
    throw new TypeError('Vertex AI needs a `project` (or GOOGLE_CLOUD_PROJECT) for OAuth routing, or an API key for express mode');
  }
  if (opts.baseUrl) origin = opts.baseUrl.replace(/\/+$/, '');
  return { family, origin, prefix, apiVersion, auth, host: new URL(origin).host };
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
export function buildUrl(route: Route, path: string, query?: Record<string, string | number | boolean | undefined>): string {
  return route.origin + route.prefix + path + buildQuery(query);
}

/** Encode an id for one path segment; a full resource name (`interactions/x`) is reduced to its id. */
export function idSegment(id: string, collection: string): string {
  const marker = collection + '/';
  const at = id.lastIndexOf(marker);
  return encodeURIComponent(at === -1 ? id : id.slice(at + marker.length));
}
