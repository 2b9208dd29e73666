/**
 * Receiver settings from the environment. Secrets live only here (never in job input, logs or
 * errors): `GEMINI_WEBHOOK_SECRET` (one or more `whsec_…`, comma-separated during rotation),
 * `GEMINI_WEBHOOK_JWKS_URL`, `GEMINI_WEBHOOK_JWT_ISSUER`, `GEMINI_WEBHOOK_JWT_AUDIENCE`,
 * `GEMINI_WEBHOOK_TOLERANCE_SECONDS`, `GEMINI_WEBHOOK_SCHEMES` (`v1a,v1,jwt`; `standard` is the
 * older name of `v1`).
 */
import { DEFAULT_GEMINI_JWKS_URL, WEBHOOK_SCHEMES, type VerifyOptions, type WebhookScheme } from './verify';
import { ConfigError } from '../common/errors';

export { DEFAULT_GEMINI_JWKS_URL };

/** A bad receiver setting, named in the message (never its value). */
export class WebhookConfigError extends ConfigError {}

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function webhookVerifyOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): VerifyOptions {
  const secrets = list(env.GEMINI_WEBHOOK_SECRET);
  for (const s of secrets) {
    if (!/^whsec_[A-Za-z0-9+/=]+$/.test(s)) throw new WebhookConfigError('GEMINI_WEBHOOK_SECRET must be whsec_-prefixed base64 secrets separated by commas');
  }
  const schemes = list(env.GEMINI_WEBHOOK_SCHEMES).map((s) => (s === 'standard' ? 'v1' : s));
  for (const s of schemes) {
    if (!WEBHOOK_SCHEMES.includes(s as WebhookScheme))
      throw new WebhookConfigError(`GEMINI_WEBHOOK_SCHEMES: unknown scheme ${JSON.stringify(s)} (use ${WEBHOOK_SCHEMES.join(', ')})`);
  }
  const opts: VerifyOptions = { secrets, jwksUrl: env.GEMINI_WEBHOOK_JWKS_URL?.trim() || DEFAULT_GEMINI_JWKS_URL };
  if (schemes.length > 0) opts.schemes = [...new Set(schemes)] as WebhookScheme[];
  const issuer = list(env.GEMINI_WEBHOOK_JWT_ISSUER);
  if (issuer.length > 0) opts.issuer = issuer;
  const audience = list(env.GEMINI_WEBHOOK_JWT_AUDIENCE);
  if (audience.length > 0) opts.audience = audience;
  const tol = env.GEMINI_WEBHOOK_TOLERANCE_SECONDS?.trim();
  if (tol) {
    if (!/^\d+$/.test(tol) || Number(tol) < 1 || Number(tol) > 3600)
      throw new WebhookConfigError('GEMINI_WEBHOOK_TOLERANCE_SECONDS must be a whole number of seconds between 1 and 3600');
    opts.toleranceSeconds = Number(tol);
  }
  return opts;
}
