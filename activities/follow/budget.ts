/**
 * Step: the budget stop. The turn crossed its thread's budget (tokens, tool calls or estimated
 * cost): cancel the remote run, confirm it by reading a terminal status back, and end the turn
 * `budget_exceeded` with the figures so far. The crossing is checkpointed first, so a new attempt
 * (a crash while cancelling) goes straight back here.
 */
import { describeExceeded, type BudgetExceeded } from '../../src/contract/budget';
import { cancelAndConfirm } from '../cancel';
import type { FollowInteractionResult } from '../types';
import type { FollowContext } from './context';
import { readInteraction } from './read';
import { settle } from './settle';
import type { FollowState } from './state';

export async function stopOverBudget(ctx: FollowContext, st: FollowState, exceeded: BudgetExceeded): Promise<FollowInteractionResult> {
  st.cp.budgetExceeded = exceeded;
  ctx.checkpoints.sendNow();
  ctx.deps.log.info('follow: budget exceeded, cancelling the remote run', { ...ctx.logFields, limit: exceeded.limit, max: exceeded.max, used: exceeded.used });
  const cancelled = await cancelAndConfirm(ctx.deps, { jobId: ctx.input.jobId, interactionId: ctx.input.interactionId }, () => ctx.checkpoints.beat());
  const final = await readInteraction(ctx, st);
  const result = await settle(ctx, st, final, 'budget_exceeded', String(final.status ?? cancelled.upstreamStatus));
  result.budgetExceeded = exceeded;
  result.error = {
    code: 'budget_exceeded',
    message: `${describeExceeded(exceeded)}; the remote run was cancelled (${cancelled.confirmed ? 'confirmed' : 'not confirmed'}: ${cancelled.upstreamStatus})`,
    retryable: false,
  };
  return result;
}
