/**
 * Credentials and route: which backend the worker's environment selects, the route the client
 * resolved (`client.routing()`), checked against Google's documented routes, and the auth and
 * quota-project headers the client actually put on the wire (read from the recorder, never the
 * values of credentials).
 *
 * Expected routes (interactions-api.md §0.2, §1.1): Gemini API `/v1` on
 * generativelanguage.googleapis.com (newest SDKs; `GOOGLE_GENAI_API_VERSION` selects another);
 * Vertex `/v1beta1/projects/{p}/locations/{l}` on the location's host; express `/v1beta1` on
 * aiplatform.googleapis.com.
 */
import type { ProbeContext } from './context';
import type { Check } from './report';

/** Google's newest SDKs' default Gemini API version (interactions-api.md §0.2). */
export const EXPECTED_GEMINI_API_VERSION = 'v1';

/** The version `GOOGLE_GENAI_API_VERSION` asks for (`beta` → `v1beta`, like the JS SDK), if set. */
export function requestedApiVersion(env: NodeJS.ProcessEnv): string | undefined {
  const v = env.GOOGLE_GENAI_API_VERSION?.trim();
  if (!v) return undefined;
  if (/^v\d/.test(v)) return v;
  return v === 'beta' ? 'v1beta' : v;
}

function expectedVertexHost(location: string): string {
  if (location === 'global') return 'aiplatform.googleapis.com';
  if (location === 'us' || location === 'eu') return `aiplatform.${location}.rep.googleapis.com`;
  return `${location}-aiplatform.googleapis.com`;
}

/** Which credential the environment supplies, by variable name only. */
export function credentialSource(env: NodeJS.ProcessEnv, auth: 'api-key' | 'bearer'): string {
  if (auth === 'bearer') {
    if (env.GOOGLE_APPLICATION_CREDENTIALS) return 'OAuth2 token from GOOGLE_APPLICATION_CREDENTIALS (service account)';
    return 'OAuth2 token from Application Default Credentials';
  }
  if (env.GEMINI_API_KEY) return 'API key from GEMINI_API_KEY';
  if (env.GOOGLE_API_KEY) return 'API key from GOOGLE_API_KEY';
  return 'placeholder API key (GEMINI_JOBS_BASE_URL alone: emulator)';
}

/** The `credentials` line: what authenticated, and whether the API accepted it (first request). */
export function credentialsCheck(ctx: ProbeContext, env: NodeJS.ProcessEnv, firstError: unknown): Check {
  const r = ctx.client.routing();
  const header = r.auth === 'bearer' ? 'Authorization: Bearer' : 'x-goog-api-key';
  const sent = [...ctx.wire.authHeaders];
  const source = credentialSource(env, r.auth);
  const code = (firstError as { code?: unknown } | undefined)?.code;
  if (code === 'unauthenticated' || code === 'permission_denied') {
    return { id: 'credentials', result: 'failed', detail: `${source} was refused (${String(code)}); the value is never printed. Check the key/project.` };
  }
  if (sent.length === 0) return { id: 'credentials', result: 'failed', detail: `${source}: no request reached the API` };
  const expectedHeader = r.auth === 'bearer' ? 'authorization' : 'x-goog-api-key';
  if (!sent.includes(expectedHeader)) {
    return { id: 'credentials', result: 'differs', detail: `sent ${sent.join(', ')}`, expected: `${header} for the ${r.family} route` };
  }
  return { id: 'credentials', result: 'ok', detail: `${source}, sent as ${header}; accepted (value never printed)` };
}

/** The `route` line: family, host, version path — resolved vs documented. */
export function routeCheck(ctx: ProbeContext, env: NodeJS.ProcessEnv): Check {
  const r = ctx.client.routing();
  const wirePath = ctx.wire.firstRequest?.path ?? '';
  const used = `${r.family} ${r.host}${r.prefix}`;
  const problems: string[] = [];
  let expected = '';
  if (wirePath && !wirePath.startsWith(r.prefix + '/')) problems.push(`the wire path ${wirePath} does not start with the resolved prefix ${r.prefix}`);
  if (r.family === 'gemini') {
    const version = requestedApiVersion(env) ?? EXPECTED_GEMINI_API_VERSION;
    expected =
      `Gemini API /${version}/interactions on generativelanguage.googleapis.com` + (requestedApiVersion(env) ? ' (GOOGLE_GENAI_API_VERSION)' : " (Google's newest SDKs' default)");
    if (r.apiVersion !== version) problems.push(`Gemini API version ${r.apiVersion}`);
    if (!r.originOverridden && r.host !== 'generativelanguage.googleapis.com') problems.push(`host ${r.host}`);
  } else if (r.family === 'vertex') {
    const m = /^\/v1beta1\/projects\/([^/]+)\/locations\/([^/]+)$/.exec(r.prefix);
    const location = m?.[2] ?? env.GOOGLE_CLOUD_LOCATION ?? 'global';
    expected = `Vertex /v1beta1/projects/{project}/locations/${location} on ${expectedVertexHost(location)}`;
    if (!m) problems.push(`Vertex path ${r.prefix}`);
    if (!r.originOverridden && r.host !== expectedVertexHost(location)) problems.push(`host ${r.host}`);
  } else {
    expected = 'Vertex express /v1beta1 on aiplatform.googleapis.com';
    if (r.prefix !== '/v1beta1') problems.push(`express path ${r.prefix}`);
    if (!r.originOverridden && r.host !== 'aiplatform.googleapis.com') problems.push(`host ${r.host}`);
  }
  const override = r.originOverridden ? ' (origin from GEMINI_JOBS_BASE_URL)' : '';
  if (problems.length > 0) {
    return { id: 'route', result: 'differs', detail: `client uses ${used}${override}: ${problems.join('; ')}`, expected, where: 'src/interactions/routing.ts' };
  }
  return { id: 'route', result: 'ok', detail: `${used}${override}; the API answered on it` };
}

/** The `quota project` line: `x-goog-user-project` as configured vs as sent. */
export function quotaProjectCheck(ctx: ProbeContext, env: NodeJS.ProcessEnv): Check {
  const r = ctx.client.routing();
  const configured = env.GOOGLE_GENAI_USER_PROJECT?.trim() || env.GOOGLE_CLOUD_QUOTA_PROJECT?.trim() || undefined;
  const sent = [...ctx.wire.userProjects];
  if (!configured) {
    if (sent.length > 0) return { id: 'quota-project', result: 'ok', detail: `x-goog-user-project: ${sent.join(', ')} (from the credentials' quota project)` };
    return { id: 'quota-project', result: 'ok', detail: 'none configured (GOOGLE_GENAI_USER_PROJECT / GOOGLE_CLOUD_QUOTA_PROJECT unset); none sent' };
  }
  const from = env.GOOGLE_GENAI_USER_PROJECT?.trim() ? 'GOOGLE_GENAI_USER_PROJECT' : 'GOOGLE_CLOUD_QUOTA_PROJECT';
  if (sent.length === 1 && sent[0] === configured) return { id: 'quota-project', result: 'ok', detail: `x-goog-user-project: ${configured} (${from}) on every request` };
  return {
    id: 'quota-project',
    result: 'differs',
    detail: sent.length === 0 ? `${from}=${configured} is set but no x-goog-user-project header was sent on the ${r.family} route` : `sent x-goog-user-project: ${sent.join(', ')}`,
    expected: `x-goog-user-project: ${configured} on every request (Google's SDKs send it on API-key routes too)`,
    where: 'src/interactions/auth.ts',
  };
}
