/**
 * The batch workflow (`geminiJobBatch`, workflow id `gemini-jobs-batch/<batchId>`): runs a list of job requests as
 * child job workflows (`interactionJob`, unchanged input), at most `window` at once; each child
 * goes through the credential's admission limiter like any job, so the quota holds and creates
 * stay FIFO. Item `n` runs as job `<batchId>-<n>` (a retry as `<batchId>-<n>.<attempt>`): replay,
 * a worker crash or a deploy never start an item twice.
 *
 * History stays bounded whatever the number of items: only the window's children are open, each
 * item is kept as a small record (`BatchItemRecord`), and every `continueAsNewEvery` started items
 * (or when Temporal suggests it) the run stops starting, lets its window drain — a child must not
 * outlive the run that awaits it — and continues as new carrying the records.
 *
 * A new workflow type: no patch needed. Deterministic code only.
 */
import {
  allHandlersFinished,
  CancellationScope,
  ChildWorkflowHandle,
  condition,
  continueAsNew,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
  log,
} from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import {
  BATCH_DEFAULTS,
  batchBudgetExceeded,
  batchCancelSignal,
  batchIdOfWorkflow,
  batchItemJobId,
  batchRetryUpdate,
  batchStateOf,
  batchStateQuery,
  isRetryable,
  type BatchCarried,
  type BatchInput,
  type BatchItemRecord,
  type BatchState,
} from './batch-definitions';
import { cancelSignal, JOB_SEARCH_ATTRIBUTE_KEYS, type JobInput, type JobResult } from './definitions';
import { jobVisibilityOf } from '../src/contract/visibility';
import { totalTokens } from '../src/contract/usage';
import { interactionJob } from './job';

class Batch {
  private readonly batchId = batchIdOfWorkflow(workflowInfo().workflowId);
  private readonly c: BatchCarried;
  private readonly window: number;
  private readonly canEvery: number;
  private readonly running = new Map<number, ChildWorkflowHandle<typeof interactionJob> | undefined>();
  /** Items whose cancel must be signalled once their child has started. */
  private readonly cancelWanted = new Map<number, string>();
  private startedThisRun = 0;
  /** First index that may still be pending (retries move it back). */
  private scanFrom = 0;
  private dirty = false;
  private stopSent = false;

  constructor(private readonly input: BatchInput) {
    this.c = input.carried ?? { records: input.items.map((): BatchItemRecord => ({ status: 'pending', attempt: 1 })), runs: 0, startedAt: new Date().toISOString() };
    this.c.runs++;
    if (this.c.retryItems) {
      const items = this.c.retryItems;
      delete this.c.retryItems;
      delete this.c.cancelReason;
      delete this.c.budgetExceeded;
      this.retry(items.filter((n) => this.c.records[n - 1] !== undefined));
    }
    this.window = input.options?.window ?? BATCH_DEFAULTS.window;
    this.canEvery = input.options?.continueAsNewEvery ?? BATCH_DEFAULTS.continueAsNewEvery;
  }

  private get stopping(): boolean {
    return this.c.cancelReason !== undefined || this.c.budgetExceeded !== undefined;
  }

  private retry(items: number[]): number[] {
    for (const n of items) {
      const r = this.c.records[n - 1]!;
      this.c.records[n - 1] = { status: 'pending', attempt: r.attempt + 1 };
    }
    this.scanFrom = 0;
    this.dirty = true;
    return items;
  }

  private install(): void {
    setHandler(batchStateQuery, () => batchStateOf(this.batchId, this.c, false));
    setHandler(batchCancelSignal, (req) => {
      this.dirty = true;
      const reason = req?.reason ?? (req?.item !== undefined ? `item ${req.item} cancelled` : 'batch cancelled');
      if (req?.item === undefined) {
        this.c.cancelReason ??= reason;
        return;
      }
      const r = this.c.records[req.item - 1];
      if (!r) return;
      if (r.status === 'pending') this.c.records[req.item - 1] = { ...r, status: 'cancelled', cancelled: true };
      else if (this.running.has(req.item)) this.cancelWanted.set(req.item, reason);
    });
    setHandler(batchRetryUpdate, (req) => ({ retried: this.retry(req.items ?? this.c.records.flatMap((r, i) => (isRetryable(r, false) ? [i + 1] : []))) }), {
      validator: (req) => {
        if (this.stopping) throw new Error(`batchRetry rejected: the batch is stopping (${this.c.cancelReason ?? this.c.budgetExceeded}); retry it once it has closed`);
        if (req.items !== undefined) {
          if (!Array.isArray(req.items) || req.items.length === 0) throw new Error('batchRetry rejected: items must be a non-empty list of item numbers (1-based)');
          for (const n of req.items) {
            const r = Number.isInteger(n) ? this.c.records[n - 1] : undefined;
            if (!r) throw new Error(`batchRetry rejected: item ${String(n)} does not exist (items are 1 to ${this.c.records.length})`);
            if (!isRetryable(r, true)) throw new Error(`batchRetry rejected: item ${n} is ${r.status}; only failed or cancelled items can be retried`);
          }
        } else if (!this.c.records.some((r) => isRetryable(r, false))) {
          throw new Error('batchRetry rejected: no failed item to retry');
        }
      },
    });
  }

  private nextPending(): number | undefined {
    while (this.scanFrom < this.c.records.length && this.c.records[this.scanFrom]!.status !== 'pending') this.scanFrom++;
    return this.scanFrom < this.c.records.length ? this.scanFrom + 1 : undefined;
  }

