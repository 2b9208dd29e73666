/**
 * Entry `gemini-jobs/worker`: the process that runs job workflows and their activities. Loads
 * `@temporalio/worker` (its native bridge, and webpack when it bundles the workflows itself).
 */
export { runWorker, resolveWorkerSettings, WORKER_DEFAULTS, WorkerConfigError, MissingCredentialsError } from './run-worker';
export type { RunWorkerOptions, WorkerSettings } from './run-worker';
export { createJobsWorker, JOB_WORKFLOWS_PATH } from './create-worker';
export type { CreateJobsWorkerOptions } from './create-worker';
export { QuotaConfigError } from './quota-settings';
export { VersioningConfigError } from './versioning';
export type { VersioningSettings } from './versioning';
export { MetricsConfigError } from '../telemetry/prometheus';
export { TracingConfigError } from '../telemetry/tracing-settings';
