/**
 * Main entry of gemini-jobs (`gemini-jobs`): what a service needs to start, read and steer jobs —
 * `JobsClient`, the job contract, the typed Interactions client and the error tree's base and
 * client-side classes. It loads `@temporalio/client`, never the worker (its native bridge and
 * webpack): the other parts have entries of their own, each loaded only by who imports it:
 *
 *   gemini-jobs/worker    runWorker, createJobsWorker, worker settings errors
 *   gemini-jobs/serve     the HTTP API and dashboard (createJobsHttpHandler, startJobsServer)
 *   gemini-jobs/webhooks  the webhook receiver (createWebhookHandler)
 *   gemini-jobs/dev       the local stack (runDev, the Temporal dev server)
 *   gemini-jobs/cli       the command line as a function (runCli) and its exit codes
 *   gemini-jobs/emulator  the local emulator of the Interactions API (a test tool)
 *   gemini-jobs/interactions, /workflows, /activities
 */
export * from './interactions';
export {
  JobsClient,
  JobNotFoundError,
  JobQueryError,
  JobWaitTimeoutError,
  JobClosedError,
  JobUpdateRejectedError,
  ScheduleExistsError,
  ScheduleNotFoundError,
  BatchItemNotFoundError,
} from './jobs/jobs-client';
export type {
  JobsClientOptions,
  JobsConnectOptions,
  StartJobOptions,
  StartedJob,
  ResultOptions,
  JobOutcome,
  JobSummary,
  ListOptions,
  JobPage,
  JobEvent,
  WatchOptions,
  JobListFilter,
  TaskQueuePollers,
  ReportSource,
  ReportProblem,
  TurnReport,
} from './jobs/jobs-client';
// The one error tree (base class, codes, every class a service catches); see docs/errors.md.
export type { ErrorCode, JobsErrorCode, InteractionsErrorCode, ReportErrorCode, CredentialsErrorCode, TemporalErrorCode, DevErrorCode, CliErrorCode } from './contract/error-codes';
export { GeminiJobsError, ConfigError, isGeminiJobsError, codeOf } from './common/errors';
export type { CommonErrorCode, ErrorJSON } from './common/errors';
export { InvalidJobIdError, InvalidThreadKeyError, InvalidListFilterError, SearchAttributesMissingError } from './jobs/errors';
export { InlineReportError } from './jobs/history-report';
export { MissingCredentialsError } from './interactions/gemini-env';
export { isJobErrorCode, normalizeJobError, KNOWN_JOB_ERROR_CODES } from './contract/job-error-codes';
export type { JobErrorCode, JobOwnErrorCode, UpstreamJobErrorCode } from './contract/job-error-codes';
export { decodeSeq, turnStartPosition } from './jobs/watch';
export type { PhaseEvent, ProgressEvent, ThoughtEvent, OutputEvent, TurnCompletedEvent, DoneEvent, JobEventType, JobSnapshot } from './jobs/watch';
export { newJobId } from './jobs/job-id';
export { loadTemporalConfig, connectClient, TemporalConnectionError } from './temporal/connection';
export type { TemporalSettings } from './temporal/connection';
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
// Batches: a list of job requests run as child jobs of one durable workflow (docs/batches.md).
export type { StartBatchOptions, StartedBatch, BatchIndexEntry, BatchSummary } from './jobs/jobs-client';
export type { BatchBudget, BatchOptions, BatchState, BatchCounts, BatchItemRecord, BatchItemStatus } from './contract';
export { BATCH_WORKFLOW_TYPE, batchItemJobId } from './contract';
export { parseBatchFile, batchFormatOf } from './jobs/batch-file';
