/**
 * Batches: one list of questions run as child jobs of one durable workflow (`geminiJobBatch`,
 * workflow id `gemini-jobs-batch/<batchId>`). Item `n` (1-based) runs as job `<batchId>-<n>`, a retry of it as
 * `<batchId>-<n>.<attempt>`, so a restart or a retry never starts the same job twice. The shapes
 * here are what the jobs client sends and what the `batchState` query answers. Pure: the workflow
 * bundles this module.
 */
import type { JobOptions, JobRequest, JobStatus } from './job';

/** Workflow type of a batch. */
export const BATCH_WORKFLOW_TYPE = 'geminiJobBatch';

/**
 * A batch's workflow id is `gemini-jobs-batch/<batchId>`: batch ids and job ids never name the
 * same workflow (a job id may equal a batch id).
 */
export const BATCH_WORKFLOW_ID_PREFIX = 'gemini-jobs-batch/';

/** The workflow id of batch `batchId`. */
export function batchWorkflowId(batchId: string): string {
  return BATCH_WORKFLOW_ID_PREFIX + batchId;
}

/** The batch id of a batch workflow id (the id itself when it has no prefix). */
export function batchIdOfWorkflow(workflowId: string): string {
  return workflowId.startsWith(BATCH_WORKFLOW_ID_PREFIX) ? workflowId.slice(BATCH_WORKFLOW_ID_PREFIX.length) : workflowId;
}

/** Defaults of `BatchOptions`. */
export const BATCH_DEFAULTS = {
  /** Items running at once. */
  window: 20,
  /** Items started per run of the batch workflow before it continues as new. */
  continueAsNewEvery: 100,
} as const;

/**
 * Most items in one batch, and most bytes of JSON of its items: the item list travels in the
 * workflow input and, with a record per item, in every continue-as-new input, which Temporal
 * refuses over 2 MB. Split a longer list into several batches.
 */
export const MAX_BATCH_ITEMS = 5_000;
export const MAX_BATCH_ITEMS_BYTES = 1_000_000;

/** A batch's total limits, over every item; crossing one stops new items and cancels running ones. */
export interface BatchBudget {
  /** Most `total_tokens` over the batch. */
  maxTotalTokens?: number;
  /** Most estimated cost over the batch (USD, from the worker's price table). */
  maxCostUsd?: number;
}

/** How a batch runs its items. */
export interface BatchOptions {
  /** Options every item's job gets (mode, deadlines, per-job budget, thread, tenant...). */
  jobOptions?: JobOptions;
  /** Items running at once (default 20). Admission control still caps the creates per credential. */
  window?: number;
  /** Items started by one run of the workflow before it continues as new (default 100). */
  continueAsNewEvery?: number;
  budget?: BatchBudget;
}

/** Workflow input of a batch. */
export interface BatchInput {
  items: JobRequest[];
  options?: BatchOptions;
  /** Set by continue-as-new and by a retry of a closed batch: the items' records so far. */
  carried?: BatchCarried;
}

/** Status of one item: a job status once it ran, `pending` before it starts. */
export type BatchItemStatus = 'pending' | 'running' | JobStatus;

/**
 * What the batch keeps of one item: small on purpose (a batch of thousands carries these through
 * continue-as-new). The report itself is read from the item's job.
 */
export interface BatchItemRecord {
  status: BatchItemStatus;
  /** 1 for the first run; a retry runs job `<batchId>-<n>.<attempt>`. */
  attempt: number;
  totalTokens?: number;
  costUsd?: number;
  interactionId?: string;
  error?: string;
  /** Cancelled on request (per item or whole batch), so not retried by default. */
  cancelled?: boolean;
}

export interface BatchCarried {
  records: BatchItemRecord[];
  cancelReason?: string;
  budgetExceeded?: string;
  /** Runs of the workflow so far (continue-as-new count). */
  runs: number;
  startedAt: string;
  /** A retry of a closed batch: these items (1-based) go back to `pending` when the run starts. */
  retryItems?: number[];
}

