/**
 * `gemini-jobs worker`: connects to Temporal from the environment (or flags), builds the jobs
 * worker with `createJobsWorker`, logs JSON lines and shuts down gracefully on SIGTERM/SIGINT.
 *
 * Gemini credentials come from this process's environment through `InteractionsClient.fromEnv()`
 * (never from job input); nothing here logs an environment value that could be a secret.
 */
import type { NativeConnection, Worker } from '@temporalio/worker';
import { CHECKPOINT_FLUSH_MS, INLINE_REPORT_MAX_BYTES } from '../contract';
import type { InteractionsClient } from '../interactions';
import { MissingCredentialsError, geminiBackend, interactionsClientFromEnv, missingCredentialsMessage } from '../interactions/gemini-env';
import type { ResultStore } from '../results/result-store';
import { resultStoreFromEnv } from '../results/result-store';
import { ConfigError } from '../common/errors';
import { connectNative, describeTemporalConfig, resolveTaskQueue } from '../temporal/connection';
import type { TemporalSettings } from '../temporal/connection';
import { DEFAULT_MAX_CACHED_WORKFLOWS, DEFAULT_WORKFLOW_THREADS, WATCH_REFRESH_DEFAULT_MS, createJobsWorker, webhookUrisFromEnv } from './create-worker';
import { resolveVersioning, workerDeploymentOptions, type VersioningSettings } from './versioning';
import { activityContextLogger } from '../../activities/activity-logger';
import { instrumentedAgent } from '../telemetry/api-instrumentation';
import { exporterBindAddress, resolveMetricsSettings, startAuthenticatedMetricsServer } from '../telemetry/prometheus';
import type { Tracing } from '../telemetry/tracing';
import { resolveTracingExporter } from '../telemetry/tracing-settings';
import { admissionSettingsFromEnv, priceTableFromEnv } from './quota-settings';

export const WORKER_DEFAULTS = {
  /** Concurrent activities: a follow activity holds one idle stream for a whole run (1,000 measured at 666 MB RSS). */
  maxActivities: 1000,
  maxWorkflowTasks: 40,
  /** Workflow worker threads (createJobsWorker's DEFAULT_WORKFLOW_THREADS: one thread queues webhook completions). */
  workflowThreads: DEFAULT_WORKFLOW_THREADS,
  /** Workflows kept in the worker's cache (createJobsWorker's DEFAULT_MAX_CACHED_WORKFLOWS): most of a worker's RSS with thousands of open jobs. */
  maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
  /** Time running activities get on shutdown before they are cancelled and hand over (ms). */
  shutdownGraceMs: 10_000,
  /**
   * The follow checkpoint flush while someone watches the job (a watch lease, docs/watch-lease.md),
   * and the SDK's heartbeat throttle (`maxHeartbeatThrottleInterval`), which must not be slower.
   */
  heartbeatFlushMs: 5_000,
  /** A follow checkpoint change is heartbeated at most this long after it was made (ms; see src/contract/constants.ts). */
  checkpointFlushMs: CHECKPOINT_FLUSH_MS,
  /** Watch leases are listed this often while a follow activity runs (one visibility query per worker). */
  watchRefreshMs: WATCH_REFRESH_DEFAULT_MS,
};

export { MissingCredentialsError } from '../interactions/gemini-env';

/** A bad worker setting (flag or environment variable), named in the message. */
export class WorkerConfigError extends ConfigError {}

// The one JSON-lines logger of the package (also the activities' fallback): src/common/json-logger.ts.
import { createJsonLogger, type LogLevel, type StructuredLogger } from '../common/json-logger';
export { createJsonLogger, type LogLevel, type StructuredLogger };

export interface WorkerSettings {
  taskQueue: string;
  maxActivities: number;
  maxWorkflowTasks: number;
  /** Workflow worker threads (`workflowThreadPoolSize`). */
  workflowThreads: number;
  /** Workflows kept in the worker's cache (`maxCachedWorkflows`). */
  maxCachedWorkflows: number;
  shutdownGraceMs: number;
  /** Checkpoint flush while someone watches a job (ms), and the SDK's heartbeat throttle. */
  heartbeatFlushMs: number;
  /** Longest delay of a changed follow checkpoint before it is heartbeated (ms). */
  checkpointFlushMs: number;
  /** Milliseconds between two lists of the running watch leases; 0 = watch leases ignored. */
  watchRefreshMs: number;
}

