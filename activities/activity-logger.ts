/**
 * The activities' logger routed through Temporal's activity logger (`log` of
 * `@temporalio/activity`): inside an activity every line then carries the activity's context
 * (namespace, task queue, workflow id and run id, activity id and type, attempt) and goes to the
 * Runtime logger, which the worker sends to its JSON lines. Outside an activity it falls back.
 */
import { Context, log } from '@temporalio/activity';

/** Structured log sink; lines never contain credentials (job input holds none, errors are redacted). */
export interface JobLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** `log` of `@temporalio/activity` inside an activity, else undefined (it throws outside one). */
function activityLog(): typeof log | undefined {
  try {
    Context.current();
    return log;
  } catch {
    return undefined; // not inside an activity
  }
}

/** A JobLogger that writes through the current activity's context logger, else through `fallback`. */
export function activityContextLogger(fallback: JobLogger): JobLogger {
  return {
    info: (msg, fields) => {
      const log = activityLog();
      if (log) log.info(msg, fields);
      else fallback.info(msg, fields);
    },
    warn: (msg, fields) => {
      const log = activityLog();
      if (log) log.warn(msg, fields);
      else fallback.warn(msg, fields);
    },
  };
}
