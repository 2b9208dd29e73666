/**
 * `cancelInteraction` records what happened, not just that the POST answered 200: the cancel
 * activity in Temporal's MockActivityEnvironment with the real client against the emulator over
 * HTTP. A running run is `cancelled`; a run that completed before the cancel reached it is
 * `already_finished` (with its usage); a cancel route answering 404 is confirmed by the read-back;
 * an interaction that does not exist is `not_found`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, silentLogger, type CancelInteractionResult } from '../../activities';
import { startEmulator, type Emulator } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { FileResultStore } from '../../src/results/result-store';

let emu: Emulator;
let client: InteractionsClient;
let acts: ReturnType<typeof createActivities>;
before(async () => {
  emu = await startEmulator({ timeScale: 600, deepResearchDurationMs: 60_000, modelTurnDurationMs: 50 });
  client = new InteractionsClient({ baseUrl: emu.url, apiKey: 'k', maxRetries: 0 });
  acts = createActivities({ client, resultStore: new FileResultStore('/nonexistent-unused'), log: silentLogger });
});
after(async () => {
  await client.close();
  await emu.close();
});

const cancel = (interactionId: string, confirmTimeoutMs = 5_000) =>
  new MockActivityEnvironment().run(acts.cancelInteraction, { jobId: 'j', interactionId, confirmTimeoutMs }) as Promise<CancelInteractionResult>;

test('a running run: the cancel stops it (cancelled, cancelled)', async () => {
  const run = await client.create({ agent: 'deep-research-preview-04-2026', input: 'to stop', background: true, labels: { 'emulator-scenario': 'zombie' } });
  const r = await cancel(run.id);
  assert.deepEqual(
    { answer: r.cancelAnswer, outcome: r.outcome, status: r.upstreamStatus, confirmed: r.confirmed },
    { answer: 'cancelled', outcome: 'cancelled', status: 'cancelled', confirmed: true },
  );
});

test('a run that completed before the cancel reached it: already_finished, not accepted, with the usage it consumed', async () => {
  const run = await client.create({ model: 'gemini-3-flash-preview', input: 'quick', background: true });
  for (let i = 0; i < 200 && (await client.get(run.id)).status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 25));
  const r = await cancel(run.id);
  assert.equal(r.cancelAnswer, 'already_finished');
  assert.equal(r.outcome, 'already_finished');
  assert.equal(r.upstreamStatus, 'completed');
  assert.ok((r.usage?.total_tokens ?? 0) > 0, 'the usage of the finished run is reported');
});

test('the cancel route answers 404 but the run stops: not_supported, confirmed cancelled by the read-back', async () => {
  const run = await client.create({ agent: 'deep-research-preview-04-2026', input: 'odd cancel', background: true, labels: { 'emulator-scenario': 'zombie' } });
  const remove = emu.addFault({ kind: 'cancel_not_found', interactionId: run.id, stillCancel: true });
  try {
    const r = await cancel(run.id);
    assert.deepEqual({ answer: r.cancelAnswer, outcome: r.outcome }, { answer: 'not_supported', outcome: 'cancelled' });
  } finally {
    remove();
  }
});

test('an interaction that does not exist: not_found', async () => {
  const r = await cancel('v1_doesnotexist0000000000000');
  assert.deepEqual({ answer: r.cancelAnswer, outcome: r.outcome }, { answer: 'not_found', outcome: 'not_found' });
});
