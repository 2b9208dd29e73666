/**
 * `JobsClient`: the service-side API of gemini-jobs on top of `@temporalio/client`. A job is one
 * workflow execution whose id is the job id; this class turns job operations (start, state,
 * result, cancel, follow-up, plan approval, list, watch) into workflow operations.
 *
 * Job input is validated before anything is enqueued and never holds credentials: the worker
 * reads those from its own environment.
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { backoffMs } from '../common/backoff';
import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { JOB_RESULT_MEMO, JOB_WORKFLOW_TYPE, jobVisibilityOf, type JobKind, type JobMode, type JobVisibility } from '../contract';
import { ApplicationFailure } from '@temporalio/common';
import {
  approvePlanUpdate,
  refreshProgressUpdate,
  cancelSignal,
  followUpUpdate,
  JOB_SEARCH_ATTRIBUTE_KEYS,
  jobAgentKey,
  jobThreadKey,
  stateQuery,
} from '../../workflows/definitions';
import type { BudgetSpent, CostSummary } from '../contract';
import type { Usage } from '../interactions/types';
import type { FollowUpAccepted, FollowUpRequest, JobInput, JobOptions, JobRequest, JobResult, JobState, JobStatus, PendingPlan, PlanApproval, TurnRecord } from '../contract';
import type { InteractionsClient } from '../interactions';
import { reportText } from '../interactions/accumulator';
import { connectClient, loadTemporalConfig, resolveTaskQueue } from '../temporal/connection';
import type { TemporalSettings } from '../temporal/connection';
import { assertJobId, assertThreadKey, newJobId } from './job-id';
import { buildListQuery } from './list-query';
import type { JobListFilter } from './list-query';
import { mergeLiveState, withElapsed } from './live-state';
import { admissionWorkflowId, positionQuery } from '../../workflows/admission-definitions';
import { jobStaticDetails, jobStaticSummary } from './ui-metadata';
import { readInlineReport } from './history-report';
import { API_REPORT_STORE, TEMPORAL_REPORT_STORE, createResultStoreFromEnv, describeLocation } from '../results/result-store';
import type { ResultStore } from '../results/result-store';
import { JobValidationError, validateJobInput } from './validate-job';
import { JobClosedError, JobNotFoundError, JobQueryError, JobUpdateRejectedError, JobWaitTimeoutError, SearchAttributesMissingError, updateFailureReason } from './errors';
import { normalizeJobError } from '../contract/job-error-codes';
import { isSettledTurnStatus, watchEvents } from './watch';
import { holdWatchLease, type HeldWatchLease } from './watch-lease';
import type { JobEvent, JobSnapshot, WatchOptions } from './watch';
import { pause } from '../common/sleep';

export type { JobEvent, WatchOptions } from './watch';
export type { JobListFilter } from './list-query';

export { JobClosedError, JobNotFoundError, JobQueryError, JobUpdateRejectedError, JobWaitTimeoutError, SearchAttributesMissingError } from './errors';

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
  /** Most jobs returned (newest first). Default 100. */
  pageSize?: number;
  /** Also read each job's usage and cost (one state read per job: closed jobs need no worker). */
  usage?: boolean;
}

const WORKFLOW_STATUS_TO_JOB: Record<string, JobStatus> = {
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed_out',
  FAILED: 'failed',
  TERMINATED: 'failed',
};

/**
 * Histories written by other worker versions may hold error codes this version does not know:
 * they are read as `unknown`, the original kept in `rawCode` (see src/contract/job-error-codes.ts).
 */
function withKnownErrorCodes(state: JobState): JobState {
  const turns = Array.isArray(state.turns) ? state.turns.map((t) => (t?.error ? { ...t, error: normalizeJobError(t.error) } : t)) : state.turns;
  const out: JobState = { ...state, turns };
  if (state.error) out.error = normalizeJobError(state.error);
  return out;
}

