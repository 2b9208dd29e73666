/**
 * `deliverCallback`: one Standard Webhooks–signed POST of a completion callback. Temporal owns the
 * retries (the delivery workflow's RetryPolicy, for up to a day); this attempt decides only whether
 * a failure may be retried and how long until the next attempt (`nextRetryDelay`: doubling from
 * the worker's `retryInitialMs`, a `Retry-After` honoured), so a test worker can retry in
 * milliseconds while the policy in history stays the production one.
 *
 * The secret comes from the worker (`GEMINI_JOBS_CALLBACK_SECRET`) and is used only to sign: it is
 * never in the input, the result, a log line or an error message.
 */
import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Webhook } from 'standardwebhooks';
import { retryDelay } from '../src/common/backoff';
import { redact } from '../src/common/redact';
import { parseRetryAfterMs } from '../src/interactions/retry';
import type { CallbackDeliveryInput, CallbackDeliveryResult } from '../src/contract/callback';
import type { CallbackActivities, CallbackSettings } from './callback-types';
import type { ResolvedDeps } from './deps';

/** Failure type of a callback the receiver refused (a 4xx other than 408/429): not retried. */
export const CALLBACK_REFUSED = 'callback_refused';
/** Failure type of a callback that may be retried (connection error, 408, 429, 5xx, no secret yet). */
export const CALLBACK_UNDELIVERED = 'callback_undelivered';

export const CALLBACK_RETRY_DEFAULTS = { retryInitialMs: 5_000, retryMaxMs: 10 * 60_000, requestTimeoutMs: 30_000 } as const;

/** What an attempt reports to the delivery workflow on failure (ApplicationFailure details). */
export interface CallbackAttemptDetails {
  attempt: number;
  status?: number;
}

export function makeDeliverCallback(deps: ResolvedDeps): CallbackActivities['deliverCallback'] {
  const settings: Required<Omit<CallbackSettings, 'secret'>> & { secret?: string } = { ...CALLBACK_RETRY_DEFAULTS, ...deps.callbacks };
  let signer: Webhook | undefined;
  return async (input: CallbackDeliveryInput): Promise<CallbackDeliveryResult> => {
    const attempt = activityInfo().attempt;
    const delay = (hintMs?: number) => retryDelay(attempt - 1, { initialMs: settings.retryInitialMs, maxMs: settings.retryMaxMs }, hintMs, settings.retryMaxMs);
    if (!settings.secret) {
      throw ApplicationFailure.create({
        type: CALLBACK_UNDELIVERED,
        message: 'the worker has no GEMINI_JOBS_CALLBACK_SECRET: set it (whsec_… base64) on the workers; delivery resumes on a worker that has it',
        details: [{ attempt } satisfies CallbackAttemptDetails],
        nextRetryDelay: delay(),
      });
    }
    signer ??= new Webhook(settings.secret);
    const body = JSON.stringify(input.payload);
    // Signed at send time: receivers refuse a timestamp older than a few minutes, and retries run for a day.
    const now = new Date();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'gemini-jobs-callback',
      'webhook-id': input.messageId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(input.messageId, now, body),
    };
    let response: Response;
    try {
      response = await fetch(input.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([cancellationSignal(), AbortSignal.timeout(settings.requestTimeoutMs)]),
      });
    } catch (err) {
      const e = err as Error & { cause?: Error };
      const why = redact([e.message, e.cause?.message].filter(Boolean).join(': '));
      throw ApplicationFailure.create({
        type: CALLBACK_UNDELIVERED,
        message: `callback not delivered: ${why}`,
        details: [{ attempt } satisfies CallbackAttemptDetails],
        nextRetryDelay: delay(),
      });
    }
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    if (status >= 200 && status < 300) return { delivered: true, attempts: attempt, status };
    const details: CallbackAttemptDetails = { attempt, status };
    const retryable = status === 408 || status === 429 || status >= 500 || (status >= 300 && status < 400);
    if (!retryable) {
      throw ApplicationFailure.create({
        type: CALLBACK_REFUSED,
        message: `callback refused: HTTP ${status} (a 4xx other than 408/429 is not retried)`,
        nonRetryable: true,
        details: [details],
      });
    }
    const hint = parseRetryAfterMs(Object.fromEntries(response.headers.entries()));
    throw ApplicationFailure.create({ type: CALLBACK_UNDELIVERED, message: `callback not acknowledged: HTTP ${status}`, details: [details], nextRetryDelay: delay(hint) });
  };
}
