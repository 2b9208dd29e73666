/**
 * The follow activity's heartbeat policy on a simulated clock: the PRODUCT's HeartbeatFlusher
 * (activities/flush.ts) driven by a list of event times, so the model and the worker cannot drift
 * apart. Used by bench/actions-model.ts (real time scale) and bench/jobs-load.ts (the modelled lag
 * of the very events a run emitted, beside the measured one).
 */
import { HeartbeatFlusher, type FlushPolicy, type FlushTimers } from '../../activities/flush';
import { buildScript, inputToSteps } from '../../src/emulator/script';
import { percentile } from './stats';

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
  const flusher = new HeartbeatFlusher(
    policy,
    () => sends.push(now),
    () => now,
    () => watchedAt(now),
    timers,
  );
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

/** Times (ms from the start) of the checkpointable events of an emulated Deep Research run of `minutes` (the emulator's own script). */
export function deepResearchEventTimes(minutes: number, seed: number): { ids: number[]; all: number } {
  const body = { agent: 'deep-research-preview-04-2026', input: `model run ${seed}`, agent_config: { type: 'deep-research', thinking_summaries: 'auto' }, background: true };
  const script = buildScript({ body, inputSteps: inputToSteps(body.input) as never, seed }, { deepResearchDurationMs: minutes * 60_000 });
  const ids: number[] = [];
  let deltas = 0;
  for (const e of script.entries) {
    // The emulator leaves every 7th delta without an event_id: no checkpoint there.
    if (e.ev.event_type === 'step.delta' && ++deltas % 7 === 0) continue;
    ids.push(e.at);
  }
  return { ids, all: script.entries.length };
}

/**
 * Billable actions of a stream-mode turn besides the follow activity's heartbeats, item by item
 * under the name of the server's `action` counter (bench/jobs-load.ts prints that count by type
 * beside this).
 */
export const STREAM_TURN_ACTIONS = {
  /** grpc_StartWorkflowExecution. */
  workflowStart: 1,
  /** command_ScheduleActivityTask: admission, create, follow. */
  activities: 3,
  /** grpc_RecordActivityTaskHeartbeat of the create: the id, the instant it arrives. */
  createHeartbeats: 1,
  /** command_UpsertWorkflowSearchAttributes: status running (with the interaction id) and completed, and the TemporalChangeVersion upsert of the one patch an execution passes. */
  searchAttributeUpserts: 3,
  /** command_BatchMarkers: the patch marker, in the first workflow task. */
  markerBatches: 1,
  /** command_StartTimer: the turn's deadline. */
  deadlineTimer: 1,
} as const;

/** Their sum: the actions of a stream or poll turn whatever its length (besides the follow's heartbeats). */
export const STREAM_FIXED_ACTIONS = Object.values(STREAM_TURN_ACTIONS).reduce((a, b) => a + b, 0);

/** The same for a webhook-mode turn (besides its share of the backstop sweeper's sweeps). */
export const WEBHOOK_TURN_ACTIONS = {
  workflowStart: 1,
  /** command_ScheduleActivityTask: admission, create, collect (one GET that stores the report). */
  activities: 3,
  createHeartbeats: 1,
  searchAttributeUpserts: 3,
  markerBatches: 1,
  /** grpc_SignalWithStartWorkflowExecution waking the sweeper, and the webhook's signal. */
  signals: 2,
  /** command_StartTimer: the wait, bounded by the turn's deadline (no timer races the collect). */
  deadlineTimer: 1,
} as const;

export const WEBHOOK_FIXED_ACTIONS = Object.values(WEBHOOK_TURN_ACTIONS).reduce((a, b) => a + b, 0);

/** The product flusher over `runs` emulated Deep Research runs of `minutes`, at real time scale. */
export function modelStream(policy: FlushPolicy, minutes = 60, runs = 20): { heartbeatsPerRun: number; actionsPerJobHour: number; lagP50s: number; lagP99s: number } {
  const endMs = minutes * 60_000;
  let beats = 0;
  const lags: number[] = [];
  for (let r = 0; r < runs; r++) {
    const { ids } = deepResearchEventTimes(minutes, r + 1);
    const sends = simulateFlusher(policy, ids, endMs);
    beats += sends.length;
    for (const lag of resumeLags(ids, sends, endMs)) lags.push(lag / 1000);
  }
  const heartbeatsPerRun = beats / runs;
  return { heartbeatsPerRun, actionsPerJobHour: (heartbeatsPerRun + STREAM_FIXED_ACTIONS) * (60 / minutes), lagP50s: percentile(lags, 50), lagP99s: percentile(lags, 99) };
}
