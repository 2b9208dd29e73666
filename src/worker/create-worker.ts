/**
 * Builds the gemini-jobs worker: the job workflow (bundled from `workflows/`) and the job
 * activities, closed over an Interactions client and a result store.
 *
 * Credentials reach the API only through the client, built from the worker's environment
 * (`InteractionsClient.fromEnv()` by default); job input never carries them.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type JobLogger } from '../../activities';
import { InteractionsClient } from '../interactions/client';
import { activityPhaseMetrics } from '../telemetry/activity-phases';
import { createResultStoreFromEnv, type ResultStore } from '../jobs/result-store';

export interface CreateJobsWorkerOptions
  extends Omit<WorkerOptions, 'connection' | 'namespace' | 'taskQueue' | 'activities' | 'workflowsPath'> {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** A client or a factory; default `InteractionsClient.fromEnv()` (created lazily, once). */
  client?: InteractionsClient | (() => InteractionsClient);
  /** Where reports go; default `createResultStoreFromEnv()` (`GEMINI_JOBS_RESULTS_DIR`). */
  resultStore?: ResultStore;
  log?: JobLogger;
  /** Override the workflows module (default: the compiled `workflows/` next to this package). */
  workflowsPath?: string;
}

/** Path of the compiled workflows module: `dist/workflows/index.js` (this file is `dist/src/worker/`). */
export const JOB_WORKFLOWS_PATH: string = require.resolve('../../workflows');

/** Creates (but does not run) a worker for job workflows and activities on `taskQueue`. */
export async function createJobsWorker(options: CreateJobsWorkerOptions): Promise<Worker> {
  const { client, resultStore, log, workflowsPath, workflowBundle, interceptors, ...workerOptions } = options;
  let lazy: InteractionsClient | undefined;
  const clientFactory: () => InteractionsClient =
    typeof client === 'function' ? client : client ? () => client : () => (lazy ??= InteractionsClient.fromEnv());
  const activities = createActivities({
    client: clientFactory,
    resultStore: resultStore ?? createResultStoreFromEnv(),
    ...(log ? { log } : {}),
  });
  return Worker.create({
    // Leave room for the follow activity to flush its heartbeat (the next attempt resumes from it).
    shutdownGraceTime: '10s',
    // The SDK would flush heartbeats only every 0.8 × heartbeatTimeout (24 s for the follow
    // activity): a stale resume point and live progress. See WORKER_DEFAULTS.heartbeatFlushMs.
    maxHeartbeatThrottleInterval: '5s',
    ...workerOptions,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: workflowsPath ?? JOB_WORKFLOWS_PATH }),
    // gemini_jobs_running{phase}: counted around each job activity, outside the activities' code.
    interceptors: { ...interceptors, activity: [activityPhaseMetrics, ...(interceptors?.activity ?? [])] },
    activities,
  });
}
