/**
 * Public entry of gemini-jobs: the product (jobs client, worker, HTTP face, webhook receiver, the
 * job contract and the wire client). The emulator is a test tool with its own entry,
 * `gemini-jobs/emulator`.
 */
export * from './interactions';
export { JobsClient, JobNotFoundError, JobQueryError, JobWaitTimeoutError } from './jobs/jobs-client';
// Issue 11: the one error tree (base class, codes, every catchable class); see docs/errors.md.
export type { ErrorCode, JobsErrorCode, InteractionsErrorCode, ReportErrorCode, CredentialsErrorCode, TemporalErrorCode, DevErrorCode, CliErrorCode } from './contract/error-codes';
export { GeminiJobsError, ConfigError, isGeminiJobsError, codeOf } from './common/errors';
export type { CommonErrorCode, ErrorJSON } from './common/errors';
export { InvalidJobIdError, InvalidThreadKeyError, InvalidListFilterError, SearchAttributesMissingError } from './jobs/errors';
export { isJobErrorCode, normalizeJobError, KNOWN_JOB_ERROR_CODES } from './contract/job-error-codes';
export type { JobErrorCode, JobOwnErrorCode, UpstreamJobErrorCode } from './contract/job-error-codes';
export { DevServerStartError, TemporalCliNotFoundError } from './dev/temporal-server';
export { MetricsConfigError } from './telemetry/prometheus';
export { TracingConfigError } from './telemetry/tracing-settings';
export { VersioningConfigError } from './worker/versioning';
export { QuotaConfigError } from './worker/quota-settings';
export { ServeConfigError } from './serve/auth';
export { HttpError, STATUS_OF_CODE } from './serve/errors';
export type { ServeErrorCode, HttpErrorCode } from './serve/errors';
export { WebhookConfigError } from './webhooks/env';
export { UsageError, EXIT, EXIT_CODE_OF, exitCodeForError } from './cli/exit-codes';
export type { ExitCode } from './cli/exit-codes';
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
export { JobClosedError, JobUpdateRejectedError } from './jobs/jobs-client';
export type { TaskQueuePollers, ReportSource, ReportProblem, TurnReport } from './jobs/jobs-client';
export type { PhaseEvent, ProgressEvent, ThoughtEvent, OutputEvent, TurnCompletedEvent, DoneEvent, JobEventType, JobSnapshot } from './jobs/watch';
export { JobValidationError, validateJobInput, MAX_INPUT_BYTES } from './jobs/validate-job';
export {
  FileResultStore,
  ResultStoreConfigError,
  createResultStoreFromEnv,
  resultStoreFromEnv,
  configuredResultsDir,
  TEMPORAL_REPORT_STORE,
  API_REPORT_STORE,
} from './results/result-store';
export type { ResultStore } from './results/result-store';
export { INLINE_REPORT_MAX_BYTES } from './contract';
export type {
  JobRequest,
  JobOptions,
  JobInput,
  JobState,
  JobStatus,
  JobPhase,
  JobResult,
  JobError,
  JobProgress,
  TurnRecord,
  ReportRef,
  RetryingStep,
  FollowUpRequest,
  PlanApproval,
  FollowUpAccepted,
} from './contract';
export { DEFAULT_TASK_QUEUE, JOB_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES } from './contract';
export { createJobsWorker, JOB_WORKFLOWS_PATH } from './worker/create-worker';
export type { CreateJobsWorkerOptions } from './worker/create-worker';
export { MissingCredentialsError, WorkerConfigError } from './worker/run-worker';
export { DataDirLockedError } from './dev/data-lock';
export { createJobsHttpHandler, startJobsServer, nodeRoute, openApiDocument, SERVE_TOKENS_ENV } from './serve';
export type { JobsHttpHandler, JobsHttpHandlerOptions, JobsServer, JobsServerOptions, Route, RouteContext } from './serve';
export { createWebhookHandler, webhookVerifyOptionsFromEnv } from './webhooks';
export type { WebhookHandler, WebhookHandlerOptions } from './webhooks';
