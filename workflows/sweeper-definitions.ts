/**
 * Contract of the webhook backstop sweeper: one small workflow per task queue that, while
 * webhook-mode jobs wait, reads the status of each of their runs with one GET per sweep and
 * signals the settled ones whose webhook was lost. It replaces a timer and a check activity per
 * job with one timer and one activity per sweep for all of them. Pure: imported by workflows and
 * the activities that start and run it.
 */
import { defineSignal } from '@temporalio/workflow';

/** Workflow type of the sweeper. */
export const SWEEPER_WORKFLOW_TYPE = 'webhookSweeper';

/** The sweeper of a task queue (`gemini-jobs-webhook-sweeper/<taskQueue>`). */
export function sweeperWorkflowId(taskQueue: string): string {
  return `gemini-jobs-webhook-sweeper/${taskQueue}`;
}

export interface WebhookSweeperInput {
  /** The task queue whose webhook-mode jobs it sweeps (its own). */
  taskQueue: string;
  /** Time between sweeps (ms): the longest a lost webhook delays a job, plus visibility's lag. */
  intervalMs: number;
  /** Sweeps in a row that found no waiting job before it ends (the next webhook-mode create restarts it). */
  idleSweepsBeforeExit?: number;
}

/** Sent (with start) by each webhook-mode create: a job is about to wait, keep sweeping. */
export const sweeperWakeSignal = defineSignal<[]>('wake');

/** What one sweep found. */
export interface SweepResult {
  /** Webhook-mode jobs found waiting. */
  waiting: number;
  /** Of those, settled runs signalled to their job. */
  signalled: number;
  /** GETs that failed (left for the next sweep). */
  failed: number;
}

export interface SweepWebhookJobsInput {
  taskQueue: string;
}
