/**
 * `gemini-jobs dev` (and `npm start`): a Temporal dev server persisted to SQLite, a worker in this
 * process, the Interactions API emulator when no Gemini credentials are set, and a sample Deep
 * Research job shown with the same renderer as `gemini-jobs watch`. Everything it starts it stops.
 */
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmulator } from '../emulator';
import { InteractionsClient } from '../interactions/client';
import { JobsClient } from '../jobs/jobs-client';
import { EMULATOR_PLACEHOLDER_KEY, hasGeminiCredentials } from '../interactions/gemini-env';
import { createResultStoreFromEnv, resultStoreFromEnv } from '../results/result-store';
import { resolveTaskQueue } from '../temporal/connection';
import { WORKER_DEFAULTS, createJsonLogger, installRuntimeLogger, runWorker } from '../worker/run-worker';
import { watchAndRender, type ViewIO } from '../view/watch-and-render';
import { EXIT, exitCodeForStatus, type ExitCode } from '../view/exit-codes';
import { lockDataFile } from './data-lock';
import { startJobsServer } from '../serve/server';
import { findTemporalCli, startDevServer } from './temporal-server';
import type { DevServer } from './temporal-server';
import { jobsListUiUrl } from './ui-links';

export const DEV_DEFAULTS = {
  dbFile: join('.gemini-jobs', 'temporal.sqlite'),
  workerLog: join('.gemini-jobs', 'dev-worker.log'),
  port: 7233,
  uiPort: 8233,
  /** Emulator speed-up: a 20-minute Deep Research run takes about 20 s. */
  timeScale: 60,
  agent: 'deep-research-preview-04-2026',
  question: 'What are the trade-offs between durable workflow engines and plain job queues for long-running AI research tasks?',
};

/** The dev stack's streams, stop request and environment (the CLI's `CliIO` is one). */
export interface DevIO extends ViewIO {
  env: NodeJS.ProcessEnv;
}

export interface DevOptions {
  io: DevIO;
  json?: boolean;
  /** Run the sample job (default true). */
  sample?: boolean;
  /** Keep serving after the sample until SIGINT/SIGTERM (default false). */
  keepRunning?: boolean;
  /** Use the emulator even when credentials are set. */
  forceEmulator?: boolean;
  question?: string;
  port?: number;
  uiPort?: number;
  timeScale?: number;
  /** SQLite file of the dev server (default GEMINI_JOBS_DEV_DB, else .gemini-jobs/temporal.sqlite). */
  dbFile?: string;
  taskQueue?: string;
  namespace?: string;
  /** Port of the jobs dashboard and HTTP API (default 0: a free port). */
  servePort?: number;
}

