/** Exit codes of the `gemini-jobs` CLI and the dev stack. Scripts may rely on them. */
import { isWaitingStatus } from '../contract';
import type { JobStatus } from '../contract';

export const EXIT = {
  /** Success (a job that ended `completed`, or `requires_action` waiting for plan approval). */
  OK: 0,
  /** The job failed, was cancelled, timed out or ended without a report; or another runtime error. */
  JOB_FAILED: 1,
  /** Bad command line or a job request refused by validation. Nothing was enqueued. */
  USAGE: 2,
  /** Temporal could not be reached (or its settings could not be loaded). */
  CONNECTION: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Exit code for a turn's final status: the waiting statuses are a turn that ended well. */
export function exitCodeForStatus(status: JobStatus | string): ExitCode {
  return status === 'completed' || isWaitingStatus(status) ? EXIT.OK : EXIT.JOB_FAILED;
}
