/** Exit codes of the `gemini-jobs` CLI. Scripts may rely on them. */
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

/** A bad command line: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
