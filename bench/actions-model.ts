/**
 * Temporal actions per job-hour at REAL time scale, calculated (no servers): the event timeline of
 * an emulated 60-minute Deep Research run (the emulator's own script, thought summaries on) is fed
 * through each heartbeat policy, and the backstop schedule of webhook mode is laid over an hour.
 *
 *   node dist/bench/actions-model.js [--minutes 60] [--runs 20]
 *
 * Heartbeats: v0.1.0 = a heartbeat call per id'd event plus a 10 s keepalive, sent by the SDK at
 * most every 5 s (`maxHeartbeatThrottleInterval`); now = activities/flush.ts (a changed checkpoint
 * waits at most FOLLOW_DEFAULTS.checkpointFlushMs from the moment it was made, a liveness beat
 * every 0.8 × 40 s; simulated with the product's own HeartbeatFlusher). Resume-point lag = time from an event to
 * the heartbeat that records it (what a SIGKILL replays). Fixed actions per turn are counted from
 * the command sequence (see FIXED below; the load bench reads the same from real histories).
 */
import { DEFAULT_SWEEP_INTERVAL_MS } from '../activities/sweep';
import { numberFlag, parseFlags } from './lib/args';
import { percentile, table } from './lib/stats';
import { deepResearchEventTimes, resumeLags, simulateFlusher } from './lib/flush-model';
import { FOLLOW_DEFAULTS } from '../activities/follow';

/**
 * Billable actions of one turn besides follow heartbeats, from the command sequence (the load
 * bench reads the same from real histories). Every mode: workflow start, the patch marker and the
 * `TemporalChangeVersion` upsert the SDK's core adds beside it (one patch id per execution), the
 * admission and create activities, the create's heartbeat (the id, the instant it arrives), 2 status upserts
 * (running with the interaction id, then the final status). Stream/poll: the deadline timer the
 * follow activity races, the follow activity. Webhook: the wake signal to the backstop sweeper,
 * the wait's deadline timer, the webhook signal, the collecting activity (no timer races it).
 */
const COMMON = 1 + 2 + 2 + 1 + 2;
const FIXED = { stream: COMMON + 1 + 1, poll: COMMON + 1 + 1, webhook: COMMON + 1 + 1 + 1 + 1 };
/** The sweeper's own actions per sweep (its timer and its activity), shared by every waiting webhook job. */
const SWEEP_ACTIONS = 2;

interface Policy {
  name: string;
  /** Returns the send times (ms) given the id'd event times and the run length. */
  sends(events: number[], endMs: number): number[];
}

/** v0.1.0: heartbeat() per id'd event and every keepaliveMs; the SDK sends at most one per throttleMs. */
function sdkThrottled(throttleMs: number, keepaliveMs: number): Policy['sends'] {
  return (events, endMs) => {
    const calls = [...events];
    for (let t = 0; t < endMs; t += keepaliveMs) calls.push(t);
    calls.sort((a, b) => a - b);
    const sends: number[] = [];
    let last = -Infinity;
    let pending: number | undefined;
    for (const c of calls) {
      if (pending !== undefined && last + throttleMs <= c) {
        sends.push((last = last + throttleMs));
        pending = undefined;
      }
      if (c - last >= throttleMs) sends.push((last = c));
      else pending = c;
    }
    if (pending !== undefined) sends.push(last + throttleMs);
    return sends;
  };
}

/**
 * v0.2 flusher rule (keyed to the time since the LAST SEND): a change goes out at once if
 * flushMs passed since the last send, else when it has; nothing sent for livenessMs → a beat.
 * Kept here to compare with the product's current rule.
 */
function lastSendFlushed(flushMs: number, livenessMs: number): Policy['sends'] {
  return (events, endMs) => {
    const sends: number[] = [0];
    let last = 0;
    let dirty = false;
    let i = 0;
    for (;;) {
      const due = last + (dirty ? Math.min(flushMs, livenessMs) : livenessMs);
      const next = events[i];
      if (next !== undefined && next < due) {
        i++;
        dirty = true;
        if (next - last >= flushMs) {
          sends.push((last = next));
          dirty = false;
        }
        continue;
      }
      if (due >= endMs) break;
      sends.push((last = due));
      dirty = false;
    }
    return sends;
  };
}

