/**
 * Builds the gemini-jobs worker: the job workflow (bundled from `workflows/`) and the job
 * activities, closed over an Interactions client and a result store.
 *
 * Credentials reach the API only through the client, built from the worker's environment
 * (`InteractionsClient.fromEnv()` by default); job input never carries them.
 */
import { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { WatchedJobs } from './watched-jobs';
import { createActivities, type JobLogger } from '../../activities';
import { InteractionsClient } from '../interactions/client';
import { activityPhaseMetrics } from '../telemetry/activity-phases';
import { resultStoreFromEnv, type ResultStore } from '../results/result-store';
import type { AdmissionSettings } from '../../activities/admission-types';
import type { PriceTable } from '../../activities/pricing';
import type { CallbackSettings } from '../../activities/callback-types';
import { missingSearchAttributes, SearchAttributesMissingError } from '../temporal/search-attributes';
import { ConfigError } from '../common/errors';

export interface CreateJobsWorkerOptions extends Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'> {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** A client or a factory; default `InteractionsClient.fromEnv()` (created lazily, once). */
  client?: InteractionsClient | (() => InteractionsClient);
  /**
   * External store for reports too large for Temporal; default `resultStoreFromEnv()`
   * (`GEMINI_JOBS_RESULTS_DIR`, absolute) or none. Smaller reports always go inline through Temporal.
   */
  resultStore?: ResultStore | undefined;
  /** Inline limit in bytes (default INLINE_REPORT_MAX_BYTES, 1 MiB); 0 sends every report to `resultStore`. */
  inlineReportMaxBytes?: number;
  log?: JobLogger;
  /** Override the workflows module (default: the compiled `workflows/` next to this package). */
  workflowsPath?: string;
  /** Longest wait of a follow checkpoint change before it is heartbeated, from the change (ms). Default 20 s. */
  checkpointFlushMs?: number;
  /** Checkpoint flush while someone watches a job (ms); also the SDK's heartbeat throttle. Default 5 s. */
  watchedFlushMs?: number;
  /**
   * How often the worker lists the running watch leases (ms; one visibility query per worker, only
   * while a follow activity runs): a watcher's faster flush starts at most this late. 0 = off.
   * Default 5 s (WATCH_REFRESH_DEFAULT_MS).
   */
  watchRefreshMs?: number;
  /** Use this watched-jobs view instead of building one (tests and benches read its counters); wins over `watchRefreshMs`. */
  watchedJobs?: WatchedJobs;
  /** Receiver URL(s) for `webhook`-mode jobs (`webhook_config.uris`); default `GEMINI_JOBS_WEBHOOK_URL`. */
  webhookUris?: string[];
  /** Time between the webhook backstop sweeper's sweeps (ms); default `GEMINI_JOBS_WEBHOOK_SWEEP_MS`, else 5 minutes. */
  webhookSweepMs?: number;
  /** Admission control of creates per credential key; absent = off (runWorker reads it from the environment). */
  admission?: AdmissionSettings;
  /** Price table of cost estimates and `maxCostUsd` budgets (default: the built-in, dated table). */
  priceTable?: PriceTable;
  /**
   * Completion callbacks: the Standard Webhooks signing secret and retry pacing; default from
   * `GEMINI_JOBS_CALLBACK_SECRET`, `GEMINI_JOBS_CALLBACK_RETRY_INITIAL_MS`, `GEMINI_JOBS_CALLBACK_RETRY_MAX_MS`.
   */
  callbacks?: CallbackSettings;
}

/** Default of `watchRefreshMs`: a watch lease takes effect on the workers within 5 s. */
export const WATCH_REFRESH_DEFAULT_MS = 5_000;

/**
 * Workflow worker threads. The SDK's default with a reused V8 context is one thread, and every call
 * into the workflow sandbox runs under a vm timeout (the deadlock detector), which starts a
 * watchdog thread per call: measured on a loaded 2-core machine, one thread queued 200 simultaneous
 * webhook completions for 7.9 s at p50 (0.6 s with two threads, 0.2 s with four; bench/webhook-scale.ts).
 * Each thread costs about 50 MB of RSS (its own isolate and bundle).
 */
export const DEFAULT_WORKFLOW_THREADS = 2;

