/**
 * Reading a job's state at one moment: describe() plus the workflow's `state` query for an open
 * job (live progress merged from the follow activity's heartbeat), the result or the memo for a
 * closed one, so a closed job needs no worker. Also who polls a job's task queue.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { JOB_RESULT_MEMO } from '../contract';
import type { JobMode, JobResult, JobState, JobStatus } from '../contract';
import { normalizeJobError } from '../contract/job-error-codes';
import { JOB_SEARCH_ATTRIBUTE_KEYS, jobAgentKey, jobThreadKey, stateQuery } from '../../workflows/definitions';
import { admissionWorkflowId, positionQuery } from '../../workflows/admission-definitions';
import { readCancelReason } from './cancel-reason';
import { jobHandle, type JobsContext } from './context';
import { JobNotFoundError, JobQueryError } from './errors';
import { mergeLiveState, withElapsed } from './live-state';
import { isSettledTurnStatus } from './watch';
import type { JobSnapshot } from './watch';
import type { TaskQueuePollers } from './types';

/** A snapshot with the describe() it was read from (task queue, times, memo). */
export type DescribedSnapshot = JobSnapshot & { description: WorkflowExecutionDescription };

const WORKFLOW_STATUS_TO_JOB: Record<string, JobStatus> = {
  CANCELLED: 'cancelled',
  TIMED_OUT: 'timed_out',
  FAILED: 'failed',
  TERMINATED: 'failed',
};

/** How long a closed job that failed at the Temporal level is given to answer its state query, in ms. */
const CLOSED_QUERY_TIMEOUT_MS = 2_000;

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
  if (result.question !== undefined) state.question = result.question;
  if (result.mode !== undefined) state.mode = result.mode;
  if (result.turnDeadlineMs !== undefined) state.turnDeadlineMs = result.turnDeadlineMs;
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
  if (typeof question === 'string') state.question ??= question;
  const mode = attrs.get(JOB_SEARCH_ATTRIBUTE_KEYS.mode);
  if (mode) state.mode ??= mode as JobMode;
  return state;
}

/**
 * The job's start is when it was enqueued, not when a worker first ran it: the workflow can only
 * stamp its first task, so a job that waited for a worker would show a late start and a short
 * elapsed time. The earlier of the two is kept (a continued-as-new run carries the job's start).
 */
function withQueuedStart(state: JobState, description: WorkflowExecutionDescription): JobState {
  const queuedAt = description.startTime.getTime();
  const stamped = Date.parse(state.startedAt);
  return Number.isFinite(stamped) && stamped <= queuedAt ? state : { ...state, startedAt: description.startTime.toISOString() };
}

/** Fills in a queued job's live place in its limiter's queue (best effort: kept as is on failure). */
async function refreshAdmission(ctx: JobsContext, state: JobState): Promise<void> {
  const admission = state.admission!;
  try {
    const answer = await ctx.client.withDeadline(Date.now() + ctx.queryTimeoutMs, () =>
      ctx.client.workflow.getHandle(admissionWorkflowId(admission.key!)).query(positionQuery, `${state.jobId}#${state.turn}`),
    );
    if (answer.position >= 0) admission.position = answer.position;
    admission.waiting = answer.waiting;
    if (answer.pausedUntil) admission.pausedUntil = answer.pausedUntil;
  } catch {
    // The limiter is busy or between runs: the next read refreshes it.
  }
}

/** An open job: the state query merged with describe()'s live progress (needs a worker). */
async function openSnapshot(ctx: JobsContext, jobId: string, description: WorkflowExecutionDescription): Promise<DescribedSnapshot> {
  const handle = jobHandle(ctx, jobId);
  let state: JobState;
  try {
    state = await ctx.client.withDeadline(Date.now() + ctx.queryTimeoutMs, () => handle.query(stateQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: err });
    throw new JobQueryError(jobId, description.taskQueue, ctx.queryTimeoutMs, err);
  }
  const merged = withKnownErrorCodes(withElapsed(mergeLiveState(withQueuedStart(state, description), description), Date.now()));
  if (merged.phase === 'queued' && merged.admission?.key) await refreshAdmission(ctx, merged);
  return { state: merged, closed: false, description };
}

