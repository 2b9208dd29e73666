/**
 * Stopping a turn's remote run: the cancel POST, then the status read back until terminal. A run
 * that had already finished on its own keeps its real outcome and its report is collected.
 * Returns how the turn ends; deterministic code only.
 */
import { log } from '@temporalio/workflow';
import type { CancelInteractionResult } from '../../activities/types';
import { isWaitingStatus } from '../../src/interactions/types';
import type { TurnRecord } from '../../src/contract/job';
import { followOptionsOf } from '../helpers';
import { cancelActivities, collectActivities, jobErrorOf } from './activities';
import type { TurnContext } from './context';
import type { StopReason, TurnEnd } from './ledger';

/** Starts the remote cancel (cancel POST, then the status read back until terminal). */
export function sendRemoteCancel(ctx: TurnContext, rec: TurnRecord): Promise<CancelInteractionResult> {
  const sent = cancelActivities.cancelInteraction({ jobId: ctx.jobId, interactionId: rec.interactionId! });
  // Awaited later (or only caught, when a late outcome wins); a failure before then is no unhandled rejection.
  sent.catch(() => undefined);
  return sent;
}

/**
 * Cancels the remote run, or awaits the cancel already `sent`, and says how the turn ends: with
 * the real outcome when the run had already finished, else stopped for `reason`.
 */
export async function cancelRemote(ctx: TurnContext, rec: TurnRecord, reason: StopReason, sent?: Promise<CancelInteractionResult>): Promise<TurnEnd> {
  let cancel: CancelInteractionResult | undefined;
  try {
    cancel = await (sent ?? sendRemoteCancel(ctx, rec));
  } catch (err) {
    return { kind: 'stopped', reason, cancelError: jobErrorOf(err) };
  }
  if (cancel.confirmed && cancel.upstreamStatus !== 'cancelled') {
    const collected = await collectFinishedRun(ctx, rec);
    if (collected) return { kind: 'result', result: collected, cancel };
  }
  return { kind: 'stopped', reason, cancel };
}

/**
 * The run finished before the cancel landed: collect its real result (a plain GET, no waiting).
 * Undefined when it could not be collected or is still waiting.
 */
async function collectFinishedRun(ctx: TurnContext, rec: TurnRecord) {
  try {
    const r = await collectActivities.followInteraction({
      jobId: ctx.jobId,
      turn: rec.turn,
      interactionId: rec.interactionId!,
      options: { ...followOptionsOf(ctx.options), mode: 'poll' },
    });
    return isWaitingStatus(r.status) ? undefined : r;
  } catch (err) {
    log.warn('collecting a finished run after cancel failed', { jobId: ctx.jobId, error: jobErrorOf(err).message });
    return undefined;
  }
}