/** Runs the dev stack; resolves with the exit code once everything has stopped. */
export async function runDev(options: DevOptions): Promise<ExitCode> {
  const { io } = options;
  const env = io.env;
  const say = (line: string) => io.stderr.write(line + '\n');
  const cliPath = findTemporalCli(env);
  const dbFile = resolve(options.dbFile ?? env.GEMINI_JOBS_DEV_DB ?? DEV_DEFAULTS.dbFile);
  const taskQueue = resolveTaskQueue(options.taskQueue, env);
  const namespace = options.namespace ?? 'default';
  const logPath = resolve(dirname(dbFile), 'dev-worker.log');

  const cleanup: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    cleanup.length = 0;
  };

  const interrupted = new AbortController();
  const removeStop = io.onStop(() => interrupted.abort());
  try {
    // 0. One stack per data directory (two servers on one SQLite file corrupt each other's view).
    mkdirSync(dirname(dbFile), { recursive: true });
    const lock = lockDataFile(dbFile);
    cleanup.push(async () => lock.release());

    // 1. Temporal dev server.
    const server: DevServer = await startDevServer({
      cliPath,
      port: options.port ?? DEV_DEFAULTS.port,
      uiPort: options.uiPort ?? DEV_DEFAULTS.uiPort,
      dbFilename: dbFile,
      namespace,
    });
    cleanup.push(() => server.stop());
    lock.update(server.address);
    say(`Temporal dev server  ${server.address}  (namespace ${namespace}, data ${dbFile})`);
    if (server.uiUrl) say(`Temporal Web UI      ${server.uiUrl}  (jobs only: ${jobsListUiUrl(server.uiUrl, namespace)})`);

    // 2. Gemini backend: real API with credentials, else the emulator.
    let interactions: InteractionsClient | undefined;
    let emulatorUrl: string | undefined;
    // The dev job's watch holds a watch lease, so its live progress comes at the watched flush
    // (docs/watch-lease.md) with the production timings. An emulated run is time-compressed: its
    // flushes and the lease refresh are compressed by the same factor (explicit settings win).
    let scaledTimings: { checkpointFlushMs?: number; heartbeatFlushMs?: number; watchRefreshMs?: number } = {};
    if (options.forceEmulator || !hasGeminiCredentials(env)) {
      const timeScale = options.timeScale ?? DEV_DEFAULTS.timeScale;
      const scaled = (ms: number, min: number) => Math.max(min, Math.round(ms / timeScale));
      scaledTimings = {
        ...(env.GEMINI_JOBS_CHECKPOINT_FLUSH_MS ? {} : { checkpointFlushMs: scaled(WORKER_DEFAULTS.checkpointFlushMs, 250) }),
        ...(env.GEMINI_JOBS_HEARTBEAT_FLUSH_MS ? {} : { heartbeatFlushMs: scaled(WORKER_DEFAULTS.heartbeatFlushMs, 100) }),
        ...(env.GEMINI_JOBS_WATCH_REFRESH_MS ? {} : { watchRefreshMs: scaled(WORKER_DEFAULTS.watchRefreshMs, 250) }),
      };
      // Its runs live beside the Temporal data, so a restarted stack continues the jobs' runs.
      const emulator = await startEmulator({ port: 0, timeScale, stateDir: join(dirname(dbFile), 'emulator') });
      cleanup.push(() => emulator.close());
      emulatorUrl = emulator.url;
      interactions = new InteractionsClient({ baseUrl: emulator.url, apiKey: EMULATOR_PLACEHOLDER_KEY });
      say('');
      say('┌──────────────────────────────────────────────────────────────────────────────');
      say('│ EMULATOR MODE: no Gemini credentials found (GEMINI_API_KEY, GOOGLE_API_KEY or');
      say('│ Vertex AI settings), so jobs run against the local Interactions API emulator:');
      say(`│ simulated answers, ${timeScale}× faster than real time (a 20-minute run takes ${Math.round(1200 / timeScale)} s).`);
      say(`│ Emulator: ${emulator.url}   Set GEMINI_API_KEY to use the real API.`);
      say('└──────────────────────────────────────────────────────────────────────────────');
      say('');
    } else {
      say('Gemini API           credentials from the environment (real API calls, real costs)');
    }

    // 3. Worker in this process; its logs go to a file so the terminal shows the job.
    mkdirSync(dirname(logPath), { recursive: true });
    const logStream = createWriteStream(logPath, { flags: 'a' });
    cleanup.push(() => new Promise<void>((done) => logStream.end(done)));
    const resultStore = resultStoreFromEnv(env);
    const workerLogger = createJsonLogger(logStream, 'info');
    await installRuntimeLogger(workerLogger);
    const workerConnection = await (await import('@temporalio/worker')).NativeConnection.connect({ address: server.address });
    cleanup.push(() => workerConnection.close());
    const stopWorker = new AbortController();
    let running!: () => void;
    const workerRunning = new Promise<void>((r) => (running = r));
    const workerDone = runWorker({
      connection: workerConnection,
      namespace,
      taskQueue,
      env,
      ...(interactions ? { interactions } : {}),
      ...scaledTimings,
      resultStore,
      logger: workerLogger,
      handleSignals: false,
      signal: stopWorker.signal,
      onRunning: () => running(),
    });
    cleanup.push(async () => {
      stopWorker.abort();
      await workerDone.catch(() => undefined);
    });
    await Promise.race([workerRunning, workerDone]);
    say(`Worker               task queue ${taskQueue} (logs ${logPath})`);

    const connection = await Connection.connect({ address: server.address });
    cleanup.push(() => connection.close());
    const jobs = new JobsClient({
      client: new Client({ connection, namespace }),
      taskQueue,
      resultStore: resultStore ?? createResultStoreFromEnv(env),
      ...(interactions ? { interactions } : {}),
    });
    // 4. The jobs dashboard and HTTP API, on loopback with a token made for this process.
    const served = await startJobsServer({ jobs, host: '127.0.0.1', port: options.servePort ?? 0, env: {} });
    cleanup.push(() => served.close());
    say(`Jobs dashboard       ${served.dashboardUrl}`);
    if (options.json) {
      io.stdout.write(
        JSON.stringify({
          type: 'dev',
          address: server.address,
          namespace,
          taskQueue,
          uiUrl: server.uiUrl ?? null,
          jobsUiUrl: server.uiUrl ? jobsListUiUrl(server.uiUrl, namespace) : null,
          emulatorUrl: emulatorUrl ?? null,
          dashboardUrl: served.dashboardUrl,
        }) + '\n',
      );
    }

    let code: ExitCode = EXIT.OK;
    if (options.sample !== false && !interrupted.signal.aborted) {
      const question = options.question ?? DEV_DEFAULTS.question;
      say('');
      say(`Sample Deep Research job: ${question}`);
      const started = await jobs.start(
        {
          agent: DEV_DEFAULTS.agent,
          input: question,
          agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
        },
        // Without --keep-running nobody can send a follow-up, so the job closes with its turn.
        { options: options.keepRunning ? {} : { followUpWindowMs: 0 }, thread: 'dev-sample' },
      );
      say(`Job ${started.jobId}   (gemini-jobs status ${started.jobId} --address ${server.address})`);
      const { status } = await watchAndRender({ io, json: options.json === true }, jobs, started.jobId, { signal: interrupted.signal });
      if (!interrupted.signal.aborted) code = exitCodeForStatus(status);
    }

    if ((options.keepRunning || options.sample === false) && !interrupted.signal.aborted) {
      say('');
      say(`Serving. In another terminal:  export TEMPORAL_ADDRESS=${server.address}`);
      say(`  gemini-jobs start --watch "your question"`);
      say('Press Ctrl-C to stop.');
      await new Promise<void>((done) => {
        if (interrupted.signal.aborted) return done();
        interrupted.signal.addEventListener('abort', () => done(), { once: true });
      });
    }
    say('Stopping the dev stack…');
    return code;
  } finally {
    removeStop();
    await stopAll();
  }
}