function intSetting(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new WorkerConfigError(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** GEMINI_JOBS_WATCH_REFRESH_MS: 0 (off) or at least 100 ms. */
function watchRefreshSetting(text: string | undefined): number {
  if (text !== undefined && text.trim() === '0') return 0;
  return intSetting('GEMINI_JOBS_WATCH_REFRESH_MS', text, WORKER_DEFAULTS.watchRefreshMs, 100);
}

/** Worker settings: explicit values, else GEMINI_JOBS_* environment, else defaults. */
export function resolveWorkerSettings(explicit: Partial<WorkerSettings> = {}, env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  return {
    taskQueue: resolveTaskQueue(explicit.taskQueue, env),
    maxActivities: explicit.maxActivities ?? intSetting('GEMINI_JOBS_MAX_ACTIVITIES', env.GEMINI_JOBS_MAX_ACTIVITIES, WORKER_DEFAULTS.maxActivities, 1),
    maxWorkflowTasks: explicit.maxWorkflowTasks ?? intSetting('GEMINI_JOBS_MAX_WORKFLOW_TASKS', env.GEMINI_JOBS_MAX_WORKFLOW_TASKS, WORKER_DEFAULTS.maxWorkflowTasks, 2),
    workflowThreads: explicit.workflowThreads ?? intSetting('GEMINI_JOBS_WORKFLOW_THREADS', env.GEMINI_JOBS_WORKFLOW_THREADS, WORKER_DEFAULTS.workflowThreads, 1),
    maxCachedWorkflows: explicit.maxCachedWorkflows ?? intSetting('GEMINI_JOBS_MAX_CACHED_WORKFLOWS', env.GEMINI_JOBS_MAX_CACHED_WORKFLOWS, WORKER_DEFAULTS.maxCachedWorkflows, 2),
    shutdownGraceMs: explicit.shutdownGraceMs ?? intSetting('GEMINI_JOBS_SHUTDOWN_GRACE_MS', env.GEMINI_JOBS_SHUTDOWN_GRACE_MS, WORKER_DEFAULTS.shutdownGraceMs, 0),
    heartbeatFlushMs: explicit.heartbeatFlushMs ?? intSetting('GEMINI_JOBS_HEARTBEAT_FLUSH_MS', env.GEMINI_JOBS_HEARTBEAT_FLUSH_MS, WORKER_DEFAULTS.heartbeatFlushMs, 100),
    checkpointFlushMs: explicit.checkpointFlushMs ?? intSetting('GEMINI_JOBS_CHECKPOINT_FLUSH_MS', env.GEMINI_JOBS_CHECKPOINT_FLUSH_MS, WORKER_DEFAULTS.checkpointFlushMs, 100),
    watchRefreshMs: explicit.watchRefreshMs ?? watchRefreshSetting(env.GEMINI_JOBS_WATCH_REFRESH_MS),
  };
}

export interface RunWorkerOptions extends Partial<WorkerSettings> {
  /** Temporal address / namespace / profile (flags) and the environment to read. */
  temporal?: TemporalSettings;
  env?: NodeJS.ProcessEnv;
  /** Use an existing connection instead of connecting (the dev stack). Not closed by runWorker. */
  connection?: NativeConnection;
  namespace?: string;
  /** Interactions client or factory; default `InteractionsClient.fromEnv()` after a credentials check. */
  interactions?: InteractionsClient | (() => InteractionsClient);
  /** External store for reports too large for Temporal; default `resultStoreFromEnv(env)` (GEMINI_JOBS_RESULTS_DIR) or none. */
  resultStore?: ResultStore;
  /** Inline report limit in bytes (default INLINE_REPORT_MAX_BYTES); 0 sends every report to `resultStore`. */
  inlineReportMaxBytes?: number;
  logger?: StructuredLogger;
  /** Route the SDK's own logs (core, worker) into `logger` through `Runtime.install`. Default true. */
  installRuntimeLogger?: boolean;
  /** Shut down on SIGTERM/SIGINT (a second signal exits at once). Default true. */
  handleSignals?: boolean;
  /** Aborting shuts the worker down gracefully. */
  signal?: AbortSignal;
  /** Called once the worker polls its task queue. */
  onRunning?: (worker: Worker) => void;
  /**
   * Worker Versioning: join this Worker Deployment version (default from GEMINI_JOBS_DEPLOYMENT_NAME,
   * GEMINI_JOBS_BUILD_ID, GEMINI_JOBS_VERSIONING_BEHAVIOR); `false` forces an unversioned worker.
   */
  versioning?: Partial<VersioningSettings> | false;
}

/**
 * Routes the SDK's logs (core, worker, bundler, activity context loggers) into `logger` and, with
 * `metricsBindAddress`, serves the Runtime's Prometheus metrics there. Must run before the first
 * NativeConnection of the process; returns false when a runtime already existed (then neither applies).
 */
export async function installRuntimeLogger(logger: StructuredLogger, telemetry: { metricsBindAddress?: string } = {}): Promise<boolean> {
  const { DefaultLogger, Runtime } = await import('@temporalio/worker');
  const toLevel = (level: string): LogLevel => (level === 'ERROR' ? 'error' : level === 'WARN' ? 'warn' : level === 'INFO' ? 'info' : 'debug');
  try {
    Runtime.install({
      logger: new DefaultLogger('INFO', (entry) => {
        // The workflow bundler reports its whole webpack asset table at INFO: keep that out of the log.
        const level = entry.message.startsWith('asset workflow-bundle') ? 'debug' : toLevel(entry.level);
        // Activity context lines carry the task token: a capability to complete the activity, not worth a log line.
        const { taskToken: _taskToken, ...meta } = entry.meta ?? {};
        logger.log(level, entry.message, { source: 'temporal', ...meta });
      }),
      // Signals are handled below, so a shutdown is logged and a second signal can force an exit.
      shutdownSignals: [],
      ...(telemetry.metricsBindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: telemetry.metricsBindAddress } } } } : {}),
    });
    return true;
  } catch {
    // A runtime already exists (the process installed one earlier): keep it.
    return false;
  }
}

