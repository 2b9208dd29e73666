/**
 * Per-thread accounting of the job workflow: what the turns spent (tokens, tool calls, running
 * time, estimated cost) and the cost summary shown in `state` / `result`. Pure.
 */
import { addSpent, turnSpent, ZERO_SPENT, type BudgetSpent, type JobBudget } from '../src/contract/budget';
import type { CostSummary, TurnRecord } from './definitions';

/** Running time of a turn (ms): from admission (or start) to its end, or to `nowMs` while it runs. */
export function turnWallMs(t: TurnRecord, nowMs: number): number {
  const from = Date.parse(t.admittedAt ?? t.startedAt);
  const to = t.endedAt ? Date.parse(t.endedAt) : nowMs;
  return Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, to - from) : 0;
}

/** What the thread's turns spent so far (a running turn counts its time up to `nowMs`). */
export function threadSpent(turns: readonly TurnRecord[], nowMs: number): BudgetSpent {
  let spent = ZERO_SPENT;
  for (const t of turns) spent = addSpent(spent, turnSpent(t.usage, t.toolCalls ?? 0, turnWallMs(t, nowMs), t.costUsd));
  return spent;
}

/** Sum of the turns' cost estimates, with the (latest) price table date; undefined before any usage. */
export function costSummary(turns: readonly TurnRecord[]): CostSummary | undefined {
  let usd = 0;
  let priced = 0;
  let unpriced = 0;
  let table: string | undefined;
  for (const t of turns) {
    if (typeof t.costUsd === 'number') {
      usd += t.costUsd;
      priced++;
      if (t.priceTable) table = t.priceTable;
    } else if (t.endedAt && t.interactionId) {
      unpriced++;
    }
  }
  if (priced === 0 && unpriced === 0) return undefined;
  const out: CostSummary = { usd: Math.round(usd * 1e6) / 1e6 };
  if (table) out.priceTable = table;
  if (unpriced > 0) out.unpricedTurns = unpriced;
  return out;
}

/** Milliseconds of the thread's wall-time budget left for the running turn `rec` at `nowMs`, or undefined without one. */
export function wallBudgetLeftMs(budget: JobBudget | undefined, turns: readonly TurnRecord[], rec: TurnRecord, nowMs: number): number | undefined {
  const max = budget?.maxWallTimeMs;
  if (max === undefined) return undefined;
  const before = threadSpent(
    turns.filter((t) => t !== rec),
    nowMs,
  ).wallMs;
  const since = Date.parse(rec.admittedAt ?? rec.startedAt);
  return max - before - (nowMs - since);
}

/** What the follow activity needs for the cost estimate (`priceName`) and the budget check of the running turn `rec`. */
export function followAccounting(
  priceName: string | undefined,
  budget: JobBudget | undefined,
  turns: readonly TurnRecord[],
  rec: TurnRecord,
  nowMs: number,
): { priceName?: string; budget?: { limits: JobBudget; spentBefore: BudgetSpent; turnStartedAtMs?: number } } {
  const out: { priceName?: string; budget?: { limits: JobBudget; spentBefore: BudgetSpent; turnStartedAtMs?: number } } = {};
  if (priceName) out.priceName = priceName;
  if (budget) {
    out.budget = {
      limits: budget,
      spentBefore: threadSpent(
        turns.filter((t) => t !== rec),
        nowMs,
      ),
      turnStartedAtMs: Date.parse(rec.admittedAt ?? rec.startedAt),
    };
  }
  return out;
}
