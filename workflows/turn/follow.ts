/**
 * Step 2 of a turn: follow the run (the one long activity) racing the turn's deadline (or wall-time
 * budget) and a cancel. Whichever wins first decides; a follow that finished just before its
 * cancel reached it keeps its result. Deterministic code only.
 */
import { CancellationScope, condition, patched } from '@temporalio/workflow';
import type { CancelInteractionResult, FollowInteractionInput, FollowInteractionResult } from '../../activities/types';
import type { TurnRecord } from '../../src/contract/job';
import { followOptionsOf } from '../helpers';
import { followActivities, jobErrorOf } from './activities';
import { PATCH_CANCEL_REMOTE_AT_ONCE, cancelRemote, sendRemoteCancel, type StopReason } from './cancel';
import type { TurnContext } from './context';
import type { TurnDeadline } from './deadline';
import { lateResultStands, recordFollowResult } from './outcome';

type FollowOutcome = { ok: FollowInteractionResult } | { err: unknown };

/** How the race ended: the follow settled first, or a cancel / the timer stopped it. */
export type FollowRace = { settled: FollowOutcome } | { stopped: StopReason; late: FollowOutcome | undefined; remoteCancel: Promise<CancelInteractionResult> | undefined };

/** What bounds a follow: the turn's deadline, or the wall-time budget when that ends first. */
export type FollowLimit = { deadline: TurnDeadline } | { budgetLeftMs: number };

/**
 * Follows the turn's run until `limit`, then ends the turn: with the follow's result, its failure,
 * or (cancel or limit first) the remote cancel.
 */
export async function followTurn(ctx: TurnContext, rec: TurnRecord, accounting: Pick<FollowInteractionInput, 'priceName' | 'budget'>, limit: FollowLimit): Promise<void> {
  const race = await raceFollow(ctx, rec, accounting, limit);
  if ('stopped' in race) {
    const { late, remoteCancel } = race;
    if (late && 'ok' in late && lateResultStands(late.ok, remoteCancel)) {
      await remoteCancel?.catch(() => undefined); // a no-op on a finished run; never left dangling
      recordFollowResult(rec, late.ok);
      return ctx.endTurn(rec, late.ok.status);
    }
    return cancelRemote(ctx, rec, race.stopped, remoteCancel);
  }
  const done = race.settled;
  if ('ok' in done) {
    recordFollowResult(rec, done.ok);
    return ctx.endTurn(rec, done.ok.status);
  }
  rec.error = jobErrorOf(done.err);
  return ctx.endTurn(rec, 'failed');
}

/**
 * Runs the follow activity in its own scope and waits for it, a cancel, or `limit`. When a cancel
 * or the limit comes first, the activity is cancelled (and, since
 * `gemini-jobs-cancel-remote-at-once`, the remote cancel sent beside it) and awaited until it
 * stopped touching the run.
 */
async function raceFollow(ctx: TurnContext, rec: TurnRecord, accounting: Pick<FollowInteractionInput, 'priceName' | 'budget'>, limit: FollowLimit): Promise<FollowRace> {
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
  let settled: boolean;
  if ('deadline' in limit) {
    // The deadline may move once it is reached (TurnDeadline): then wait for what it leaves.
    let leftMs = limit.deadline.remainingMs();
    do settled = await condition(ended, leftMs);
    while (!settled && (leftMs = limit.deadline.remainingMs()) > 0);
  } else {
    settled = await condition(ended, limit.budgetLeftMs);
  }
  if (outcome !== undefined) return { settled: outcome };
  scope.cancel();
  const remoteCancel = patched(PATCH_CANCEL_REMOTE_AT_ONCE) ? sendRemoteCancel(ctx, rec) : undefined;
  await followed; // WAIT_CANCELLATION_COMPLETED: the activity has stopped touching the run.
  // It may have finished just before the cancel reached it (see followTurn).
  const expired = 'deadline' in limit ? 'timed_out' : 'budget_exceeded';
  return { stopped: settled ? 'cancelled' : expired, late: outcome as FollowOutcome | undefined, remoteCancel };
}
