/**
 * The `gemini-jobs` command dispatcher: parses the command line, runs one command and maps any
 * error to an exit code (0 ok, 1 job failed or other error, 2 usage, 3 connection).
 */
import { parseCommand } from './args';
import type { OptionSpec } from './args';
import type { CliIO, CommandContext } from './context';
import { EXIT, EXIT_CODE_OF, UsageError, exitCodeForError } from './exit-codes';
import { codeOf, isGeminiJobsError } from '../common/errors';
import type { ExitCode } from './exit-codes';
import { COMMAND_HELP, MAIN_HELP } from './help';
import { didYouMean } from './suggest';

type Handler = (ctx: CommandContext) => Promise<ExitCode>;
interface Command {
  options: OptionSpec;
  run: Handler;
}

// Each command's module is required only when that command runs: `--help` loads none, `status`
// loads the jobs client but never the worker (its native bridge, webpack), serve or dev.
/* eslint-disable @typescript-eslint/no-require-imports */
const jobCommands = () => require('./commands/jobs') as typeof import('./commands/jobs');
const serviceCommands = () => require('./commands/services') as typeof import('./commands/services');
const doctorCommands = () => require('./commands/doctor') as typeof import('./commands/doctor');
const webhooksCommands = () => require('./commands/webhooks') as typeof import('./commands/webhooks');
const batchCommands = () => require('./commands/batch') as typeof import('./commands/batch');
const serveCommands = () => require('./commands/serve') as typeof import('./commands/serve');
const scheduleCommands = () => require('./commands/schedules') as typeof import('./commands/schedules');
/* eslint-enable @typescript-eslint/no-require-imports */

const COMMANDS: Record<string, () => Command> = {
  start: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.start!, run: jobCommands().startCommand }),
  status: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.status!, run: jobCommands().statusCommand }),
  watch: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.watch!, run: jobCommands().watchCommand }),
  result: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.result!, run: jobCommands().resultCommand }),
  cancel: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.cancel!, run: jobCommands().cancelCommand }),
  'follow-up': () => ({ options: jobCommands().JOB_COMMAND_OPTIONS['follow-up']!, run: jobCommands().followUpCommand }),
  'approve-plan': () => ({ options: jobCommands().JOB_COMMAND_OPTIONS['approve-plan']!, run: jobCommands().approvePlanCommand }),
  'refine-plan': () => ({ options: jobCommands().JOB_COMMAND_OPTIONS['refine-plan']!, run: jobCommands().refinePlanCommand }),
  list: () => ({ options: jobCommands().JOB_COMMAND_OPTIONS.list!, run: jobCommands().listCommand }),
  schedule: () => ({ options: scheduleCommands().SCHEDULE_COMMAND_OPTIONS, run: scheduleCommands().scheduleCommand }),
  batch: () => ({ options: batchCommands().BATCH_COMMAND_OPTIONS, run: batchCommands().batchCommand }),
  worker: () => ({ options: serviceCommands().SERVICE_COMMAND_OPTIONS.worker!, run: serviceCommands().workerCommand }),
  emulator: () => ({ options: serviceCommands().SERVICE_COMMAND_OPTIONS.emulator!, run: serviceCommands().emulatorCommand }),
  dev: () => ({ options: serviceCommands().SERVICE_COMMAND_OPTIONS.dev!, run: serviceCommands().devCommand }),
  doctor: () => ({ options: doctorCommands().DOCTOR_OPTIONS, run: doctorCommands().doctorCommand }),
  webhooks: () => ({ options: webhooksCommands().WEBHOOKS_COMMAND_OPTIONS, run: webhooksCommands().webhooksCommand }),
  serve: () => ({ options: serveCommands().SERVE_COMMAND_OPTIONS, run: serveCommands().serveCommand }),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** The CLI's streams, environment and stop signals of this process. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onStop(listener) {
      const handler = (signal: NodeJS.Signals) => listener(signal);
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}

/** This package's version, from its package.json (found from this file, in dist or in src). */
export function packageVersion(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pkg = require(up) as { name?: string; version?: string };
      if (pkg.name === 'gemini-jobs' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this depth
    }
  }
  return 'unknown';
}

/** gRPC status UNAVAILABLE (a numeric `code` on `@temporalio/client`'s gRPC errors): the frontend cannot be reached. */
const GRPC_UNAVAILABLE = 14;
/** Socket errors (Node's `code`) that mean the server was not reached. */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT']);

/**
 * True when an error from outside the package's tree (a lazily connected Temporal client) says the
 * server was not reached: gRPC UNAVAILABLE or a socket error code on the error or its causes.
 * Decided by codes only, never by the message text.
 */
function isUnreachable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === GRPC_UNAVAILABLE || (typeof code === 'string' && UNREACHABLE_SOCKET_CODES.has(code))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * The error's stable code, message and exit code, from the code alone (`EXIT_CODE_OF`). Errors
 * from outside the tree keep their own string `code` (or their name) and exit 1, unless they say
 * Temporal was unreachable (exit 3).
 */
export function classifyError(err: unknown): { exit: ExitCode; code: string; message: string } {
  const message = (err as { message?: unknown } | null | undefined)?.message;
  const text = typeof message === 'string' ? message : String(err);
  const code = codeOf(err);
  if (isGeminiJobsError(err) || (code !== undefined && Object.hasOwn(EXIT_CODE_OF, code))) return { exit: exitCodeForError(code), code: code!, message: text };
  if (isUnreachable(err)) return { exit: EXIT.CONNECTION, code: 'temporal_connection', message: text };
  return { exit: EXIT.JOB_FAILED, code: code ?? (err as { name?: string } | null | undefined)?.name ?? 'error', message: text };
}

/** Runs the CLI; resolves with the exit code (never throws). */
export async function runCli(argv: string[], io: CliIO = processIO()): Promise<ExitCode> {
  const json = argv.includes('--json');
  const [command, ...rest] = argv;
  const wantsHelp = (args: string[]) => args.includes('--help') || args.includes('-h');
  if (command === undefined) {
    io.stderr.write(MAIN_HELP + '\n');
    return EXIT.USAGE;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const topic = command === 'help' ? rest[0] : undefined;
    io.stdout.write((topic && COMMAND_HELP[topic] ? COMMAND_HELP[topic] : MAIN_HELP) + '\n');
    return EXIT.OK;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(packageVersion() + '\n');
    return EXIT.OK;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!entry) throw new UsageError(`unknown command ${JSON.stringify(command)}.${didYouMean(command, COMMAND_NAMES)}`.replace(/\.$/, ''));
    if (wantsHelp(rest)) {
      io.stdout.write(COMMAND_HELP[command] + '\n');
      return EXIT.OK;
    }
    const { options, run } = entry();
    const { values, positionals } = parseCommand(command, rest, options);
    return await run({ command, io, values, positionals, json });
  } catch (err) {
    const { exit, code, message } = classifyError(err);
    if (json) {
      io.stderr.write(JSON.stringify({ error: { code, message, exitCode: exit } }) + '\n');
    } else {
      const where = err instanceof UsageError && err.command ? ` ${err.command}` : entry ? ` ${command}` : '';
      io.stderr.write(`gemini-jobs${where}: ${message}\n`);
      if (exit === EXIT.USAGE && err instanceof UsageError) {
        io.stderr.write(`Run "gemini-jobs${entry ? ` ${command}` : ''} --help" for usage.\n`);
      }
    }
    return exit;
  }
}
