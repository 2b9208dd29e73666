/**
 * Checks the signature of a Gemini webhook delivery: the Standard Webhooks headers `webhook-id`,
 * `webhook-timestamp` and `webhook-signature`, the last holding one or more space-separated
 * signatures, each named by its scheme prefix:
 *
 * - `v1a,<base64 Ed25519>` over `<id>.<timestamp>.<raw body>`: per-request (`webhook_config`)
 *   deliveries as the live API sends them. Keys: the OKP/Ed25519 keys of a JWKS (Google's
 *   published set by default); the signature names no key, so each one is tried.
 * - `v1,<base64 HMAC-SHA256>` over the same bytes: project-level subscriptions, with their
 *   `whsec_` secrets (several during a rotation). The HMAC is computed by `standardwebhooks`.
 * - a JWT (bare, or after `v1,`): the form Google's docs sample shows. Checked with `jose` against
 *   the same JWKS (key chosen by the token's `kid`): signature, `exp`/`iat`, optional `iss`/`aud`, `jti`/`webhook_id` equal to the
 *   `webhook-id`, and a body-hash claim binding it to the body.
 *
 * The JWKS is fetched and cached by jose (`cacheMaxAge`); a signature no cached key verifies
 * (a rotated key, an unknown `kid`) refetches it once, at most once per `cooldown`. The timestamp
 * must be within ±`toleranceSeconds`. Lives beside the client (no Temporal) so that both the
 * receiver (`src/webhooks`) and `doctor` check deliveries the same way.
 */
import { createHash, createPublicKey, timingSafeEqual, verify as verifySignature, type KeyObject } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/** Signature schemes: `v1a` (Ed25519, JWKS), `v1` (HMAC-SHA256, `whsec_` secret), `jwt` (JWT, JWKS). */
export type WebhookScheme = 'v1a' | 'v1' | 'jwt';
export const WEBHOOK_SCHEMES: readonly WebhookScheme[] = ['v1a', 'v1', 'jwt'];

/** Google's JWKS for per-request deliveries (python-genai issue 2927; not in Google's docs). */
export const DEFAULT_GEMINI_JWKS_URL = 'https://generativelanguage.googleapis.com/.well-known/jwks.json';

export interface VerifyOptions {
  /** Schemes accepted (default all; each signature's prefix picks its scheme). */
  schemes?: WebhookScheme[];
  /** `whsec_…` secrets of project-level subscriptions (the current and, during rotation, the previous). */
  secrets?: string[];
  /** JWKS of `v1a` and JWT deliveries: a URL fetched and cached by jose, or a key set object (pinned keys, tests). */
  jwksUrl?: string;
  jwks?: { keys: Array<Record<string, unknown>> };
  /** Shortest time between two refetches of the JWKS for an unknown key (ms). Default 30,000. */
  jwksCooldownMs?: number;
  /** Age after which the cached JWKS is refetched (ms). Default 600,000. */
  jwksCacheMaxAgeMs?: number;
  /** Expected `iss` / `aud` of a JWT (checked only when set). */
  issuer?: string | string[];
  audience?: string | string[];
  /** JWT claim holding base64url(SHA-256(raw body)); `false` skips the binding (not recommended). Default `body_sha256`. */
  bodyHashClaim?: string | false;
  /** Largest clock difference accepted for `webhook-timestamp` and a JWT's `iat` (s). Default 300. */
  toleranceSeconds?: number;
  /** Clock (ms); default Date.now. */
  now?: () => number;
}

export type VerifyResult =
  | { ok: true; webhookId: string; timestamp: number; scheme: WebhookScheme; keyId?: string }
  /** `retryable`: the keys could not be fetched, so the delivery could not be judged (answer 5xx, not 401). */
  | { ok: false; reason: string; retryable?: boolean };

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface SignatureEntry {
  scheme: WebhookScheme | 'unknown';
  /** The scheme's prefix as sent (`v1a`, `v1`, or `''` for a bare JWT). */
  prefix: string;
  value: string;
}

/** The signatures of a `webhook-signature` value, each with its scheme (never throws). */
export function parseSignatures(signature: string): SignatureEntry[] {
  return signature
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((part) => {
      const comma = part.indexOf(',');
      const prefix = comma >= 0 ? part.slice(0, comma) : '';
      const value = comma >= 0 ? part.slice(comma + 1) : part;
      if (JWT_SHAPE.test(value) && (prefix === '' || prefix === 'v1' || prefix === 'v1a')) return { scheme: 'jwt', prefix, value };
      if (prefix === 'v1a') return { scheme: 'v1a', prefix, value };
      if (prefix === 'v1') return { scheme: 'v1', prefix, value };
      return { scheme: 'unknown', prefix, value };
    });
}

/** The JWT inside a `webhook-signature` value, if any. */
export function jwtOf(signature: string): string | undefined {
  return parseSignatures(signature).find((s) => s.scheme === 'jwt')?.value;
}

/** base64url SHA-256 of the raw body, the value a JWT's body-hash claim must hold. */
export function bodyHash(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('base64url');
}

