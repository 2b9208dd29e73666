/**
 * The watch lease workflow (see watch-lease-definitions.ts): it only waits, and ends when the last
 * holder's lease ends or is given back. It issues no activity; its cost is the start, one signal
 * per renewal and about one timer per renewal period, paid only while someone watches.
 *
 * Deterministic code only.
 */
import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { WATCH_LEASE_LIMITS, watchLeaseSignal, type WatchLeaseInput, type WatchLeaseRequest } from './watch-lease-definitions';

/** Continue-as-new past this history length (a watcher renewing every minute for days). */
const CONTINUE_AS_NEW_EVENTS = 2_000;

function clampLeaseMs(ms: number): number {
  if (!Number.isFinite(ms)) return WATCH_LEASE_LIMITS.defaultMs;
  return Math.min(WATCH_LEASE_LIMITS.maxMs, Math.max(WATCH_LEASE_LIMITS.minMs, Math.round(ms)));
}

/** Running while any holder's lease lasts; `input.jobId` names the watched job. */
export async function watchLease(input: WatchLeaseInput): Promise<void> {
  const holders = new Map<string, number>(Object.entries(input.holders ?? {}));
  // Only a give-back can end the wait early; a renewal just moves an end later.
  let released = false;
  const apply = (req: WatchLeaseRequest | undefined): void => {
    if (typeof req?.holder !== 'string' || req.holder === '') return;
    if (!(req.leaseMs > 0)) {
      released = holders.delete(req.holder) || released;
      return;
    }
    holders.set(req.holder, Math.max(holders.get(req.holder) ?? 0, Date.now() + clampLeaseMs(req.leaseMs)));
  };
  // The start carries the first request: the loop below must not see an empty lease before the
  // signal of the same signal-with-start is delivered.
  apply(input.first);
  setHandler(watchLeaseSignal, apply);
  for (;;) {
    const now = Date.now();
    for (const [holder, until] of holders) if (until <= now) holders.delete(holder);
    if (holders.size === 0) return;
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_EVENTS) {
      await continueAsNew<typeof watchLease>({ jobId: input.jobId, holders: Object.fromEntries(holders) });
    }
    released = false;
    await condition(() => released, Math.min(...holders.values()) - now);
  }
}
