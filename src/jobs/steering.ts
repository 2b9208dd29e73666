/**
 * Steering a running job: cancel (a signal, then Temporal cancellation), follow-ups, plan approval
 * and refinement, and a webhook-mode progress refresh (workflow updates). A rejected update comes
 * back as this package's error classes, so `instanceof` works on the caller's side.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FollowUpAccepted, FollowUpRequest, JobState, PendingPlan, PlanApproval } from '../contract';
import { approvePlanUpdate, cancelSignal, followUpUpdate, refreshProgressUpdate } from '../../workflows/definitions';
import { jobHandle, type JobsContext } from './context';
import { JobClosedError, JobNotFoundError, JobUpdateRejectedError, updateFailureReason } from './errors';
import { readOutcome, readState } from './read-job';
import { readSnapshot } from './snapshot';
import { JobValidationError } from './validate-job';

/** Runs a workflow update, mapping its failures to `JobNotFoundError`, `JobClosedError` or `JobUpdateRejectedError`. */
async function runUpdate<T>(ctx: JobsContext, jobId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // An update to a closed execution answers "not found" too: tell a closed job from a missing one.
      let closedStatus: string | undefined;
      try {
        const snap = await readSnapshot(ctx, jobId);
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
 * Asks the job to cancel its running interaction and end. False when the job had already ended.
 * The cancel signal carries the reason; Temporal cancellation follows it, so the execution ends
 * Canceled in the Web UI (workflows from before that change end Completed, status `cancelled`).
 */
export async function cancelJob(ctx: JobsContext, jobId: string, reason?: string): Promise<boolean> {
  try {
    const handle = jobHandle(ctx, jobId);
    await handle.signal(cancelSignal, reason !== undefined ? { reason } : {});
    await handle.cancel().catch(() => undefined); // the signal alone already cancels the job
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) {
      // Either no such job, or it has closed: tell the two apart.
      try {
        await jobHandle(ctx, jobId).describe();
      } catch (inner) {
        if (inner instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: inner });
        throw inner;
      }
      return false;
    }
    throw err;
  }
}

/** `webhook` mode: fetches the running turn's progress now (one GET, run by the workflow). */
export function refreshJobProgress(ctx: JobsContext, jobId: string): Promise<JobState> {
  return runUpdate(ctx, jobId, () => jobHandle(ctx, jobId).executeUpdate(refreshProgressUpdate, { args: [] }));
}

/** Starts the next turn of the job's thread; resolves once the workflow accepted it. */
export function followUpJob(ctx: JobsContext, jobId: string, input: FollowUpRequest['input'], overrides?: FollowUpRequest['overrides']): Promise<FollowUpAccepted> {
  const request: FollowUpRequest = { input, ...(overrides ? { overrides } : {}) };
  return runUpdate(ctx, jobId, () => jobHandle(ctx, jobId).executeUpdate(followUpUpdate, { args: [request] }));
}

/** Approves (or, with `edit`, refines) the waiting plan. Rejected unless a plan waits. */
export function approveJobPlan(ctx: JobsContext, jobId: string, approval: PlanApproval = {}): Promise<FollowUpAccepted> {
  return runUpdate(ctx, jobId, () => jobHandle(ctx, jobId).executeUpdate(approvePlanUpdate, { args: [approval] }));
}

/**
 * Refines the waiting plan: a chained turn with `collaborative_planning` still true and
 * `instructions` as input. With `wait`, resolves once the refined plan is there (`plan`).
 */
export async function refineJobPlan(
  ctx: JobsContext,
  jobId: string,
  instructions: string,
  options: { wait?: boolean; timeoutMs?: number } = {},
): Promise<FollowUpAccepted & { plan?: PendingPlan }> {
  if (typeof instructions !== 'string' || instructions.trim() === '') {
    throw new JobValidationError('instructions', 'refinePlan needs the change to make as non-empty text', 'pass e.g. "Focus on Europe"');
  }
  const accepted = await approveJobPlan(ctx, jobId, { edit: instructions });
  if (!options.wait) return accepted;
  await readOutcome(ctx, jobId, { wait: true, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
  const state = await readState(ctx, jobId);
  return state.plan && state.plan.turn === accepted.turn ? { ...accepted, plan: state.plan } : accepted;
}
