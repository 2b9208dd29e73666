// Public entry of gemini-jobs. Shared file: append your module's exports below; never delete lines.
export * from './interactions';
export { startEmulator, type Emulator, type EmulatorOptions, type FaultRule, type FaultPlan } from './emulator';
export { JobsClient, JobNotFoundError, JobQueryError, JobWaitTimeoutError } from './jobs/jobs-client';
export type {
  JobsClientOptions,
  JobsConnectOptions,
  StartJobOptions,
  StartedJob,
  ResultOptions,
  JobOutcome,
  JobSummary,
  ListOptions,
  JobEvent,
  WatchOptions,
  JobListFilter,
} from './jobs/jobs-client';
export { decodeSeq, turnStartPosition } from './jobs/watch';
export { newJobId } from './jobs/job-id';
export { loadTemporalConfig, connectClient, TemporalConnectionError } from './temporal/connection';
export type { TemporalSettings } from './temporal/connection';
export { runWorker } from './worker/run-worker';
export type { RunWorkerOptions } from './worker/run-worker';
export { createJobsHttpHandler, startJobsServer, nodeRoute, openApiDocument, SERVE_TOKENS_ENV } from './serve';
export type { JobsHttpHandler, JobsHttpHandlerOptions, JobsServer, JobsServerOptions, Route, RouteContext } from './serve';
export { createWebhookHandler, webhookVerifyOptionsFromEnv } from './webhooks';
export type { WebhookHandler, WebhookHandlerOptions } from './webhooks';