/**
 * Checks the Gemini environment and returns the client factory the activities use. Its requests
 * are counted (`gemini_jobs_api_requests_total`) and traced (a span each) by its dispatcher.
 */
export async function interactionsFromEnv(env: NodeJS.ProcessEnv): Promise<() => InteractionsClient> {
  if (!geminiBackend(env)) throw new MissingCredentialsError(missingCredentialsMessage(env));
  // Built once now so a broken configuration (e.g. Vertex without a project) fails at startup.
  const client = await interactionsClientFromEnv(env, { dispatcher: instrumentedAgent() });
  return () => client;
}

/**
 * Runs the worker until SIGTERM/SIGINT (or `signal`), then shuts down: polling stops, running
 * activities get `shutdownGraceMs` and are then cancelled; their last heartbeat lets the next
 * attempt, on another worker, resume where they stopped.
 */
export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const logger = options.logger ?? createJsonLogger();
  const settings = resolveWorkerSettings(options, env);
  const versioning = options.versioning === false ? undefined : resolveVersioning(options.versioning ?? {}, env);
  const metrics = resolveMetricsSettings(env);
  const tracingExporter = resolveTracingExporter(env);
  const interactions = options.interactions ?? (await interactionsFromEnv(env));
  const metricsBindAddress = metrics ? await exporterBindAddress(metrics) : undefined;
  if (options.installRuntimeLogger !== false) {
    const installed = await installRuntimeLogger(logger, metricsBindAddress ? { metricsBindAddress } : {});
    if (metrics && !installed) logger.warn('metrics endpoint not started: the Temporal runtime was installed earlier in this process');
  }
  let metricsServer: { port: number; close(): Promise<void> } | undefined;
  if (metrics && metricsBindAddress) {
    if (metrics.token) {
      metricsServer = await startAuthenticatedMetricsServer({ ...metrics, token: metrics.token }, metricsBindAddress);
      logger.info('metrics endpoint', { address: `${metrics.host}:${metricsServer.port}`, path: '/metrics', auth: 'bearer' });
    } else {
      logger.info('metrics endpoint', { address: metricsBindAddress, path: '/metrics', auth: 'none (loopback only)' });
    }
  }
  // Loaded only when on: the OpenTelemetry SDK costs startup time.
  const tracing: Tracing | undefined = tracingExporter
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('../telemetry/tracing') as typeof import('../telemetry/tracing')).installTracing()
    : undefined;
  if (tracing) logger.info('tracing on', { exporter: tracingExporter });
  const admission = admissionSettingsFromEnv(env);
  const priceTable = priceTableFromEnv(env);
  // Checked before connecting: a relative GEMINI_JOBS_RESULTS_DIR is a usage error (exit 2).
  const resultStore = options.resultStore ?? resultStoreFromEnv(env);

  let connection = options.connection;
  let namespace = options.namespace;
  let ownConnection = false;
  if (!connection) {
    const connected = await connectNative({ ...options.temporal, env });
    connection = connected.connection;
    namespace = connected.config.namespace;
    ownConnection = true;
    logger.info('connected to Temporal', describeTemporalConfig(connected.config));
  }

  const worker = await createJobsWorker({
    connection,
    ...(namespace ? { namespace } : {}),
    taskQueue: settings.taskQueue,
    client: interactions,
    resultStore,
    ...(options.inlineReportMaxBytes !== undefined ? { inlineReportMaxBytes: options.inlineReportMaxBytes } : {}),
    // Through Temporal's activity logger: each line carries workflow id, activity id and attempt.
    log: activityContextLogger({ info: (msg, fields) => logger.info(msg, fields), warn: (msg, fields) => logger.warn(msg, fields) }),
    maxConcurrentActivityTaskExecutions: settings.maxActivities,
    maxConcurrentWorkflowTaskExecutions: settings.maxWorkflowTasks,
    workflowThreadPoolSize: settings.workflowThreads,
    maxCachedWorkflows: settings.maxCachedWorkflows,
    shutdownGraceTime: settings.shutdownGraceMs,
    maxHeartbeatThrottleInterval: settings.heartbeatFlushMs,
    watchedFlushMs: settings.heartbeatFlushMs,
    checkpointFlushMs: settings.checkpointFlushMs,
    watchRefreshMs: settings.watchRefreshMs,
    webhookUris: webhookUrisFromEnv(env),
    ...(versioning ? { workerDeploymentOptions: workerDeploymentOptions(versioning) } : {}),
    ...(tracing ? { plugins: [tracing.plugin] } : {}),
    ...(admission ? { admission } : {}),
    priceTable,
  });

  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('worker shutting down', { reason, shutdownGraceMs: settings.shutdownGraceMs });
    try {
      worker.shutdown();
    } catch {
      // Not running yet or already stopping: run() below returns either way.
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting for running activities', { signal });
      process.exit(130);
    }
    stop(signal);
  };
  if (options.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  const onAbort = () => stop('aborted');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  try {
    const running = worker.run();
    logger.info('worker started', {
      taskQueue: settings.taskQueue,
      namespace: namespace ?? 'default',
      backend: geminiBackend(env) ?? 'custom',
      reports: resultStore
        ? `inline up to ${INLINE_REPORT_MAX_BYTES} bytes, larger to result store "${resultStore.name}"`
        : `inline up to ${INLINE_REPORT_MAX_BYTES} bytes, larger left at the API (no result store configured)`,
      maxActivities: settings.maxActivities,
      maxWorkflowTasks: settings.maxWorkflowTasks,
      workflowThreads: settings.workflowThreads,
      maxCachedWorkflows: settings.maxCachedWorkflows,
      shutdownGraceMs: settings.shutdownGraceMs,
      checkpointFlushMs: settings.checkpointFlushMs,
      watchedFlushMs: settings.heartbeatFlushMs,
      watchRefreshMs: settings.watchRefreshMs,
      ...(versioning ? { deploymentName: versioning.deploymentName, buildId: versioning.buildId, versioningBehavior: versioning.behavior } : { versioning: 'off' }),
      admission: admission ? { appliesTo: admission.appliesTo, ...admission.limits } : 'off',
      priceTable: priceTable.date,
      pid: process.pid,
    });
    options.onRunning?.(worker);
    await running;
    logger.info('worker stopped', { taskQueue: settings.taskQueue });
  } finally {
    if (options.handleSignals !== false) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    options.signal?.removeEventListener('abort', onAbort);
    if (ownConnection) await connection.close().catch(() => undefined);
    await metricsServer?.close();
    await tracing?.shutdown().catch(() => undefined);
  }
}
