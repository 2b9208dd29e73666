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

// ---- Statuses of the newest SDKs: each ends the job with that status, never `unknown` -------------

for (const [scenario, status] of [
  ['requires-continuation', 'requires_continuation'],
  ['idle', 'idle'],
  ['budget-exceeded', 'budget_exceeded'],
  ['token-exhaustion', 'incomplete'],
] as const) {
  test(`a run that stops at ${status} ends the job ${status} (raw status kept)`, async () => {
    const result = await run(research(scenario));
    assert.equal(result.status, status);
    assert.equal(result.upstreamStatus, status);
    assert.equal(result.turns[0]!.status, status);
    assert.notEqual(result.error?.code, 'unknown_status');
    if (status === 'incomplete') {
      // Token exhaustion: the partial report is kept.
      const body = (await h.store.get(result.report!))!.toString('utf8');
      assert.equal(body, h.emulator.canonicalReport(result.interactionId!));
      assert.ok(body.length > 0);
    }
  });
}

test('a queued run is followed through queued → in_progress → completed', async () => {
  const result = await run(research('queued'));
  await assertCanonical(result);
  const statuses = h.emulator
    .eventsFor(result.interactionId!)
    .filter((e) => e.event_type === 'interaction.status_update')
    .map((e) => (e as { status: string }).status);
  assert.deepEqual(statuses.slice(0, 2), ['queued', 'in_progress']);
});

test('the newest step and annotation variants (tool_search, code_execution_result content, speech_metadata) stream and verify', async () => {
  const result = await run(research('new-variants'));
  await assertCanonical(result);
  assert.equal(result.turns[0]!.streamVerified, true);
  const steps = h.emulator.snapshot(result.interactionId!)!.steps!;
  const types = new Set(steps.map((s) => s.type));
  for (const t of ['tool_search_call', 'tool_search_result', 'code_execution_call', 'code_execution_result']) assert.ok(types.has(t), t);
  const annotations = steps.flatMap((s) => ((s as { content?: Array<{ annotations?: Array<{ type: string }> }> }).content ?? []).flatMap((c) => c.annotations ?? []));
  assert.ok(annotations.some((a) => a.type === 'speech_metadata'));
});

// ---- Failure shapes users reported since November 2026 (wire reference §12.x) -------------------

test('zombie run (stays in_progress, status GETs never answer): the deadline cancels it (POST cancel, not DELETE) and the job ends timed_out', async () => {
  const deletesBefore = h.emulator.counters().deletes;
  const result = await run(research('zombie'), { ...FAST, deadlineMs: 4_000, streamIdleTimeoutMs: 500 });
  assert.equal(result.status, 'timed_out');
  assert.equal(result.error?.code, 'deadline_exceeded');
  assert.equal(result.upstreamStatus, 'cancelled');
  assert.equal(h.emulator.interactions().find((i) => i.id === result.interactionId)!.status, 'cancelled');
  assert.ok((h.emulator.counters().faults['zombie'] ?? 0) >= 1, 'a status GET hung');
  assert.equal(h.emulator.counters().deletes, deletesBefore, 'cancelling never relies on DELETE');
});

test('interaction.completed carrying steps: [] does not wipe the output rebuilt from deltas', async () => {
  const result = await run(research('completed-without-steps'));
  await assertCanonical(result);
  assert.equal(result.turns[0]!.streamVerified, true);
  const completed = h.emulator.eventsFor(result.interactionId!).find((e) => e.event_type === 'interaction.completed') as { interaction: { steps?: unknown[] } };
  assert.deepEqual(completed.interaction.steps, []);
});

test('a reattach that replays the whole run from the start: output replaced, never appended twice', async () => {
  const result = await run(research('replay-from-start'));
  await assertCanonical(result);
  const turn = result.turns[0]!;
  assert.equal(turn.eventsApplied, emittedEvents(result.interactionId!), 'each event applied once');
  assert.equal(turn.streamVerified, true);
  assert.ok((h.emulator.counters().faults['replay_from_start'] ?? 0) >= 1);
});

test('thought summaries in bursts with long quiet gaps: idle reconnects, nothing lost, verified', async () => {
  const result = await run({ ...research('bursty-thoughts'), agent_config: { type: 'deep-research', thinking_summaries: 'auto' } } as JobRequest, {
    ...FAST,
    streamIdleTimeoutMs: 250,
  });
  await assertCanonical(result);
  assert.equal(result.turns[0]!.eventsApplied, emittedEvents(result.interactionId!));
  assert.equal(result.turns[0]!.streamVerified, true);
});

test('non-streamed refusal HTTP 400 content_blocked: the job fails at create, named, not retried', async () => {
  const worker = await h.newWorker();
  const result = await worker.runUntil(async () =>
    (await h.start({ request: { model: 'gemini-3-flash-preview', input: 'blocked', labels: { 'emulator-scenario': 'content-blocked' } } as JobRequest, options: FAST })).result(),
  );
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.code, 'bad_request');
  assert.equal(result.error?.retryable, false);
  assert.match(result.error!.message, /content_blocked/);
  assert.equal(result.interactionId, undefined, 'nothing was created');
});

test('Deep Research quota: 429 too_many_requests on create is retried with backoff (nothing was created), one interaction', async () => {
  const remove = h.emulator.addFault({
    kind: 'http_error',
    route: 'create',
    status: 429,
    retryAfterSeconds: 1,
    count: 2,
    message: 'You do not have enough quota to make this request (too_many_requests).',
  });
  const before429 = h.emulator.counters().statuses['429'] ?? 0;
  try {
    const result = await run({ agent: 'deep-research-preview-04-2026', input: 'Quota-limited research' } as JobRequest);
    await assertCanonical(result);
    assert.equal((h.emulator.counters().statuses['429'] ?? 0) - before429, 2);
  } finally {
    remove();
  }
});
