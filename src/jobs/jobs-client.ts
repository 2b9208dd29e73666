/**
 * `JobsClient`: the service-side API of gemini-jobs on top of `@temporalio/client`. A job is one
 * workflow execution whose id is the job id; this class turns job operations (start, state,
 * result, cancel, follow-up, plan approval, list, watch) into workflow operations.
 *
 * The class owns the connection and the settings; each operation lives in a module of its own:
 * start-job.ts (validation, start), snapshot.ts and read-job.ts (state, result), reports.ts (the
 * report stores), steering.ts (cancel, follow-up, plan), listing.ts (visibility pages),
 * watch-job.ts (live events). Public shapes are in types.ts.
 *
 * Job input is validated before anything is enqueued and never holds credentials: the worker
 * reads those from its own environment.
 */
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import type { FollowUpAccepted, FollowUpRequest, JobInput, JobRequest, JobState, PendingPlan, PlanApproval, TurnRecord } from '../contract';
import type { InteractionsClient } from '../interactions';
import { connectClient, loadTemporalConfig, resolveTaskQueue } from '../temporal/connection';
import { createResultStoreFromEnv } from '../results/result-store';
import type { ResultStore } from '../results/result-store';
import { jobHandle, type JobsContext } from './context';
import {
  cancelBatch,
  listBatches,
  readBatchState,
  retryBatch,
  startBatch,
  validateBatch,
  writeBatchResults,
  type BatchIndexEntry,
  type BatchSummary,
  type StartBatchOptions,
  type StartedBatch,
} from './batches';
import type { BatchInput, BatchRetryAccepted, BatchState } from '../contract';
import { listJobs, listJobsPage } from './listing';
import { readOutcome, readState } from './read-job';
import { withCallbackDeliveries } from './callbacks';
import { readReport } from './reports';
import { readPollers, readSnapshot, type DescribedSnapshot } from './snapshot';
import { startJob, validateStart } from './start-job';
import { approveJobPlan, cancelJob, followUpJob, refineJobPlan, refreshJobProgress } from './steering';
import type {
  JobOutcome,
  JobPage,
  JobsClientOptions,
  JobsConnectOptions,
  JobSummary,
  ListOptions,
  ResultOptions,
  StartedJob,
  StartJobOptions,
  TaskQueuePollers,
  TurnReport,
} from './types';
import { watchJob } from './watch-job';
import { JobSchedules, validateSchedule, type CreateScheduleOptions } from './schedules';
import type { JobEvent, WatchOptions } from './watch';

export type { JobEvent, WatchOptions } from './watch';
export type { JobListFilter } from './list-query';
export type {
  TaskQueuePollers,
  JobsClientOptions,
  JobsConnectOptions,
  StartJobOptions,
  StartedJob,
  ResultOptions,
  JobOutcome,
  ReportSource,
  ReportProblem,
  TurnReport,
  JobSummary,
  ListOptions,
  JobPage,
} from './types';

export {
  JobClosedError,
  JobNotFoundError,
  JobQueryError,
  JobUpdateRejectedError,
  JobWaitTimeoutError,
  ScheduleExistsError,
  BatchItemNotFoundError,
  ScheduleNotFoundError,
  SearchAttributesMissingError,
} from './errors';
export type { CreateScheduleOptions, JobScheduleDescription, JobScheduleSummary, ScheduleOverlap } from './schedules';
export type { BatchIndexEntry, BatchSummary, StartBatchOptions, StartedBatch } from './batches';

export class JobsClient {
  readonly client: Client;
  readonly taskQueue: string;
  readonly resultStore: ResultStore;
  readonly interactions?: InteractionsClient;
  private readonly queryTimeoutMs: number;
  private ownedConnection?: Connection;
  /** Recurring jobs on Temporal Schedules: `create`, `list`, `describe`, `pause`, `resume`, `trigger`, `delete`. */
  readonly schedules: JobSchedules = new JobSchedules(() => this.context);

  constructor(options: JobsClientOptions = {}) {
    if (options.client) {
      this.client = options.client;
    } else if (options.connection) {
      this.client = new Client({ connection: options.connection, namespace: options.namespace ?? 'default' });
    } else {
      // No connection given: connect lazily with the same settings `JobsClient.connect` reads.
      const config = loadTemporalConfig({ namespace: options.namespace });
      this.ownedConnection = Connection.lazy(config.connectionOptions);
      this.client = new Client({ connection: this.ownedConnection, namespace: config.namespace });
    }
    this.taskQueue = options.taskQueue ?? resolveTaskQueue();
    this.resultStore = options.resultStore ?? createResultStoreFromEnv();
    if (options.interactions) this.interactions = options.interactions;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  }

