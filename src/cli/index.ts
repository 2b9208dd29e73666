/**
 * Entry `gemini-jobs/cli`: the command line as a function (`runCli(argv, io?)` resolves with the
 * exit code) and the exit code of every error code. Commands load their modules when they run.
 */
export { runCli, classifyError, COMMAND_NAMES } from './run';
export type { CliIO } from './context';
export { UsageError, EXIT, EXIT_CODE_OF, exitCodeForError, exitCodeForStatus } from './exit-codes';
export type { ExitCode } from './exit-codes';
