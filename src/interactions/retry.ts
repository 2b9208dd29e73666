/**
 * The one retry policy of the client.
 *
 * | knob              | default | meaning                                                              |
 * |-------------------|---------|----------------------------------------------------------------------|
 * | `maxRetries`      | 2       | extra attempts after the first; 0 disables (activities use 0 and let Temporal retry) |
 * | `initialDelayMs`  | 500     | first backoff; doubles per attempt                                    |
 * | `maxDelayMs`      | 8000    | cap of the computed backoff                                           |
 * | `jitter`          | 0.25    | backoff is multiplied by (1 − jitter·random)                          |
 * | `maxRetryAfterMs` | 60000   | a server `Retry-After` / `retry-after-ms` longer than this is capped  |
 *
 * What is retried is the retry table's answer (retry-table.ts), never decided here:
 * - Idempotent operations (GET, DELETE, cancel, webhook reads/updates): every error the table
 *   calls retryable (408, 409, 429, 5xx, connection errors, timeouts).
 * - `create` (and other non-idempotent POSTs) is never blindly repeated: the API has no
 *   idempotency key, so a repeat can start a second (billed) interaction. It is repeated only when
 *   the table says the failed attempt provably had no effect: a failed or timed-out TCP/TLS
 *   connect, or a 409 / 429 refusal.
 * - An abort of the caller's own signal is never repeated (the attempt loop checks the signal
 *   before asking).
 */

import { retryDelay } from '../common/backoff';
import { sleep as abortableSleep } from '../common/sleep';
import { APIStatusError, APITimeoutError, AbortError } from './errors';
import { retryVerdict } from './retry-table';

export interface RetryPolicy {
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  jitter: number;
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  jitter: 0.25,
  maxRetryAfterMs: 60_000,
};

/** Whether `err` from attempt `attempt` (0-based) should be retried: within the policy's attempts, the table's verdict. */
export function shouldRetry(err: unknown, attempt: number, idempotent: boolean, policy: RetryPolicy): boolean {
  if (attempt >= policy.maxRetries) return false;
  const verdict = retryVerdict(err);
  return verdict !== undefined && verdict.retryable && (idempotent || verdict.noEffect);
}

/**
 * Parse `retry-after-ms` (milliseconds, may be fractional) or `Retry-After` (seconds or an HTTP
 * date) into milliseconds; undefined when absent or unparsable.
 */
export function parseRetryAfterMs(headers: Record<string, string | string[] | undefined>, now: number = Date.now()): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  const ra = first(headers['retry-after']);
  if (ra === undefined) return undefined;
  const secs = Number(ra);
  if (ra.trim() !== '' && Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : undefined;
  const date = Date.parse(ra);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Delay in milliseconds before retry number `attempt + 1`. */
export function retryDelayMs(err: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ra = err instanceof APIStatusError ? err.retryAfterMs : undefined;
  if (ra !== undefined) return Math.min(ra, policy.maxRetryAfterMs);
  return retryDelay(attempt, { initialMs: policy.initialDelayMs, maxMs: policy.maxDelayMs, jitter: policy.jitter, spread: 'down' }, undefined, undefined, random);
}

/** Sleep `ms` milliseconds; rejects with {@link abortReason} as soon as `signal` fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await abortableSleep(ms, signal);
  } catch (err) {
    throw signal?.aborted ? abortReason(signal) : err;
  }
}

/** The error to throw for an aborted signal: its reason when it is one of ours, else AbortError. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof APITimeoutError || r instanceof AbortError) return r;
  return new AbortError();
}
