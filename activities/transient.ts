/**
 * Transient-error retries INSIDE an activity attempt, for idempotent reads (GET, stream opens).
 *
 * Failing the whole attempt on a 429 or a 503 hands the retry to Temporal, whose backoff grows to
 * the activity's maximumInterval and which restarts the attempt from its last heartbeat. A read
 * that failed for a transient reason is simply repeated here after a short, jittered delay
 * (`Retry-After` honoured), within a budget; only when the budget is spent does the error reach
 * Temporal. What is worth repeating is the one retry table's verdict
 * (src/interactions/retry-table.ts): codes it calls final (400/401/403/404…) and errors outside the
 * client's tree are thrown at once.
 */
import { retryDelay, type BackoffPolicy } from '../src/common/backoff';
import { retryVerdict } from '../src/interactions/retry-table';
import { sleepMs, throwIfCancelled } from './deps';

/** Defaults of {@link withTransientRetries}. */
export const TRANSIENT_RETRY_DEFAULTS = {
  /** Attempts in all, the first included. */
  maxAttempts: 8,
  /** Stop retrying once this much time went by since the first failure (ms). */
  budgetMs: 120_000,
  /** A `Retry-After` longer than this is cut to it (ms): the activity re-checks sooner. */
  maxRetryAfterMs: 30_000,
  backoff: { initialMs: 250, maxMs: 4_000, jitter: 0.25 } satisfies BackoffPolicy,
};

export interface TransientRetryOptions {
  maxAttempts?: number;
  budgetMs?: number;
  maxRetryAfterMs?: number;
  backoff?: BackoffPolicy;
  /** Clock (ms); default Date.now. */
  now?: () => number;
  /** Called before each retry with the error's code and the delay (ms). */
  onRetry?: (info: { code: string; attempt: number; delayMs: number }) => void;
  /** Waits `ms` milliseconds, rejecting on cancellation (default: the activity's own sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** Throws if the caller was cancelled (default: the activity's cancellation). */
  throwIfCancelled?: () => void;
}

/** Runs `fn`, repeating it after transient failures within the budget; rethrows anything else. */
export async function withTransientRetries<T>(fn: () => Promise<T>, opts: TransientRetryOptions = {}): Promise<T> {
  const d = TRANSIENT_RETRY_DEFAULTS;
  const now = opts.now ?? Date.now;
  const maxAttempts = opts.maxAttempts ?? d.maxAttempts;
  const budgetMs = opts.budgetMs ?? d.budgetMs;
  let firstFailureAt: number | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      (opts.throwIfCancelled ?? throwIfCancelled)();
      const verdict = retryVerdict(err);
      if (!verdict?.retryable) throw err;
      firstFailureAt ??= now();
      if (attempt + 1 >= maxAttempts || now() - firstFailureAt >= budgetMs) throw err;
      const hint = (err as { retryAfterMs?: unknown }).retryAfterMs;
      const delayMs = retryDelay(attempt, opts.backoff ?? d.backoff, typeof hint === 'number' ? hint : undefined, opts.maxRetryAfterMs ?? d.maxRetryAfterMs);
      opts.onRetry?.({ code: verdict.code, attempt: attempt + 1, delayMs });
      await (opts.sleep ?? sleepMs)(delayMs);
    }
  }
}
