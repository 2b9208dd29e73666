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

/** Thrown inside the follow loops to stop following and cancel the run. */
export class BudgetStop extends Error {
  constructor(readonly exceeded: BudgetExceeded) {
    super(`budget exceeded: ${exceeded.limit}`);
    this.name = 'BudgetStop';
  }
}

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

  /** Throws `BudgetStop` when the thread's spend with this turn's `usage` / tool calls is past a limit. */
  check(usage: Usage | undefined, toolCalls: number | undefined): void {
    const budget = this.input.budget;
    if (!budget || !this.active) return;
    const cost = estimateCost(usage, this.input.priceName, this.table)?.usd;
    const wallMs = Math.max(0, this.now() - (budget.turnStartedAtMs ?? this.now()));
    const spent = addSpent(budget.spentBefore, turnSpent(usage, toolCalls ?? 0, wallMs, cost));
    const { maxWallTimeMs: _wall, ...enforced } = budget.limits;
    const exceeded = exceededLimit(enforced, spent);
    if (exceeded) throw new BudgetStop(exceeded);
  }
}
