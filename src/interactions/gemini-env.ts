/**
 * Which Gemini backend the environment configures, without reading any secret value into a log.
 * Used by the worker (fail fast with a clear message), the dev stack (emulator or real API) and
 * the CLI (optional API fallback for reports). The client itself is `InteractionsClient.fromEnv()`.
 */
import { InteractionsClient, type ClientOptions } from './client';
import { GeminiJobsError } from '../common/errors';

export type GeminiBackend =
  /** GEMINI_JOBS_BASE_URL points at an emulator or a proxy. */
  | 'base-url'
  /** Vertex AI: GOOGLE_GENAI_USE_VERTEXAI with GOOGLE_CLOUD_PROJECT (OAuth / ADC) or an API key (express). */
  | 'vertex'
  /** Gemini Developer API key: GEMINI_API_KEY or GOOGLE_API_KEY. */
  | 'api-key';

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

function set(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}

/** The configured backend, or undefined when the environment has no Gemini settings at all. */
export function geminiBackend(env: NodeJS.ProcessEnv = process.env): GeminiBackend | undefined {
  if (set(env.GEMINI_JOBS_BASE_URL)) return 'base-url';
  if (truthy(env.GOOGLE_GENAI_USE_VERTEXAI) && (set(env.GOOGLE_CLOUD_PROJECT) || set(env.GOOGLE_API_KEY) || set(env.GEMINI_API_KEY))) {
    return 'vertex';
  }
  if (set(env.GEMINI_API_KEY) || set(env.GOOGLE_API_KEY)) return 'api-key';
  return undefined;
}

/** True when real credentials (not only an emulator URL) are configured. */
export function hasGeminiCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  const backend = geminiBackend({ ...env, GEMINI_JOBS_BASE_URL: undefined });
  return backend !== undefined;
}

/** What to tell a user whose worker has nothing to call. */
export const MISSING_GEMINI_CREDENTIALS =
  'No Gemini credentials in the environment. Set GEMINI_API_KEY (or GOOGLE_API_KEY) for the Gemini API, ' +
  'or GOOGLE_GENAI_USE_VERTEXAI=true with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (Application Default ' +
  'Credentials) for Vertex AI, or GEMINI_JOBS_BASE_URL=<url> to use a local emulator (`gemini-jobs emulator`). ' +
  'Credentials are never part of job input.';

/** The Gemini environment has nothing to call (no credentials, no emulator URL). */
export class MissingCredentialsError extends GeminiJobsError<'missing_credentials'> {
  constructor(message: string = MISSING_GEMINI_CREDENTIALS) {
    super('missing_credentials', message);
  }
}

/** What is missing in this environment: the Vertex-specific fix when Vertex was asked for. */
export function missingCredentialsMessage(env: NodeJS.ProcessEnv = process.env): string {
  if (truthy(env.GOOGLE_GENAI_USE_VERTEXAI)) {
    return (
      'GOOGLE_GENAI_USE_VERTEXAI is set, but Vertex AI needs a project or an API key: set GOOGLE_CLOUD_PROJECT=<project id> ' +
      '(and GOOGLE_CLOUD_LOCATION, default global) with Application Default Credentials (gcloud auth application-default login, ' +
      'or GOOGLE_APPLICATION_CREDENTIALS=<key file>), or GOOGLE_API_KEY=<key> for Vertex express mode. ' +
      'Unset GOOGLE_GENAI_USE_VERTEXAI to use the Gemini API with GEMINI_API_KEY instead.'
    );
  }
  return MISSING_GEMINI_CREDENTIALS;
}

/** Drops empty strings so `${X:-}` from docker-compose means unset. */
export function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}

/** Key sent to an emulator configured by GEMINI_JOBS_BASE_URL alone (it accepts any non-empty key). */
export const EMULATOR_PLACEHOLDER_KEY = 'emulator-placeholder-key';

/**
 * `InteractionsClient.fromEnv(env)`, plus a placeholder key when only GEMINI_JOBS_BASE_URL is set
 * (an emulator needs some key; a real endpoint would refuse it). Throws `missing_credentials`
 * when the environment configures nothing. `overrides` (e.g. a recording `dispatcher`) win.
 */
export async function interactionsClientFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: ClientOptions = {}): Promise<InteractionsClient> {
  const backend = geminiBackend(env);
  if (!backend) throw new MissingCredentialsError(missingCredentialsMessage(env));
  const clean = withoutEmpty(env);
  const needsPlaceholder = backend === 'base-url' && !clean.GEMINI_API_KEY && !clean.GOOGLE_API_KEY && !truthy(clean.GOOGLE_GENAI_USE_VERTEXAI);
  return InteractionsClient.fromEnv(clean, needsPlaceholder ? { apiKey: EMULATOR_PLACEHOLDER_KEY, ...overrides } : overrides);
}
