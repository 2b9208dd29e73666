/**
 * The package's error tree in one place: the `ErrorCode` union (composed from each layer's codes)
 * and every error class a user can catch, all extending `GeminiJobsError`. docs/errors.md lists
 * each code with its class, CLI exit code and HTTP status.
 *
 * Switch on `code` (stable strings, never changed once released) or use `instanceof`: each code
 * belongs to one class, and classes sharing a code extend the class that owns it.
 */
import type { CommonErrorCode } from './common/errors';
import type { InteractionsErrorCode } from './interactions/errors';
import type { JobsErrorCode } from './jobs/errors';
import type { InlineReportError } from './jobs/history-report';
import type { TemporalConnectionError } from './temporal/connection';
import type { DevServerStartError, TemporalCliNotFoundError } from './dev/temporal-server';
import type { DataDirLockedError } from './dev/data-lock';
import type { UsageError } from './cli/exit-codes';

/** Codes of the local dev stack (`gemini-jobs dev`). */
export type DevErrorCode = TemporalCliNotFoundError['code'] | DataDirLockedError['code'] | DevServerStartError['code'];

/** Every code a thrown error of this package can carry. */
export type ErrorCode =
  | CommonErrorCode
  | InteractionsErrorCode
  | JobsErrorCode
  | InlineReportError['code']
  | TemporalConnectionError['code']
  | DevErrorCode
  | UsageError['code'];

export { GeminiJobsError, ConfigError, isGeminiJobsError, codeOf } from './common/errors';
export type { CommonErrorCode, ErrorJSON } from './common/errors';
export type { JobsErrorCode } from './jobs/errors';
export {
  InvalidJobIdError,
  InvalidThreadKeyError,
  InvalidListFilterError,
  SearchAttributesMissingError,
} from './jobs/errors';
export { isJobErrorCode, normalizeJobError, KNOWN_JOB_ERROR_CODES } from './contract/job-error-codes';
export type { JobErrorCode, JobOwnErrorCode, UpstreamJobErrorCode } from './contract/job-error-codes';
export { DevServerStartError, TemporalCliNotFoundError } from './dev/temporal-server';
export { MetricsConfigError } from './telemetry/prometheus';
export { TracingConfigError } from './telemetry/tracing-settings';
export { VersioningConfigError } from './worker/versioning';
export { QuotaConfigError } from './worker/quota-settings';
export { ServeConfigError } from './serve/auth';
export { HttpError, STATUS_OF_CODE } from './serve/errors';
export type { ServeErrorCode, HttpErrorCode } from './serve/errors';
export { WebhookConfigError } from './webhooks/env';
export { UsageError, EXIT, EXIT_CODE_OF, exitCodeForError } from './cli/exit-codes';
export type { ExitCode } from './cli/exit-codes';
