/**
 * Temporal actions per job-hour at REAL time scale, calculated (no servers): the event timeline of
 * an emulated 60-minute Deep Research run (the emulator's own script, thought summaries on) is fed
 * through each heartbeat policy, and the backstop schedule of webhook mode is laid over an hour.
 *
 *   node dist/bench/actions-model.js [--minutes 60] [--runs 20]
 *
 * Heartbeats: v0.1.0 = a heartbeat call per id'd event plus a 10 s keepalive, sent by the SDK at
 * most every 5 s (`maxHeartbeatThrottleInterval`); now = the product's own policy
 * (`flushPolicy` of activities/follow/context.ts at the job defaults: a changed checkpoint waits
 * at most the checkpoint flush from the moment it was made, a liveness beat 32 s after the last
 * send, one at the start) run by the product's HeartbeatFlusher on a simulated clock.
 * Resume-point lag = time from an event to the heartbeat that records it (what a SIGKILL
 * replays). Fixed actions per turn are counted item by item from what the server counts (see
 * FIXED below; bench/jobs-load.ts prints the model beside the server's count).
 */
import { DEFAULT_SWEEP_INTERVAL_MS } from '../activities/sweep';
import { JOB_OPTION_DEFAULTS } from '../workflows/helpers';
import { numberFlag, parseFlags } from './lib/args';
import { percentile, table } from './lib/stats';
import { deepResearchEventTimes, resumeLags, simulateFlusher, STREAM_FIXED_ACTIONS, WEBHOOK_FIXED_ACTIONS } from './lib/flush-model';
import { flushPolicy } from '../activities/follow/context';

/**
 * Billable actions of one turn besides the follow activity's heartbeats: STREAM_TURN_ACTIONS and
 * WEBHOOK_TURN_ACTIONS (bench/lib/flush-model.ts, item by item as the server counts them; the
 * load benches print the model beside the server's count). Webhook mode adds each job's share of
 * the backstop sweeper's sweeps (one timer and one activity per sweep, however many jobs wait).
 */
const FIXED = { stream: STREAM_FIXED_ACTIONS, poll: STREAM_FIXED_ACTIONS, webhook: WEBHOOK_FIXED_ACTIONS };
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
  // The product's own policy at the job default heartbeat timeout (activities/follow/context.ts).
  const now = flushPolicy({}, JOB_OPTION_DEFAULTS.heartbeatTimeoutMs);
  const flushMs = now.flushMs;
  const policies: Policy[] = [
    { name: 'stream v0.1.0 (5 s SDK flush, 10 s keepalive)', sends: sdkThrottled(5_000, 10_000) },
    { name: 'stream, SDK throttle only (0.8 x 30 s)', sends: sdkThrottled(24_000, 10_000) },
    { name: 'stream v0.2 (28 s since last send, 32 s liveness)', sends: lastSendFlushed(28_000, 32_000) },
    { name: 'oldest change waits <= 28 s, 32 s liveness', sends: productFlusher(28_000, 32_000) },
    ...String(f['flush-ms'] ?? '')
      .split(',')
      .filter(Boolean)
      .map((ms): Policy => ({ name: `oldest change waits <= ${Number(ms) / 1000} s, 32 s liveness`, sends: productFlusher(Number(ms), 32_000) })),
    {
      name: `stream now: oldest change waits <= ${flushMs / 1000} s, ${now.livenessMs / 1000} s liveness (activities/flush.ts)`,
      sends: productFlusher(flushMs, now.livenessMs),
    },
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
