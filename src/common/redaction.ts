/**
 * Credential detection and redaction. Job input, heartbeats, results and errors are written to
 * Temporal history (and to logs), so none of them may hold an API key or a token: credentials come
 * from the worker's environment through the Interactions client, never from a job.
 */

/** Shapes of common credentials. Deliberately specific: a false positive blocks a legitimate job. */
export const SECRET_PATTERNS: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'Google API key', pattern: /AIza[0-9A-Za-z_-]{35}/ },
  { name: 'Google OAuth access token', pattern: /ya29\.[0-9A-Za-z_.-]{20,}/ },
  { name: 'Google OAuth refresh token', pattern: /1\/\/0[0-9A-Za-z_-]{30,}/ },
  { name: 'bearer token', pattern: /\bBearer\s+[0-9A-Za-z._~+/=-]{16,}/i },
  { name: 'JSON Web Token', pattern: /\beyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}/ },
  { name: 'OpenAI-style secret key', pattern: /\bsk-[0-9A-Za-z_-]{20,}/ },
  { name: 'GitHub token', pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}/ },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[0-9A-Za-z_]{40,}/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[0-9A-Za-z-]{10,}/ },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** Returns the name of the credential shape found in `text`, if any. */
export function findSecretShape(text: string): string | undefined {
  for (const { name, pattern } of SECRET_PATTERNS) if (pattern.test(text)) return name;
  return undefined;
}

/** Replaces every credential-shaped substring with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const { pattern } of SECRET_PATTERNS) out = out.replace(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'), '[REDACTED]');
  return out;
}

export interface SecretFinding {
  /** JSON-path-like location, e.g. `request.tools[0].headers.Authorization`. */
  path: string;
  /** What was found (never the value itself). */
  kind: string;
}

/** Header names whose values are credentials whatever they look like. */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-goog-api-key|x-api-key|api-key|cookie)$/i;
/** Object keys whose values are credentials whatever they look like. */
const CREDENTIAL_KEY = /^(api_?key|apiKey|access_?token|accessToken|refresh_?token|client_?secret|password|secret)$/i;

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
