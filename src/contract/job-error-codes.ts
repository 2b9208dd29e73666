/**
 * The codes a job's `JobError.code` can hold (in `JobState.error`, `TurnRecord.error`, watch
 * `done` events and workflow results).
 *
 * These values are stored in workflow histories and results of jobs that are already running, so
 * none of them ever changes. A code this version does not know (written by an older or newer
 * worker, or an ApplicationFailure type from an activity that bypassed the failure mapping) is read
 * as `unknown`, with the original string kept in `rawCode`: reading never fails on it.
 *
 * Pure: type imports only, so workflows can use it.
 */
import type { InteractionsErrorCode } from '../interactions/types';

/** Codes the workflow and the jobs client write themselves. */
export type JobOwnErrorCode =
  /** The turn passed `options.deadlineMs`; the remote run was cancelled. */
  | 'deadline_exceeded'
  /** The thread's budget ran out; the remote run was cancelled. */
  | 'budget_exceeded'
  /** The job was cancelled before its follow-up turn started. */
  | 'cancelled'
  /** An activity failed without a typed failure. */
  | 'activity_failed'
  /** An activity failed with an error of no known code (the worker maps it to this type). */
  | 'internal'
  /** The interaction ended with a status this worker does not know. */
  | 'unknown_status'
  /** `mode: "webhook"` on a worker without `GEMINI_JOBS_WEBHOOK_URL`. */
  | 'webhook_not_configured'
  /** A setting the worker needs at run time is unusable (e.g. the result store). */
  | 'invalid_config'
  /** The worker has no Gemini credentials. */
  | 'missing_credentials'
  /** The workflow execution itself ended this way at the Temporal level (read by the jobs client). */
  | 'workflow_failed'
  | 'workflow_cancelled'
  | 'workflow_terminated'
  | 'workflow_timed_out'
  /** Read-time fallback for a code this version does not know; `JobError.rawCode` holds the original. */
  | 'unknown';

/**
 * The interaction itself ended badly: `upstream_<status>` (`upstream_failed`, `upstream_cancelled`,
 * `upstream_incomplete`, …). Open-ended on purpose: a future upstream status passes through.
 */
export type UpstreamJobErrorCode = `upstream_${string}`;

/** Every value of `JobError.code`: the Interactions client's codes, the job's own, and `upstream_*`. */
export type JobErrorCode = InteractionsErrorCode | JobOwnErrorCode | UpstreamJobErrorCode;

/** The closed part of the union, listed once so that code can be checked at run time. */
export const KNOWN_JOB_ERROR_CODES: readonly Exclude<JobErrorCode, UpstreamJobErrorCode>[] = [
  // Interactions client (ApplicationFailure types from activities, via the failure mapping).
  'bad_request',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'conflict',
  'unprocessable',
  'rate_limited',
  'server_error',
  'api_error',
  'connection_error',
  'timeout',
  'stream_truncated',
  'stream_error',
  'invalid_request',
  'aborted',
  // The job's own.
  'deadline_exceeded',
  'budget_exceeded',
  'cancelled',
  'activity_failed',
  'internal',
  'unknown_status',
  'webhook_not_configured',
  'invalid_config',
  'missing_credentials',
  'workflow_failed',
  'workflow_cancelled',
  'workflow_terminated',
  'workflow_timed_out',
  'unknown',
];

const KNOWN = new Set<string>(KNOWN_JOB_ERROR_CODES);

/** True when `code` is a value of {@link JobErrorCode}. */
export function isJobErrorCode(code: unknown): code is JobErrorCode {
  return typeof code === 'string' && (KNOWN.has(code) || (code.startsWith('upstream_') && code.length > 'upstream_'.length));
}

/** The shape of a job error as stored (older histories may hold any string in `code`). */
export interface StoredJobError {
  code: string;
  message: string;
  retryable?: boolean;
  rawCode?: string;
}

/**
 * A stored job error with its code checked: known codes pass unchanged; anything else becomes
 * `unknown` and keeps the original in `rawCode`. Never throws.
 */
export function normalizeJobError<E extends StoredJobError>(error: E): Omit<E, 'code'> & { code: JobErrorCode; rawCode?: string } {
  if (isJobErrorCode(error.code)) return error as Omit<E, 'code'> & { code: JobErrorCode };
  return { ...error, code: 'unknown', rawCode: typeof error.code === 'string' ? error.code : String(error.code) };
}
