/**
 * Verifies a Gemini webhook delivery before anything is believed. Two schemes, both on the
 * Standard Webhooks headers `webhook-id`, `webhook-timestamp`, `webhook-signature`:
 *
 * - `standard` (static, project-level subscriptions): `v1,<base64 HMAC-SHA256>` over
 *   `<id>.<timestamp>.<raw body>` with the `whsec_` secret, checked by the `standardwebhooks`
 *   library (several secrets are tried, for rotation).
 * - `jwt` (dynamic, per-request `webhook_config`): the signature header holds an RS256/ES256/EdDSA
 *   JWT, checked with `jose` against a JWKS (Google's published keys; URL configurable since it is
 *   not confirmed). The token must be fresh (`iat` within the tolerance, `exp` not passed), its
 *   `jti`/`webhook_id` claim (when present) must equal the `webhook-id` header, and a body-hash claim
 *   (`body_sha256` by default: base64url SHA-256 of the raw body) binds it to the body.
 *
 * Both refuse a `webhook-timestamp` outside ±`toleranceSeconds` (default 300). Third-party
 * guides are the only source for these details (Google's page text was not available), so the
 * scheme, JWKS URL, issuer, audience and claim names are all options.
 */
import { createHash } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

export type WebhookScheme = 'standard' | 'jwt';

export interface VerifyOptions {
  /** Schemes accepted (default both; the signature's shape picks one). */
  schemes?: WebhookScheme[];
  /** `whsec_…` secrets of static subscriptions (the current and, during rotation, the previous). */
  secrets?: string[];
  /** JWKS of the JWT scheme: a URL to fetch (cached by jose) or a key set object (tests, pinned keys). */
  jwksUrl?: string;
  jwks?: { keys: Array<Record<string, unknown>> };
  /** Expected `iss` / `aud` of the JWT (checked only when set). */
  issuer?: string | string[];
  audience?: string | string[];
  /** Claim holding base64url(SHA-256(raw body)); `false` skips the binding (not recommended). Default `body_sha256`. */
  bodyHashClaim?: string | false;
  /** Largest clock difference accepted for `webhook-timestamp` and `iat` (s). Default 300. */
  toleranceSeconds?: number;
  /** Clock (ms); default Date.now. */
  now?: () => number;
}

export type VerifyResult = { ok: true; webhookId: string; timestamp: number; scheme: WebhookScheme } | { ok: false; reason: string };

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The JWT inside a `webhook-signature` value (`<jwt>`, or `v1,<jwt>` / `v1a,<jwt>` entries), if any. */
export function jwtOf(signature: string): string | undefined {
  for (const part of signature.trim().split(/\s+/)) {
    const value = part.includes(',') ? part.slice(part.indexOf(',') + 1) : part;
    if (JWT_SHAPE.test(value)) return value;
  }
  return undefined;
}

type JoseModule = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<JoseModule> | undefined;
/** jose is ESM-only: loaded lazily, once, by dynamic import. */
function loadJose(): Promise<JoseModule> {
  return (josePromise ??= import('jose'));
}

type KeyResolver = Parameters<JoseModule['jwtVerify']>[1];
const remoteSets = new Map<string, KeyResolver>();

async function keyResolver(opts: VerifyOptions): Promise<KeyResolver | undefined> {
  const jose = await loadJose();
  if (opts.jwks) return jose.createLocalJWKSet(opts.jwks as Parameters<JoseModule['createLocalJWKSet']>[0]) as KeyResolver;
  if (!opts.jwksUrl) return undefined;
  let set = remoteSets.get(opts.jwksUrl);
  if (!set) {
    set = jose.createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) as KeyResolver;
    remoteSets.set(opts.jwksUrl, set);
  }
  return set;
}

/** base64url SHA-256 of the raw body, the value the body-hash claim must hold. */
export function bodyHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** Checks the headers and signature of one delivery. Never throws; the reason is safe to log. */
export async function verifyDelivery(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, opts: VerifyOptions): Promise<VerifyResult> {
  const now = opts.now ?? Date.now;
  const tolerance = opts.toleranceSeconds ?? 300;
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  if (!id || !ts || !signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(ts.trim())) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const timestamp = Number(ts.trim());
  if (Math.abs(now() / 1000 - timestamp) > tolerance) return { ok: false, reason: `webhook-timestamp is more than ${tolerance} s away from now (stale or replayed)` };
  const schemes = opts.schemes ?? ['standard', 'jwt'];
  const jwt = jwtOf(signature);

  if (jwt && schemes.includes('jwt')) {
    const keys = await keyResolver(opts);
    if (!keys) return { ok: false, reason: 'a JWT-signed delivery arrived but no JWKS is configured (GEMINI_WEBHOOK_JWKS_URL)' };
    const jose = await loadJose();
    try {
      const { payload } = await jose.jwtVerify(jwt, keys, {
        ...(opts.issuer ? { issuer: opts.issuer } : {}),
        ...(opts.audience ? { audience: opts.audience } : {}),
        clockTolerance: tolerance,
        currentDate: new Date(now()),
        maxTokenAge: `${tolerance * 2}s`,
        algorithms: ['RS256', 'ES256', 'EdDSA'],
      });
      const claimedId = payload.jti ?? (payload as Record<string, unknown>)['webhook_id'];
      if (claimedId !== undefined && claimedId !== id) return { ok: false, reason: 'the JWT names another webhook-id' };
      const claim = opts.bodyHashClaim === undefined ? 'body_sha256' : opts.bodyHashClaim;
      if (claim !== false && (payload as Record<string, unknown>)[claim] !== bodyHash(rawBody)) return { ok: false, reason: `the JWT's ${claim} does not match the body` };
      return { ok: true, webhookId: id, timestamp, scheme: 'jwt' };
    } catch (err) {
      return { ok: false, reason: `JWT rejected: ${(err as { code?: string }).code ?? (err as Error).message}` };
    }
  }

  if (schemes.includes('standard')) {
    const secrets = opts.secrets ?? [];
    if (secrets.length === 0) return { ok: false, reason: 'an HMAC-signed delivery arrived but no signing secret is configured (GEMINI_WEBHOOK_SECRET)' };
    const plain = { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature };
    for (const secret of secrets) {
      try {
        new StandardWebhook(secret).verify(rawBody, plain);
        return { ok: true, webhookId: id, timestamp, scheme: 'standard' };
      } catch {
        // try the next secret (rotation)
      }
    }
    return { ok: false, reason: 'no signature matches a configured secret' };
  }
  return { ok: false, reason: `signature scheme not accepted (accepted: ${schemes.join(', ')})` };
}