/**
 * Workflows kept in the worker's cache. The SDK's default grows with the heap limit (about 2,300
 * on a 4 GB heap), and cached job workflows cost worker RSS: 0.36 MB each while they wait, and
 * more while they churn (2,000 hour-long webhook jobs at time scale 15, bench/webhook-scale.ts:
 * peak 1,058 MB with a 1,000 cache, 654 MB with 300). A job evicted from the cache costs nothing
 * while it waits; its next workflow task (webhook signal, backstop timer, query) first replays its
 * short history (tens of events). With thousands of open jobs nearly every wake is a replay at
 * any cache size a worker can hold, so a small cache loses little; a job someone watches stays
 * cached (its queries keep it recent).
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

/**
 * How long a workflow task waits on the sticky queue of the worker that has the job cached
 * before any worker may take it (the SDK's default is 10 s). When that worker was killed, every
 * next task of its jobs (a webhook's signal, an activity's heartbeat timeout) first waits this
 * long: the SDK default added 10 s to the 3–40 s a dead follow activity takes to be noticed
 * (its heartbeat timeout), and 10 s to every webhook-mode completion after a kill. A live worker
 * picks its sticky tasks within milliseconds; one that is slower than this is saturated, and the
 * task goes to any worker (a replay of the job's short history) instead of waiting for it.
 * Measured: bench/sticky-kill.ts (bench/README.md).
 */
export const DEFAULT_STICKY_QUEUE_TIMEOUT_MS = 3_000;

/** Path of the compiled workflows module: `dist/workflows/index.js` (this file is `dist/src/worker/`). */
export const JOB_WORKFLOWS_PATH: string = require.resolve('../../workflows');

/** Creates (but does not run) a worker for job workflows and activities on `taskQueue`. */
export async function createJobsWorker(options: CreateJobsWorkerOptions): Promise<Worker> {
  const {
    client,
    resultStore,
    inlineReportMaxBytes,
    log,
    workflowsPath,
    workflowBundle,
    checkpointFlushMs,
    watchedFlushMs,
    watchRefreshMs,
    watchedJobs: givenWatchedJobs,
    webhookUris,
    webhookSweepMs,
    interceptors,
    admission,
    priceTable,
    callbacks,
    ...workerOptions
  } = options;
  await assertSearchAttributes(options.connection, options.namespace ?? 'default', log);
  const refreshMs = watchRefreshMs ?? WATCH_REFRESH_DEFAULT_MS;
  // One list query per worker for every watched job (docs/watch-lease.md); the client shares the worker's connection.
  let listClient: Client | undefined;
  const watchedJobs =
    givenWatchedJobs ??
    (refreshMs > 0
      ? new WatchedJobs({
          client: () => (listClient ??= new Client({ connection: options.connection, namespace: options.namespace ?? 'default' })),
          refreshMs,
          onError: (err) => log?.warn('watch leases: list query failed; the last answer stays in force', { error: (err as Error)?.message ?? String(err) }),
        })
      : undefined);
  const uris = webhookUris ?? webhookUrisFromEnv(process.env);
  const sweepIntervalMs = webhookSweepMs ?? webhookSweepMsFromEnv(process.env);
  let lazy: InteractionsClient | undefined;
  const clientFactory: () => InteractionsClient = typeof client === 'function' ? client : client ? () => client : () => (lazy ??= InteractionsClient.fromEnv());
  const activities = createActivities({
    client: clientFactory,
    resultStore: 'resultStore' in options ? resultStore : resultStoreFromEnv(),
    ...(inlineReportMaxBytes !== undefined ? { inlineReportMaxBytes } : {}),
    ...(log ? { log } : {}),
    ...(checkpointFlushMs !== undefined ? { checkpointFlushMs } : {}),
    ...(watchedFlushMs !== undefined ? { watchedFlushMs } : {}),
    ...(watchedJobs
      ? { watched: (jobId: string) => watchedJobs.has(jobId), onWatchedChange: (jobId: string, onChange: () => void) => watchedJobs.subscribe(jobId, onChange) }
      : {}),
    ...(uris.length > 0 ? { webhooks: { uris, ...(sweepIntervalMs !== undefined ? { sweepIntervalMs } : {}) } } : {}),
    ...(admission ? { admission } : {}),
    ...(priceTable ? { priceTable } : {}),
    callbacks: callbacks ?? callbackSettingsFromEnv(process.env),
    temporal: () => (listClient ??= new Client({ connection: options.connection, namespace: options.namespace ?? 'default' })),
  });
  return Worker.create({
    // Leave room for the follow activity to flush its heartbeat (the next attempt resumes from it).
    shutdownGraceTime: '10s',
    // The follow activity decides when to heartbeat (activities/flush.ts); the SDK's throttle only
    // has to stay out of the way of its fastest (watched) flush.
    maxHeartbeatThrottleInterval: watchedFlushMs ?? '5s',
    // Only with the reused V8 context (the default): without it the SDK already uses two threads.
    ...(workerOptions.reuseV8Context !== false ? { workflowThreadPoolSize: DEFAULT_WORKFLOW_THREADS } : {}),
    maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS,
    stickyQueueScheduleToStartTimeout: DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
    ...workerOptions,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: workflowsPath ?? JOB_WORKFLOWS_PATH }),
    // gemini_jobs_running{phase}: counted around each job activity, outside the activities' code.
    interceptors: { ...interceptors, activity: [activityPhaseMetrics, ...(interceptors?.activity ?? [])] },
    activities,
  });
}

