/**
 * The follow activity's steps, each on its own, against the emulator over real HTTP on a manual
 * clock (no Temporal server; the budget stop runs in MockActivityEnvironment for its cancel):
 * restoring the state, reading one connection, the quiet probe, the decision after a connection,
 * polling, settling and the budget stop.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { InteractionsClient } from '../../src/interactions/client';
import { afterConnection, followStream, readConnection } from '../../activities/follow/stream';
import { pollUntilSettled } from '../../activities/follow/poll';
import { settle, upstreamError } from '../../activities/follow/settle';
import { stopOverBudget } from '../../activities/follow/budget';
import { restoreState } from '../../activities/follow/state';
import { sleep } from '../../activities/follow/context';
import { fnv1a } from '../../activities/progress';
import type { Interaction } from '../../src/interactions/types';
import type { FollowCheckpoint, FollowInteractionResult } from '../../activities/types';
import { FileResultStore } from '../../src/results/result-store';
import { attempt, createRun, drive, KEY, STEP_OPTIONS, stepRig, type StepRig } from './follow-harness';
import { waitFor } from '../helpers/wait';

let rig: StepRig;
before(async () => {
  rig = await stepRig();
});
after(() => rig.close());

const emitted = (id: string) => rig.emulator.interactions().find((i) => i.id === id)!.events;

test('state: a fresh attempt streams from the start; a checkpoint of this interaction is resumed, one of another is ignored', () => {
  const input = { jobId: 'j', turn: 1, interactionId: 'v1_a', options: STEP_OPTIONS };
  const fresh = restoreState(input, undefined, () => 0);
  assert.deepEqual([fresh.cp.mode, fresh.cp.streamedFromStart, fresh.cp.lastEventId, fresh.resumed, fresh.committed.stepsStarted], ['streaming', true, undefined, false, 0]);
  assert.equal(restoreState({ ...input, options: { ...STEP_OPTIONS, mode: 'poll' } }, undefined, () => 0).cp.mode, 'polling');
  const old: FollowCheckpoint = {
    interactionId: 'v1_a',
    lastEventId: 'evt_9',
    progress: { eventsApplied: 9, outputChars: 5, outputHash: fnv1a('Hello') },
    mode: 'streaming',
    streamedFromStart: true,
    streamFailures: 1,
    at: new Date(5_000).toISOString(),
  };
  const resumed = restoreState(input, old, () => 9_000);
  assert.equal(resumed.resumed, true);
  assert.equal(resumed.resume.lastEventId, 'evt_9');
  assert.equal(resumed.resumedFromMs, 5_000);
  assert.equal(resumed.committed.eventsApplied, 9);
  assert.equal(resumed.committed.stepsStarted, undefined, 'a checkpoint without step counts keeps them unknown');
  assert.equal(restoreState({ ...input, interactionId: 'v1_b' }, old, () => 0).resumed, false);
});

test('read a connection: every event applied once, heartbeats carry only id’d resume points, sent by the age of the oldest change', async () => {
  const id = await createRun(rig, 'Steps: a whole run on one connection');
  const a = attempt(rig, id);
  a.ctx.checkpoints.sendNow();
  const end = await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
  a.ctx.checkpoints.stop();
  assert.deepEqual(end, { kind: 'read-to-end' });
  assert.equal(a.st.committed.eventsApplied, emitted(id));
  const wire = rig.emulator.eventsFor(id);
  const flushMs = a.ctx.settings.flush.flushMs;
  assert.ok(a.beats.length >= 3, `${a.beats.length} heartbeats`);
  for (const beat of a.beats.slice(1)) {
    // The checkpoint is exactly the state after its event: never an event past it counted.
    const at = wire.findIndex((e) => e.event_id === beat.lastEventId);
    assert.ok(at >= 0, `heartbeat names a real event id (${beat.lastEventId})`);
    assert.equal(beat.progress.eventsApplied, at + 1, `progress at ${beat.lastEventId}`);
  }
  for (let i = 1; i < a.beats.length; i++) {
    const gap = Date.parse(a.beats[i]!.at) - Date.parse(a.beats[i - 1]!.at);
    assert.ok(gap <= a.ctx.settings.flush.livenessMs, `beats ${gap} ms apart, within liveness`);
  }
  assert.ok(flushMs < a.ctx.settings.flush.livenessMs);
});

test('quiet probe: a stalled connection is ended and reported stalled; the next one resumes from the checkpoint', async () => {
  const id = await createRun(rig, 'Steps: a stream that stalls', 'stall');
  const a = attempt(rig, id);
  const first = await drive(rig.clock, readConnection(a.ctx, a.st), 5_000);
  assert.equal(first.kind, 'probed');
  assert.equal(first.kind === 'probed' && first.finding.verdict, 'stalled');
  const applied = a.st.resume.live.eventsApplied;
  assert.ok(applied >= 3 && applied < emitted(id), 'the stall left events behind');
  assert.deepEqual(await afterConnection(a.ctx, a.st, first), { kind: 'reconnect' }, 'the probe proved the run ahead: reconnect at once');
  assert.equal(a.st.cp.streamFailures, 1);
  const second = await drive(rig.clock, readConnection(a.ctx, a.st), 5_000);
  assert.deepEqual(second, { kind: 'read-to-end' });
  assert.equal(a.st.committed.eventsApplied, emitted(id), 'nothing lost or applied twice across the two connections');
  assert.equal(a.st.cp.streamFailures, 0, 'progress resets the failure count');
});

test('quiet probe: a run that ended while the stream was silent is settled by the probe’s GET', async () => {
  const id = await createRun(rig, 'Steps: a run that ends unseen', 'stall');
  const a = attempt(rig, id);
  const reading = readConnection(a.ctx, a.st);
  await waitFor(() => a.st.resume.live.eventsApplied > 0, 'the stream delivering its first events');
  // One jump past the run's end: the probe's timer fires on the way, its GET goes out after.
  rig.clock.advance(200_000);
  const end = await drive(rig.clock, reading, 1_000);
  assert.equal(end.kind === 'probed' && end.finding.verdict, 'settled');
  const next = await afterConnection(a.ctx, a.st, end);
  assert.equal(next.kind, 'settled');
  assert.equal(next.kind === 'settled' && next.interaction.status, 'completed');
  assert.equal(a.st.cp.streamedFromStart, false, 'not every event went through the stream');
});

test('after a connection: a cut with a transient error envelope reads the status, backs off on the clock, reconnects', async () => {
  const id = await createRun(rig, 'Steps: a cut stream', 'stream-cut');
  const a = attempt(rig, id);
  const end = await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
  assert.equal(end.kind, 'broken');
  assert.equal(end.kind === 'broken' && (end.err as { code?: string }).code, 'stream_error');
  const gets = rig.emulator.counters().interactions[id]!.gets;
  const next = await drive(rig.clock, afterConnection(a.ctx, a.st, end), 100);
  assert.deepEqual(next, { kind: 'reconnect' });
  assert.equal(rig.emulator.counters().interactions[id]!.gets, gets + 1, 'one GET read the status');
  const outcome = await drive(rig.clock, followStream(a.ctx, a.st), 1_000);
  assert.equal(outcome?.kind, 'settled');
  assert.equal(a.st.committed.eventsApplied, emitted(id));
});

test('after a connection: a final HTTP error of the stream request goes to Temporal, non-retryable', async () => {
  const id = await createRun(rig, 'Steps: a refused stream');
  const remove = rig.emulator.addFault({ kind: 'http_error', route: 'stream', status: 400, interactionId: id, count: 1 });
  try {
    const a = attempt(rig, id);
    const end = await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
    await assert.rejects(afterConnection(a.ctx, a.st, end), (err: unknown) => err instanceof ApplicationFailure && err.type === 'bad_request' && err.nonRetryable);
  } finally {
    remove();
  }
});

test('after a connection: a stream that claims the end while GET says running is not trusted again: polling takes over', async () => {
  const id = await createRun(rig, 'Steps: a stream that lies');
  const a = attempt(rig, id);
  const next = await drive(rig.clock, afterConnection(a.ctx, a.st, { kind: 'read-to-end' }), 100);
  assert.deepEqual(next, { kind: 'poll' });
  assert.equal(a.st.cp.streamFailures, a.ctx.settings.maxStreamFailures);
});

test('after a connection: 404 right after create is waited out on the clock, then final once the grace is over', async () => {
  const id = await createRun(rig, 'Steps: not found yet');
  const remove = rig.emulator.addFault({ kind: 'get_not_found', interactionId: id, requests: 1_000 });
  try {
    const a = attempt(rig, id);
    const end = await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
    assert.equal(end.kind === 'broken' && (end.err as { code?: string }).code, 'not_found');
    assert.deepEqual(await drive(rig.clock, afterConnection(a.ctx, a.st, end), 250), { kind: 'reconnect' });
    assert.ok(a.st.cp.notFoundSince, 'the first sighting is checkpointed');
    rig.clock.advance(STEP_OPTIONS.notFoundGraceMs);
    await assert.rejects(afterConnection(a.ctx, a.st, end), (err: unknown) => err instanceof ApplicationFailure && err.type === 'not_found' && err.nonRetryable);
  } finally {
    remove();
  }
});

/** A server that writes two events and then a final (non-transient) Google error envelope into the stream. */
async function refusingStream(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url?.includes('stream=true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ event_type: 'interaction.created', interaction: { id: 'v1_r', status: 'in_progress' }, event_id: 'e1' })}\n\n`);
      res.end('{"error":{"code":400,"message":"Request blocked by safety filters","status":"FAILED_PRECONDITION"}}\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'v1_r', status: 'in_progress', steps: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('after a connection: a final error written into the stream is the server’s word: GET decides, and polling takes over', async () => {
  const { server, url } = await refusingStream();
  const client = new InteractionsClient({ baseUrl: url, apiKey: KEY, maxRetries: 0 });
  try {
    const a = attempt(rig, 'v1_r', { deps: { client } });
    const end = await drive(rig.clock, readConnection(a.ctx, a.st), 100);
    assert.equal(end.kind === 'broken' && (end.err as { code?: string }).code, 'stream_error');
    assert.deepEqual(await drive(rig.clock, afterConnection(a.ctx, a.st, end), 100), { kind: 'poll' });
  } finally {
    await client.close();
    server.close();
  }
});

test('poll: GETs at growing intervals on the clock until the run settles; progress is kept for readers', async () => {
  const id = await createRun(rig, 'Steps: polled');
  const a = attempt(rig, id, { options: { mode: 'poll' } });
  const gets = () => rig.emulator.counters().interactions[id]!.gets;
  const outcome = await drive(rig.clock, pollUntilSettled(a.ctx, a.st), 1_000);
  assert.equal(outcome.kind, 'settled');
  assert.ok(gets() >= 4 && gets() <= 20, `${gets()} GETs over a 120 s run with 2 → 30 s intervals`);
  assert.equal(a.st.committed.status, 'in_progress', 'the last running status a reader saw');
  assert.ok(a.st.committed.outputChars >= 0);
  assert.equal(a.beats.at(-1)?.mode ?? a.st.cp.mode, 'polling');
});

test('budget: the stream step ends the connection at the event that crosses it; the stop cancels the run and settles budget_exceeded', async () => {
  const id = await createRun(rig, 'Steps: over budget');
  const budget = { limits: { maxTotalTokens: 1 }, spentBefore: { totalTokens: 0, toolCalls: 0, costUsd: 0, wallTimeMs: 0 } };
  const a = attempt(rig, id, { input: { budget } as never });
  const end = await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
  assert.equal(end.kind, 'over-budget');
  assert.equal(a.st.committed.eventsApplied, a.st.resume.live.eventsApplied, 'the events so far count, the crossing one included');
  assert.equal(rig.emulator.interactions().find((i) => i.id === id)!.status, 'in_progress', 'stopped while the run was going');
  assert.ok(end.kind === 'over-budget');
  const exceeded = end.exceeded;
  const result = (await new MockActivityEnvironment().run(() => stopOverBudget(a.ctx, a.st, exceeded))) as FollowInteractionResult;
  assert.equal(result.status, 'budget_exceeded');
  assert.equal(result.error?.code, 'budget_exceeded');
  assert.equal(result.upstreamStatus, 'cancelled');
  assert.equal(rig.emulator.interactions().find((i) => i.id === id)!.status, 'cancelled');
  assert.ok(
    a.beats.some((b) => b.budgetExceeded),
    'the crossing is checkpointed for a retried attempt',
  );
});

test('settle: the report inline when the result fits, else in the store; upstream errors named', async () => {
  const id = await createRun(rig, 'Steps: settled');
  const a = attempt(rig, id);
  await drive(rig.clock, readConnection(a.ctx, a.st), 1_000);
  const final = await rig.client.get(id);
  const inline = await settle(a.ctx, a.st, final, 'completed', 'completed');
  assert.equal(inline.report.store, 'temporal');
  assert.equal(inline.reportText, rig.emulator.canonicalReport(id));
  assert.equal(inline.streamVerified, true);
  assert.equal(inline.report.key, 'run-1/2');
  const dir = await import('node:fs/promises').then((fs) => fs.mkdtemp(`${process.env.TMPDIR ?? '/tmp'}/gj-settle-`));
  const stored = attempt(rig, id, { deps: { resultStore: new FileResultStore(dir), inlineReportMaxBytes: 0 } });
  const out = await settle(stored.ctx, stored.st, final, 'completed', 'completed');
  assert.equal(out.reportText, undefined);
  assert.equal(out.report.store !== 'temporal', true);
  assert.equal(out.streamVerified, false, 'nothing was streamed in that attempt');
  const failed = { id, status: 'failed', errors: [{ code: 'quota', message: 'ran out' }] } as unknown as Interaction;
  assert.deepEqual(upstreamError(failed, 'failed'), { code: 'upstream_failed', message: 'interaction failed (quota): ran out', retryable: false });
  assert.equal(upstreamError({ id, status: 'frobnicated' } as unknown as Interaction, 'frobnicated')?.code, 'unknown_status');
  assert.equal(upstreamError({ id, status: 'requires_action' } as unknown as Interaction, 'requires_action'), undefined);
});

test('cancellation: a sleep on the attempt clock rejects with the CancelledFailure at once', async () => {
  const a = attempt(rig, 'v1_none');
  const waiting = sleep(a.ctx, 60_000);
  a.cancel.abort(new CancelledFailure('CANCELLED'));
  await assert.rejects(waiting, (err: unknown) => err instanceof CancelledFailure);
  assert.equal(rig.clock.pending >= 0, true);
});
