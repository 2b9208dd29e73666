/**
 * Batches on the client side: validation (every item as a job, before anything is enqueued),
 * the start, progress, cancel, retry, listing, and the results directory (`<n>.md` per item,
 * `index.json`, `index.csv`). The batch itself is the `geminiJobBatch` workflow (workflows/batch.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  BATCH_WORKFLOW_TYPE,
  batchIdOfWorkflow,
  batchWorkflowId,
  batchOptionsProblem,
  batchStateOf,
  isRetryable,
  MAX_BATCH_ITEMS,
  MAX_BATCH_ITEMS_BYTES,
  type BatchInput,
  type BatchOptions,
  type BatchRetryAccepted,
  type BatchState,
  type JobRequest,
} from '../contract';
import { batchCancelSignal, batchRetryUpdate, batchStateQuery } from '../../workflows/batch-definitions';
import type { JobsContext } from './context';
import { BatchItemNotFoundError, JobNotFoundError } from './errors';
import { assertJobId, newJobId } from './job-id';
import { readOutcome } from './read-job';
import { validateStart } from './start-job';
import { JobValidationError } from './validate-job';

/** Longest batch id: item job ids (`<batchId>-<n>.<attempt>`) must stay under the job id limit. */
export const MAX_BATCH_ID_LENGTH = 180;

export interface StartBatchOptions {
  /** Your own id makes the start idempotent; default `batch_<uuid>`. */
  batchId?: string;
  options?: BatchOptions;
}

export interface StartedBatch {
  batchId: string;
  runId: string;
  /** True when a batch with this id already existed (nothing new was enqueued). */
  existing: boolean;
  items: number;
}

/** One line of a batch's results index. */
export interface BatchIndexEntry {
  item: number;
  jobId: string;
  status: string;
  attempt: number;
  totalTokens: number;
  costUsd: number;
  interactionId: string;
  /** The report file (relative to the directory), when the item has a report. */
  report: string;
  error: string;
}

/**
 * Checks a batch exactly as `startBatch` does, without connecting: throws `JobValidationError`
 * naming the field (`items[3].input`, `options.window`) and the fix.
 */
export function validateBatch(items: unknown, opts: StartBatchOptions = {}): BatchInput {
  if (opts.batchId !== undefined) {
    assertJobId(opts.batchId, 'batchId');
    if (opts.batchId.length > MAX_BATCH_ID_LENGTH)
      throw new JobValidationError('batchId', `must be at most ${MAX_BATCH_ID_LENGTH} characters`, 'Use a shorter id: item job ids add a suffix.');
  }
  if (!Array.isArray(items) || items.length === 0) throw new JobValidationError('items', 'must be a non-empty list of job requests', 'Pass [{ agent, input }, ...].');
  if (items.length > MAX_BATCH_ITEMS) throw new JobValidationError('items', `has ${items.length} items; at most ${MAX_BATCH_ITEMS}`, 'Split the list into several batches.');
  const problem = batchOptionsProblem(opts.options);
  if (problem) throw new JobValidationError(problem.field, problem.problem, problem.fix);
  const jobOptions = opts.options?.jobOptions;
  items.forEach((item, i) => {
    try {
      validateStart(item as JobRequest, jobOptions !== undefined ? { options: jobOptions } : {});
    } catch (err) {
      if (!(err instanceof JobValidationError)) throw err;
      // A job option problem is the batch's `options.jobOptions`; a request problem is the item's.
      const field = err.field.startsWith('options')
        ? `options.jobOptions${err.field.slice('options'.length)}`
        : `items[${i}]${err.field === 'request' ? '' : `.${err.field.replace(/^request\./, '')}`}`;
      throw new JobValidationError(field, err.problem, err.fix);
    }
  });
  const bytes = Buffer.byteLength(JSON.stringify(items));
  if (bytes > MAX_BATCH_ITEMS_BYTES) throw new JobValidationError('items', `are ${bytes} bytes of JSON; at most ${MAX_BATCH_ITEMS_BYTES}`, 'Split the list into several batches.');
  return { items: items as JobRequest[], ...(opts.options !== undefined ? { options: opts.options } : {}) };
}