/** activities/flush.ts itself (HeartbeatFlusher on a simulated clock): a change waits at most flushMs from when it was made. */
function productFlusher(flushMs: number, livenessMs: number): Policy['sends'] {
  return (events, endMs) => simulateFlusher({ flushMs, livenessMs, watchedFlushMs: flushMs }, events, endMs);
}

function main(): void {
  const f = parseFlags(
    { minutes: { type: 'string' }, runs: { type: 'string' }, 'flush-ms': { type: 'string' } },
    'Usage: node dist/bench/actions-model.js [--minutes 60] [--runs 20] [--flush-ms 20000,24000] (extra flush intervals to compare)',
  );
  const minutes = numberFlag(f, 'minutes', 60, 1);
  const runs = Math.round(numberFlag(f, 'runs', 20, 1));
  const endMs = minutes * 60_000;
  const flushMs = FOLLOW_DEFAULTS.checkpointFlushMs;
  const policies: Policy[] = [
    { name: 'stream v0.1.0 (5 s SDK flush, 10 s keepalive)', sends: sdkThrottled(5_000, 10_000) },
    { name: 'stream, SDK throttle only (0.8 x 30 s)', sends: sdkThrottled(24_000, 10_000) },
    { name: 'stream v0.2 (28 s since last send, 32 s liveness)', sends: lastSendFlushed(28_000, 32_000) },
    { name: 'oldest change waits <= 28 s, 32 s liveness', sends: productFlusher(28_000, 32_000) },
    ...String(f['flush-ms'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((ms): Policy => ({ name: `oldest change waits <= ${Number(ms) / 1000} s, 32 s liveness`, sends: productFlusher(Number(ms), 32_000) })),
    { name: `stream now: oldest change waits <= ${flushMs / 1000} s, 32 s liveness (activities/flush.ts)`, sends: productFlusher(flushMs, 32_000) },
  ];
  const rows: string[][] = [['policy', 'heartbeats/run', 'actions/job-hour', 'resume lag p50 s', 'resume lag p99 s', 'events/run']];
  for (const p of policies) {
    let beats = 0;
    let events = 0;
    const lags: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { ids, all } = deepResearchEventTimes(minutes, r + 1);
      events += all;
      const sends = p.sends(ids, endMs);
      beats += sends.length;
      for (const lag of resumeLags(ids, sends, endMs)) lags.push(lag / 1000);
    }
    const perRun = beats / runs;
    rows.push([
      p.name,
      perRun.toFixed(0),
      ((perRun + FIXED.stream) * (60 / minutes)).toFixed(0),
      percentile(lags, 50).toFixed(1),
      percentile(lags, 99).toFixed(1),
      (events / runs).toFixed(0),
    ]);
  }
  // Webhook mode: fixed actions per turn, plus each job's share of the sweeper's sweeps (one timer
  // and one activity per sweep however many jobs wait): 5-minute sweeps are 24 actions an hour.
  const sweepsPerHour = 60 / (DEFAULT_SWEEP_INTERVAL_MS / 60_000);
  for (const concurrent of [1, 10, 100, 1_000]) {
    const share = (SWEEP_ACTIONS * sweepsPerHour) / concurrent;
    rows.push([
      `webhook, ${concurrent} job(s) waiting at once: sweeper every ${DEFAULT_SWEEP_INTERVAL_MS / 60_000} min (a lost webhook waits <= one sweep)`,
      '0',
      (FIXED.webhook * (60 / minutes) + share).toFixed(1),
      'n/a',
      'n/a',
      '0',
    ]);
  }
  rows.push(['poll (2 s -> 30 s GETs, no heartbeat per GET beyond the flush)', 'see stream now', '~ stream now', 'n/a', 'n/a', '0']);
  process.stdout.write(`Temporal actions per job-hour, real time scale, ${minutes}-minute Deep Research runs (${runs} emulator scripts)\n`);
  process.stdout.write(table(rows) + '\n');
}

main();
