/**
 * Fast recovery and cheap checkpoints of the follow activity, each unit on its own: the shared
 * backoff helper, transient GET errors retried inside the attempt (Retry-After honoured), the
 * heartbeat flusher (time-based, liveness, urgent) under an injected clock, and the quiet probe
 * that tells a quiet gap from a stalled stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { backoffMs, retryDelay, withJitter } from '../../src/common/backoff';
import { simulateFlusher, resumeLags } from '../../bench/lib/flush-model';
import { HeartbeatFlusher } from '../../activities/flush';
import { flushPolicy } from '../../activities/follow/context';
import { judgeQuietProbe, producedSteps } from '../../activities/quiet-probe';
import { withTransientRetries } from '../../activities/transient';
import { RateLimitError, InternalServerError, NotFoundError } from '../../src/interactions/errors';
import type { Interaction } from '../../src/interactions/types';

test('backoff: bounded exponential, jitter within its band, a Retry-After hint wins (capped)', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 10].map((n) => backoffMs(n, 250, 4_000)),
    [250, 500, 1_000, 2_000, 4_000],
  );
  assert.equal(
    withJitter(1_000, 0.2, 'both', () => 0),
    800,
  );
  assert.equal(
    withJitter(1_000, 0.2, 'both', () => 1),
    1_200,
  );
  assert.equal(
    withJitter(1_000, 0.25, 'down', () => 1),
    750,
  );
  assert.equal(
    retryDelay(5, { initialMs: 250, maxMs: 4_000 }, 2_000, 30_000, () => 0),
    2_000,
  );
  assert.equal(
    retryDelay(0, { initialMs: 250, maxMs: 4_000 }, 120_000, 30_000, () => 0),
    30_000,
  );
});

function rateLimited(retryAfterMs?: number): RateLimitError {
  return new RateLimitError({ status: 429, upstreamMessage: 'quota', ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) } as never);
}

test('transient retries: a 429 with Retry-After and a 503 are repeated inside the attempt, a 404 is not', async () => {
  const env = new MockActivityEnvironment();
  const delays: number[] = [];
  let calls = 0;
  const value = await env.run(() =>
    withTransientRetries(
      async () => {
        calls++;
        if (calls === 1) throw rateLimited(50);
        if (calls === 2) throw new InternalServerError({ status: 503, upstreamMessage: 'unavailable' } as never);
        return 'ok';
      },
      { onRetry: (r) => delays.push(r.delayMs), backoff: { initialMs: 1, maxMs: 5 } },
    ),
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);
  assert.ok(delays[0]! >= 50, `the Retry-After of 50 ms is honoured (got ${delays[0]})`);
  let notFoundCalls = 0;
  await assert.rejects(
    env.run(() =>
      withTransientRetries(async () => {
        notFoundCalls++;
        throw new NotFoundError({ status: 404, upstreamMessage: 'nope' } as never);
      }),
    ),
    (err: unknown) => (err as { code?: string }).code === 'not_found',
  );
  assert.equal(notFoundCalls, 1);
});

test('transient retries: the attempt budget is bounded; the last error reaches Temporal', async () => {
  const env = new MockActivityEnvironment();
  let calls = 0;
  await assert.rejects(
    env.run(() =>
      withTransientRetries(
        async () => {
          calls++;
          throw rateLimited();
        },
        { maxAttempts: 4, backoff: { initialMs: 1, maxMs: 2 } },
      ),
    ),
    (err: unknown) => (err as { code?: string }).code === 'rate_limited',
  );
  assert.equal(calls, 4);
});

test('flusher: a change waits at most the flush interval from when it was made; a burst after a gap is one send', () => {
  let now = 0;
  const sent: number[] = [];
  const flusher = new HeartbeatFlusher(
    { flushMs: 20_000, livenessMs: 32_000, watchedFlushMs: 5_000 },
    () => sent.push(now),
    () => now,
  );
  flusher.flush();
  // 100 events in the first 10 s: none is sent on its own (the first, at 100 ms, is due at 20.1 s).
  for (let i = 0; i < 100; i++) {
    now += 100;
    flusher.mark();
  }
  assert.deepEqual(sent, [0]);
  now = 20_100;
  flusher.mark();
  assert.deepEqual(sent, [0, 20_100], 'the oldest change is due flushMs after it was made, not after the last send');
  // A quiet gap (no change) longer than the flush interval, then a burst: the first change of the
  // burst waits for the rest instead of going out alone (what a rule keyed to the last send did).
  now = 45_000;
  flusher.mark();
  now = 46_000;
  flusher.mark();
  assert.deepEqual(sent, [0, 20_100], 'a change after a gap is not sent at once');
  now = 46_500;
  flusher.mark(true);
  assert.deepEqual(sent, [0, 20_100, 46_500], 'an urgent change (a phase change) goes out at once');
  flusher.stop();
});

test('flusher: on a simulated clock, every change is sent within flushMs and quiet stretches beat for liveness', () => {
  const policy = { flushMs: 20_000, livenessMs: 32_000, watchedFlushMs: 5_000 };
  const events = [1_000, 1_500, 2_000, 70_000, 71_000, 200_000, 200_100, 219_000, 240_000];
  const sends = simulateFlusher(policy, events, 300_000);
  for (const lag of resumeLags(events, sends, 300_000)) assert.ok(lag <= policy.flushMs, `lag ${lag} ms within the flush interval`);
  for (let i = 1; i < sends.length; i++) assert.ok(sends[i]! - sends[i - 1]! <= policy.livenessMs, `gap ${sends[i]! - sends[i - 1]!} ms within the liveness interval`);
  // Start; the first burst at 21 s (its first change + 20 s); liveness at 53 s; the change of
  // 70 s rides on the 85 s liveness beat (before its own 90 s deadline); liveness 117, 149, 181 s;
  // the burst of 200 s rides on the 213 s beat; 219 s is due at 239 s; 240 s at 260 s; liveness 292 s.
  assert.deepEqual(sends, [0, 21_000, 53_000, 85_000, 117_000, 149_000, 181_000, 213_000, 239_000, 260_000, 292_000]);
});

test('flush policy: the liveness beat leaves 20 % of the heartbeat timeout, and at least 2 s (at most half) for delays that do not shrink with it', () => {
  assert.deepEqual(flushPolicy({}, 40_000), { flushMs: 24_000, livenessMs: 32_000, watchedFlushMs: 5_000 });
  assert.deepEqual(flushPolicy({ checkpointFlushMs: 3_000, watchedFlushMs: 750 }, 6_000), { flushMs: 3_000, livenessMs: 4_000, watchedFlushMs: 750 });
  assert.deepEqual(flushPolicy({}, 3_000), { flushMs: 1_500, livenessMs: 1_500, watchedFlushMs: 1_500 });
});

test('flusher: the timer sends a pending change at the flush interval, then liveness beats', (t) => {
  // Node's fake timers: setTimeout and Date move only when the test ticks them.
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const sent: number[] = [];
  const flusher = new HeartbeatFlusher(
    { flushMs: 40, livenessMs: 80, watchedFlushMs: 10 },
    () => sent.push(Date.now()),
    () => Date.now(),
  );
  flusher.flush();
  t.mock.timers.tick(10);
  flusher.mark();
  t.mock.timers.tick(39);
  assert.deepEqual(sent, [0], 'the change made at 10 ms waits for the flush interval');
  t.mock.timers.tick(1);
  assert.deepEqual(sent, [0, 50], 'the pending change goes out 40 ms after it was made');
  t.mock.timers.tick(79);
  assert.deepEqual(sent, [0, 50], 'nothing changed: no send before the liveness interval');
  t.mock.timers.tick(1);
  t.mock.timers.tick(80);
  assert.deepEqual(sent, [0, 50, 130, 210], 'then a liveness beat every 80 ms');
  flusher.stop();
  t.mock.timers.tick(1_000);
  assert.deepEqual(sent, [0, 50, 130, 210], 'nothing is sent after stop()');
});

test('flusher: while someone watches, the faster flush applies; watchChanged() re-times a pending change', () => {
  let now = 0;
  let watching = false;
  const sent: number[] = [];
  const flusher = new HeartbeatFlusher(
    { flushMs: 20_000, livenessMs: 32_000, watchedFlushMs: 5_000 },
    () => sent.push(now),
    () => now,
    () => watching,
  );
  flusher.flush();
  now = 1_000;
  flusher.mark();
  now = 7_000;
  flusher.mark();
  assert.deepEqual(sent, [0], 'unwatched: the change of 1 s waits until 21 s');
  watching = true;
  flusher.watchChanged();
  assert.deepEqual(sent, [0, 7_000], 'watched: the change of 1 s is past its 5 s deadline and goes out now');
  now = 8_000;
  flusher.mark();
  now = 13_000;
  flusher.mark();
  assert.deepEqual(sent, [0, 7_000, 13_000]);
  flusher.stop();
});

function interaction(steps: number, updated: string, status = 'in_progress'): Interaction {
  return {
    id: 'v1_x',
    status,
    updated,
    steps: [{ type: 'user_input', content: [] }, ...Array.from({ length: steps }, () => ({ type: 'thought' }))],
  } as unknown as Interaction;
}

test('quiet probe: a quiet gap is left alone, a stream that fell behind is reconnected, a finished run collected', () => {
  assert.equal(producedSteps(interaction(3, 't1')), 3);
  assert.equal(judgeQuietProbe(interaction(3, 't1'), { stepsStarted: 3, previousUpdated: undefined, running: true }), 'quiet');
  assert.equal(judgeQuietProbe(interaction(4, 't1'), { stepsStarted: 3, previousUpdated: undefined, running: true }), 'stalled');
  assert.equal(judgeQuietProbe(interaction(3, 't2'), { stepsStarted: undefined, previousUpdated: 't1', running: true }), 'stalled');
  assert.equal(judgeQuietProbe(interaction(3, 't1'), { stepsStarted: undefined, previousUpdated: 't1', running: true }), 'quiet');
  assert.equal(judgeQuietProbe(interaction(3, 't1', 'completed'), { stepsStarted: 3, previousUpdated: undefined, running: false }), 'settled');
});
