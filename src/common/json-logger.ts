/**
 * The one JSON-lines logger of gemini-jobs: `{"time","level","msg",...fields}` per line, secrets
 * redacted from the message and every field. The worker writes its own and the SDK's lines with
 * it; activities fall back to it outside an activity context.
 */
import { redact } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** JSON-lines logger: `{"time","level","msg",...fields}`, secrets redacted from every string. */
export interface StructuredLogger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function safeFields(fields: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!fields) return {};
  try {
    return JSON.parse(redact(JSON.stringify(fields, (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : typeof v === 'bigint' ? String(v) : v)))) as Record<
      string,
      unknown
    >;
  } catch {
    return { fields: '[unserializable]' };
  }
}

/** A JSON-lines logger on `out` (default stdout) that drops lines below `minLevel`. */
export function createJsonLogger(out: NodeJS.WritableStream = process.stdout, minLevel: LogLevel = 'info'): StructuredLogger {
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    out.write(JSON.stringify({ time: new Date().toISOString(), level, msg: redact(msg), ...safeFields(fields) }) + '\n');
  };
  return {
    log,
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}
