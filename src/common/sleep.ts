/**
 * The one abortable sleep of gemini-jobs, on `node:timers/promises` (which clears its timer and
 * listener on abort). Two flavours, because callers mean two things by an abort:
 * - {@link sleep}: the abort is an error (a request being retried was cancelled);
 * - {@link pause}: the abort only ends the wait early (a polling loop that checks the signal next).
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Sleeps `ms` milliseconds; rejects with the signal's reason as soon as `signal` fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw signal.reason;
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/** Waits `ms` milliseconds, or until `signal` fires (resolves either way, never rejects). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, signal).catch(() => undefined);
}
