/**
 * Completion callbacks on the real Temporal dev server and the emulator: a receiver verifies each
 * delivery with the `standardwebhooks` library; a receiver that answers 503 for a while still gets
 * every message (each id retried until acknowledged); the signing secret is in no history.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { releaseTestEnv } from '../helpers/temporal';
import { JobsClient } from '../../src/jobs/jobs-client';
import { callbackProblem, callbackWorkflowId, type CallbackPayload } from '../../src/contract/callback';
import type { JobRequest } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from './job-harness';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** Retries in milliseconds instead of 5 s doubling: the policy in history stays the production one. */
const QUICK = { secret: SECRET, retryInitialMs: 50, retryMaxMs: 200 };
const MODEL: JobRequest = { model: 'gemini-3-flash-preview', input: 'Count from 1 to 5.' } as JobRequest;

interface Received {
  id: string;
  answered: number;
  verified: boolean;
  payload: CallbackPayload;
}

/** A receiver over real HTTP that verifies every request and answers `answer(n)` to the n-th (0-based). */
async function receiver(answer: (n: number) => number): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const wh = new Webhook(SECRET);
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      let payload: CallbackPayload;
      try {
        payload = wh.verify(body, req.headers as Record<string, string>) as CallbackPayload;
        verified = true;
      } catch {
        payload = JSON.parse(body) as CallbackPayload;
      }
      const status = verified ? answer(got.length) : 401;
      got.push({ id: String(req.headers['webhook-id']), answered: status, verified, payload });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, got, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let h: JobHarness;
before(async () => {
  h = await jobHarness('callbacks');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

test('callback URL validation names the field and the fix', () => {
  assert.equal(callbackProblem({ url: 'ftp://example.com/x' })?.field, 'options.callback.url');
  assert.match(callbackProblem({ url: 'ftp://example.com/x' })!.problem, /http or https/);
  assert.equal(callbackProblem({ url: 'https://user:pw@example.com/' })?.field, 'options.callback.url');
  assert.equal(callbackProblem({ url: 'https://example.com/', events: ['done'] })?.field, 'options.callback.events');
  assert.equal(callbackProblem({ url: 'https://example.com/', extra: 1 })?.field, 'options.callback.extra');
  assert.equal(callbackProblem({ url: 'https://example.com/hook', events: ['settled', 'failed'] }), undefined);
  assert.throws(() => JobsClient.validateStart(MODEL, { options: { callback: { url: 'file:///etc/passwd' } } }), /options\.callback\.url: must be http or https/);
});

test('a settled callback, signed and verified by the standardwebhooks library, carries job id, status, interaction id and usage', async () => {
  const rx = await receiver(() => 200);
  const worker = await h.newWorker({ callbacks: QUICK });
  try {
    await worker.runUntil(async () => {
      const handle = await h.start({ request: MODEL, options: { ...FAST, callback: { url: rx.url } } });
      const result = await handle.result();
      assert.equal(result.status, 'completed');
      const [msg] = await waitFor(() => (rx.got.length > 0 ? rx.got : undefined), 'the callback');
      assert.equal(msg!.verified, true);
      assert.equal(msg!.id, `msg_${handle.workflowId}_1_settled`);
      assert.equal(msg!.payload.type, 'job.settled');
      assert.equal(msg!.payload.data.job_id, handle.workflowId);
      assert.equal(msg!.payload.data.status, 'completed');
      assert.equal(msg!.payload.data.interaction_id, result.interactionId);
      assert.ok(msg!.payload.data.usage?.total_tokens);
      // The job's state shows the delivery: one attempt, answered 200.
      const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
      const cb = await waitFor(async () => {
        const c = (await jobs.state(handle.workflowId)).turns[0]?.callbacks?.[0];
        return c?.state === 'delivered' ? c : undefined;
      }, 'the delivery in the state');
      assert.deepEqual({ event: cb.event, attempts: cb.attempts, lastAnswer: cb.lastAnswer }, { event: 'settled', attempts: 1, lastAnswer: 'HTTP 200' });
      // The secret is in no history: not the job's, not the delivery's.
      const histories = [await handle.fetchHistory(), await h.env.client.workflow.getHandle(callbackWorkflowId(handle.workflowId, 1, 'settled')).fetchHistory()];
      const secretBytes = SECRET.slice('whsec_'.length);
      for (const history of histories) {
        const text = JSON.stringify(history);
        assert.ok(!text.includes(secretBytes), 'the secret is not in history');
        assert.ok(!text.includes(Buffer.from(secretBytes).toString('base64')), 'nor base64-encoded (payload data)');
      }
    });
  } finally {
    await rx.close();
  }
});

test('a receiver that answers 503 for a while, then 200, gets every callback: each id retried until acknowledged', async () => {
  const FAILING = 7;
  const rx = await receiver((n) => (n < FAILING ? 503 : 200));
  const worker = await h.newWorker({ callbacks: QUICK });
  try {
    await worker.runUntil(async () => {
      const handles = await Promise.all([1, 2, 3].map(() => h.start({ request: MODEL, options: { ...FAST, callback: { url: rx.url, events: ['settled', 'failed'] } } })));
      // The jobs close on their own; delivery does not hold them.
      for (const handle of handles) assert.equal((await handle.result()).status, 'completed');
      const ids = handles.map((hd) => `msg_${hd.workflowId}_1_settled`);
      await waitFor(() => ids.every((id) => rx.got.some((g) => g.id === id && g.answered === 200)) || undefined, 'every callback acknowledged', 60_000);
      assert.ok(rx.got.filter((g) => g.answered === 503).length === FAILING, 'the receiver was down first');
      // Nothing but these three ids (a completed turn sends no `failed`), all verified.
      assert.deepEqual([...new Set(rx.got.map((g) => g.id))].sort(), [...ids].sort());
      assert.ok(rx.got.every((g) => g.verified));
      // Each id acknowledged once: retries stop at the first 2xx.
      for (const id of ids) assert.equal(rx.got.filter((g) => g.id === id && g.answered === 200).length, 1);
    });
  } finally {
    await rx.close();
  }
});

test('a receiver that refuses with 410 is not retried; the state shows the answer', async () => {
  const rx = await receiver(() => 410);
  const worker = await h.newWorker({ callbacks: QUICK });
  try {
    await worker.runUntil(async () => {
      const handle = await h.start({ request: MODEL, options: { ...FAST, callback: { url: rx.url } } });
      await handle.result();
      const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
      const cb = await waitFor(async () => {
        const c = (await jobs.state(handle.workflowId)).turns[0]?.callbacks?.[0];
        return c?.state === 'failed' ? c : undefined;
      }, 'the refused delivery');
      assert.equal(cb.attempts, 1);
      assert.match(cb.lastAnswer ?? '', /HTTP 410/);
      assert.equal(rx.got.length, 1);
    });
  } finally {
    await rx.close();
  }
});
