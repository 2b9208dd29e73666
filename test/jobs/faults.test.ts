/**
 * The failure shapes of the wire reference §12, each injected by the emulator, each expected to end
 * with the right status, exactly one interaction created, and (when it completes) the canonical report.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import type { JobOptions, JobRequest, JobResult } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, stateOf, type JobHarness } from './job-harness';

let h: JobHarness;
before(async () => {
  h = await jobHarness('faults', {
    scenarios: {
      // Every stream stalls at once: no progress, so the follower must fall back to polling.
      'stall-always': { faults: [{ kind: 'stall', afterEvents: 0 }] },
    },
  });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

function research(scenario: string, input = `Research topic for ${scenario}`): JobRequest {
  return { agent: 'deep-research-preview-04-2026', input, labels: { 'emulator-scenario': scenario } } as JobRequest;
}

async function run(request: JobRequest, options: JobOptions = FAST): Promise<JobResult> {
  const before = h.emulator.counters().creates;
  const worker = await h.newWorker();
  const result = await worker.runUntil(async () => (await h.start({ request, options })).result());
  assert.equal(h.emulator.counters().creates - before, 1, 'exactly one interaction created');
  return result;
}

async function assertCanonical(result: JobResult): Promise<void> {
  assert.equal(result.status, 'completed', JSON.stringify(result.error));
  const body = await h.store.get(result.report!);
  assert.equal(body?.toString('utf8'), h.emulator.canonicalReport(result.interactionId!));
}

function emittedEvents(id: string): number {
  return h.emulator.interactions().find((i) => i.id === id)!.events;
}

test('stream cut with a raw JSON error envelope: resumes from last_event_id, nothing applied twice', async () => {
  const result = await run(research('stream-cut'));
  await assertCanonical(result);
  const turn = result.turns[0]!;
  assert.ok(h.emulator.counters().interactions[result.interactionId!]!.streams >= 2, 'reconnected');
  assert.equal(turn.eventsApplied, emittedEvents(result.interactionId!));
  assert.equal(turn.streamVerified, true);
});

test('stalled stream: the idle timeout reconnects and the run completes verified', async () => {
  const result = await run(research('stall'), { ...FAST, streamIdleTimeoutMs: 400 });
  await assertCanonical(result);
  assert.equal(result.turns[0]!.eventsApplied, emittedEvents(result.interactionId!));
  assert.equal(result.turns[0]!.streamVerified, true);
});

test('streams that never deliver: falls back to polling GET and still completes', async () => {
  const result = await run(research('stall-always'), { ...FAST, streamIdleTimeoutMs: 300 });
  await assertCanonical(result);
  assert.equal(result.turns[0]!.streamVerified, false, 'not verifiable once polling took over');
  assert.ok(h.emulator.counters().interactions[result.interactionId!]!.gets >= 1);
});

test('404 on GET right after create is tolerated within the grace period', async () => {
  const result = await run(research('get-404'));
  await assertCanonical(result);
});

test('content-filter refusal (bare JSON, never stored): not_found after the grace period, not success', async () => {
  const result = await run(research('refusal'), { ...FAST, notFoundGraceMs: 1_500 });
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.code, 'not_found');
  assert.equal(result.error?.retryable, false);
  assert.equal(result.report, undefined);
});

test('a run that fails upstream ends failed with the upstream error', async () => {
  const result = await run(research('fail'));
  assert.equal(result.status, 'failed');
  assert.equal(result.upstreamStatus, 'failed');
  assert.equal(result.error?.code, 'upstream_failed');
  assert.match(result.error!.message, /failed/);
});

test('429 on create with Retry-After: retried by Temporal after the delay, one interaction', async () => {
  const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 429, retryAfterSeconds: 1, count: 1 });
  const before429 = h.emulator.counters().statuses['429'] ?? 0;
  try {
    const result = await run({ model: 'gemini-3-flash-preview', input: 'Hello' } as JobRequest);
    await assertCanonical(result);
    assert.equal((h.emulator.counters().statuses['429'] ?? 0) - before429, 1);
  } finally {
    remove();
  }
});

test('cancel answering 404 "Method not found": confirmed by reading the status back', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: research('cancel-404'), options: FAST });
    await waitFor(async () => (await stateOf(handle)).interactionId, 'interaction created');
    await handle.signal('cancel', { reason: 'test' });
    const result = await handle.result();
    assert.equal(result.status, 'cancelled');
    assert.equal(result.upstreamStatus, 'cancelled');
    assert.equal(h.emulator.interactions().find((i) => i.id === result.interactionId)!.status, 'cancelled');
  });
});
