/**
 * Contract of the watch lease: a tiny workflow per watched job (`gemini-jobs-watch/<jobId>`) that
 * is Running exactly while someone watches the job live. Watchers (JobsClient.watch, hence
 * `gemini-jobs watch`, serve's SSE and the dashboard) start or extend it with signal-with-start;
 * each worker lists the running leases with one visibility query every few seconds and flushes the
 * follow checkpoint of those jobs faster (activities/flush.ts `watchedFlushMs`). Nobody watching =
 * no lease, no cost. Pure: imported by the workflow, the jobs client and the worker.
 */
import { defineSignal } from '@temporalio/workflow';

/** Workflow type of the lease. */
export const WATCH_LEASE_WORKFLOW_TYPE = 'watchLease';

const PREFIX = 'gemini-jobs-watch/';

/** Lease workflow id of a job (`gemini-jobs-watch/<jobId>`). */
export function watchLeaseWorkflowId(jobId: string): string {
  return `${PREFIX}${jobId}`;
}

/** The job id a lease workflow id names, or undefined for another workflow id. */
export function jobIdOfWatchLease(workflowId: string): string | undefined {
  return workflowId.startsWith(PREFIX) && workflowId.length > PREFIX.length ? workflowId.slice(PREFIX.length) : undefined;
}

/** Bounds of one holder's lease (ms): a crashed watcher stops costing anything after at most the maximum. */
export const WATCH_LEASE_LIMITS = { minMs: 1_000, maxMs: 10 * 60_000, defaultMs: 120_000 };

/** Visibility query of the running leases (what each worker lists). */
export const RUNNING_WATCH_LEASES_QUERY = `WorkflowType = '${WATCH_LEASE_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

export interface WatchLeaseInput {
  jobId: string;
  /** The starting watcher's request (the same as the signal of its signal-with-start). */
  first?: WatchLeaseRequest;
  /** Holders carried over a continue-as-new: holder id → lease end (workflow time, ms since epoch). */
  holders?: Record<string, number>;
}

/** A watcher holds (`leaseMs` > 0, from now) or gives back (`leaseMs` 0) its lease. */
export interface WatchLeaseRequest {
  /** One id per watcher, so one watcher leaving does not end another's lease. */
  holder: string;
  leaseMs: number;
}

export const watchLeaseSignal = defineSignal<[WatchLeaseRequest]>('watchLease');
