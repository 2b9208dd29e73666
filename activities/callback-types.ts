/**
 * The completion-callback and schedule-chain activities' shapes. Types only: the workflows import
 * this module (type-only).
 */
import type { CallbackDeliveryInput, CallbackDeliveryResult } from '../src/contract/callback';

export interface CallbackActivities {
  /** One signed POST of a callback; throws (retryably, or not for a refusing 4xx) when it is not acknowledged. */
  deliverCallback(input: CallbackDeliveryInput): Promise<CallbackDeliveryResult>;
}

export interface PreviousScheduledInteractionInput {
  scheduleId: string;
  /** The asking job's workflow id (skipped in the schedule's recent actions). */
  jobId: string;
}

export interface ScheduleChainActivities {
  /** The last interaction id of the schedule's latest earlier run that has one (none for the first run). */
  previousScheduledInteraction(input: PreviousScheduledInteractionInput): Promise<{ interactionId?: string; jobId?: string }>;
}

/** Worker settings of completion callbacks (from the worker's environment, never from job input). */
export interface CallbackSettings {
  /** Standard Webhooks secret (`whsec_…`, base64): `GEMINI_JOBS_CALLBACK_SECRET`. */
  secret?: string;
  /** First retry delay (ms), doubled per attempt up to `retryMaxMs`; default 5 s (`GEMINI_JOBS_CALLBACK_RETRY_INITIAL_MS`). */
  retryInitialMs?: number;
  /** Largest retry delay (ms); default 10 min (`GEMINI_JOBS_CALLBACK_RETRY_MAX_MS`). */
  retryMaxMs?: number;
  /** Timeout of one POST (ms); default 30 s. */
  requestTimeoutMs?: number;
}
