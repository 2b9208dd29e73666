/**
 * The follow activity's budget check: after every streamed event (and every poll) the thread's
 * spend so far — earlier turns plus this turn's streamed `metadata.total_usage`, tool-call steps
 * and estimated cost — is compared with the job's budget. Wall time is the workflow's job (its
 * deadline timer covers it), so it is reported here but not enforced.
 */
import { addSpent, exceededLimit, turnSpent, type BudgetExceeded } from '../src/contract/budget';
import { estimateCost, type PriceTable } from './pricing';
import type { Usage } from '../src/interactions/types';
import type { FollowInteractionInput } from './types';

export class BudgetGuard {
  constructor(
    private readonly input: FollowInteractionInput,
    private readonly table: PriceTable,
    private readonly now: () => number,
  ) {}

  /** True when the job has a budget this guard can enforce. */
  get active(): boolean {
    const l = this.input.budget?.limits;
    return !!l && (l.maxTotalTokens !== undefined || l.maxToolCalls !== undefined || l.maxCostUsd !== undefined);
  }

  /** The limit the thread's spend crosses with this turn's `usage` and tool calls, or undefined while within the budget. */
  exceeded(usage: Usage | undefined, toolCalls: number | undefined): BudgetExceeded | undefined {
    const budget = this.input.budget;
    if (!budget || !this.active) return undefined;
    const cost = estimateCost(usage, this.input.priceName, this.table)?.usd;
    const wallMs = Math.max(0, this.now() - (budget.turnStartedAtMs ?? this.now()));
    const spent = addSpent(budget.spentBefore, turnSpent(usage, toolCalls ?? 0, wallMs, cost));
    const { maxWallTimeMs: _wall, ...enforced } = budget.limits;
    return exceededLimit(enforced, spent);
  }
}
