/** Service commands: worker, emulator, dev. */
import { parseDuration, parseInteger, parsePositiveNumber, str } from '../args';
import type { OptionSpec } from '../args';
import { flag, println, temporalSettings } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';

// Each command requires what it runs when it runs: `emulator` never loads the worker, `worker`
// never loads serve or the dev stack.
/* eslint-disable @typescript-eslint/no-require-imports */
const workerModule = () => require('../../worker/run-worker') as typeof import('../../worker/run-worker');
const emulatorModule = () => require('../../emulator') as typeof import('../../emulator');
const devModule = () => require('../../dev/dev-stack') as typeof import('../../dev/dev-stack');
/* eslint-enable @typescript-eslint/no-require-imports */

export const SERVICE_COMMAND_OPTIONS: Record<string, OptionSpec> = {
  worker: {
    'max-activities': { type: 'string' },
    'max-workflow-tasks': { type: 'string' },
    'shutdown-grace': { type: 'string' },
  },
  emulator: {
    port: { type: 'string' },
    host: { type: 'string' },
    'time-scale': { type: 'string' },
  },
  dev: {
    'no-sample': { type: 'boolean' },
    question: { type: 'string' },
    'keep-running': { type: 'boolean' },
    port: { type: 'string' },
    'ui-port': { type: 'string' },
    'db-file': { type: 'string' },
    'time-scale': { type: 'string' },
    emulator: { type: 'boolean' },
    'serve-port': { type: 'string' },
  },
};

/** Default emulator port of `gemini-jobs emulator`. */
export const DEFAULT_EMULATOR_PORT = 8787;

export async function workerCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  const maxActivities = str(v, 'max-activities');
  const maxWorkflowTasks = str(v, 'max-workflow-tasks');
  const grace = str(v, 'shutdown-grace');
  const taskQueue = str(v, 'task-queue');
  await workerModule().runWorker({
    temporal: temporalSettings(ctx),
    env: ctx.io.env,
    ...(taskQueue ? { taskQueue } : {}),
    ...(maxActivities ? { maxActivities: parseInteger(maxActivities, '--max-activities') } : {}),
    ...(maxWorkflowTasks ? { maxWorkflowTasks: parseInteger(maxWorkflowTasks, '--max-workflow-tasks', 2) } : {}),
    ...(grace ? { shutdownGraceMs: parseDuration(grace, '--shutdown-grace', { allowZero: true }) } : {}),
  });
  return EXIT.OK;
}

export async function emulatorCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  const port = str(v, 'port');
  const timeScale = str(v, 'time-scale');
  const emulator = await emulatorModule().startEmulator({
    port: port !== undefined ? parseInteger(port, '--port', 0, 65535) : DEFAULT_EMULATOR_PORT,
    host: str(v, 'host') ?? '127.0.0.1',
    timeScale: timeScale !== undefined ? parsePositiveNumber(timeScale, '--time-scale') : 60,
  });
  if (ctx.json) ctx.io.stdout.write(JSON.stringify({ url: emulator.url }) + '\n');
  else {
    println(ctx, `Emulator listening on ${emulator.url}`);
    println(ctx, `Point a worker at it: GEMINI_JOBS_BASE_URL=${emulator.url} gemini-jobs worker   (Ctrl-C stops)`);
  }
  await new Promise<void>((resolve) => {
    const remove = ctx.io.onStop(() => {
      remove();
      resolve();
    });
  });
  await emulator.close();
  return EXIT.OK;
}

export async function devCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  const port = str(v, 'port');
  const uiPort = str(v, 'ui-port');
  const timeScale = str(v, 'time-scale');
  const question = str(v, 'question');
  const dbFile = str(v, 'db-file');
  const taskQueue = str(v, 'task-queue');
  const namespace = str(v, 'namespace');
  for (const name of ['address', 'profile']) {
    if (str(v, name) !== undefined) {
      throw new UsageError(`--${name} does not apply: dev starts its own Temporal server (use --port to choose its port)`, 'dev');
    }
  }
  const servePort = str(v, 'serve-port');
  return devModule().runDev({
    ...(servePort ? { servePort: parseInteger(servePort, '--serve-port', 0, 65535) } : {}),
    io: ctx.io,
    json: ctx.json,
    sample: !flag(ctx, 'no-sample'),
    keepRunning: flag(ctx, 'keep-running') || flag(ctx, 'no-sample'),
    forceEmulator: flag(ctx, 'emulator'),
    ...(question ? { question } : {}),
    ...(port ? { port: parseInteger(port, '--port', 1, 65535) } : {}),
    ...(uiPort ? { uiPort: parseInteger(uiPort, '--ui-port', 1, 65535) } : {}),
    ...(timeScale ? { timeScale: parsePositiveNumber(timeScale, '--time-scale') } : {}),
    ...(dbFile ? { dbFile } : {}),
    ...(taskQueue ? { taskQueue } : {}),
    ...(namespace ? { namespace } : {}),
  });
}
