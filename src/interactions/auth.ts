/**
 * Credentials → request headers, computed fresh for every attempt (so a retried request after a
 * token expiry carries a new token; google-auth-library caches and refreshes underneath).
 *
 * - API key (Gemini API, Vertex express): `x-goog-api-key`.
 * - Vertex OAuth: `Authorization: Bearer …` from, in order, `accessToken` (string or async
 *   function), `authClient`, `googleAuth`, else Application Default Credentials
 *   (`new GoogleAuth({ scopes: cloud-platform })`, loaded lazily).
 * - `x-goog-user-project` (billing / quota project), on every route like the SDKs: the
 *   `userProject` option, else env `GOOGLE_GENAI_USER_PROJECT` (the SDKs' name), else the OAuth
 *   credentials' quota project, else env `GOOGLE_CLOUD_QUOTA_PROJECT` (this project's older name).
 */

import type { AuthClient, GoogleAuth } from 'google-auth-library';
import { registerSecret } from './errors';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** A bearer token, or a function returning one (called once per attempt). */
export type AccessTokenSource = string | (() => string | Promise<string>);

export interface AuthOptions {
  apiKey?: string;
  accessToken?: AccessTokenSource;
  authClient?: AuthClient;
  googleAuth?: GoogleAuth;
  userProject?: string;
  /** Environment for `GOOGLE_GENAI_USER_PROJECT` / `GOOGLE_CLOUD_QUOTA_PROJECT`; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** Produces the auth headers of one attempt. */
export interface AuthProvider {
  readonly kind: 'api-key' | 'bearer';
  headers(): Promise<Record<string, string>>;
}

/** The configured quota project that does not come from the credentials. */
function configuredUserProject(opts: AuthOptions): string | undefined {
  const env = opts.env ?? process.env;
  return opts.userProject || env.GOOGLE_GENAI_USER_PROJECT?.trim() || undefined;
}

class ApiKeyAuth implements AuthProvider {
  readonly kind = 'api-key' as const;
  private readonly userProject: string | undefined;
  constructor(
    private readonly key: string,
    opts: AuthOptions,
  ) {
    registerSecret(key);
    const env = opts.env ?? process.env;
    this.userProject = configuredUserProject(opts) ?? (env.GOOGLE_CLOUD_QUOTA_PROJECT?.trim() || undefined);
  }
  async headers(): Promise<Record<string, string>> {
    const h: Record<string, string> = { 'x-goog-api-key': this.key };
    if (this.userProject) h['x-goog-user-project'] = this.userProject;
    return h;
  }
}

class BearerAuth implements AuthProvider {
  readonly kind = 'bearer' as const;
  private adc: Promise<GoogleAuth> | undefined;

  constructor(private readonly opts: AuthOptions) {
    if (typeof opts.accessToken === 'string') registerSecret(opts.accessToken);
  }

  private async token(): Promise<{ token: string; quotaProject?: string }> {
    const o = this.opts;
    if (o.accessToken !== undefined) {
      const t = typeof o.accessToken === 'function' ? await o.accessToken() : o.accessToken;
      return { token: t };
    }
    if (o.authClient) {
      const r = await o.authClient.getAccessToken();
      return { token: r.token ?? '', quotaProject: o.authClient.quotaProjectId };
    }
    const ga = o.googleAuth ?? (await this.defaultAuth());
    const client = await ga.getClient();
    const r = await client.getAccessToken();
    return { token: r.token ?? '', quotaProject: client.quotaProjectId };
  }

  private defaultAuth(): Promise<GoogleAuth> {
    this.adc ??= import('google-auth-library').then((m) => new m.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] }));
    return this.adc;
  }

  async headers(): Promise<Record<string, string>> {
    const { token, quotaProject } = await this.token();
    if (!token) throw new Error('no OAuth2 access token available (check Application Default Credentials)');
    registerSecret(token);
    const h: Record<string, string> = { authorization: `Bearer ${token}` };
    const env = this.opts.env ?? process.env;
    const userProject = configuredUserProject(this.opts) || quotaProject || env.GOOGLE_CLOUD_QUOTA_PROJECT?.trim();
    if (userProject) h['x-goog-user-project'] = userProject;
    return h;
  }
}

/** Pick the auth scheme the route decided (see `Route.auth`). */
export function createAuth(mode: 'api-key' | 'bearer', opts: AuthOptions): AuthProvider {
  if (mode === 'api-key') {
    if (!opts.apiKey) throw new TypeError('an API key is required (apiKey option, GEMINI_API_KEY or GOOGLE_API_KEY)');
    return new ApiKeyAuth(opts.apiKey, opts);
  }
  return new BearerAuth(opts);
}
