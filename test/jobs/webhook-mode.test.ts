/**
 * `webhook` mode end to end over real HTTP: the emulator delivers signed webhooks (JWT checked
 * against its JWKS, fetched over HTTP) to a receiver built with createWebhookHandler, which
 * signals the job on the real Temporal dev server. Covers a delivered webhook, a lost one (the
 * worker's backstop sweeper finds the end), duplicated and retried deliveries, and a duplicate of
 * the create window (a create whose answer was lost, retried: whichever run settles first is kept,
 * the other cancelled).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { releaseTestEnv } from '../helpers/temporal';
import { createWebhookHandler, type WebhookHandler } from '../../src/webhooks';
import type { EmulatorOptions } from '../../src/emulator';
import type { JobRequest, JobResult } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from './job-harness';
import { JobClosedError, JobsClient } from '../../src/jobs/jobs-client';

interface Setup {
  h: JobHarness;
  server: Server;
  url: string;
  handler: WebhookHandler;
}

async function setup(name: string, emulator: EmulatorOptions): Promise<Setup> {
  const h = await jobHarness(name, emulator);
  const handler = createWebhookHandler({ client: h.env.client, jwksUrl: `${h.emulator.url}/.well-known/jwks.json` });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gemini`;
  return { h, server, url, handler };
}

async function teardown(s: Setup | undefined): Promise<void> {
  if (!s) return;
  await new Promise<void>((resolve) => s.server.close(() => resolve()));
  await s.h.close();
}

const research = (input: string): JobRequest =>
  ({ agent: 'deep-research-preview-04-2026', input, agent_config: { type: 'deep-research', thinking_summaries: 'auto' } }) as JobRequest;
const WEBHOOK = { ...FAST, mode: 'webhook' as const };

let plain: Setup;
before(async () => {
  plain = await setup('webhook', { webhooks: { duplicateProbability: 1, failProbability: 0.3, retryInitialMs: 100 } });
});
after(async () => {
  await teardown(plain);
  await releaseTestEnv();
});

async function assertCompleted(s: Setup, result: JobResult): Promise<void> {
  assert.equal(result.status, 'completed');
  const body = await s.h.store.get(result.report!);
  assert.equal(body?.toString('utf8'), s.h.emulator.canonicalReport(result.interactionId!));
}

test('webhook mode: the job ends on the webhook, holds no stream, and duplicates signal once', async () => {
  const worker = await plain.h.newWorker({ webhookUris: [plain.url] });
  await worker.runUntil(async () => {
    const handle = await plain.h.start({ request: research('webhook mode: heat pumps'), options: WEBHOOK });
    const result = await handle.result();
    await assertCompleted(plain, result);
    assert.equal(result.turns[0]!.settledBy, 'webhook');
    const info = plain.h.emulator.interactions().find((i) => i.id === result.interactionId)!;
    const config = info.request['webhook_config'] as { uris: string[]; user_metadata: Record<string, string> };
    assert.deepEqual(config.uris, [plain.url]);
    assert.deepEqual(config.user_metadata, { gemini_jobs_job_id: handle.workflowId, gemini_jobs_turn: '1' });
    const perInteraction = plain.h.emulator.counters().interactions[result.interactionId!]!;
    assert.equal(perInteraction.streams, 0, 'no stream was opened');
    assert.ok(perInteraction.gets <= 2, `one GET collects the run (got ${perInteraction.gets})`);
    // Every delivery was duplicated: the receiver signalled once per webhook id.
    const signals = (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    assert.equal(signals, 1, 'one signal for a delivery sent twice (and retried after failed attempts)');
    await waitFor(() => plain.handler.stats.duplicates >= 1, 'the duplicate delivery (a second later) is recognised');
    const after = (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    assert.equal(after, 1, 'the duplicate signalled nothing');
  });
});

test('webhook mode: the deadline counts from the create: a run whose create waited ends on its webhook, not cut short', async () => {
  // Runs last 3 s; the create waits 2 s before the run begins; the deadline is 4 s.
  const remove = plain.h.emulator.addFault({ kind: 'delay', route: 'create', delayMs: 200_000, count: 1 });
  try {
    const worker = await plain.h.newWorker({ webhookUris: [plain.url] });
    await worker.runUntil(async () => {
      const handle = await plain.h.start({ request: research('webhook mode: slow create'), options: { ...WEBHOOK, deadlineMs: 4_000 } });
      const result = await handle.result();
      await assertCompleted(plain, result);
      assert.equal(result.turns[0]!.settledBy, 'webhook');
    });
  } finally {
    remove();
  }
});

test("webhook mode: a lost webhook only delays the job: the worker's backstop sweeper finds the end", async () => {
  const lost = await setup('webhook-lost', { webhooks: { dropProbability: 1 } });
  try {
    const worker = await lost.h.newWorker({ webhookUris: [lost.url], webhookSweepMs: 1_000 });
    await worker.runUntil(async () => {
      const handle = await lost.h.start({ request: research('webhook mode: lost webhook'), options: WEBHOOK });
      const result = await handle.result();
      await assertCompleted(lost, result);
      assert.equal(result.turns[0]!.settledBy, 'backstop');
      assert.equal(lost.handler.stats.received, 0, 'no delivery reached the receiver');
      assert.ok(lost.h.emulator.webhookCounters().dropped >= 1);
    });
  } finally {
    await teardown(lost);
  }
});

test('webhook mode: delivery attempts lost on the way are retried by the sender and end the job, not the backstop', async () => {
  // The API retries a failed delivery with backoff for up to a day: a lost attempt delays the
  // job by the sender's retry interval (real time here), never by the backstop schedule.
  const retried = await setup('webhook-retried', { webhooks: { realTime: true, loseFirstAttempts: 2, retryInitialMs: 200 } });
  try {
    const worker = await retried.h.newWorker({ webhookUris: [retried.url] });
    await worker.runUntil(async () => {
      const handle = await retried.h.start({ request: research('webhook mode: retried delivery'), options: WEBHOOK });
      const result = await handle.result();
      await assertCompleted(retried, result);
      assert.equal(result.turns[0]!.settledBy, 'webhook');
      const counters = retried.h.emulator.webhookCounters();
      assert.equal(counters.lostAttempts, 2, 'the first two attempts never reached the receiver');
      assert.equal(counters.delivered, 1, 'the third attempt was delivered');
      assert.equal(retried.handler.stats.received, 1, 'the receiver saw only the attempt that arrived');
    });
  } finally {
    await teardown(retried);
  }
});

test('webhook mode: a forged JWT, a stale timestamp and missing headers get 401', async () => {
  const body = JSON.stringify({ type: 'interaction.completed', data: { id: 'v1_x', status: 'completed', user_metadata: { gemini_jobs_job_id: 'nope', gemini_jobs_turn: '1' } } });
  const now = Math.floor(Date.now() / 1000);
  const post = (headers: Record<string, string>) => fetch(plain.url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const forged = await post({ 'webhook-id': 'msg_forged', 'webhook-timestamp': String(now), 'webhook-signature': 'eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJtc2dfZm9yZ2VkIn0.c2lnbmF0dXJl' });
  assert.equal(forged.status, 401);
  const stale = await post({ 'webhook-id': 'msg_stale', 'webhook-timestamp': String(now - 3600), 'webhook-signature': 'v1,AAAA' });
  assert.equal(stale.status, 401);
  const missing = await post({});
  assert.equal(missing.status, 401);
});

test('webhook mode duplicate create: the run that settles first is kept and the other, still running, is cancelled', async () => {
  // The first create is accepted by the server but answered 503: Temporal retries the create and
  // a second interaction starts. The first, a little ahead, settles first: its webhook names this
  // job and turn, so the job keeps it and cancels the second before it ends.
  const dup = await setup('webhook-duplicate', {});
  try {
    const remove = dup.h.emulator.addFault({ kind: 'http_error', route: 'create', status: 503, afterCreate: true, count: 1 });
    const worker = await dup.h.newWorker({ webhookUris: [dup.url] });
    await worker.runUntil(async () => {
      const handle = await dup.h.start({ request: research('webhook mode: duplicate'), options: WEBHOOK });
      const result = await handle.result();
      remove();
      await assertCompleted(dup, result);
      const created = dup.h.emulator.interactions().filter((i) => i.request['input'] === 'webhook mode: duplicate');
      assert.equal(created.length, 2, 'the lost create answer led to a second interaction');
      const [first, second] = created;
      const turn = result.turns[0]!;
      assert.equal(turn.createAmbiguous, true);
      assert.equal(result.interactionId, first!.id, 'the interaction that settled first is the turn');
      const outcomes = Object.fromEntries((turn.duplicateCreates ?? []).map((d) => [d.interactionId, d.outcome]));
      assert.deepEqual(outcomes, { [first!.id]: 'kept', [second!.id]: 'cancelled' });
      assert.ok(dup.h.emulator.counters().interactions[second!.id]!.cancels >= 1);
      assert.equal(dup.h.emulator.interactions().find((i) => i.id === second!.id)?.status, 'cancelled', 'stopped before it finished');
    });
  } finally {
    await teardown(dup);
  }
});

test('webhook mode: live progress on demand: refreshProgress runs one GET and returns it; a closed job has none', async () => {
  const jobs = new JobsClient({ client: plain.h.env.client, taskQueue: plain.h.taskQueue, resultStore: plain.h.store });
  const worker = await plain.h.newWorker({ webhookUris: [plain.url] });
  await worker.runUntil(async () => {
    const { jobId } = await jobs.start(research('webhook mode: progress on demand'), { options: WEBHOOK });
    const state = await waitFor(() => jobs.refreshProgress(jobId).catch(() => undefined), 'the turn waits for its webhook and answers refreshProgress');
    assert.equal(state.status, 'running');
    assert.ok(state.progress && state.progress.outputChars >= 0);
    assert.ok(state.upstreamStatus, 'the status read by the GET');
    const done = await jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
    assert.equal(done.status, 'completed');
    await assert.rejects(jobs.refreshProgress(jobId), JobClosedError, 'a closed job has no live progress to refresh');
  });
});
