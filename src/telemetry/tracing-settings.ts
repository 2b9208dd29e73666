/**
 * The tracing switch, apart from ./tracing.ts so that reading it does not load the OpenTelemetry
 * SDK (about a second of startup on a small machine): the worker imports ./tracing only when on.
 */
import { ConfigError } from '../common/errors';

/** A bad tracing setting, named with its fix. */
export class TracingConfigError extends ConfigError {}

/** `GEMINI_JOBS_TRACING`: `otlp` turns tracing on; unset/`off` leaves it off. */
export function resolveTracingExporter(env: NodeJS.ProcessEnv = process.env): 'otlp' | undefined {
  const value = env.GEMINI_JOBS_TRACING?.trim().toLowerCase();
  if (!value || value === 'off' || value === 'none') return undefined;
  if (value === 'otlp') return 'otlp';
  throw new TracingConfigError(`GEMINI_JOBS_TRACING must be otlp or off (got ${JSON.stringify(env.GEMINI_JOBS_TRACING)})`);
}