/**
 * Refuses to run on a namespace that lacks a job search attribute (the workflow upserts them, and
 * the upsert of a missing one fails every workflow task). A server that will not list them (no
 * operator rights) gets a warning instead.
 */
async function assertSearchAttributes(connection: CreateJobsWorkerOptions['connection'], namespace: string, log: JobLogger | undefined): Promise<void> {
  if (!connection) return;
  const missing = await missingSearchAttributes(connection.operatorService, namespace);
  if (missing === undefined) {
    log?.warn('could not list the namespace search attributes; make sure the job search attributes are registered', { namespace });
    return;
  }
  if (missing.length > 0) throw new SearchAttributesMissingError(namespace, `namespace ${namespace} lacks the search attribute(s) ${missing.join(', ')}`);
}

/** `GEMINI_JOBS_WEBHOOK_SWEEP_MS`: time between the webhook backstop sweeps (ms, 1 s … 1 h); unset = the default. */
export function webhookSweepMsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.GEMINI_JOBS_WEBHOOK_SWEEP_MS?.trim();
  if (!raw) return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1_000 || ms > 3_600_000) {
    throw new ConfigError(`GEMINI_JOBS_WEBHOOK_SWEEP_MS must be a whole number of milliseconds from 1000 to 3600000 (e.g. 300000 for 5 minutes); got ${JSON.stringify(raw)}`);
  }
  return ms;
}

/**
 * Completion-callback settings of the worker: `GEMINI_JOBS_CALLBACK_SECRET` (Standard Webhooks
 * `whsec_…` secret; unset = callbacks wait, retried, until a worker has it) and the retry pacing
 * `GEMINI_JOBS_CALLBACK_RETRY_INITIAL_MS` (default 5000) and `GEMINI_JOBS_CALLBACK_RETRY_MAX_MS`
 * (default 600000).
 */
export function callbackSettingsFromEnv(env: NodeJS.ProcessEnv): CallbackSettings {
  const settings: CallbackSettings = {};
  const secret = env.GEMINI_JOBS_CALLBACK_SECRET?.trim();
  if (secret) {
    if (!/^(whsec_)?[A-Za-z0-9+/=]{16,}$/.test(secret)) {
      throw new ConfigError(
        'GEMINI_JOBS_CALLBACK_SECRET must be a Standard Webhooks secret: whsec_ followed by base64 of at least 24 random bytes (e.g. "whsec_$(openssl rand -base64 32)")',
      );
    }
    settings.secret = secret;
  }
  for (const [name, key, min] of [
    ['GEMINI_JOBS_CALLBACK_RETRY_INITIAL_MS', 'retryInitialMs', 1],
    ['GEMINI_JOBS_CALLBACK_RETRY_MAX_MS', 'retryMaxMs', 1],
  ] as const) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const ms = Number(raw);
    if (!Number.isInteger(ms) || ms < min || ms > 86_400_000)
      throw new ConfigError(`${name} must be a whole number of milliseconds from ${min} to 86400000; got ${JSON.stringify(raw)}`);
    settings[key] = ms;
  }
  return settings;
}

/** `GEMINI_JOBS_WEBHOOK_URL`: one URL or several separated by commas (empty = webhook mode off). */
export function webhookUrisFromEnv(env: NodeJS.ProcessEnv): string[] {
  const raw = env.GEMINI_JOBS_WEBHOOK_URL?.trim();
  if (!raw) return [];
  const uris = raw
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ConfigError(`GEMINI_JOBS_WEBHOOK_URL must hold absolute http(s) URLs separated by commas; ${JSON.stringify(uri)} is not one`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`GEMINI_JOBS_WEBHOOK_URL: ${JSON.stringify(uri)} must be an http(s) URL`);
  }
  return uris;
}