/** A `JobState` for a closed execution, built from its result (no worker needed). */
function stateFromResult(jobId: string, result: JobResult, description: WorkflowExecutionDescription): JobState {
  const last = result.turns[result.turns.length - 1];
  const start = description.startTime.toISOString();
  const end = (description.closeTime ?? new Date()).getTime();
  const state: JobState = {
    jobId,
    phase: 'done',
    status: result.status,
    turn: last?.turn ?? 0,
    turns: result.turns,
    startedAt: result.turns[0]?.startedAt ?? start,
    elapsedMs: Math.max(0, end - description.startTime.getTime()),
  };
  if (result.upstreamStatus !== undefined) state.upstreamStatus = result.upstreamStatus;
  if (result.interactionId !== undefined) state.interactionId = result.interactionId;
  if (last?.startedAt) state.turnStartedAt = last.startedAt;
  if (result.usage) state.usage = result.usage;
  if (result.error) state.error = result.error;
  const attrs = description.typedSearchAttributes;
  const agent = attrs.get(jobAgentKey);
  const thread = attrs.get(jobThreadKey);
  // GeminiJobAgent holds the model of a model turn (GeminiJobKind says which).
  if (agent && attrs.get(JOB_SEARCH_ATTRIBUTE_KEYS.kind) === 'model') state.model = agent;
  else if (agent) state.agent = agent;
  if (thread) state.thread = thread;
  const question = attrs.get(JOB_SEARCH_ATTRIBUTE_KEYS.question) ?? (description.memo as { question?: unknown } | undefined)?.question;
  if (typeof question === 'string') state.question = question;
  const mode = attrs.get(JOB_SEARCH_ATTRIBUTE_KEYS.mode);
  if (mode) state.mode = mode as JobMode;
  return state;
}

export class JobsClient {
  readonly client: Client;
  readonly taskQueue: string;
  readonly resultStore: ResultStore;
  readonly interactions?: InteractionsClient;
  private readonly queryTimeoutMs: number;
  private ownedConnection?: Connection;

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

  /** The workflow handle of a job (latest run). */
  handle(jobId: string): WorkflowHandle {
    assertJobId(jobId);
    return this.client.workflow.getHandle(jobId);
  }

  /**
   * Checks a job exactly as `start` does, without connecting or enqueuing anything: throws
   * `JobValidationError` (field, problem, fix) for a bad request, id, thread or option.
   */
  static validateStart(request: JobRequest, opts: StartJobOptions = {}): JobInput {
    if (opts.jobId !== undefined) assertJobId(opts.jobId, 'jobId');
    const options: JobOptions = { ...opts.options };
    if (opts.thread !== undefined) options.thread = opts.thread;
    if (options.thread !== undefined) assertThreadKey(options.thread, opts.thread !== undefined ? 'thread' : 'options.thread');
    const input: JobInput = { request, ...(Object.keys(options).length > 0 ? { options } : {}) };
    validateJobInput(input);
    // Defaults are the workflow's (workflows/helpers.ts): a job looks the same whoever starts it.
    return input;
  }

