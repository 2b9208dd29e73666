/**
 * Step: read the interaction with a plain GET, the source of truth for its status. Transient
 * errors (the retry table's retryable ones) are repeated inside the attempt; a 404/403 within
 * `notFoundGraceMs` of its first sighting is waited out (the API answers both for a while after a
 * background create); anything else goes to Temporal through the failure mapping.
 */
import { backoffMs } from '../../src/common/backoff';
import type { Interaction } from '../../src/interactions/types';
import { errorCode, toActivityFailure } from '../failure-mapping';
import { withTransientRetries, type TransientRetryOptions } from '../transient';
import { FOLLOW_DEFAULTS, sleep, throwIfCancelled, type FollowContext } from './context';
import type { FollowState } from './state';

export function isNotFoundLike(code: string | undefined): boolean {
  return code === 'not_found' || code === 'permission_denied';
}

/** In-attempt retry options of a read: the attempt's clock and cancellation, one log line per retry. */
export function transientOptions(ctx: FollowContext, what: string, extra: TransientRetryOptions = {}): TransientRetryOptions {
  return {
    now: () => ctx.clock.now(),
    sleep: (ms) => sleep(ctx, ms),
    throwIfCancelled: () => throwIfCancelled(ctx),
    onRetry: (r) => ctx.deps.log.info(`follow: ${what} failed transiently; retrying`, { ...ctx.logFields, ...r }),
    ...extra,
  };
}

/** One GET of the interaction, with transient retries inside; `signal` defaults to the activity's. */
export function getOnce(ctx: FollowContext, extra: TransientRetryOptions & { signal?: AbortSignal } = {}): Promise<Interaction> {
  const { signal = ctx.signal, ...retry } = extra;
  return withTransientRetries(
    () => ctx.client.get(ctx.input.interactionId, { signal, maxRetries: 0, timeoutMs: FOLLOW_DEFAULTS.getTimeoutMs }),
    transientOptions(ctx, 'GET', retry),
  );
}

/**
 * The 404/403 grace: returns after a short wait while the grace lasts (the caller tries again),
 * throws a non-retryable failure once it is over. `n` is the caller's consecutive failure count.
 */
export async function waitOutNotFound(ctx: FollowContext, st: FollowState, err: unknown, n: number): Promise<void> {
  const now = ctx.clock.now();
  st.cp.notFoundSince ??= new Date(now).toISOString();
  const since = Date.parse(st.cp.notFoundSince);
  const graceMs = ctx.opts.notFoundGraceMs;
  if (now - since >= graceMs) {
    ctx.deps.log.warn('follow: interaction still not found after the grace period', { ...ctx.logFields, graceMs });
    throw toActivityFailure(err, { forceNonRetryable: true });
  }
  ctx.checkpoints.beat();
  await sleep(ctx, Math.min(backoffMs(n, 250, 5_000), Math.max(0, since + graceMs - now)));
}

/** The interaction as a GET reads it now (the not-found grace included). */
export async function readInteraction(ctx: FollowContext, st: FollowState): Promise<Interaction> {
  for (let n = 0; ; n++) {
    try {
      const interaction = await getOnce(ctx);
      delete st.cp.notFoundSince;
      return interaction;
    } catch (err) {
      throwIfCancelled(ctx);
      if (!isNotFoundLike(errorCode(err))) throw toActivityFailure(err);
      await waitOutNotFound(ctx, st, err, n);
    }
  }
}
