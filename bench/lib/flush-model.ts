/**
 * The follow activity's heartbeat policy on a simulated clock: the PRODUCT's HeartbeatFlusher
 * (activities/flush.ts) driven by a list of event times, so the model and the worker cannot drift
 * apart. Used by bench/actions-model.ts (real time scale) and bench/jobs-load.ts (the modelled lag
 * of the very events a run emitted, beside the measured one).
 */
import { HeartbeatFlusher, type FlushPolicy, type FlushTimers } from '../../activities/flush';

/**
 * Send times (ms) of one follow activity: started at 0 (first send), a change at every time in
 * `events` (ascending, ms), ended at `endMs` (the activity's completion records the rest, not a
 * heartbeat). `watchedAt(t)` says whether someone watched at t.
 */
export function simulateFlusher(policy: FlushPolicy, events: readonly number[], endMs: number, watchedAt: (t: number) => boolean = () => false): number[] {
  let now = 0;
  const sends: number[] = [];
  let pending: { at: number; fn: () => void; id: number } | undefined;
  let ids = 0;
  const timers: FlushTimers = {
    setTimeout: (fn, ms) => {
      pending = { at: now + Math.max(0, ms), fn, id: ++ids };
      return pending.id;
    },
    clearTimeout: (id) => {
      if (pending?.id === id) pending = undefined;
    },
  };
  const flusher = new HeartbeatFlusher(policy, () => sends.push(now), () => now, () => watchedAt(now), timers);
  flusher.flush();
  let i = 0;
  for (;;) {
    const nextEvent = events[i];
    const nextTimer = pending?.at;
    const t = Math.min(nextEvent ?? Infinity, nextTimer ?? Infinity);
    if (t >= endMs || t === Infinity) break;
    now = t;
    // A change at the very moment a timer is due goes first: the send then carries it.
    if (nextTimer !== undefined && nextTimer < (nextEvent ?? Infinity)) {
      const fire = pending!.fn;
      pending = undefined;
      fire();
    } else {
      i++;
      flusher.mark();
    }
  }
  flusher.stop();
  return sends;
}

/** Resume-point lag (ms) of each event: the first send at or after it, else `endMs` (the completion). */
export function resumeLags(events: readonly number[], sends: readonly number[], endMs: number): number[] {
  const lags: number[] = [];
  let j = 0;
  for (const e of events) {
    while (j < sends.length && sends[j]! < e) j++;
    lags.push((sends[j] ?? endMs) - e);
  }
  return lags;
}
