/**
 * The delivery state of a job's completion callbacks. The job records which deliveries each turn
 * started (`TurnRecord.callbacks`); each delivery is its own workflow (workflows/callback.ts), so
 * its attempts and last answer are read here: from the pending activity while it is retried
 * (attempt, last failure, next attempt), from its result once it has ended.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { callbackWorkflowId, type CallbackDeliveryResult, type CallbackRecord, type JobState } from '../contract';
import type { JobsContext } from './context';
import { retryingStepOf } from './live-state';

/** `state` with each callback's `state`, `attempts`, `lastAnswer` and `nextAttemptAt` filled in. */
export async function withCallbackDeliveries(ctx: JobsContext, state: JobState): Promise<JobState> {
  if (!state.turns.some((t) => t.callbacks?.length)) return state;
  const turns = await Promise.all(
    state.turns.map(async (t) => (t.callbacks?.length ? { ...t, callbacks: await Promise.all(t.callbacks.map((c) => deliveryOf(ctx, state.jobId, t.turn, c))) } : t)),
  );
  return { ...state, turns };
}

async function deliveryOf(ctx: JobsContext, jobId: string, turn: number, record: CallbackRecord): Promise<CallbackRecord> {
  const handle = ctx.client.workflow.getHandle(callbackWorkflowId(jobId, turn, record.event));
  try {
    const description = await handle.describe();
    if (description.status.name === 'RUNNING') {
      const activity = description.raw.pendingActivities?.[0];
      const retrying = retryingStepOf(activity);
      const out: CallbackRecord = { ...record, state: 'pending', attempts: retrying ? retrying.attempt - 1 : Math.max(0, (activity?.attempt ?? 1) - 1) };
      if (retrying) out.lastAnswer = retrying.lastFailure.replace(/^.*?callback (not acknowledged|not delivered|refused): /, '');
      if (retrying?.nextAttemptAt) out.nextAttemptAt = retrying.nextAttemptAt;
      return out;
    }
    if (description.status.name !== 'COMPLETED') return { ...record, state: 'failed', lastAnswer: `delivery workflow ${description.status.name.toLowerCase()}` };
    const result = (await handle.result()) as CallbackDeliveryResult;
    const answer = result.delivered ? `HTTP ${result.status}` : (result.error ?? (result.status ? `HTTP ${result.status}` : 'not delivered'));
    return { ...record, state: result.delivered ? 'delivered' : 'failed', attempts: result.attempts, lastAnswer: answer };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return record; // not started yet, or retention passed
    throw err;
  }
}