// ---- keys ------------------------------------------------------------------------------------

type JoseModule = typeof import('jose', { with: { 'resolution-mode': 'import' } });
let josePromise: Promise<JoseModule> | undefined;
/** jose is ESM-only: loaded lazily, once, by dynamic import. */
function loadJose(): Promise<JoseModule> {
  return (josePromise ??= import('jose'));
}

type RemoteSet = ReturnType<JoseModule['createRemoteJWKSet']>;
type Resolver = Parameters<JoseModule['jwtVerify']>[1];
type Jwk = Record<string, unknown>;

/** The keys of one JWKS: a remote set fetched and cached by jose, or a fixed set. */
interface KeySet {
  resolver: Resolver;
  /** The current keys (fetched when none are cached or the cache is stale). */
  keys(): Promise<Jwk[]>;
  /** Refetches unless refetched within the cooldown; true when the keys may have changed. */
  refresh(): Promise<boolean>;
}

const remoteSets = new Map<string, KeySet>();

async function keySet(opts: VerifyOptions): Promise<KeySet | undefined> {
  const jose = await loadJose();
  if (opts.jwks) {
    const fixed = opts.jwks;
    return { resolver: jose.createLocalJWKSet(fixed as Parameters<JoseModule['createLocalJWKSet']>[0]) as Resolver, keys: async () => fixed.keys, refresh: async () => false };
  }
  if (!opts.jwksUrl) return undefined;
  const cooldownDuration = opts.jwksCooldownMs ?? 30_000;
  const cacheMaxAge = opts.jwksCacheMaxAgeMs ?? 10 * 60_000;
  const cacheKey = `${opts.jwksUrl} ${cooldownDuration} ${cacheMaxAge}`;
  let set = remoteSets.get(cacheKey);
  if (!set) {
    const remote: RemoteSet = jose.createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration, cacheMaxAge });
    set = {
      resolver: remote as Resolver,
      keys: async () => {
        if (!remote.fresh) await remote.reload();
        return (remote.jwks()?.keys ?? []) as Jwk[];
      },
      refresh: async () => {
        if (remote.coolingDown) return false;
        await remote.reload();
        return true;
      },
    };
    remoteSets.set(cacheKey, set);
  }
  return set;
}

const importedKeys = new Map<string, KeyObject>();

/** The Ed25519 public keys of a JWKS usable for verifying (a `v1a` signature names no key: each is tried). */
function ed25519Keys(jwks: Jwk[]): Array<{ kid?: string; key: KeyObject }> {
  const out: Array<{ kid?: string; key: KeyObject }> = [];
  for (const jwk of jwks) {
    if (jwk['kty'] !== 'OKP' || jwk['crv'] !== 'Ed25519' || typeof jwk['x'] !== 'string') continue;
    if (jwk['use'] !== undefined && jwk['use'] !== 'sig') continue;
    const id = jwk['x'];
    let key = importedKeys.get(id);
    if (!key) {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk['x'] }, format: 'jwk' });
      if (importedKeys.size > 1000) importedKeys.clear();
      importedKeys.set(id, key);
    }
    out.push(typeof jwk['kid'] === 'string' ? { kid: jwk['kid'], key } : { key });
  }
  return out;
}

function keyFailure(err: unknown): VerifyResult {
  return { ok: false, retryable: true, reason: `the JWKS could not be fetched: ${(err as { code?: string }).code ?? (err as Error).message}` };
}

// ---- schemes ---------------------------------------------------------------------------------

interface Delivery {
  id: string;
  ts: string;
  timestamp: number;
  rawBody: Buffer;
}

/** `<id>.<timestamp>.<raw body>`, the bytes `v1` and `v1a` sign. */
function signedBytes(d: Delivery): Buffer {
  return Buffer.concat([Buffer.from(`${d.id}.${d.ts}.`, 'utf8'), d.rawBody]);
}

async function verifyV1a(d: Delivery, entries: SignatureEntry[], opts: VerifyOptions): Promise<VerifyResult> {
  const set = await keySet(opts);
  if (!set) return { ok: false, reason: 'a v1a (Ed25519) delivery arrived but no JWKS is configured (GEMINI_WEBHOOK_JWKS_URL)' };
  const signatures = entries.map((e) => Buffer.from(e.value, 'base64')).filter((s) => s.length === 64);
  if (signatures.length === 0) return { ok: false, reason: 'the v1a signature is not a base64 Ed25519 signature' };
  const message = signedBytes(d);
  for (let round = 0; round < 2; round++) {
    let keys: Array<{ kid?: string; key: KeyObject }>;
    try {
      keys = ed25519Keys(await set.keys());
    } catch (err) {
      return keyFailure(err);
    }
    for (const { kid, key } of keys) {
      for (const sig of signatures) {
        if (verifySignature(null, message, key, sig)) return { ok: true, webhookId: d.id, timestamp: d.timestamp, scheme: 'v1a', ...(kid ? { keyId: kid } : {}) };
      }
    }
    // No cached key verifies: the set may have rotated. Refetch once (not within the cooldown).
    try {
      if (round > 0 || !(await set.refresh())) break;
    } catch (err) {
      return keyFailure(err);
    }
  }
  return { ok: false, reason: 'no v1a signature matches a key of the JWKS' };
}

