/**
 * The delivery workflow of one completion callback (type `jobCallback`, id
 * `<jobId>/callback/<turn>/<event>`): the job workflow starts it when a turn ends and leaves it
 * running (parent close policy ABANDON), so neither the job's result nor its close waits for a
 * receiver that is down. Its one activity is retried by Temporal for up to a day; the attempt
 * decides the next delay (activities/callback.ts). `JobsClient.state` reads the attempts and the
 * last answer from this workflow (its pending activity while it retries, its result after).
 *
 * Deterministic code only.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { CallbackActivities } from '../activities/callback-types';
import type { CallbackDeliveryInput, CallbackDeliveryResult } from '../src/contract/callback';

/**
 * Retries for a day: 5 s doubling to 10 min between attempts (about 150 attempts). A refusing 4xx
 * (`callback_refused`) is not retried. The activity sets each attempt's delay itself
 * (`nextRetryDelay`), from the same figures unless the worker is told otherwise.
 */
const { deliverCallback } = proxyActivities<CallbackActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['callback_refused'] },
});

/** Delivers one callback until acknowledged, refused or a day has passed; never fails. */
export async function jobCallback(input: CallbackDeliveryInput): Promise<CallbackDeliveryResult> {
  try {
    return await deliverCallback(input);
  } catch (err) {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    let attempts = 0;
    let status: number | undefined;
    let message = err instanceof Error ? err.message : String(err);
    if (cause instanceof ApplicationFailure) {
      const details = cause.details?.[0] as { attempt?: number; status?: number } | undefined;
      attempts = details?.attempt ?? 0;
      status = details?.status;
      message = cause.message;
    } else if (cause instanceof TimeoutFailure) {
      const last = cause.cause instanceof ApplicationFailure ? (cause.cause.details?.[0] as { attempt?: number; status?: number } | undefined) : undefined;
      attempts = last?.attempt ?? 0;
      status = last?.status;
      message = `gave up after 24 h: ${cause.cause instanceof Error ? cause.cause.message : 'not acknowledged'}`;
    }
    return { delivered: false, attempts, ...(status !== undefined ? { status } : {}), error: message };
  }
}
