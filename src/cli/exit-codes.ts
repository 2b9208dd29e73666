/** Exit codes (shared with the dev stack, from the view module) and the CLI's usage error. */
export { EXIT, exitCodeForStatus } from '../view/exit-codes';
export type { ExitCode } from '../view/exit-codes';

/** A bad command line: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}
