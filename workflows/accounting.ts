/**
 * Per-thread accounting of the job workflow: what the turns spent (tokens, tool calls, running
 * time, estimated cost) and the cost summary shown in `state` / `result`. Pure.
 */
import { addSpent, turnSpent, ZERO_SPENT, type BudgetSpent } from '../src/contract/budget';
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
