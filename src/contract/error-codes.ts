/**
 * Every stable error code of the package, composed from each layer's codes: `ErrorCode` is the
 * union the CLI's exit-code table and the HTTP server's status table are keyed by, so a code
 * cannot be added without both. Each code belongs to one class (docs/errors.md); the classes live
 * in their layers and extend `GeminiJobsError` (src/common/errors.ts).
 *
 * Types only: the contract's place at the bottom lets every layer name these codes.
 */
import type { CommonErrorCode } from '../common/errors';
import type { InteractionsErrorCode } from '../interactions/types';

export type { CommonErrorCode } from '../common/errors';
export type { InteractionsErrorCode } from '../interactions/types';

/** Codes of the jobs client's classes (src/jobs/errors.ts, src/jobs/validate-job.ts). */
export type JobsErrorCode =
  | 'invalid_job'
  | 'invalid_job_id'
  | 'invalid_thread'
  | 'invalid_list_filter'
  | 'job_not_found'
  | 'wait_timeout'
  | 'query_failed'
  | 'job_closed'
  | 'update_rejected'
  | 'search_attributes_missing'
  | 'schedule_not_found'
  | 'schedule_exists'
  | 'batch_item_not_found';

/** A report inlined in the workflow history could not be read (`InlineReportError`). */
export type ReportErrorCode = 'report_unreadable';

/** The worker's environment has no Gemini credentials (`MissingCredentialsError`). */
export type CredentialsErrorCode = 'missing_credentials';

/** Temporal settings could not be loaded or the server could not be reached (`TemporalConnectionError`). */
export type TemporalErrorCode = 'temporal_connection';

/** Codes of the local dev stack (`gemini-jobs dev`). */
export type DevErrorCode = 'temporal_cli_not_found' | 'dev_data_locked' | 'dev_server_failed';

/** A bad command line (`UsageError`). */
export type CliErrorCode = 'usage';

/** Every code a thrown error of this package can carry. */
export type ErrorCode = CommonErrorCode | InteractionsErrorCode | JobsErrorCode | ReportErrorCode | CredentialsErrorCode | TemporalErrorCode | DevErrorCode | CliErrorCode;
