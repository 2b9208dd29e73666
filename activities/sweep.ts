/**
 * The webhook backstop: `sweepWebhookJobs` lists the webhook-mode jobs of a task queue that wait
 * for their run (visibility: `GeminiJobMode = 'webhook' AND GeminiJobStatus = 'running'`), reads
 * each run once with a GET, and signals the job of every run that settled (its webhook was lost or
 * is late). `ensureSweeper` starts the task queue's sweeper workflow, or wakes it, from each
 * webhook-mode create. A lost webhook therefore delays a job by at most one sweep interval (plus
 * visibility's lag), for one timer and one activity per sweep however many jobs wait.
 */
import { activityInfo, getClient, heartbeat } from '@temporalio/activity';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { isSettledStatus } from '../src/interactions/types';
import { JOB_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES } from '../src/contract';
import type { WebhookNotice } from '../src/contract/job';
import { jobInteractionKey, webhookSignal } from '../workflows/definitions';
import {
  SWEEPER_WORKFLOW_TYPE,
  sweeperWakeSignal,
  sweeperWorkflowId,
  type SweepResult,
  type SweepWebhookJobsInput,
  type WebhookSweeperInput,
} from '../workflows/sweeper-definitions';
import { errorCode } from './failure-mapping';
import { withTransientRetries } from './transient';
import type { ResolvedDeps } from './deps';

/** Per-request timeout of a sweep's GET (ms). */
const SWEEP_GET_TIMEOUT_MS = 30_000;
/** GETs in flight at once during a sweep. */
const SWEEP_CONCURRENCY = 8;
/** Default time between sweeps (ms): see GEMINI_JOBS_WEBHOOK_SWEEP_MS. */
export const DEFAULT_SWEEP_INTERVAL_MS = 5 * 60_000;

/** The visibility query of the webhook-mode jobs of `taskQueue` whose run is under way. */
export function waitingWebhookJobsQuery(taskQueue: string): string {
  const names = SEARCH_ATTRIBUTE_NAMES;
  return `WorkflowType = '${JOB_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue.replace(/'/g, "\\'")}' AND ${names.mode} = 'webhook' AND ${names.status} = 'running'`;
}

/** Starts the task queue's sweeper, or wakes the running one (best effort: a failure is logged). */
export async function ensureSweeper(deps: ResolvedDeps, jobId: string): Promise<void> {
  const taskQueue = activityInfo().taskQueue;
  const input: WebhookSweeperInput = { taskQueue, intervalMs: deps.webhooks?.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS };
  try {
    await getClient().workflow.signalWithStart(SWEEPER_WORKFLOW_TYPE, {
      workflowId: sweeperWorkflowId(taskQueue),
      taskQueue,
      args: [input],
      signal: sweeperWakeSignal,
      signalArgs: [],
      // An idle sweeper ends; the next webhook-mode create starts a new run of the same id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      staticSummary: `gemini-jobs helper (not a job): webhook backstop sweeper of task queue ${taskQueue}`,
    });
  } catch (err) {
    deps.log.warn('webhook sweeper: could not start or wake it; a lost webhook is then found only at the deadline', { jobId, error: (err as Error).message });
  }
}

interface WaitingJob {
  jobId: string;
  interactionId: string;
}

async function listWaiting(client: Client, taskQueue: string): Promise<WaitingJob[]> {
  const jobs: WaitingJob[] = [];
  for await (const execution of client.workflow.list({ query: waitingWebhookJobsQuery(taskQueue) })) {
    const interactionId = execution.typedSearchAttributes.get(jobInteractionKey);
    if (interactionId) jobs.push({ jobId: execution.workflowId, interactionId });
  }
  return jobs;
}

export function makeSweepWebhookJobs(deps: ResolvedDeps) {
  return async function sweepWebhookJobs(input: SweepWebhookJobsInput): Promise<SweepResult> {
    const client = getClient();
    const waiting = await listWaiting(client, input.taskQueue);
    const result: SweepResult = { waiting: waiting.length, signalled: 0, failed: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let job = waiting[next++]; job; job = waiting[next++]) {
        heartbeat({ swept: next, of: waiting.length });
        const outcome = await sweepOne(deps, client, job);
        if (outcome === 'signalled') result.signalled++;
        if (outcome === 'failed') result.failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, waiting.length) }, worker));
    if (result.signalled > 0 || result.failed > 0) deps.log.info('webhook sweeper: swept', { taskQueue: input.taskQueue, ...result });
    return result;
  };
}

/** One waiting job: GET its run; signal the job when it settled. */
async function sweepOne(deps: ResolvedDeps, client: Client, job: WaitingJob): Promise<'signalled' | 'running' | 'failed'> {
  let status: string;
  try {
    const interaction = await withTransientRetries(() => deps.client().get(job.interactionId, { maxRetries: 0, timeoutMs: SWEEP_GET_TIMEOUT_MS }), { maxAttempts: 3 });
    status = String(interaction.status);
  } catch (err) {
    deps.log.warn('webhook sweeper: GET failed; the next sweep tries again', { jobId: job.jobId, interactionId: job.interactionId, code: errorCode(err) });
    return 'failed';
  }
  if (!isSettledStatus(status)) return 'running';
  // The id names this reading: a job that already has it (or its webhook) ignores a repeat.
  const notice: WebhookNotice = { webhookId: `sweep:${job.interactionId}:${status}`, eventType: 'backstop.check', interactionId: job.interactionId, status, source: 'sweeper' };
  try {
    await client.workflow.getHandle(job.jobId).signal(webhookSignal, notice);
    return 'signalled';
  } catch (err) {
    deps.log.warn('webhook sweeper: signalling the job failed', { jobId: job.jobId, error: (err as Error).message });
    return 'failed';
  }
}
