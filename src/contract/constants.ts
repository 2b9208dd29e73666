/** Names and limits shared by the workflow, the worker, the jobs client and the faces. */

/** Default Temporal task queue for job workflows and their activities. */
export const DEFAULT_TASK_QUEUE = 'gemini-jobs';

/** Workflow type name (the exported workflow function's name). */
export const JOB_WORKFLOW_TYPE = 'interactionJob';

/**
 * Memo key holding the `JobResult` of a job that ended Temporal-cancelled (such an execution has
 * no result of its own). Readers use it in place of `handle.result()`.
 */
export const JOB_RESULT_MEMO = 'geminiJobResult';

/**
 * The longest a Deep Research run may take on the API (Google's documented maximum), in ms.
 */
export const API_RUN_LIMIT_MS = 60 * 60_000;

/**
 * The turn deadline the workflow gives an agent job that sets none: the API's own 60-minute
 * maximum for a Deep Research run plus 10 minutes for Google's queue and the webhook's delivery
 * (the deadline counts from the create's answer). A run that uses its full hour then ends on the
 * API's verdict, not cut short by ours; ours still catches a run stuck `in_progress` past the API's
 * limit, as users have reported. Clients may ask for less, never for more than this.
 */
export const AGENT_TURN_DEADLINE_MS = API_RUN_LIMIT_MS + 10 * 60_000;

/** The turn deadline of a model job that sets none, in ms. */
export const MODEL_TURN_DEADLINE_MS = 10 * 60_000;

/** How a job follows its runs when `JobOptions.mode` is unset. */
export const DEFAULT_JOB_MODE = 'stream' as const;

/** How long a job stays open for a follow-up after a turn ends, when `followUpWindowMs` is unset (ms). */
export const DEFAULT_FOLLOW_UP_WINDOW_MS = 15 * 60_000;

/** Keys of `webhook_config.user_metadata` that name the job and the turn. */
export const WEBHOOK_METADATA_KEYS = { jobId: 'gemini_jobs_job_id', turn: 'gemini_jobs_turn' } as const;

/**
 * Largest follow result (JSON-encoded bytes, report included) returned inline through Temporal.
 * Temporal refuses an activity result over 2 MiB of encoded payload (bench/payload-limit.ts:
 * JSON data of 2,097,120 bytes accepted, 2,097,121 refused) and its server logs a warning past
 * 256 KiB; 1 MiB leaves room for codecs (encryption, base64) while covering Deep Research reports
 * (KBs to a few hundred KB).
 */
export const INLINE_REPORT_MAX_BYTES = 1_048_576;

/** Length of a turn's `summary` (characters): the follow result and `TurnRecord.summary`. */
export const SUMMARY_CHARS = 280;

/**
 * Failure types (client error codes) no activity retry may repeat: the same request fails again.
 * Order matters to nothing but history readers; keep it (it is in scheduled activities' retry policy).
 */
export const NON_RETRYABLE_ERROR_TYPES: readonly string[] = ['bad_request', 'invalid_request', 'unauthenticated', 'permission_denied', 'not_found', 'unprocessable'];

/**
 * Longest wait of a follow checkpoint change before it is heartbeated, counted from the change
 * (activities/flush.ts). Each heartbeat is an RPC and a billable Temporal action: 24 s keeps an
 * hour-long Deep Research run at 130 actions (117 heartbeats, most of them 32 s liveness beats of
 * quiet gaps, and 13 per turn; 20 s cost 135) and leaves 6 s of the 30 s resume-lag target for
 * delays the rule cannot see (bench/README.md).
 */
export const CHECKPOINT_FLUSH_MS = 24_000;

/** The checkpoint flush while someone watches the job (live progress), in ms. */
export const WATCHED_FLUSH_MS = 5_000;