  /** Connects with flags > `TEMPORAL_*` environment > TOML profile (see `@temporalio/envconfig`). */
  static async connect(options: JobsConnectOptions = {}): Promise<JobsClient> {
    // Settings first: a bad results directory is a usage error, not a connection error.
    const resultStore = options.resultStore ?? createResultStoreFromEnv(options.env ?? process.env);
    const { client, connection } = await connectClient(options);
    const jobs = new JobsClient({
      client,
      taskQueue: resolveTaskQueue(options.taskQueue, options.env ?? process.env),
      resultStore,
      ...(options.interactions ? { interactions: options.interactions } : {}),
      ...(options.queryTimeoutMs !== undefined ? { queryTimeoutMs: options.queryTimeoutMs } : {}),
    });
    jobs.ownedConnection = connection;
    return jobs;
  }

  /** Closes the connection if this client opened it. */
  async close(): Promise<void> {
    const connection = this.ownedConnection;
    this.ownedConnection = undefined;
    await connection?.close();
  }

  /** What the operation modules read: this client's Temporal client and settings. */
  private get context(): JobsContext {
    const { client, taskQueue, resultStore, interactions, queryTimeoutMs } = this;
    return { client, taskQueue, resultStore, queryTimeoutMs, ...(interactions ? { interactions } : {}) };
  }

  /** The workflow handle of a job (latest run). */
  handle(jobId: string): WorkflowHandle {
    return jobHandle(this.context, jobId);
  }

  /**
   * Checks a job exactly as `start` does, without connecting or enqueuing anything: throws
   * `JobValidationError` (field, problem, fix) for a bad request, id, thread or option.
   */
  static validateStart(request: JobRequest, opts: StartJobOptions = {}): JobInput {
    return validateStart(request, opts);
  }

  /** Checks a schedule exactly as `schedules.create` does, without connecting: throws `JobValidationError`. */
  static validateSchedule(opts: CreateScheduleOptions): { scheduleId: string; input: JobInput } {
    return validateSchedule(opts);
  }

  /**
   * Validates and enqueues a job; returns at once. Starting an id that exists enqueues nothing
   * and returns `existing: true` (workflow id conflict policy USE_EXISTING, reuse REJECT_DUPLICATE).
   */
  start(request: JobRequest, opts: StartJobOptions = {}): Promise<StartedJob> {
    return startJob(this.context, request, opts);
  }

  /** Checks a batch as `startBatch` does, without connecting: throws `JobValidationError` naming the field. */
  static validateBatch(items: JobRequest[], opts: StartBatchOptions = {}): BatchInput {
    return validateBatch(items, opts);
  }

  /**
   * Validates every item, then enqueues the batch; returns at once with its id. Item `n` runs as
   * job `<batchId>-<n>` with `opts.options.jobOptions`, under the worker's admission control.
   */
  startBatch(items: JobRequest[], opts: StartBatchOptions = {}): Promise<StartedBatch> {
    return startBatch(this.context, items, opts);
  }

  /** A batch's progress (counts, tokens, estimated cost, each item's record). */
  batchState(batchId: string): Promise<BatchState> {
    return readBatchState(this.context, batchId);
  }

  /** Cancels a batch, or only item `item` (1-based). False when the batch had already closed. */
  cancelBatch(batchId: string, opts: { item?: number; reason?: string } = {}): Promise<boolean> {
    return cancelBatch(this.context, batchId, opts);
  }

  /** Runs the batch's failed items again (or the named ones), on a running or a closed batch. */
  retryBatch(batchId: string, opts: { items?: number[] } = {}): Promise<BatchRetryAccepted> {
    return retryBatch(this.context, batchId, opts);
  }

  /** Recent batches, newest first. */
  listBatches(opts: { limit?: number } = {}): Promise<BatchSummary[]> {
    return listBatches(this.context, opts);
  }

  /** Writes `<n>.md` per item and `index.json` / `index.csv` into `dir`. */
  writeBatchResults(batchId: string, dir: string): Promise<{ state: BatchState; entries: BatchIndexEntry[] }> {
    return writeBatchResults(this.context, batchId, dir);
  }