/** Validates and enqueues a batch; returns at once with its id. */
export async function startBatch(ctx: JobsContext, items: unknown, opts: StartBatchOptions = {}): Promise<StartedBatch> {
  const batchId = opts.batchId ?? `batch_${newJobId().slice('job_'.length)}`;
  const input = validateBatch(items, { ...opts, batchId });
  const startToken = newJobId();
  try {
    const handle = await ctx.client.workflow.start(BATCH_WORKFLOW_TYPE, {
      workflowId: batchWorkflowId(batchId),
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { startToken },
      staticSummary: `gemini-jobs batch of ${input.items.length} items`,
    });
    const description = await ctx.client.workflow.getHandle(batchWorkflowId(batchId), handle.firstExecutionRunId).describe();
    const existing = (description.memo as { startToken?: unknown } | undefined)?.startToken !== startToken;
    return { batchId, runId: handle.firstExecutionRunId, existing, items: input.items.length };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const description = await ctx.client.workflow.getHandle(batchWorkflowId(batchId)).describe();
      return { batchId, runId: description.runId, existing: true, items: input.items.length };
    }
    throw err;
  }
}

function batchHandle(ctx: JobsContext, batchId: string) {
  assertJobId(batchId, 'batchId');
  return ctx.client.workflow.getHandle(batchWorkflowId(batchId));
}

async function describeBatch(ctx: JobsContext, batchId: string) {
  try {
    const d = await batchHandle(ctx, batchId).describe();
    if (d.type !== BATCH_WORKFLOW_TYPE) throw new JobNotFoundError(batchId);
    return d;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(batchId, { cause: err });
    throw err;
  }
}

/** The batch's progress: the query while it runs, its result once closed. */
export async function readBatchState(ctx: JobsContext, batchId: string): Promise<BatchState> {
  const d = await describeBatch(ctx, batchId);
  const handle = batchHandle(ctx, batchId);
  if (d.status.name === 'RUNNING') return handle.query(batchStateQuery);
  if (d.status.name === 'COMPLETED') return (await handle.result()) as BatchState;
  // Terminated or failed: the records died with the run.
  return {
    ...batchStateOf(batchId, { records: [], runs: 0, startedAt: d.startTime.toISOString() }, true),
    status: 'cancelled',
    cancelReason: `batch ${d.status.name.toLowerCase()}`,
  };
}

