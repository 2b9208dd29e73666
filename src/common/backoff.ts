/**
 * The one backoff helper of gemini-jobs: bounded exponential delays with jitter. Pure (no I/O, no
 * Node APIs), so the wire client, the activities and the jobs client all share it.
 *
 * `delay(n) = min(maxMs, initialMs · factor^n)`, then jittered. Jitter spreads many workers that
 * fail at the same moment (a 503 burst) so they do not come back in lockstep.
 */

export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  initialMs: number;
  /** Cap of the computed delay before jitter (ms). */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * Jitter fraction: the delay is multiplied by a random value in `[1 − jitter, 1 + jitter]` when
   * `spread` is `both` (default), or in `[1 − jitter, 1]` when `down` (never longer than the cap).
   * Default 0.2.
   */
  jitter?: number;
  spread?: 'both' | 'down';
}

/** Bounded exponential backoff without jitter: `min(maxMs, initialMs · factor^attempt)` (ms). */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, factor = 2): number {
  return Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, attempt)));
}

/** `ms` with random jitter (see {@link BackoffPolicy.jitter}); `random` is injectable for tests. */
export function withJitter(ms: number, jitter = 0.2, spread: 'both' | 'down' = 'both', random: () => number = Math.random): number {
  const r = random();
  const factor = spread === 'down' ? 1 - jitter * r : 1 - jitter + 2 * jitter * r;
  return Math.max(0, Math.round(ms * factor));
}

/**
 * Delay before retry number `attempt + 1` (0-based attempt), in ms. A server hint (`Retry-After`)
 * wins over the computed delay, capped at `maxHintMs` (default: no cap below 10 minutes).
 */
export function retryDelay(attempt: number, policy: BackoffPolicy, hintMs?: number, maxHintMs = 600_000, random: () => number = Math.random): number {
  if (hintMs !== undefined && Number.isFinite(hintMs) && hintMs >= 0) {
    // A small upward jitter keeps clients told "retry in 2 s" from arriving in the same millisecond.
    return Math.min(hintMs, maxHintMs) + Math.round(random() * Math.min(250, hintMs * 0.1));
  }
  const base = backoffMs(attempt, policy.initialMs, policy.maxMs, policy.factor ?? 2);
  return withJitter(base, policy.jitter ?? 0.2, policy.spread ?? 'both', random);
}