/** Counts by class. */
export interface BatchCounts {
  total: number;
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** The `batchState` query's answer and the batch workflow's result. */
export interface BatchState {
  batchId: string;
  /** `running` while items are pending or running; then `completed` (every item completed), `failed` (some did not) or `cancelled`. */
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  counts: BatchCounts;
  totalTokens: number;
  costUsd: number;
  items: Array<BatchItemRecord & { item: number; jobId: string }>;
  cancelReason?: string;
  /** Which batch budget limit stopped the batch. */
  budgetExceeded?: string;
  runs: number;
  startedAt: string;
}

export interface BatchCancelRequest {
  /** 1-based item to cancel; absent = the whole batch. */
  item?: number;
  reason?: string;
}

export interface BatchRetryRequest {
  /** Items to retry (1-based); absent = every failed item (not the cancelled ones). */
  items?: number[];
}

export interface BatchRetryAccepted {
  retried: number[];
}

/** The job id of item `n` (1-based) at `attempt`. */
export function batchItemJobId(batchId: string, item: number, attempt = 1): string {
  return attempt <= 1 ? `${batchId}-${item}` : `${batchId}-${item}.${attempt}`;
}

const FAILED: ReadonlySet<string> = new Set(['failed', 'timed_out', 'incomplete', 'unknown', 'budget_exceeded']);

/** The class an item's status counts in. */
export function batchItemClass(r: BatchItemRecord): Exclude<keyof BatchCounts, 'total'> {
  if (r.status === 'pending' || r.status === 'running' || r.status === 'completed') return r.status;
  if (r.status === 'cancelled' || r.cancelled) return 'cancelled';
  return FAILED.has(r.status) ? 'failed' : 'completed';
}

/** An item `retry` may run again: it ended failed, or (named explicitly) cancelled. */
export function isRetryable(r: BatchItemRecord, named: boolean): boolean {
  const c = batchItemClass(r);
  return c === 'failed' || (named && c === 'cancelled');
}

/** The state every face shows, computed from the records. */
export function batchStateOf(batchId: string, c: BatchCarried, done: boolean): BatchState {
  const counts: BatchCounts = { total: c.records.length, pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  let totalTokens = 0;
  let costUsd = 0;
  for (const r of c.records) {
    counts[batchItemClass(r)]++;
    totalTokens += r.totalTokens ?? 0;
    costUsd += r.costUsd ?? 0;
  }
  const status: BatchState['status'] = !done ? 'running' : c.cancelReason !== undefined ? 'cancelled' : counts.completed === counts.total ? 'completed' : 'failed';
  return {
    batchId,
    status,
    counts,
    totalTokens,
    costUsd: Math.round(costUsd * 1e6) / 1e6,
    items: c.records.map((r, i) => ({ item: i + 1, jobId: batchItemJobId(batchId, i + 1, r.attempt), ...r })),
    ...(c.cancelReason !== undefined ? { cancelReason: c.cancelReason } : {}),
    ...(c.budgetExceeded !== undefined ? { budgetExceeded: c.budgetExceeded } : {}),
    runs: c.runs,
    startedAt: c.startedAt,
  };
}

/** The limit the batch has crossed, or undefined. */
export function batchBudgetExceeded(budget: BatchBudget | undefined, totalTokens: number, costUsd: number): string | undefined {
  if (!budget) return undefined;
  if (budget.maxTotalTokens !== undefined && totalTokens > budget.maxTotalTokens) return `maxTotalTokens ${budget.maxTotalTokens} (used ${totalTokens})`;
  if (budget.maxCostUsd !== undefined && costUsd > budget.maxCostUsd) return `maxCostUsd ${budget.maxCostUsd} (used ${costUsd.toFixed(4)})`;
  return undefined;
}

/** A bad batch field: `field` names it (`items[3].input`, `options.window`), `fix` says what to pass. */
export interface BatchProblem {
  field: string;
  problem: string;
  fix: string;
}

const OPTION_KEYS = new Set(['jobOptions', 'window', 'continueAsNewEvery', 'budget']);
const BUDGET_KEYS = new Set(['maxTotalTokens', 'maxCostUsd']);

/** Checks batch options (not the items' requests, which the job validator checks); the first problem, or undefined. */
export function batchOptionsProblem(options: unknown): BatchProblem | undefined {
  if (options === undefined) return undefined;
  if (!options || typeof options !== 'object' || Array.isArray(options))
    return { field: 'options', problem: 'must be an object', fix: 'Pass { jobOptions?, window?, continueAsNewEvery?, budget? }.' };
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) return { field: `options.${k}`, problem: 'is not a batch option', fix: 'Use jobOptions, window, continueAsNewEvery or budget.' };
  }
  const o = options as Record<string, unknown>;
  for (const k of ['window', 'continueAsNewEvery'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 10_000)) {
      return { field: `options.${k}`, problem: 'must be an integer from 1 to 10000', fix: `Pass for example ${k === 'window' ? 20 : 100}.` };
    }
  }
  const b = o['budget'];
  if (b !== undefined) {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return { field: 'options.budget', problem: 'must be an object', fix: 'Pass { maxTotalTokens?, maxCostUsd? }.' };
    for (const [k, v] of Object.entries(b)) {
      if (!BUDGET_KEYS.has(k))
        return { field: `options.budget.${k}`, problem: 'is not a batch budget limit', fix: 'Use maxTotalTokens or maxCostUsd (per-job limits go in options.jobOptions.budget).' };
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (k === 'maxTotalTokens' && !Number.isInteger(v))) {
        return { field: `options.budget.${k}`, problem: 'must be a positive number', fix: k === 'maxTotalTokens' ? 'Pass for example 5000000.' : 'Pass for example 25.' };
      }
    }
  }
  return undefined;
}
