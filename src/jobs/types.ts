/**
 * The public shapes of `JobsClient`: its options, what its methods take and what they return.
 * Types only: `src/jobs/jobs-client.ts` re-exports them, and the modules that do the work share them.
 */
import type { Client, Connection } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { BudgetSpent, CostSummary, JobKind, JobMode, JobOptions, JobState, JobStatus, TurnRecord } from '../contract';
import type { InteractionsClient } from '../interactions';
import type { Usage } from '../interactions/types';
import type { ResultStore } from '../results/result-store';
import type { TemporalSettings } from '../temporal/connection';
import type { JobListFilter } from './list-query';

/** Who polls a task queue (from describeTaskQueue). */
export interface TaskQueuePollers {
  taskQueue: string;
  /** Pollers of workflow tasks and of activity tasks, seen within the server's poller window (~5 min). */
  workflowPollers: number;
  activityPollers: number;
}

export interface JobsClientOptions {
  /** A ready client; its namespace is used. */
  client?: Client;
  /** A connection to build a client on (when `client` is not given). */
  connection?: Connection;
  namespace?: string;
  /** Task queue jobs are started on. Default `GEMINI_JOBS_TASK_QUEUE`, else `gemini-jobs`. */
  taskQueue?: string;
  /**
   * Where reports too large for Temporal are read from. Default `createResultStoreFromEnv()`:
   * `GEMINI_JOBS_RESULTS_DIR` (absolute), else v0.1.0's `.gemini-jobs/results` for old jobs.
   * Reports that fit in Temporal are read from the workflow history and need no store.
   */
  resultStore?: ResultStore;
  /** Used to read a report from the API when the result store lacks it. */
  interactions?: InteractionsClient;
  /** Deadline of one state query, in milliseconds. Default 10 000. */
  queryTimeoutMs?: number;
}

export interface JobsConnectOptions extends TemporalSettings {
  taskQueue?: string;
  resultStore?: ResultStore;
  interactions?: InteractionsClient;
  queryTimeoutMs?: number;
}

export interface StartJobOptions {
  /** Job id (= workflow id). Reusing one makes `start` idempotent. Default `job_<uuid>`. */
  jobId?: string;
  options?: JobOptions;
  /** Thread key for listing related jobs; same as `options.thread`. */
  thread?: string;
  /** Extra typed search attributes set at start. */
  searchAttributes?: SearchAttributePair[];
}

export interface StartedJob {
  jobId: string;
  runId: string;
  /** True when a job with this id already existed; nothing new was enqueued. */
  existing: boolean;
}

export interface ResultOptions {
  /** Wait until the current turn is over. Default false. */
  wait?: boolean;
  /** Give up waiting after this many milliseconds (throws `JobWaitTimeoutError`). Default: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** First and largest interval between state reads while waiting, in milliseconds. Defaults 500 and 5 000. */
  pollInitialIntervalMs?: number;
  pollMaxIntervalMs?: number;
}

export interface JobOutcome {
  jobId: string;
  /** Status of the reported turn (or of the job when no turn has ended yet). */
  status: JobStatus;
  /** The latest turn that is over, if any. */
  turn?: TurnRecord;
  /** The full report (markdown) of that turn. */
  report?: string;
  /** Where `report` came from: the workflow history (inline), the result store, the API, or nowhere. */
  reportSource: ReportSource;
  /** Set when the turn has a report that could not be read: why, and every place that was tried. */
  reportProblem?: ReportProblem;
  /** False while the latest turn is still running (only when `wait` was not set). */
  settled: boolean;
  /** True when the job itself has ended (no more follow-ups). */
  closed: boolean;
  state: JobState;
}

/** Where a report was read from. */
export type ReportSource = 'history' | 'store' | 'api' | 'none';

/** A report that exists but could not be read. */
export interface ReportProblem {
  message: string;
  /** Each place tried, with what it answered. */
  looked: string[];
}

/** What `JobsClient.report` found for a turn. */
export interface TurnReport {
  text?: string;
  source: ReportSource;
  /** Set when the turn has a report (bytes > 0 or text produced) that none of the places had. */
  problem?: ReportProblem;
}

export interface JobSummary {
  jobId: string;
  runId: string;
  /** The job status (`JobStatus`), as the workflow publishes it. */
  status?: string;
  /** The agent, or the model of a model turn. */
  agent?: string;
  kind?: JobKind;
  mode?: JobMode;
  thread?: string;
  /** The start of the job's first question. */
  question?: string;
  /** The current (or last) turn's interaction id. */
  interactionId?: string;
  /** Temporal execution status: RUNNING, COMPLETED, FAILED, … */
  executionStatus: string;
  startTime: string;
  closeTime?: string;
  /** With `list({ usage: true })`: the job's summed usage, estimated cost and budget spend. */
  usage?: Usage;
  cost?: CostSummary;
  spent?: BudgetSpent;
}

export interface ListOptions extends JobListFilter {
  /** Most jobs returned (open jobs first, newest started first; then ended jobs, most recently ended first). Default 100. */
  pageSize?: number;
  /**
   * Where to continue: the `nextPageToken` of the previous page (`listPage`). Default: the first
   * page. A token is opaque and belongs to the same filter.
   */
  pageToken?: string;
  /**
   * Also read each job's usage and cost: one state read per job, a few at a time (see
   * `usageConcurrency`); closed jobs need no worker. Default false.
   */
  usage?: boolean;
  /** With `usage`: how many jobs' state is read at once. Default 8. */
  usageConcurrency?: number;
}

/** One page of `listPage`. */
export interface JobPage {
  jobs: JobSummary[];
  /** Pass as `pageToken` to read the next page; absent on the last page. */
  nextPageToken?: string;
}
