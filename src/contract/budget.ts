/**
 * Per-job budgets: limits on total tokens, tool calls, wall time and estimated cost, counted
 * over the whole thread (a follow-up spends from the same budget). The follow activity checks
 * them against the streamed `metadata.total_usage` and cancels the remote run when one is crossed;
 * the job then ends `budget_exceeded` with the figures. Pure: the workflow bundles this module.
 */
import type { Usage } from '../interactions/types';
import { groundingCalls, totalTokens } from './usage';

/** Limits of a job (all optional; the thread's turns are summed). */
export interface JobBudget {
  /** Most `total_tokens` over the thread. */
  maxTotalTokens?: number;
  /** Most tool calls over the thread (tool-call steps, or `grounding_tool_count` if larger). */
  maxToolCalls?: number;
  /** Most running time over the thread (sum of turn durations, ms; waits for follow-ups do not count). */
  maxWallTimeMs?: number;
  /** Most estimated cost over the thread (USD, from the worker's price table). */
  maxCostUsd?: number;
}

/** What the thread has used so far. */
export interface BudgetSpent {
  totalTokens: number;
  toolCalls: number;
  wallMs: number;
  costUsd: number;
}

export type BudgetLimit = keyof JobBudget;

/** Which limit was crossed, and the figures at that moment. */
export interface BudgetExceeded {
  limit: BudgetLimit;
  max: number;
  used: number;
  spent: BudgetSpent;
}

const LIMITS: ReadonlyArray<{ limit: BudgetLimit; of: keyof BudgetSpent; integer: boolean; example: string }> = [
  { limit: 'maxTotalTokens', of: 'totalTokens', integer: true, example: '2000000' },
  { limit: 'maxToolCalls', of: 'toolCalls', integer: true, example: '200' },
  { limit: 'maxWallTimeMs', of: 'wallMs', integer: true, example: '1800000 (30 minutes)' },
  { limit: 'maxCostUsd', of: 'costUsd', integer: false, example: '5' },
];

export const ZERO_SPENT: BudgetSpent = { totalTokens: 0, toolCalls: 0, wallMs: 0, costUsd: 0 };

/** A bad budget field: `field` is `options.budget.<name>`, `fix` says what to pass. */
export interface BudgetProblem {
  field: string;
  problem: string;
  fix: string;
}

/** Checks a budget before a job is enqueued; the first problem found, or undefined. */
export function budgetProblem(budget: unknown): BudgetProblem | undefined {
  if (budget === undefined) return undefined;
  if (!budget || typeof budget !== 'object' || Array.isArray(budget)) {
    return { field: 'options.budget', problem: 'must be an object', fix: 'Pass { maxTotalTokens?, maxToolCalls?, maxWallTimeMs?, maxCostUsd? }.' };
  }
  for (const key of Object.keys(budget)) {
    if (!LIMITS.some((l) => l.limit === key)) {
      return { field: `options.budget.${key}`, problem: 'is not a budget limit', fix: 'Use maxTotalTokens, maxToolCalls, maxWallTimeMs or maxCostUsd.' };
    }
  }
  for (const { limit, integer, example } of LIMITS) {
    const v = (budget as Record<string, unknown>)[limit];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      return {
        field: `options.budget.${limit}`,
        problem: `must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`,
        fix: `Pass e.g. ${limit}: ${example}, or leave it out for no limit.`,
      };
    }
  }
  return undefined;
}

/** Adds a turn's figures to what was spent before it. */
export function addSpent(a: BudgetSpent, b: Partial<BudgetSpent>): BudgetSpent {
  return {
    totalTokens: a.totalTokens + (b.totalTokens ?? 0),
    toolCalls: a.toolCalls + (b.toolCalls ?? 0),
    wallMs: a.wallMs + (b.wallMs ?? 0),
    costUsd: Math.round((a.costUsd + (b.costUsd ?? 0)) * 1e6) / 1e6,
  };
}

/** Tool calls of a turn: the tool-call steps streamed, or what `grounding_tool_count` says if more. */
export function toolCallsOf(usage: Usage | undefined, streamedCalls = 0): number {
  return Math.max(streamedCalls, groundingCalls(usage));
}

/** A turn's spend from its usage, streamed tool calls, running time (ms) and estimated cost (USD). */
export function turnSpent(usage: Usage | undefined, streamedCalls: number, wallMs: number, costUsd: number | undefined): BudgetSpent {
  return { totalTokens: totalTokens(usage), toolCalls: toolCallsOf(usage, streamedCalls), wallMs, costUsd: costUsd ?? 0 };
}

/** The first limit `spent` is past (strictly more than the maximum), or undefined. */
export function exceededLimit(budget: JobBudget | undefined, spent: BudgetSpent): BudgetExceeded | undefined {
  if (!budget) return undefined;
  for (const { limit, of } of LIMITS) {
    const max = budget[limit];
    if (max !== undefined && spent[of] > max) return { limit, max, used: spent[of], spent };
  }
  return undefined;
}

/** The limit a new turn cannot start under because the thread already used all of it, or undefined. */
export function exhaustedLimit(budget: JobBudget | undefined, spent: BudgetSpent): BudgetExceeded | undefined {
  if (!budget) return undefined;
  for (const { limit, of } of LIMITS) {
    const max = budget[limit];
    if (max !== undefined && spent[of] >= max) return { limit, max, used: spent[of], spent };
  }
  return undefined;
}

/** One line for people: `maxTotalTokens 5000 exceeded: 6123 used (tokens 6123, tool calls 4, 12.0 s, $0.0210)`. */
export function describeExceeded(e: BudgetExceeded): string {
  const s = e.spent;
  return `${e.limit} ${e.max} exceeded: ${e.used} used (tokens ${s.totalTokens}, tool calls ${s.toolCalls}, ${(s.wallMs / 1000).toFixed(1)} s, $${s.costUsd.toFixed(4)})`;
}
