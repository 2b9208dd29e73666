/**
 * The receiver while Temporal is unreachable: a webhook-mode job on the real dev server, the
 * emulator delivering `v1a`-signed webhooks like the live API (a sender that waits 10 s for an
 * answer and retries the same webhook id with backoff, in real time), and a receiver whose only
 * path to Temporal is a TCP proxy that goes dark for 40 s (20 s of a dead path, where calls hang,
 * then 20 s of reset connections). Every attempt meanwhile is answered 503 before the sender gives
 * up on it, nothing is called a duplicate, and once the path is back the retry reaches the job:
 * it ends by its webhook, not by its backstop, with the signal in its history once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createWebhookHandler, type WebhookHandler } from '../../src/webhooks';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { TcpProxy } from '../helpers/tcp-proxy';
import { FAST, jobHarness, type JobHarness } from '../jobs/job-harness';
import { waitFor } from '../helpers/wait';

const OUTAGE_MS = 40_000;
const SENDER_TIMEOUT_MS = 10_000;

let h: JobHarness;
let proxy: TcpProxy;
let connection: Connection;
let handler: WebhookHandler;
let server: Server;
let url: string;
const answers: number[] = [];

before(async () => {
  // The sender's clock is real (realTime): 10 s per attempt, retries after about 5, 10, 20 s…
  h = await jobHarness('outage', { webhooks: { realTime: true, timeoutMs: SENDER_TIMEOUT_MS, retryInitialMs: 5_000, maxAttempts: 12 } });
  proxy = await TcpProxy.start(h.env.address);
  connection = await Connection.connect({ address: proxy.address });
  handler = createWebhookHandler({ client: new Client({ connection }), jwksUrl: `${h.emulator.url}/.well-known/jwks.json` });
  server = createServer((req, res) => {
    res.on('finish', () => answers.push(res.statusCode));
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gemini`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await connection.close();
  await proxy.close();
  await h.close();
  await releaseTestEnv();
});

test('Temporal unreachable for 40 s: the sender gets 503s it waits for, retries the same id, and the job ends by that webhook', async () => {
  const worker = await h.newWorker({ webhookUris: [url] });
  await worker.runUntil(async () => {
    // The receiver loses Temporal before the run settles; the worker and the test keep their own path.
    proxy.set('blackhole');
    const request = { agent: 'deep-research-preview-04-2026', input: 'webhooks while Temporal is away' } as JobRequest;
    const handle = await h.start({ request, options: { ...FAST, mode: 'webhook' } });
    await waitFor(() => answers.length >= 1, 'the first delivery attempt to be answered', 60_000, 100);
    setTimeout(() => proxy.set('reset'), OUTAGE_MS / 2).unref();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = [...answers];
    assert.ok(
      during.every((s) => s === 503),
      `only 503s while Temporal was unreachable (got ${during.join(', ')})`,
    );
    proxy.set('forward');

    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(result.turns[0]!.settledBy, 'webhook', 'ended by the retried webhook, not by the backstop');

    assert.ok(during.length >= 2, `several attempts during the outage (answers ${during.join(', ')})`);
    // An attempt still waiting on its signal when the path came back is cut with it: a 503 too.
    const refused = answers.slice(0, -1);
    assert.ok(
      refused.every((s) => s === 503),
      `every attempt before the last was answered 503 (got ${answers.join(', ')})`,
    );
    assert.equal(answers.at(-1), 202, 'the retry after the outage was signalled');
    assert.equal(handler.stats.duplicates, 0, 'no attempt was called a duplicate');
    assert.ok(proxy.accepted.blackhole >= 1 && proxy.accepted.reset >= 1, `both kinds of outage met (${JSON.stringify(proxy.accepted)})`);

    // The sender saw every answer (503s and the 202), so none outlasted its 10 s timeout.
    await waitFor(() => h.emulator.webhookCounters().delivered === 1, 'the sender to count the 202');
    const sender = h.emulator.webhookCounters();
    assert.equal(sender.statuses['503'], refused.length);
    assert.equal(sender.statuses['202'], 1);
    assert.equal(sender.attempts, sender.delivered + sender.failedAttempts, 'each attempt ended with an answer');
    assert.equal(sender.failedAttempts, refused.length, 'no attempt timed out on the sender side');

    const signals = (await handle.fetchHistory()).events!.filter((e) => e.workflowExecutionSignaledEventAttributes);
    assert.equal(signals.length, 1, 'the delivery reached the job once');
  });
});
