/**
 * What a turn records from the follow activity's result, and when a result that arrived after a
 * cancel still counts. Pure.
 */
import type { CancelInteractionResult, FollowInteractionResult } from '../../activities/types';
import type { TurnRecord } from '../../src/contract/job';
import { SUMMARY_CHARS } from '../../src/contract/constants';

/** Copies a follow result into the turn (everything but the status, which ending the turn sets). */
export function recordFollowResult(rec: TurnRecord, r: FollowInteractionResult): void {
  rec.upstreamStatus = r.upstreamStatus;
  if (r.usage) rec.usage = r.usage;
  if (r.toolCalls !== undefined) rec.toolCalls = r.toolCalls;
  if (r.costUsd !== undefined) rec.costUsd = r.costUsd;
  if (r.priceTable !== undefined) rec.priceTable = r.priceTable;
  if (r.budgetExceeded) rec.budgetExceeded = r.budgetExceeded;
  rec.summary = r.summary.slice(0, SUMMARY_CHARS);
  rec.outputChars = r.outputChars;
  rec.report = r.report;
  rec.eventsApplied = r.eventsApplied;
  rec.streamVerified = r.streamVerified;
  if (r.error) rec.error = r.error;
}

/**
 * A follow that finished just before its cancel reached it keeps its result, unless it ended
 * `cancelled` after this job sent the remote cancel (then the cancel is the outcome, and the
 * remote-cancel path records it).
 */
export function lateResultStands(late: FollowInteractionResult, remoteCancel: Promise<CancelInteractionResult> | undefined): boolean {
  return !(remoteCancel && late.upstreamStatus === 'cancelled');
}