  private attributes(jobInput: JobInput): SearchAttributePair[] {
    const shown = { status: 'pending', ...jobVisibilityOf(jobInput.request, jobInput.options) } as Record<string, string | undefined>;
    return (Object.keys(JOB_SEARCH_ATTRIBUTE_KEYS) as Array<keyof typeof JOB_SEARCH_ATTRIBUTE_KEYS>).flatMap((field): SearchAttributePair[] => {
      const value = shown[field];
      return value === undefined ? [] : [{ key: JOB_SEARCH_ATTRIBUTE_KEYS[field], value }];
    });
  }

  /** Runs item `n` as a child job and records its outcome. */
  private async runItem(n: number): Promise<void> {
    const rec = this.c.records[n - 1]!;
    rec.status = 'running';
    this.running.set(n, undefined);
    const jobId = batchItemJobId(this.batchId, n, rec.attempt);
    const jobInput: JobInput = { request: this.input.items[n - 1]!, ...(this.input.options?.jobOptions ? { options: this.input.options.jobOptions } : {}) };
    let out: BatchItemRecord;
    try {
      const child = await startChild(interactionJob, {
        workflowId: jobId,
        args: [jobInput],
        // The batch cancels its children itself; a batch terminated from outside asks them to
        // cancel (each cancels its remote run) rather than leaving them orphaned.
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: this.attributes(jobInput),
        staticSummary: `batch ${this.batchId} item ${n}`,
      });
      this.running.set(n, child);
      this.dirty = true;
      const result: JobResult = await child.result();
      out = {
        status: result.status,
        attempt: rec.attempt,
        totalTokens: result.spent?.totalTokens ?? totalTokens(result.usage),
        ...(result.cost?.usd !== undefined ? { costUsd: result.cost.usd } : {}),
        ...(result.interactionId !== undefined ? { interactionId: result.interactionId } : {}),
        ...(result.error ? { error: result.error.message.slice(0, 300) } : {}),
      };
      if (result.status === 'cancelled' && this.wasCancelled(n)) out.cancelled = true;
    } catch (err) {
      const e = err as Error & { cause?: Error };
      const cancelled = e.cause?.name === 'CancelledFailure';
      out = {
        status: cancelled ? 'cancelled' : 'failed',
        attempt: rec.attempt,
        error: `${e.message}${e.cause ? `: ${e.cause.message}` : ''}`.slice(0, 300),
        ...(cancelled ? { cancelled: true } : {}),
      };
    }
    this.c.records[n - 1] = out;
    this.running.delete(n);
    this.cancelWanted.delete(n);
    this.dirty = true;
    const state = batchStateOf(this.batchId, this.c, false);
    const exceeded = batchBudgetExceeded(this.input.options?.budget, state.totalTokens, state.costUsd);
    if (exceeded !== undefined && this.c.budgetExceeded === undefined) this.c.budgetExceeded = exceeded;
  }

  private readonly cancelledItems = new Set<number>();
  private wasCancelled(n: number): boolean {
    return this.cancelledItems.has(n) || this.stopping;
  }

  /** Signals the cancels that are due; whole-batch stop cancels every pending and running item. */
  private sendCancels(): void {
    if (this.stopping && !this.stopSent) {
      this.stopSent = true;
      const reason = this.c.cancelReason ?? `batch budget exceeded: ${this.c.budgetExceeded}`;
      this.c.records.forEach((r, i) => {
        if (r.status === 'pending') this.c.records[i] = { ...r, status: 'cancelled', cancelled: true };
      });
      for (const n of this.running.keys()) this.cancelWanted.set(n, reason);
    }
    for (const [n, reason] of this.cancelWanted) {
      const child = this.running.get(n);
      if (!child) continue; // signalled once its start is confirmed
      this.cancelWanted.delete(n);
      this.cancelledItems.add(n);
      child.signal(cancelSignal, { reason }).catch((err: unknown) => log.warn('batch: cancel not delivered', { item: n, error: (err as Error).message }));
    }
  }

  async run(): Promise<BatchState> {
    this.install();
    CancellationScope.current().cancelRequested.catch(() => {
      this.c.cancelReason ??= 'workflow cancellation requested';
      this.dirty = true;
    });
    return CancellationScope.nonCancellable(async () => {
      for (;;) {
        this.dirty = false;
        const budget = batchStateOf(this.batchId, this.c, false);
        const exceeded = batchBudgetExceeded(this.input.options?.budget, budget.totalTokens, budget.costUsd);
        if (exceeded !== undefined && this.c.budgetExceeded === undefined) this.c.budgetExceeded = exceeded;
        this.sendCancels();
        const continueSoon = this.startedThisRun >= this.canEvery || workflowInfo().continueAsNewSuggested;
        while (!this.stopping && !continueSoon && this.running.size < this.window && this.startedThisRun < this.canEvery) {
          const n = this.nextPending();
          if (n === undefined) break;
          this.startedThisRun++;
          void this.runItem(n);
        }
        if (this.running.size === 0) {
          const more = !this.stopping && this.nextPending() !== undefined;
          if (!more) {
            // A retry accepted while the last item ended runs before the batch closes.
            await condition(allHandlersFinished);
            if (this.stopping || this.nextPending() === undefined) break;
            continue;
          }
          await condition(allHandlersFinished);
          await continueAsNew<typeof geminiJobBatch>({ items: this.input.items, ...(this.input.options ? { options: this.input.options } : {}), carried: this.c });
        }
        await condition(() => this.dirty);
      }
      return batchStateOf(this.batchId, this.c, true);
    });
  }
}

/** The batch workflow (see the module comment). */
export async function geminiJobBatch(input: BatchInput): Promise<BatchState> {
  return new Batch(input).run();
}
