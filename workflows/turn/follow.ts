/**
 * Step 2 of a turn: follow the run (the one long activity) racing the turn's deadline (or wall-time
 * budget) and a cancel. Whichever wins first decides; a follow that finished just before its
 * cancel reached it keeps its result. Returns how the turn ends; deterministic code only.
 */
import { CancellationScope, condition } from '@temporalio/workflow';
import type { CancelInteractionResult, FollowInteractionInput, FollowInteractionResult } from '../../activities/types';
import type { TurnRecord } from '../../src/contract/job';
import { followOptionsOf } from '../helpers';
import { followActivities, jobErrorOf } from './activities';
import { cancelRemote, sendRemoteCancel } from './cancel';
import type { TurnContext } from './context';
import type { TurnDeadline } from './deadline';
import { lateResultStands, type StopReason, type TurnEnd } from './ledger';

type FollowOutcome = { ok: FollowInteractionResult } | { err: unknown };

/** How the race ended: the follow settled first, or a cancel / the limit stopped it. */
type FollowRace = { settled: FollowOutcome } | { stopped: StopReason; late: FollowOutcome | undefined; remoteCancel: Promise<CancelInteractionResult> | undefined };

/** What bounds a follow: the turn's deadline, or the wall-time budget when that ends first. */
export type FollowLimit = { deadline: TurnDeadline } | { budgetLeftMs: number };

/** Accounting the follow activity needs for cost estimates and budgets. */
export type FollowAccounting = Pick<FollowInteractionInput, 'priceName' | 'budget'>;

/**
 * Follows the turn's run until `limit` and says how the turn ends: with the follow's result, its
 * failure, or (cancel or limit first) the remote cancel's outcome. `onStopping` is told when the
 * remote run is being stopped.
 */
export async function followTurn(ctx: TurnContext, rec: TurnRecord, accounting: FollowAccounting, limit: FollowLimit, onStopping: () => void): Promise<TurnEnd> {
  const race = await raceFollow(ctx, rec, accounting, limit, onStopping);
  if ('settled' in race) {
    const done = race.settled;
    return 'ok' in done ? { kind: 'result', result: done.ok } : { kind: 'failed', error: jobErrorOf(done.err) };
  }
  const { late, remoteCancel } = race;
  if (late && 'ok' in late && lateResultStands(late.ok, remoteCancel)) {
    await remoteCancel?.catch(() => undefined); // a no-op on a finished run; never left dangling
    return { kind: 'result', result: late.ok };
  }
  onStopping();
  return cancelRemote(ctx, rec, race.stopped, remoteCancel);
}

/**
 * Runs the follow activity in its own scope and waits for it, a cancel, or `limit`. When a cancel
 * or the limit comes first, the activity is cancelled (and, unless legacy, the remote cancel sent
 * beside it, so a cancel is not delayed until the activity learns of it from a heartbeat answer)
 * and awaited until it stopped touching the run.
 */
async function raceFollow(ctx: TurnContext, rec: TurnRecord, accounting: FollowAccounting, limit: FollowLimit, onStopping: () => void): Promise<FollowRace> {
  const follow = followActivities(ctx.options);
  const scope = new CancellationScope();
  let outcome: FollowOutcome | undefined;
  const followed = scope
    .run(() => follow.followInteraction({ jobId: ctx.jobId, turn: rec.turn, interactionId: rec.interactionId!, options: followOptionsOf(ctx.options), ...accounting }))
    .then(
      (ok) => void (outcome = { ok }),
      (err) => void (outcome = { err }),
    );
  const ended = () => outcome !== undefined || ctx.cancelRequested();
  const settled = await condition(ended, 'deadline' in limit ? limit.deadline.remainingMs() : limit.budgetLeftMs);
  if (outcome !== undefined) return { settled: outcome };
  scope.cancel();
  let remoteCancel: Promise<CancelInteractionResult> | undefined;
  if (!ctx.legacy) {
    onStopping();
    remoteCancel = sendRemoteCancel(ctx, rec);
  }
  await followed; // WAIT_CANCELLATION_COMPLETED: the activity has stopped touching the run.
  // It may have finished just before the cancel reached it (see followTurn).
  const expired = 'deadline' in limit ? 'timed_out' : 'budget_exceeded';
  return { stopped: settled ? 'cancelled' : expired, late: outcome as FollowOutcome | undefined, remoteCancel };
}
