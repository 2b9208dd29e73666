/**
 * The batch workflow's Temporal messages (`geminiJobBatch`, workflows/batch.ts); the shapes they
 * carry are the batch contract (src/contract/batch.ts), re-exported here.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { BatchCancelRequest, BatchRetryAccepted, BatchRetryRequest, BatchState } from '../src/contract/batch';

export * from '../src/contract/batch';

/** A batch's progress: counts, tokens, cost and each item's compact record. */
export const batchStateQuery = defineQuery<BatchState>('batchState');
/** Cancels the whole batch, or one item (`item`). */
export const batchCancelSignal = defineSignal<[BatchCancelRequest?]>('batchCancel');
/** Runs failed items again (validated: an item that cannot be retried is refused, with no history cost). */
export const batchRetryUpdate = defineUpdate<BatchRetryAccepted, [BatchRetryRequest]>('batchRetry');