/** Cancels the whole batch, or one item (1-based). Returns false when the batch had already closed. */
export async function cancelBatch(ctx: JobsContext, batchId: string, opts: { item?: number; reason?: string } = {}): Promise<boolean> {
  const d = await describeBatch(ctx, batchId);
  if (d.status.name !== 'RUNNING') return false;
  if (opts.item !== undefined) {
    if (!Number.isInteger(opts.item) || opts.item < 1) throw new JobValidationError('item', 'must be an item number (1-based)', 'Pass for example --item 3.');
    const { counts } = await batchHandle(ctx, batchId).query(batchStateQuery);
    // The batch exists, the item does not: a conflict with the batch's size (409), not a missing batch (404).
    if (opts.item > counts.total) throw new BatchItemNotFoundError(batchId, opts.item, counts.total);
  }
  await batchHandle(ctx, batchId).signal(batchCancelSignal, {
    ...(opts.item !== undefined ? { item: opts.item } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
  });
  return true;
}

/**
 * Runs failed items again (or the named ones, cancelled included), as job `<batchId>-<n>.<attempt>`.
 * A running batch takes them at once (update); a closed one is started again with the same id,
 * carrying its records.
 */
export async function retryBatch(ctx: JobsContext, batchId: string, opts: { items?: number[] } = {}): Promise<BatchRetryAccepted> {
  const d = await describeBatch(ctx, batchId);
  const handle = batchHandle(ctx, batchId);
  if (d.status.name === 'RUNNING') return handle.executeUpdate(batchRetryUpdate, { args: [opts.items !== undefined ? { items: opts.items } : {}] });
  if (d.status.name !== 'COMPLETED') throw new JobValidationError('batchId', `batch ${batchId} is ${d.status.name.toLowerCase()}; its records are lost`, 'Start a new batch.');
  const last = (await handle.result()) as BatchState;
  const records = last.items.map(({ item: _item, jobId: _jobId, ...r }) => r);
  const named = opts.items !== undefined;
  const items = opts.items ?? records.flatMap((r, i) => (isRetryable(r, false) ? [i + 1] : []));
  for (const n of items) {
    const r = records[n - 1];
    if (!r) throw new JobValidationError('items', `item ${n} does not exist (items are 1 to ${records.length})`, 'Pass item numbers from `batch status`.');
    if (!isRetryable(r, named)) throw new JobValidationError('items', `item ${n} is ${r.status}; only failed or cancelled items can be retried`, 'Name failed or cancelled items.');
  }
  if (items.length === 0) return { retried: [] };
  // The original input (the items) is the first run's: read it from the first event of this run.
  const history = await handle.fetchHistory();
  const startedInput = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input = ctx.client.options.loadedDataConverter.payloadConverter.fromPayload(startedInput!) as BatchInput;
  await ctx.client.workflow.start(BATCH_WORKFLOW_TYPE, {
    workflowId: batchWorkflowId(batchId),
    taskQueue: ctx.taskQueue,
    args: [
      {
        items: input.items,
        ...(input.options ? { options: input.options } : {}),
        carried: { records, runs: last.runs, startedAt: last.startedAt, retryItems: items },
      } satisfies BatchInput,
    ],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    staticSummary: `gemini-jobs batch of ${input.items.length} items (retry)`,
  });
  return { retried: items };
}

export interface BatchSummary {
  batchId: string;
  status: string;
  startTime: string;
  closeTime?: string;
}

/** Recent batches (newest first), from visibility. */
export async function listBatches(ctx: JobsContext, opts: { limit?: number } = {}): Promise<BatchSummary[]> {
  const out: BatchSummary[] = [];
  for await (const w of ctx.client.workflow.list({ query: `WorkflowType = '${BATCH_WORKFLOW_TYPE}'` })) {
    out.push({
      batchId: batchIdOfWorkflow(w.workflowId),
      status: w.status.name.toLowerCase(),
      startTime: w.startTime.toISOString(),
      ...(w.closeTime ? { closeTime: w.closeTime.toISOString() } : {}),
    });
    if (out.length >= (opts.limit ?? 100)) break;
  }
  return out;
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The index's CSV text (header + one line per item). */
export function batchIndexCsv(entries: readonly BatchIndexEntry[]): string {
  const cols: Array<keyof BatchIndexEntry> = ['item', 'jobId', 'status', 'attempt', 'totalTokens', 'costUsd', 'interactionId', 'report', 'error'];
  return [cols.join(','), ...entries.map((e) => cols.map((c) => csvCell(e[c])).join(','))].join('\n') + '\n';
}

/**
 * Writes each item's report as `<n>.md` and the index (`index.json`, `index.csv`: status, usage,
 * cost, interaction id) into `dir`. Items still running are listed with their status and no report.
 */
export async function writeBatchResults(
  ctx: JobsContext,
  batchId: string,
  dir: string,
  opts: { concurrency?: number } = {},
): Promise<{ state: BatchState; entries: BatchIndexEntry[] }> {
  const state = await readBatchState(ctx, batchId);
  await mkdir(dir, { recursive: true });
  const entries: BatchIndexEntry[] = new Array(state.items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < state.items.length) {
      const it = state.items[next++]!;
      let report = '';
      if (it.status !== 'pending' && it.status !== 'running' && !(it.status === 'cancelled' && !it.interactionId)) {
        try {
          const outcome = await readOutcome(ctx, it.jobId);
          if (outcome.report !== undefined) {
            report = `${it.item}.md`;
            await writeFile(join(dir, report), outcome.report);
          }
        } catch (err) {
          if (!(err instanceof JobNotFoundError)) throw err;
        }
      }
      entries[it.item - 1] = {
        item: it.item,
        jobId: it.jobId,
        status: it.status,
        attempt: it.attempt,
        totalTokens: it.totalTokens ?? 0,
        costUsd: it.costUsd ?? 0,
        interactionId: it.interactionId ?? '',
        report,
        error: it.error ?? '',
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, state.items.length) }, worker));
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({ batchId, status: state.status, counts: state.counts, totalTokens: state.totalTokens, costUsd: state.costUsd, items: entries }, null, 2) + '\n',
  );
  await writeFile(join(dir, 'index.csv'), batchIndexCsv(entries));
  return { state, entries };
}