/**
 * A job that failed, was terminated, cancelled or timed out at the Temporal level: the last known
 * state if a worker can answer a query quickly, else what describe() knows.
 */
async function abnormalSnapshot(ctx: JobsContext, jobId: string, description: WorkflowExecutionDescription): Promise<DescribedSnapshot> {
  const status = description.status.name;
  let state: JobState | undefined;
  try {
    state = await ctx.client.withDeadline(Date.now() + CLOSED_QUERY_TIMEOUT_MS, () => jobHandle(ctx, jobId).query(stateQuery));
  } catch {
    state = undefined;
  }
  const jobStatus = WORKFLOW_STATUS_TO_JOB[status] ?? 'failed';
  const closeMs = (description.closeTime ?? new Date()).getTime();
  const base: JobState = state ?? {
    jobId,
    phase: 'done',
    status: jobStatus,
    turn: 0,
    turns: [],
    startedAt: description.startTime.toISOString(),
    elapsedMs: Math.max(0, closeMs - description.startTime.getTime()),
  };
  const closedState: JobState = withKnownErrorCodes({ ...base, phase: 'done' });
  if (!isSettledTurnStatus(closedState.status) || closedState.status === 'requires_action') closedState.status = jobStatus;
  closedState.error ??= normalizeJobError({ code: `workflow_${status.toLowerCase()}`, message: `The job workflow ended ${status.toLowerCase()}` });
  return { state: withElapsed(closedState, closeMs), closed: true, description };
}

/** One snapshot: the workflow's state query merged with describe() (live heartbeat progress). */
export async function readSnapshot(ctx: JobsContext, jobId: string): Promise<DescribedSnapshot> {
  const handle = jobHandle(ctx, jobId);
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: err });
    throw err;
  }
  const status = description.status.name;
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return openSnapshot(ctx, jobId, description);
  const memoResult = (description.memo as Record<string, unknown> | undefined)?.[JOB_RESULT_MEMO] as JobResult | undefined;
  let snap: DescribedSnapshot;
  if (status === 'COMPLETED' || (status === 'CANCELLED' && memoResult && Array.isArray(memoResult.turns))) {
    const result = status === 'COMPLETED' ? ((await handle.result()) as JobResult) : memoResult!;
    const closeMs = (description.closeTime ?? new Date()).getTime();
    snap = { state: withKnownErrorCodes(withElapsed(withQueuedStart(stateFromResult(jobId, result, description), description), closeMs)), closed: true, description };
  } else {
    snap = await abnormalSnapshot(ctx, jobId, description);
  }
  if (snap.state.status === 'cancelled' && snap.state.cancelReason === undefined) {
    const reason = await readCancelReason(ctx.client, jobId);
    if (reason !== undefined) snap.state.cancelReason = reason;
  }
  return snap;
}

/** True when the snapshot's current turn is over (or the job waits for input, or has ended). */
export function snapshotSettled(snap: JobSnapshot): boolean {
  if (snap.closed) return true;
  const { state } = snap;
  if (state.phase === 'waiting-for-input' || state.phase === 'done') return true;
  const current = state.turns.find((t) => t.turn === state.turn);
  return current !== undefined && isSettledTurnStatus(current.status);
}

/**
 * How many workers poll `taskQueue`: 0 workflow pollers means no job on it makes progress. The
 * server remembers pollers for a few minutes, so a worker that just died may still be counted.
 */
export async function readPollers(ctx: JobsContext, taskQueue: string): Promise<TaskQueuePollers> {
  const namespace = ctx.client.options.namespace;
  const ask = async (taskQueueType: number) =>
    (
      await ctx.client.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue, kind: 1 /* NORMAL */ },
        taskQueueType /* 1 workflow, 2 activity */,
      })
    ).pollers?.length ?? 0;
  const [workflowPollers, activityPollers] = await Promise.all([ask(1), ask(2)]);
  return { taskQueue, workflowPollers, activityPollers };
}
