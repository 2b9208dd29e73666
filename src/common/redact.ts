/**
 * The one credential redaction of gemini-jobs. Job input, heartbeats, results, errors and logs
 * reach Temporal history or files, so none of them may hold an API key or a token.
 *
 * Two kinds of patterns:
 * - credential SHAPES (an `AIza…` key, a `ya29.` token, a JWT…): found anywhere; used both to
 *   refuse a job whose input holds one ({@link findSecretShape}) and to redact. Deliberately
 *   specific: a false positive blocks a legitimate job.
 * - credential CONTEXTS (`key=…` in a URL, `"authorization": "…"` in a dumped body): the value may
 *   have any shape, so they only redact (a prompt may mention `?token=` legitimately).
 * A pattern's first capture group, when it has one, is kept: `Bearer [REDACTED]`.
 * {@link findSecrets} walks a job's input for credentials (shaped ones, and values under
 * credential-named keys), so a job holding one is refused before anything is enqueued.
 */

export interface SecretPattern {
  name: string;
  pattern: RegExp;
}

/** Token characters of RFC 6750 `b64token`. */
const TOKEN = '[0-9A-Za-z._~+/=-]';

/** Shapes of common credentials (detection and redaction). */
export const SECRET_PATTERNS: ReadonlyArray<SecretPattern> = [
  // Real keys are 39 characters (AIza + 35); a cut or echoed key is still a key.
  { name: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{20,}/ },
  { name: 'Google OAuth access token', pattern: /ya29\.[0-9A-Za-z_.~+/=-]+/ },
  { name: 'Google OAuth refresh token', pattern: /1\/\/0[0-9A-Za-z_-]{30,}/ },
  // 16+ token characters, or 8–15 with a digit: "Bearer authentication" in prose is not a token.
  { name: 'bearer token', pattern: new RegExp(`\\b(Bearer\\s+)(?:${TOKEN}{16,}|(?=[A-Za-z._~+/=-]{0,14}[0-9])${TOKEN}{8,15}(?!${TOKEN}))`, 'i') },
  { name: 'JSON Web Token', pattern: /\beyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}/ },
  { name: 'OpenAI-style secret key', pattern: /\bsk-[0-9A-Za-z_-]{20,}/ },
  { name: 'GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}/ },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[0-9A-Za-z_]{40,}/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[0-9A-Za-z-]{10,}/ },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** Places where a credential of any shape sits (redaction only; the prefix is kept). Whole key names only: `temporalApiKey: set` is not one. */
const SECRET_CONTEXTS: ReadonlyArray<RegExp> = [
  /([?&](?:key|api_key|access_token|token)=)[^&#\s"']+/gi,
  /((?<![\w-])"?(?:x-goog-api-key|authorization|api_key|apiKey|access_token)"?\s*[:=]\s*"?(?:Bearer\s+)?)[^"\s,}]{4,}/gi,
];

const GLOBAL_SHAPES = SECRET_PATTERNS.map(({ pattern }) => new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'));

const knownSecrets = new Set<string>();

/** Registers a credential (6+ characters) so that {@link redact} removes it verbatim wherever it appears. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 6) knownSecrets.add(secret);
}

/** Returns the name of the credential shape found in `text`, if any. */
export function findSecretShape(text: string): string | undefined {
  for (const { name, pattern } of SECRET_PATTERNS) if (pattern.test(text)) return name;
  return undefined;
}

const keepPrefix = (_match: string, prefix?: unknown): string => (typeof prefix === 'string' ? prefix : '') + '[REDACTED]';

/** Replaces every registered secret, credential-shaped substring and credential value with `[REDACTED]`. */
export function redact(text: string): string {
  let out = text;
  for (const s of knownSecrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  for (const re of GLOBAL_SHAPES) out = out.replace(re, keepPrefix);
  for (const re of SECRET_CONTEXTS) out = out.replace(re, keepPrefix);
  return out;
}

export interface SecretFinding {
  /** JSON-path-like location, e.g. `request.tools[0].headers.Authorization`. */
  path: string;
  /** What was found (never the value itself). */
  kind: string;
}

/** Header names whose values are credentials whatever they look like. */
export const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-goog-api-key|x-api-key|api-key|cookie)$/i;
/** Object keys whose values are credentials whatever they look like. */
export const CREDENTIAL_KEY = /^(api_?key|apiKey|access_?token|accessToken|refresh_?token|client_?secret|password|secret)$/i;

/**
 * Walks a JSON value and reports every credential: values under credential-named keys
 * (`api_key`, `access_token`, `Authorization` headers…) and any string shaped like a known key.
 */
export function findSecrets(value: unknown, path = '$', out: SecretFinding[] = [], depth = 0): SecretFinding[] {
  if (depth > 64 || out.length >= 20) return out;
  if (typeof value === 'string') {
    const kind = findSecretShape(value);
    if (kind) out.push({ path, kind });
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => findSecrets(item, `${path}[${i}]`, out, depth + 1));
    return out;
  }
  if (value && typeof value === 'object') {
    const inHeaders = /\.headers$/.test(path);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      const named = (inHeaders && CREDENTIAL_HEADER.test(key)) || CREDENTIAL_KEY.test(key);
      if (named && typeof child === 'string' && child.length > 0) {
        out.push({ path: childPath, kind: inHeaders ? `credential header "${key}"` : `credential field "${key}"` });
        continue;
      }
      findSecrets(child, childPath, out, depth + 1);
    }
  }
  return out;
}
