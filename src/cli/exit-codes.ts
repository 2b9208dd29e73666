import { GeminiJobsError } from '../common/errors';
import type { ErrorCode } from '../contract/error-codes';
import { EXIT } from '../view/exit-codes';
import type { ExitCode } from '../view/exit-codes';

/** Exit codes (shared with the dev stack, from the view module) and the CLI's usage error. */
export { EXIT, exitCodeForStatus } from '../view/exit-codes';
export type { ExitCode } from '../view/exit-codes';

/**
 * The exit code of every error code (docs/errors.md). Keyed by the full `ErrorCode` union, so a
 * new code does not compile until it has its exit code here.
 */
export const EXIT_CODE_OF: Readonly<Record<ErrorCode, ExitCode>> = {
  // Fix the command line, the job or the settings: nothing was enqueued.
  usage: EXIT.USAGE,
  invalid_job: EXIT.USAGE,
  invalid_job_id: EXIT.USAGE,
  invalid_thread: EXIT.USAGE,
  invalid_list_filter: EXIT.USAGE,
  invalid_request: EXIT.USAGE,
  invalid_config: EXIT.USAGE,
  missing_credentials: EXIT.USAGE,
  temporal_cli_not_found: EXIT.USAGE,
  dev_data_locked: EXIT.USAGE,
  // Temporal is out of reach.
  temporal_connection: EXIT.CONNECTION,
  // Everything else: the job, or the run of the command, failed.
  job_not_found: EXIT.JOB_FAILED,
  wait_timeout: EXIT.JOB_FAILED,
  query_failed: EXIT.JOB_FAILED,
  job_closed: EXIT.JOB_FAILED,
  update_rejected: EXIT.JOB_FAILED,
  search_attributes_missing: EXIT.JOB_FAILED,
  schedule_not_found: EXIT.JOB_FAILED,
  schedule_exists: EXIT.JOB_FAILED,
  batch_item_not_found: EXIT.JOB_FAILED,
  report_unreadable: EXIT.JOB_FAILED,
  dev_server_failed: EXIT.JOB_FAILED,
  bad_request: EXIT.JOB_FAILED,
  unauthenticated: EXIT.JOB_FAILED,
  permission_denied: EXIT.JOB_FAILED,
  not_found: EXIT.JOB_FAILED,
  conflict: EXIT.JOB_FAILED,
  unprocessable: EXIT.JOB_FAILED,
  rate_limited: EXIT.JOB_FAILED,
  server_error: EXIT.JOB_FAILED,
  api_error: EXIT.JOB_FAILED,
  connection_error: EXIT.JOB_FAILED,
  timeout: EXIT.JOB_FAILED,
  stream_truncated: EXIT.JOB_FAILED,
  stream_error: EXIT.JOB_FAILED,
  aborted: EXIT.JOB_FAILED,
};

/** The exit code of an error code; a code this version does not know is a failure (1). */
export function exitCodeForError(code: string | undefined): ExitCode {
  return code !== undefined && Object.hasOwn(EXIT_CODE_OF, code) ? EXIT_CODE_OF[code as ErrorCode] : EXIT.JOB_FAILED;
}

/** A bad command line: printed with a hint to `--help`, exit code 2. */
export class UsageError extends GeminiJobsError<'usage'> {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super('usage', message);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { command: this.command };
  }
}
