/**
 * Stopping a turn's remote run: the cancel POST (then the status read back until terminal), and
 * what the turn records after it. A run that had already finished on its own keeps its real
 * outcome and its report is collected. Deterministic code only.
 */
import { log } from '@temporalio/workflow';
import type { CancelInteractionResult } from '../../activities/types';
import { isWaitingStatus } from '../../src/interactions/types';
import { describeExceeded, type BudgetExceeded } from '../../src/contract/budget';
import { threadSpent } from '../accounting';
import type { TurnRecord } from '../../src/contract/job';
import { followOptionsOf } from '../helpers';
import { cancelActivities, collectActivities, jobErrorOf } from './activities';
import type { TurnContext } from './context';
import { recordFollowResult } from './outcome';

/**
 * Patch: a cancel or deadline during the follow activity sends the remote cancel at once, beside
 * the activity's own cancellation. v0.1.0 sent it only after the activity stopped, and an
 * activity learns of its cancellation only from a heartbeat's answer: with heartbeats flushed
 * every 28 s (for Temporal action cost) that delayed a cancel by up to half a minute. The remote
 * run's end now also ends the stream, so the activity stops within a round trip.
 */
export const PATCH_CANCEL_REMOTE_AT_ONCE = 'gemini-jobs-cancel-remote-at-once';

/** Why a turn's remote run is being cancelled (also the status the turn ends with). */
export type StopReason = 'cancelled' | 'timed_out' | 'budget_exceeded';

/** Starts the remote cancel (cancel POST, then the status read back until terminal). */
export function sendRemoteCancel(ctx: TurnContext, rec: TurnRecord): Promise<CancelInteractionResult> {
  ctx.setPhase('cancelling');
  const sent = cancelActivities.cancelInteraction({ jobId: ctx.jobId, interactionId: rec.interactionId! });
  // Awaited later (or only caught, when a late outcome wins); a failure before then is no unhandled rejection.
  sent.catch(() => undefined);
  return sent;
}

/**
 * Cancels the remote run, or awaits the cancel already `sent`, and ends the turn: with the real
 * outcome when the run had already finished, else with `reason`.
 */
export async function cancelRemote(ctx: TurnContext, rec: TurnRecord, reason: StopReason, sent?: Promise<CancelInteractionResult>): Promise<void> {
  ctx.setPhase('cancelling');
  let cancelled: CancelInteractionResult | undefined;
  try {
    cancelled = await (sent ?? sendRemoteCancel(ctx, rec));
  } catch (err) {
    rec.error = { ...jobErrorOf(err), message: `cancelling the remote run failed: ${jobErrorOf(err).message}` };
  }
  if (cancelled) {
    rec.upstreamStatus = cancelled.upstreamStatus;
    if (cancelled.usage) rec.usage = cancelled.usage;
    if (cancelled.confirmed && cancelled.upstreamStatus !== 'cancelled' && (await collectFinishedRun(ctx, rec))) return;
  }
  if (reason === 'timed_out') {
    rec.error = { code: 'deadline_exceeded', message: `turn ${rec.turn} passed its deadline of ${ctx.options.deadlineMs} ms; the remote run was cancelled`, retryable: false };
  }
  if (reason === 'budget_exceeded') {
    const spent = threadSpent(ctx.record.turns, Date.now());
    const exceeded: BudgetExceeded = { limit: 'maxWallTimeMs', max: ctx.budget!.maxWallTimeMs!, used: spent.wallMs, spent };
    rec.budgetExceeded = exceeded;
    rec.error = { code: 'budget_exceeded', message: `${describeExceeded(exceeded)}; the remote run was cancelled`, retryable: false };
  }
  ctx.endTurn(rec, reason);
}

/**
 * The run finished before the cancel landed: collect its real result (a plain GET, no waiting)
 * and end the turn with it. False when it could not be collected or is still waiting.
 */
async function collectFinishedRun(ctx: TurnContext, rec: TurnRecord): Promise<boolean> {
  try {
    const r = await collectActivities.followInteraction({
      jobId: ctx.jobId,
      turn: rec.turn,
      interactionId: rec.interactionId!,
      options: { ...followOptionsOf(ctx.options), mode: 'poll' },
    });
    if (isWaitingStatus(r.status)) return false;
    recordFollowResult(rec, r);
    ctx.endTurn(rec, r.status);
    return true;
  } catch (err) {
    log.warn('collecting a finished run after cancel failed', { jobId: ctx.jobId, error: jobErrorOf(err).message });
    return false;
  }
}
