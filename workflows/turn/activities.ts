/**
 * The job workflow's activity stubs and their options, and how an activity failure becomes a
 * `JobError`. Deterministic code only: activities are imported as types.
 */
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/workflow';
import type { JobActivities } from '../../activities/types';
import { NON_RETRYABLE_ERROR_TYPES } from '../../src/contract/constants';
import type { JobError } from '../../src/contract/job';
import { normalizeJobError } from '../../src/contract/job-error-codes';
import type { ResolvedJobOptions } from '../helpers';

/** Failure types no activity retry may repeat (one list, in the pure contract module). */
export const NON_RETRYABLE_TYPES = [...NON_RETRYABLE_ERROR_TYPES];

/** Retry policy of the job's activities (the create, collect and cancel ones set their own attempts). */
export const RETRY: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', nonRetryableErrorTypes: NON_RETRYABLE_TYPES };

/**
 * Retries of the follow activity. Its transient API errors are retried inside the attempt
 * (activities/transient.ts), so an attempt fails mostly because its worker died: then the next
 * attempt should start as soon as a worker can take it, not after a backoff grown to 60 s by a
 * crash loop. A retry-policy change is not a command-sequence change (replay compares activity
 * type and id, not options).
 */
export const FOLLOW_RETRY: RetryPolicy = { ...RETRY, maximumInterval: '2s' };

/** The create POST itself is bounded by the client; these cover a stuck worker. */
export const createActivities = proxyActivities<Pick<JobActivities, 'createInteraction'>>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  scheduleToCloseTimeout: '15m',
  retry: { ...RETRY, maximumAttempts: 20 },
});

/**
 * The same create, cancellable: a cancel during create retries (DNS down, wrong key retried, 429s)
 * takes effect at once between attempts, and within the activity's cancel grace during a POST,
 * whose answer is still awaited so a created interaction gets cancelled rather than leaked.
 */
export const cancellableCreateActivities = proxyActivities<Pick<JobActivities, 'createInteraction'>>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  scheduleToCloseTimeout: '15m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...RETRY, maximumAttempts: 20 },
});

export const cancelActivities = proxyActivities<Pick<JobActivities, 'cancelInteraction'>>({
  startToCloseTimeout: '3m',
  heartbeatTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { ...RETRY, maximumAttempts: 5 },
});

/** One GET of the interaction (webhook mode's backstop and on-demand progress); short. */
export const checkActivities = proxyActivities<Pick<JobActivities, 'checkInteraction'>>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '5m',
  retry: { ...RETRY, maximumInterval: '10s', maximumAttempts: 5 },
});

/** The follow activity of a turn: one attempt may follow the whole run; the workflow's deadline timer is what bounds it. */
export function followActivities(options: ResolvedJobOptions): Pick<JobActivities, 'followInteraction'> {
  return proxyActivities<Pick<JobActivities, 'followInteraction'>>({
    startToCloseTimeout: options.deadlineMs + 10 * 60_000,
    scheduleToCloseTimeout: options.deadlineMs + 15 * 60_000,
    heartbeatTimeout: options.heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: FOLLOW_RETRY,
  });
}

/** The follow activity as a plain GET of a run that already finished (collecting it after a cancel). */
export const collectActivities = proxyActivities<Pick<JobActivities, 'followInteraction'>>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '30s',
  retry: { ...RETRY, maximumAttempts: 5 },
});

/** The `JobError` of an activity failure: its stable type, message and retryability. */
export function jobErrorOf(err: unknown): JobError {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    // A type this version does not know is kept as `rawCode` under `unknown` (a pure data change: no command depends on it).
    return normalizeJobError({ code: cause.type ?? 'activity_failed', message: cause.message, retryable: !cause.nonRetryable });
  }
  if (cause instanceof TimeoutFailure) return { code: 'timeout', message: `activity timed out (${cause.timeoutType})`, retryable: false };
  return { code: 'activity_failed', message: err instanceof Error ? err.message : String(err), retryable: false };
}
