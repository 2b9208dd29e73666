/**
 * Entry point of a worker CHILD process for the benches and proof tests, so its memory and CPU
 * can be measured alone and it can be SIGKILLed. Configuration comes from the JSON in env
 * `GJ_WORKER_CHILD` (see `WorkerChildConfig`); Gemini credentials come from the child's own
 * environment exactly as for `gemini-jobs worker` (GEMINI_API_KEY, GEMINI_JOBS_BASE_URL, or
 * GOOGLE_GENAI_USE_VERTEXAI + GOOGLE_CLOUD_PROJECT/LOCATION), plus `GJ_VERTEX_ACCESS_TOKEN` for a
 * Vertex bearer token (the emulator has no ADC).
 *
 * Prints one JSON line `{"ready":true,"pid":…}` on stdout once the worker polls.
 */
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { jsonLogger, silentLogger } from '../../activities';
import { InteractionsClient } from '../../src/interactions/client';
import { FileResultStore } from '../../src/results/result-store';
import { interactionsClientFromEnv } from '../../src/interactions/gemini-env';
import { createJobsWorker } from '../../src/worker/create-worker';
import { runWorker } from '../../src/worker/run-worker';

export interface WorkerChildConfig {
  /** `jobs-worker`: createJobsWorker with the knobs below. `run-worker`: the production runWorker (JSON logs on stdout). */
  engine: 'jobs-worker' | 'run-worker';
  address: string;
  namespace?: string;
  taskQueue: string;
  resultsDir: string;
  /** Pre-bundled workflow code (bundling costs seconds of CPU per start). */
  bundlePath?: string;
  maxActivities?: number;
  maxWorkflowTasks?: number;
  maxCachedWorkflows?: number;
  /** Workflow worker threads (`workflowThreadPoolSize`; default: the worker's). */
  workflowThreads?: number;
  /** Longest heartbeat throttle interval, ms (SDK default 60 000; the effective throttle is min(this, 0.8 × heartbeatTimeout)). */
  maxHeartbeatThrottleMs?: number;
  stickyQueueTimeoutMs?: number;
  shutdownGraceMs?: number;
  /** Max sockets of the Interactions client's undici Agent (default unlimited). */
  connections?: number;
  /** Activity log lines (JSON on stderr) or none. */
  log?: boolean;
  /** Follow checkpoint flush (ms; default the worker's 28 s) and the flush while watched (ms). */
  checkpointFlushMs?: number;
  watchedFlushMs?: number;
}

function config(): WorkerChildConfig {
  const raw = process.env.GJ_WORKER_CHILD;
  if (!raw) throw new Error('GJ_WORKER_CHILD is not set');
  return JSON.parse(raw) as WorkerChildConfig;
}

async function interactionsClient(cfg: WorkerChildConfig): Promise<InteractionsClient> {
  const token = process.env.GJ_VERTEX_ACCESS_TOKEN;
  const overrides = { ...(token ? { accessToken: token } : {}), ...(cfg.connections ? { connections: cfg.connections } : {}) };
  if (Object.keys(overrides).length === 0) return interactionsClientFromEnv(process.env);
  return InteractionsClient.fromEnv(process.env, overrides);
}

/** Connects, retrying while the server is down (a restart of the dev server). */
async function connect(address: string): Promise<NativeConnection> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await NativeConnection.connect({ address });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

async function main(): Promise<void> {
  const cfg = config();
  const client = await interactionsClient(cfg);
  if (cfg.engine === 'run-worker') {
    await runWorker({
      temporal: { address: cfg.address, namespace: cfg.namespace ?? 'default' },
      // Benches measure following, not quota: admission is off unless the bench turns it on.
      env: { ...process.env, GEMINI_JOBS_ADMISSION: process.env.GEMINI_JOBS_ADMISSION ?? 'off' },
      taskQueue: cfg.taskQueue,
      interactions: client,
      resultStore: new FileResultStore(cfg.resultsDir),
      inlineReportMaxBytes: 0,
      ...(cfg.maxActivities ? { maxActivities: cfg.maxActivities } : {}),
      shutdownGraceMs: cfg.shutdownGraceMs ?? 1_000,
      onRunning: () => process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n'),
    });
    return;
  }

  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => process.stderr.write(JSON.stringify({ level: entry.level, msg: entry.message, source: 'temporal' }) + '\n')),
  });
  const connection = await connect(cfg.address);
  let worker: Worker;
  try {
    worker = await createJobsWorker({
      connection,
      namespace: cfg.namespace ?? 'default',
      taskQueue: cfg.taskQueue,
      client,
      resultStore: new FileResultStore(cfg.resultsDir),
      inlineReportMaxBytes: 0, // the bench compares reports read from the store
      log: cfg.log ? jsonLogger : silentLogger,
      ...(cfg.bundlePath ? { workflowBundle: { codePath: cfg.bundlePath } } : {}),
      ...(cfg.maxActivities ? { maxConcurrentActivityTaskExecutions: cfg.maxActivities } : {}),
      ...(cfg.maxWorkflowTasks ? { maxConcurrentWorkflowTaskExecutions: cfg.maxWorkflowTasks } : {}),
      ...(cfg.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: cfg.maxCachedWorkflows } : {}),
      ...(cfg.workflowThreads !== undefined ? { workflowThreadPoolSize: cfg.workflowThreads } : {}),
      ...(cfg.maxHeartbeatThrottleMs ? { maxHeartbeatThrottleInterval: cfg.maxHeartbeatThrottleMs } : {}),
      ...(cfg.stickyQueueTimeoutMs ? { stickyQueueScheduleToStartTimeout: cfg.stickyQueueTimeoutMs } : {}),
      shutdownGraceTime: cfg.shutdownGraceMs ?? 1_000,
      ...(cfg.checkpointFlushMs ? { checkpointFlushMs: cfg.checkpointFlushMs } : {}),
      ...(cfg.watchedFlushMs ? { watchedFlushMs: cfg.watchedFlushMs } : {}),
    });
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
  process.on('SIGTERM', () => worker.shutdown());
  const running = worker.run();
  process.stdout.write(JSON.stringify({ ready: true, pid: process.pid }) + '\n');
  await running;
  await connection.close().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(JSON.stringify({ level: 'ERROR', msg: 'worker child failed', error: String((err as Error)?.message ?? err) }) + '\n');
    process.exit(1);
  },
);
