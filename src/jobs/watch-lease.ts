/**
 * A watcher's side of the watch lease (workflows/watch-lease-definitions.ts): while a live watch
 * runs, hold `gemini-jobs-watch/<jobId>` with signal-with-start, renew it at half its length, and
 * give it back at the end. Workers flush that job's follow checkpoint faster while the lease runs.
 *
 * Best effort: a failed lease call never fails the watch (the watch then just sees the normal
 * flush). The lease carries only the job id and a random holder id, never a credential.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  WATCH_LEASE_LIMITS,
  WATCH_LEASE_WORKFLOW_TYPE,
  watchLeaseSignal,
  watchLeaseWorkflowId,
  type WatchLeaseInput,
  type WatchLeaseRequest,
} from '../../workflows/watch-lease-definitions';

export interface WatchLeaseOptions {
  /** Task queue of the workers that run the job (the lease runs there too). */
  taskQueue: string;
  /** Length of one lease (ms), renewed at half of it. Default 120 000 (bounded 1 s … 10 min). */
  leaseMs?: number;
  /** Called with a failed lease call (the watch goes on). */
  onError?: (err: unknown) => void;
}

export interface HeldWatchLease {
  /** Stops renewing and gives the lease back (best effort). */
  release(): Promise<void>;
}

/** Holds the watch lease of `jobId` until `release()`; resolves after the first signal-with-start was tried. */
export async function holdWatchLease(client: Client, jobId: string, options: WatchLeaseOptions): Promise<HeldWatchLease> {
  const leaseMs = Math.min(WATCH_LEASE_LIMITS.maxMs, Math.max(WATCH_LEASE_LIMITS.minMs, Math.round(options.leaseMs ?? WATCH_LEASE_LIMITS.defaultMs)));
  const holder = randomUUID();
  const workflowId = watchLeaseWorkflowId(jobId);
  const onError = options.onError ?? (() => undefined);
  const hold = async (): Promise<void> => {
    const request: WatchLeaseRequest = { holder, leaseMs };
    const input: WatchLeaseInput = { jobId, first: request };
    try {
      await client.workflow.signalWithStart(WATCH_LEASE_WORKFLOW_TYPE, {
        workflowId,
        taskQueue: options.taskQueue,
        args: [input],
        signal: watchLeaseSignal,
        signalArgs: [request],
        // A lease that ended is started again by the next watcher under the same id.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        // The Web UI lists it beside the jobs: say what it is.
        staticSummary: `gemini-jobs helper (not a job): watch lease of job ${jobId} (live progress flushed faster while watched)`,
      });
    } catch (err) {
      onError(err);
    }
  };
  await hold();
  let released = false;
  const timer = setInterval(() => void hold(), Math.max(500, Math.floor(leaseMs / 2)));
  timer.unref();
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        await client.workflow.getHandle(workflowId).signal(watchLeaseSignal, { holder, leaseMs: 0 });
      } catch (err) {
        // Already ended (lease lapsed) or the server is away: it lapses on its own.
        if ((err as { name?: string }).name !== 'WorkflowNotFoundError') onError(err);
      }
    },
  };
}