  /** One snapshot: the workflow's state query merged with describe() (live heartbeat progress). */
  async snapshot(jobId: string): Promise<DescribedSnapshot> {
    const snap = await readSnapshot(this.context, jobId);
    // Each completion callback's attempts and last answer, from its delivery workflow.
    return { ...snap, state: await withCallbackDeliveries(this.context, snap.state) };
  }

  /**
   * Current state: the `state` query merged with describe() (live progress from heartbeats). While
   * a plan waits, `plan.text` is the whole plan (the turn's report), not the workflow's summary.
   */
  state(jobId: string): Promise<JobState> {
    return readState(this.context, jobId);
  }

  /**
   * Reads the report text of a turn: from the workflow history when it was inlined (needs `jobId`),
   * else from the result store, else from the API by interaction id (when given `interactions`).
   */
  report(turn: TurnRecord, jobId?: string): Promise<TurnReport> {
    return readReport(this.context, turn, jobId);
  }

  /**
   * The latest turn that is over and its full report. With `wait`, first waits (polling the state
   * query with backoff) until the current turn is over.
   */
  result(jobId: string, options: ResultOptions = {}): Promise<JobOutcome> {
    return readOutcome(this.context, jobId, options);
  }

  /**
   * `webhook` mode: fetches the running turn's progress now (one GET, run by the workflow) and
   * returns the state with it. Nothing polls a webhook-mode job's progress unless someone asks.
   */
  refreshProgress(jobId: string): Promise<JobState> {
    return refreshJobProgress(this.context, jobId);
  }

  /**
   * Asks the job to cancel its running interaction and end. False when the job had already ended.
   * The cancel signal carries the reason; Temporal cancellation follows it, so the execution ends
   * Canceled in the Web UI (workflows from before that change end Completed, status `cancelled`).
   */
  cancel(jobId: string, reason?: string): Promise<boolean> {
    return cancelJob(this.context, jobId, reason);
  }

  /** Starts the next turn of the job's thread; resolves once the workflow accepted it. */
  followUp(jobId: string, input: FollowUpRequest['input'], overrides?: FollowUpRequest['overrides']): Promise<FollowUpAccepted> {
    return followUpJob(this.context, jobId, input, overrides);
  }

  /**
   * Approves the waiting plan: the next turn runs it with `collaborative_planning: false`
   * (Google's chained-turn flow). With `{ edit }` (or `approve: false`) it refines the plan
   * instead, like {@link refinePlan}. Rejected unless `state.plan` is present.
   */
  approvePlan(jobId: string, approval: PlanApproval = {}): Promise<FollowUpAccepted> {
    return approveJobPlan(this.context, jobId, approval);
  }

  /**
   * Refines the waiting plan: a chained turn with `collaborative_planning` still true and
   * `instructions` as input; its output becomes the new `state.plan`. With `wait`, resolves once
   * the refined plan is there (`plan`), polling up to `timeoutMs`.
   */
  refinePlan(jobId: string, instructions: string, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<FollowUpAccepted & { plan?: PendingPlan }> {
    return refineJobPlan(this.context, jobId, instructions, options);
  }

  /**
   * How many workers poll `taskQueue` (default this client's): 0 workflow pollers means no job on
   * it makes progress. The server remembers pollers for a few minutes, so a worker that just died
   * may still be counted.
   */
  pollers(taskQueue: string = this.taskQueue): Promise<TaskQueuePollers> {
    return readPollers(this.context, taskQueue);
  }

  /**
   * Lists jobs by status, agent and thread (visibility is eventually consistent): up to
   * `pageSize` (default 100), open jobs first (newest started first), then ended jobs (most
   * recently ended first). From `pageToken` when given; `listPage` returns the next token.
   */
  list(options: ListOptions = {}): Promise<JobSummary[]> {
    return listJobs(this.context, options);
  }

  /** One page of `list`, with `nextPageToken` to pass as `pageToken` for the next (absent on the last). */
  listPage(options: ListOptions = {}): Promise<JobPage> {
    return listJobsPage(this.context, options);
  }

  /**
   * Live, resumable job events for relaying (SSE): pass the last `seq` received as `from` to
   * resume; report text is never repeated or skipped. Ends with a `done` event.
   */
  watch(jobId: string, options: WatchOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
    return watchJob(this.context, jobId, options);
  }
}
