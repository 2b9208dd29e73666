/**
 * A delivery is answered as handled only once its signal was accepted. `deliver` stands for the
 * Temporal signal here (the documented seam), so each outcome can be held, failed or released:
 * a hung signal answers 503 at the signal deadline; the sender's retry of that id is signalled,
 * not called a duplicate; a retry arriving while the first signal is still in flight waits for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createWebhookHandler } from '../../src/webhooks';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const text = JSON.stringify({
  type: 'interaction.completed',
  data: { id: 'v1_out', status: 'completed', user_metadata: { gemini_jobs_job_id: 'job-out', gemini_jobs_turn: '1' } },
});
let clockSkew = 0;
/** One sender attempt: the same id, a new timestamp (and so a new signature) each time. */
function attempt(id: string): Record<string, string> {
  const at = new Date(Date.now() + clockSkew++ * 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new StandardWebhook(SECRET).sign(id, at, text) };
}

/** A signal whose outcome the test decides. */
function heldSignal() {
  let release!: (v: 'delivered') => void;
  let fail!: (e: Error) => void;
  const p = new Promise<'delivered'>((res, rej) => {
    release = res;
    fail = rej;
  });
  return { p, release: () => release('delivered'), fail: (m: string) => fail(new Error(m)) };
}

test('a signal that never answers: 503 at the signal deadline; the retry of the same id is signalled, not a duplicate', async () => {
  const outcomes: Array<'hang' | 'ok'> = ['hang', 'ok'];
  let calls = 0;
  const deadlines: number[] = [];
  const handler = createWebhookHandler({
    secrets: [SECRET],
    signalTimeoutMs: 300,
    deliver: (_job, _notice, deadline) => {
      calls++;
      deadlines.push(deadline);
      return outcomes.shift() === 'hang' ? new Promise(() => undefined) : Promise.resolve('delivered');
    },
  });
  const first = await handler.process(Buffer.from(text), attempt('msg_hang'));
  assert.equal(first.status, 503);
  const retry = await handler.process(Buffer.from(text), attempt('msg_hang'));
  assert.equal(retry.status, 202, 'the failed attempt was not remembered');
  assert.equal(retry.body.result, 'signalled');
  assert.equal(calls, 2);
  const again = await handler.process(Buffer.from(text), attempt('msg_hang'));
  assert.equal(again.body.result, 'duplicate', 'once signalled, later deliveries are duplicates');
  assert.equal(calls, 2);
  assert.deepEqual(handler.stats.unavailable, 1);
});

test('a retry that arrives while the first signal is in flight waits for it; the first fails, so the retry signals itself', async () => {
  const held = heldSignal();
  const calls: string[] = [];
  const handler = createWebhookHandler({
    secrets: [SECRET],
    deliver: (_job, notice) => {
      calls.push(notice.webhookId);
      return calls.length === 1 ? held.p : Promise.resolve('delivered');
    },
  });
  const first = handler.process(Buffer.from(text), attempt('msg_race'));
  const second = handler.process(Buffer.from(text), attempt('msg_race'));
  let secondAnswered = false;
  void second.then(() => (secondAnswered = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(calls.length, 1, 'the retry does not signal while the first is in flight');
  assert.equal(secondAnswered, false, 'nor is it answered "duplicate" before the first signal is accepted');
  held.fail('UNAVAILABLE: connect ECONNREFUSED');
  assert.equal((await first).status, 503);
  const r = await second;
  assert.equal(r.status, 202);
  assert.equal(calls.length, 2);
});

test('a retry that arrives while the first signal is in flight: the first succeeds, the retry is a duplicate and signals nothing', async () => {
  const held = heldSignal();
  let calls = 0;
  const handler = createWebhookHandler({
    secrets: [SECRET],
    deliver: () => {
      calls++;
      return held.p;
    },
  });
  const first = handler.process(Buffer.from(text), attempt('msg_race2'));
  const second = handler.process(Buffer.from(text), attempt('msg_race2'));
  held.release();
  assert.equal((await first).status, 202);
  const r = await second;
  assert.equal(r.status, 200);
  assert.equal(r.body.result, 'duplicate');
  assert.equal(calls, 1);
});
