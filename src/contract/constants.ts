/**
 * Job constants shared by the workflow, the activities, the worker and the jobs client, defined
 * once here. Pure values (no imports): workflow code bundles this file.
 */

/** Length of a turn's `summary` (characters): the follow result and `TurnRecord.summary`. */
export const SUMMARY_CHARS = 280;

/**
 * Failure types (client error codes) no activity retry may repeat: the same request fails again.
 * Order matters to nothing but history readers; keep it (it is in scheduled activities' retry policy).
 */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = ['bad_request', 'invalid_request', 'unauthenticated', 'permission_denied', 'not_found', 'unprocessable'];

/**
 * Longest delay of a changed follow checkpoint before it is heartbeated (ms). Each heartbeat is an
 * RPC and a billable Temporal action: 28 s keeps a Deep Research run near 130 actions per hour
 * while a crash replays at most 28 s of stream (idempotently, by event id).
 */
export const CHECKPOINT_FLUSH_MS = 28_000;

/** The checkpoint flush while someone watches the job (live progress), in ms. */
export const WATCHED_FLUSH_MS = 5_000;
