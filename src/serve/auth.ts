/**
 * Bearer-token access control of `gemini-jobs serve`. Tokens come from the environment
 * (`GEMINI_JOBS_SERVE_TOKENS`, comma-separated, so a new token can be added before the old one is
 * removed) and are compared in constant time over their SHA-256 digests, against every configured
 * token, so neither the length nor the position of a mismatch leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ConfigError } from '../common/errors';

/** Environment variable holding the accepted bearer tokens (comma-separated). */
export const SERVE_TOKENS_ENV = 'GEMINI_JOBS_SERVE_TOKENS';
/** Shortest token accepted: 16 characters (a generated one has 43). */
export const MIN_TOKEN_LENGTH = 16;

/** A configuration the server refuses to start with. */
export class ServeConfigError extends ConfigError {}

/** Parses the comma-separated token list; throws `ServeConfigError` for a token that is too short. */
export function parseTokens(text: string | undefined): string[] {
  const tokens = (text ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  tokens.forEach((token, i) => {
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new ServeConfigError(`${SERVE_TOKENS_ENV}: token #${i + 1} is ${token.length} characters; use at least ${MIN_TOKEN_LENGTH} (e.g. \`openssl rand -base64 32\`)`);
    }
    if (/\s/.test(token)) throw new ServeConfigError(`${SERVE_TOKENS_ENV}: token #${i + 1} contains whitespace`);
  });
  return tokens;
}

/** A fresh random token (32 bytes, base64url). */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Checks `Authorization: Bearer <token>` against the accepted tokens. */
export class TokenVerifier {
  private readonly digests: Buffer[];
  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new ServeConfigError(`no bearer token configured: set ${SERVE_TOKENS_ENV}`);
    this.digests = tokens.map(digest);
  }

  /** True when the request carries one of the accepted tokens. */
  verify(headers: IncomingHttpHeaders): boolean {
    const header = headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) return false;
    const presented = digest(match[1]!);
    let ok = false;
    // No early exit: the time taken does not depend on which token matched.
    for (const known of this.digests) ok = timingSafeEqual(presented, known) || ok;
    return ok;
  }
}

/** Is `host` a loopback address (127.0.0.0/8, ::1, localhost)? */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
