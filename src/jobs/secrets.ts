/**
 * Credential detection and redaction. Job input, heartbeats, results and errors are written to
 * Temporal history (and to logs), so none of them may hold an API key or a token: credentials come
 * from the worker's environment through the Interactions client, never from a job.
 */

import { findSecretShape, redact } from '../common/redact';

// The patterns live in src/common/redact.ts (one set for the whole package).
export { SECRET_PATTERNS, findSecretShape } from '../common/redact';

/** Replaces every credential-shaped substring with `[REDACTED]` (see src/common/redact.ts). */
export const redactSecrets = redact;

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
