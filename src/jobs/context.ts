/**
 * What the job operations share: the Temporal client and the settings of one `JobsClient`. Each
 * operation module (start, snapshot, reports, steering, listing) takes this instead of the class,
 * so they stay independent of one another and of the class's lifecycle (connect, close).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { InteractionsClient } from '../interactions';
import type { ResultStore } from '../results/result-store';
import { assertJobId } from './job-id';

export interface JobsContext {
  readonly client: Client;
  /** Task queue new jobs are started on. */
  readonly taskQueue: string;
  readonly resultStore: ResultStore;
  readonly interactions?: InteractionsClient;
  /** Deadline of one state query, in milliseconds. */
  readonly queryTimeoutMs: number;
}

/** The workflow handle of a job (latest run); throws `InvalidJobIdError` for an unusable id. */
export function jobHandle(ctx: JobsContext, jobId: string): WorkflowHandle {
  assertJobId(jobId);
  return ctx.client.workflow.getHandle(jobId);
}
