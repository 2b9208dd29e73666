/**
 * `JobsClient.watch`: the resumable event stream of `watch.ts` over this client's reads, holding a
 * watch lease while it runs so workers flush the job's live progress faster.
 */
import type { JobsContext } from './context';
import { assertJobId } from './job-id';
import { readReport } from './reports';
import { readSnapshot } from './snapshot';
import { watchEvents } from './watch';
import type { JobEvent, WatchOptions } from './watch';
import { holdWatchLease, type HeldWatchLease } from './watch-lease';

/** Yields what `events` yields, then (also on an early return or a throw) runs `done`. */
async function* releaseAfter<T>(events: AsyncGenerator<T, void, undefined>, done: () => Promise<void>): AsyncGenerator<T, void, undefined> {
  try {
    yield* events;
  } finally {
    await done().catch(() => undefined);
  }
}

/**
 * Live, resumable job events for relaying (SSE): pass the last `seq` received as `from` to
 * resume; report text is never repeated or skipped. Ends with a `done` event.
 */
export function watchJob(ctx: JobsContext, jobId: string, options: WatchOptions = {}): AsyncGenerator<JobEvent, void, undefined> {
  assertJobId(jobId);
  // While the watch runs, a watch lease tells the workers to flush this job's live progress
  // faster (docs/watch-lease.md); taken at the first read that finds the job running, on its queue.
  let lease: Promise<HeldWatchLease> | undefined;
  const leaseMs = options.watchLeaseMs;
  const read = async () => {
    const snap = await readSnapshot(ctx, jobId);
    if (leaseMs !== false && lease === undefined && !snap.closed) {
      lease = holdWatchLease(ctx.client, jobId, { taskQueue: snap.description.taskQueue, ...(leaseMs !== undefined ? { leaseMs } : {}) });
    }
    return snap;
  };
  return releaseAfter(watchEvents({ read, report: async (turn) => (await readReport(ctx, turn, jobId)).text }, options), async () => {
    if (lease) await (await lease).release();
  });
}