  /**
   * Validates and enqueues a job; returns at once. Starting an id that exists enqueues nothing
   * and returns `existing: true` (workflow id conflict policy USE_EXISTING, reuse REJECT_DUPLICATE).
   */
  async start(request: JobRequest, opts: StartJobOptions = {}): Promise<StartedJob> {
    const jobId = opts.jobId ?? newJobId();
    // Throws an error naming the bad field; nothing has been enqueued yet.
    const input = JobsClient.validateStart(request, { ...opts, jobId });
    const options: JobOptions = input.options ?? {};

    // The values the workflow would publish itself (src/contract/visibility.ts): set at start, they cost no upsert.
    const shown: Partial<JobVisibility> = { status: 'pending', ...jobVisibilityOf(request, options) };
    const attributes = (Object.keys(JOB_SEARCH_ATTRIBUTE_KEYS) as Array<keyof typeof JOB_SEARCH_ATTRIBUTE_KEYS>).flatMap((field): SearchAttributePair[] => {
      const value = shown[field];
      return value === undefined ? [] : [{ key: JOB_SEARCH_ATTRIBUTE_KEYS[field], value }];
    });
    const extra = opts.searchAttributes ?? [];
    const merged = [...attributes.filter((a) => !extra.some((e) => e.key.name === a.key.name)), ...extra];

    // A token only this call knows: USE_EXISTING answers with the running execution's run id
    // either way, and the memo tells whether that execution is ours.
    const startToken = newJobId();
    try {
      const handle = await this.client.workflow.start(JOB_WORKFLOW_TYPE, {
        workflowId: jobId,
        taskQueue: this.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: merged,
        memo: { startToken },
        // The Web UI's summary line: the question itself; details: agent, thread, options.
        staticSummary: jobStaticSummary(request),
        staticDetails: jobStaticDetails(request, options),
      });
      const description = await this.client.workflow.getHandle(jobId, handle.firstExecutionRunId).describe();
      const existing = (description.memo as { startToken?: unknown } | undefined)?.startToken !== startToken;
      return { jobId, runId: handle.firstExecutionRunId, existing };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        // A closed job with this id: REJECT_DUPLICATE keeps its id unique forever.
        const description = await this.client.workflow.getHandle(jobId).describe();
        return { jobId, runId: description.runId, existing: true };
      }
      const message = [err, (err as { cause?: unknown })?.cause]
        .map((e) => (e as Error | undefined)?.message)
        .filter(Boolean)
        .join(': ');
      if (/search attribute/i.test(message)) {
        throw new SearchAttributesMissingError(this.client.options.namespace, message, { cause: err });
      }
      throw err;
    }
  }

  /** One snapshot: the workflow's state query merged with describe() (live heartbeat progress). */
  async snapshot(jobId: string): Promise<JobSnapshot & { description: WorkflowExecutionDescription }> {
    const handle = this.handle(jobId);
    let description: WorkflowExecutionDescription;
    try {
      description = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: err });
      throw err;
    }
    const status = description.status.name;
    if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') {
      let state: JobState;
      try {
        state = await this.client.withDeadline(Date.now() + this.queryTimeoutMs, () => handle.query(stateQuery));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: err });
        throw new JobQueryError(jobId, description.taskQueue, this.queryTimeoutMs, err);
      }
      const merged = withKnownErrorCodes(withElapsed(mergeLiveState(state, description), Date.now()));
      if (merged.phase === 'queued' && merged.admission?.key) await this.refreshAdmission(merged);
      return { state: merged, closed: false, description };
    }
    const memoResult = (description.memo as Record<string, unknown> | undefined)?.[JOB_RESULT_MEMO] as JobResult | undefined;
    if (status === 'COMPLETED' || (status === 'CANCELLED' && memoResult && Array.isArray(memoResult.turns))) {
      const result = status === 'COMPLETED' ? ((await handle.result()) as JobResult) : memoResult!;
      return { state: withKnownErrorCodes(withElapsed(stateFromResult(jobId, result, description), (description.closeTime ?? new Date()).getTime())), closed: true, description };
    }
    // Failed, terminated, cancelled or timed out at the Temporal level: the last known state if a
    // worker can answer a query quickly, else what describe() knows.
    let state: JobState | undefined;
    try {
      state = await this.client.withDeadline(Date.now() + 2_000, () => handle.query(stateQuery));
    } catch {
      state = undefined;
    }
    const jobStatus = WORKFLOW_STATUS_TO_JOB[status] ?? 'failed';
    const base: JobState = state ?? {
      jobId,
      phase: 'done',
      status: jobStatus,
      turn: 0,
      turns: [],
      startedAt: description.startTime.toISOString(),
      elapsedMs: Math.max(0, (description.closeTime ?? new Date()).getTime() - description.startTime.getTime()),
    };
    const closedState: JobState = withKnownErrorCodes({ ...base, phase: 'done' });
    if (!isSettledTurnStatus(closedState.status) || closedState.status === 'requires_action') closedState.status = jobStatus;
    closedState.error ??= normalizeJobError({ code: `workflow_${status.toLowerCase()}`, message: `The job workflow ended ${status.toLowerCase()}` });
    return { state: withElapsed(closedState, (description.closeTime ?? new Date()).getTime()), closed: true, description };
  }

  /** Fills in a queued job's live place in its limiter's queue (best effort: kept as is on failure). */
  private async refreshAdmission(state: JobState): Promise<void> {
    const admission = state.admission!;
    try {
      const answer = await this.client.withDeadline(Date.now() + this.queryTimeoutMs, () =>
        this.client.workflow.getHandle(admissionWorkflowId(admission.key!)).query(positionQuery, `${state.jobId}#${state.turn}`),
      );
      if (answer.position >= 0) admission.position = answer.position;
      admission.waiting = answer.waiting;
      if (answer.pausedUntil) admission.pausedUntil = answer.pausedUntil;
    } catch {
      // The limiter is busy or between runs: the next read refreshes it.
    }
  }

  /**
   * Current state: the `state` query merged with describe() (live progress from heartbeats). While
   * a plan waits, `plan.text` is the whole plan (the turn's report), not the workflow's summary.
   */
  async state(jobId: string): Promise<JobState> {
    const state = (await this.snapshot(jobId)).state;
    if (state.plan) {
      const turn = state.turns.find((t) => t.turn === state.plan!.turn);
      if (turn) {
        try {
          const report = await this.report(turn);
          if (report.text) state.plan = { ...state.plan, text: report.text };
        } catch {
          // The summary stays: the report store or the API may be out of reach from here.
        }
      }
    }
    return state;
  }

  /**
   * Reads the report text of a turn: from the workflow history when it was inlined (needs `jobId`),
   * else from the result store, else from the API by interaction id (when given `interactions`).
   */
  async report(turn: TurnRecord, jobId?: string): Promise<TurnReport> {
    const looked: string[] = [];
    const ref = turn.report;
    if (ref?.store === TEMPORAL_REPORT_STORE) {
      if (jobId) {
        try {
          return { text: await readInlineReport(this.client, jobId, ref), source: 'history' };
        } catch (err) {
          looked.push(`workflow history of job ${jobId} (${(err as Error).message})`);
        }
      } else {
        looked.push('workflow history (no job id given to report())');
      }
    } else if (ref && ref.store !== API_REPORT_STORE) {
      const where = describeLocation(this.resultStore, ref);
      try {
        const body = await this.resultStore.get(ref);
        if (body !== undefined) return { text: body.toString('utf8'), source: 'store' };
        looked.push(`${where} (not found)`);
      } catch (err) {
        looked.push(`${where} (${(err as Error).message})`);
      }
    }
    if (turn.interactionId && this.interactions) {
      try {
        const interaction = await this.interactions.get(turn.interactionId);
        return { text: reportText(interaction), source: 'api' };
      } catch (err) {
        looked.push(`the Interactions API, interaction ${turn.interactionId} (${(err as Error).message})`);
      }
    } else if (turn.interactionId && ref) {
      looked.push(`the Interactions API, interaction ${turn.interactionId} (not tried: no Gemini credentials or GEMINI_JOBS_BASE_URL in this process)`);
    }
    const hasReport = (ref !== undefined && ref.bytes > 0) || (turn.outputChars ?? 0) > 0;
    if (!hasReport) return { source: 'none' };
    const bytes = ref ? `${ref.bytes.toLocaleString('en-US')}-byte report` : 'report';
    return { source: 'none', problem: { message: `turn ${turn.turn} has a ${bytes} that could not be read`, looked } };
  }

  /**
   * The latest turn that is over and its full report. With `wait`, first waits (polling the state
   * query with backoff) until the current turn is over.
   */
  async result(jobId: string, options: ResultOptions = {}): Promise<JobOutcome> {
    const started = Date.now();
    let interval = options.pollInitialIntervalMs ?? 500;
    const maxInterval = options.pollMaxIntervalMs ?? 5_000;
    let snap = await this.snapshot(jobId);
    while (options.wait && !snapshotSettled(snap)) {
      if (options.signal?.aborted) throw new JobWaitTimeoutError(jobId, `Waiting for job ${jobId} was aborted`);
      if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
        throw new JobWaitTimeoutError(jobId, `Job ${jobId} did not finish its turn within ${options.timeoutMs} ms`);
      }
      await pause(Math.min(interval, options.timeoutMs !== undefined ? Math.max(1, options.timeoutMs - (Date.now() - started)) : interval), options.signal);
      interval = backoffMs(1, interval, maxInterval, 1.5);
      try {
        snap = await this.snapshot(jobId);
      } catch (err) {
        if (err instanceof JobNotFoundError) throw err;
        // A worker restarting cannot answer queries for a moment: keep waiting.
      }
    }
    const { state, closed } = snap;
    const settled = snapshotSettled(snap);
    const turn = [...state.turns].reverse().find((t) => isSettledTurnStatus(t.status));
    const outcome: JobOutcome = {
      jobId,
      status: settled ? (turn?.status ?? state.status) : state.status,
      reportSource: 'none',
      settled,
      closed,
      state,
    };
    if (turn) {
      outcome.turn = turn;
      const report = await this.report(turn, jobId);
      if (report.text !== undefined) outcome.report = report.text;
      outcome.reportSource = report.source;
      if (report.problem) outcome.reportProblem = report.problem;
    }
    return outcome;
  }

  /**
   * `webhook` mode: fetches the running turn's progress now (one GET, run by the workflow) and
   * returns the state with it. Nothing polls a webhook-mode job's progress unless someone asks.
   */
  async refreshProgress(jobId: string): Promise<JobState> {
    return this.update(jobId, () => this.handle(jobId).executeUpdate(refreshProgressUpdate, { args: [] }));
  }

  /**
   * Asks the job to cancel its running interaction and end. False when the job had already ended.
   * The cancel signal carries the reason; Temporal cancellation follows it, so the execution ends
   * Canceled in the Web UI (workflows from before that change end Completed, status `cancelled`).
   */
  async cancel(jobId: string, reason?: string): Promise<boolean> {
    try {
      const handle = this.handle(jobId);
      await handle.signal(cancelSignal, reason !== undefined ? { reason } : {});
      await handle.cancel().catch(() => undefined); // the signal alone already cancels the job
      return true;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // Either no such job, or it has closed: tell the two apart.
        try {
          await this.handle(jobId).describe();
        } catch (inner) {
          if (inner instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: inner });
          throw inner;
        }
        return false;
      }
      throw err;
    }
  }

  /** Starts the next turn of the job's thread; resolves once the workflow accepted it. */
  async followUp(jobId: string, input: FollowUpRequest['input'], overrides?: FollowUpRequest['overrides']): Promise<FollowUpAccepted> {
    const request: FollowUpRequest = { input, ...(overrides ? { overrides } : {}) };
    return this.update(jobId, () => this.handle(jobId).executeUpdate(followUpUpdate, { args: [request] }));
  }

  /**
   * Approves the waiting plan: the next turn runs it with `collaborative_planning: false`
   * (Google's chained-turn flow). With `{ edit }` (or `approve: false`) it refines the plan
   * instead, like {@link refinePlan}. Rejected unless `state.plan` is present.
   */
  async approvePlan(jobId: string, approval: PlanApproval = {}): Promise<FollowUpAccepted> {
    return this.update(jobId, () => this.handle(jobId).executeUpdate(approvePlanUpdate, { args: [approval] }));
  }

  /**
   * Refines the waiting plan: a chained turn with `collaborative_planning` still true and
   * `instructions` as input; its output becomes the new `state.plan`. With `wait`, resolves once
   * the refined plan is there (`plan`), polling up to `timeoutMs`.
   */
  async refinePlan(jobId: string, instructions: string, options: { wait?: boolean; timeoutMs?: number } = {}): Promise<FollowUpAccepted & { plan?: PendingPlan }> {
    if (typeof instructions !== 'string' || instructions.trim() === '') {
      throw new JobValidationError('instructions', 'refinePlan needs the change to make as non-empty text', 'pass e.g. "Focus on Europe"');
    }
    const accepted = await this.approvePlan(jobId, { edit: instructions });
    if (!options.wait) return accepted;
    await this.result(jobId, { wait: true, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
    const state = await this.state(jobId);
    return state.plan && state.plan.turn === accepted.turn ? { ...accepted, plan: state.plan } : accepted;
  }

  private async update<T>(jobId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        // An update to a closed execution answers "not found" too: tell a closed job from a missing one.
        let closedStatus: string | undefined;
        try {
          const snap = await this.snapshot(jobId);
          closedStatus = snap.closed ? snap.state.status : undefined;
        } catch (inner) {
          if (inner instanceof JobNotFoundError) throw inner;
        }
        if (closedStatus !== undefined) throw new JobClosedError(jobId, closedStatus, { cause: err });
        throw new JobNotFoundError(jobId, { cause: err });
      }
      // A rejected update carries the workflow's reason as its cause: surface that message.
      // A validator's refusal arrives as a plain `Error` type; a turn that could not start carries its job error code.
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof Error) {
        const reason = updateFailureReason(err.cause instanceof ApplicationFailure ? err.cause.type : undefined);
        throw new JobUpdateRejectedError(err.cause.message, { cause: err, ...(reason !== undefined ? { reason } : {}) });
      }
      throw err;
    }
  }

  /**
   * How many workers poll `taskQueue` (default this client's): 0 workflow pollers means no job on
   * it makes progress. The server remembers pollers for a few minutes, so a worker that just died
   * may still be counted.
   */
  async pollers(taskQueue: string = this.taskQueue): Promise<TaskQueuePollers> {
    const namespace = this.client.options.namespace;
    const ask = async (taskQueueType: number) =>
      (
        await this.client.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
          taskQueueType /* 1 workflow, 2 activity */,
        })
      ).pollers?.length ?? 0;
    const [workflowPollers, activityPollers] = await Promise.all([ask(1), ask(2)]);
    return { taskQueue, workflowPollers, activityPollers };
  }

  /** Lists jobs by status, agent and thread (visibility is eventually consistent). Newest first. */
  async list(options: ListOptions = {}): Promise<JobSummary[]> {
    const pageSize = options.pageSize ?? 100;
    const query = buildListQuery(options);
    const out: JobSummary[] = [];
    for await (const info of this.client.workflow.list({ query, pageSize })) {
      const attrs = info.typedSearchAttributes;
      const summary: JobSummary = {
        jobId: info.workflowId,
        runId: info.runId,
        executionStatus: info.status.name,
        startTime: info.startTime.toISOString(),
      };
      const keys = JOB_SEARCH_ATTRIBUTE_KEYS;
      const status = attrs.get(keys.status);
      if (status) summary.status = status;
      const agent = attrs.get(keys.agent);
      if (agent) summary.agent = agent;
      const kind = attrs.get(keys.kind);
      if (kind) summary.kind = kind as JobKind;
      const mode = attrs.get(keys.mode);
      if (mode) summary.mode = mode as JobMode;
      const thread = attrs.get(keys.thread);
      if (thread) summary.thread = thread;
      const interactionId = attrs.get(keys.interaction);
      if (interactionId) summary.interactionId = interactionId;
      // Jobs started by 0.1.0 kept the question in the start memo only.
      const question = attrs.get(keys.question) ?? (info.memo as { question?: unknown } | undefined)?.question;
      if (typeof question === 'string') summary.question = question;
      if (info.closeTime) summary.closeTime = info.closeTime.toISOString();
      if (options.usage) {
        const state = await this.state(info.workflowId).catch(() => undefined);
        if (state?.usage) summary.usage = state.usage;
        if (state?.cost) summary.cost = state.cost;
        if (state?.spent) summary.spent = state.spent;
      }
      out.push(summary);
      if (out.length >= pageSize) break;
    }
    return out;
  }

  /**
   * Live, resumable job events for relaying (SSE): pass the last `seq` received as `from` to
   * resume; report text is never repeated or skipped. Ends with a `done` event.
   */
  watch(jobId: string, options: WatchOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
    assertJobId(jobId);
    // While the watch runs, a watch lease tells the workers to flush this job's live progress
    // faster (docs/watch-lease.md); taken at the first read that finds the job running, on its queue.
    let lease: Promise<HeldWatchLease> | undefined;
    const leaseMs = options.watchLeaseMs;
    const read = async () => {
      const snap = await this.snapshot(jobId);
      if (leaseMs !== false && lease === undefined && !snap.closed) {
        lease = holdWatchLease(this.client, jobId, { taskQueue: snap.description.taskQueue, ...(leaseMs !== undefined ? { leaseMs } : {}) });
      }
      return snap;
    };
    return releaseAfter(watchEvents({ read, report: async (turn) => (await this.report(turn, jobId)).text }, options), async () => {
      if (lease) await (await lease).release();
    });
  }
}

/** Yields what `events` yields, then (also on an early return or a throw) runs `done`. */
async function* releaseAfter<T>(events: AsyncGenerator<T, void, undefined>, done: () => Promise<void>): AsyncGenerator<T, void, undefined> {
  try {
    yield* events;
  } finally {
    await done().catch(() => undefined);
  }
}

function snapshotSettled(snap: JobSnapshot): boolean {
  if (snap.closed) return true;
  const { state } = snap;
  if (state.phase === 'waiting-for-input' || state.phase === 'done') return true;
  const current = state.turns.find((t) => t.turn === state.turn);
  return current !== undefined && isSettledTurnStatus(current.status);
}