function verifyV1(d: Delivery, entries: SignatureEntry[], opts: VerifyOptions): VerifyResult {
  const secrets = opts.secrets ?? [];
  if (secrets.length === 0) return { ok: false, reason: 'a v1 (HMAC) delivery arrived but no signing secret is configured (GEMINI_WEBHOOK_SECRET)' };
  const given = entries.map((e) => Buffer.from(e.value, 'utf8'));
  for (const secret of secrets) {
    // The library's sign() computes the HMAC; its verify() would also JSON.parse the body.
    const expected = Buffer.from(new StandardWebhook(secret).sign(d.id, new Date(d.timestamp * 1000), d.rawBody.toString('utf8')).slice('v1,'.length), 'utf8');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return { ok: true, webhookId: d.id, timestamp: d.timestamp, scheme: 'v1' };
  }
  return { ok: false, reason: 'no v1 signature matches a configured secret' };
}

async function verifyJwt(d: Delivery, jwt: string, opts: VerifyOptions, now: () => number, tolerance: number): Promise<VerifyResult> {
  const set = await keySet(opts);
  if (!set) return { ok: false, reason: 'a JWT-signed delivery arrived but no JWKS is configured (GEMINI_WEBHOOK_JWKS_URL)' };
  const jose = await loadJose();
  try {
    const { payload, protectedHeader } = await jose.jwtVerify(jwt, set.resolver, {
      ...(opts.issuer ? { issuer: opts.issuer } : {}),
      ...(opts.audience ? { audience: opts.audience } : {}),
      clockTolerance: tolerance,
      currentDate: new Date(now()),
      maxTokenAge: `${tolerance * 2}s`,
      algorithms: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
    });
    const claims = payload as Record<string, unknown>;
    const claimedId = payload.jti ?? claims['webhook_id'];
    if (claimedId !== undefined && claimedId !== d.id) return { ok: false, reason: 'the JWT names another webhook-id' };
    const claim = opts.bodyHashClaim === undefined ? 'body_sha256' : opts.bodyHashClaim;
    if (claim !== false && claims[claim] !== bodyHash(d.rawBody)) return { ok: false, reason: `the JWT's ${claim} does not match the body` };
    return { ok: true, webhookId: d.id, timestamp: d.timestamp, scheme: 'jwt', ...(protectedHeader.kid ? { keyId: protectedHeader.kid } : {}) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_JWKS_TIMEOUT' || (code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set/.test((err as Error).message)) || (err as Error).name === 'TypeError')
      return keyFailure(err);
    return { ok: false, reason: `JWT rejected: ${code ?? (err as Error).message}` };
  }
}

/**
 * Checks the headers and signatures of one delivery. Never throws; the reason is safe to log.
 * Several signatures may be sent (a rotation): one that verifies under an accepted scheme is enough.
 */
export async function verifyDelivery(rawBody: Buffer, headers: Headers, opts: VerifyOptions): Promise<VerifyResult> {
  const now = opts.now ?? Date.now;
  const tolerance = opts.toleranceSeconds ?? 300;
  const id = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp')?.trim();
  const signature = header(headers, 'webhook-signature');
  if (!id || !ts || !signature) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  const timestamp = Number(ts);
  if (Math.abs(now() / 1000 - timestamp) > tolerance) return { ok: false, reason: `webhook-timestamp is more than ${tolerance} s away from now (stale or replayed)` };
  const accepted = opts.schemes ?? WEBHOOK_SCHEMES;
  const entries = parseSignatures(signature);
  const delivery: Delivery = { id, ts, timestamp, rawBody };
  const failures: VerifyResult[] = [];
  for (const scheme of WEBHOOK_SCHEMES) {
    const mine = entries.filter((e) => e.scheme === scheme);
    if (mine.length === 0) continue;
    if (!accepted.includes(scheme)) {
      failures.push({ ok: false, reason: `signature scheme ${scheme} not accepted (accepted: ${accepted.join(', ')})` });
      continue;
    }
    const result =
      scheme === 'v1a' ? await verifyV1a(delivery, mine, opts) : scheme === 'v1' ? verifyV1(delivery, mine, opts) : await verifyJwt(delivery, mine[0]!.value, opts, now, tolerance);
    if (result.ok) return result;
    failures.push(result);
  }
  if (failures.length === 0) return { ok: false, reason: `no signature of a known scheme (v1a, v1, JWT) in webhook-signature` };
  // A key-fetch failure means "could not judge": report it so the sender retries.
  return failures.find((f) => !f.ok && f.retryable) ?? failures[0]!;
}

/** The schemes of a `webhook-signature` value, for reports (never the value itself). */
export function signatureSchemes(signature: string | undefined): Array<WebhookScheme | 'unknown'> {
  return signature ? [...new Set(parseSignatures(signature).map((s) => s.scheme))] : [];
}
