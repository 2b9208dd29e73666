/**
 * Every connection of `serve` and of the webhook receiver is bounded in time and in number, tested
 * over raw sockets: a client without a token is answered and closed without its body being read
 * (with or without `Expect: 100-continue`); header, request, idle and keep-alive timeouts fire at
 * their configured time, not at Node's next 30 s check; unauthenticated connections are capped
 * (the oldest make room) while token holders keep being served; malformed targets answer 400 and
 * log nothing alarming; on loopback only loopback `Host` names are answered.
 *
 * Timeouts are checked against their configured values: never before, and well before the next
 * 30 s check Node would otherwise make (the bound allows 5× the timeout for a loaded machine).
 * No request here reaches Temporal (the jobs client connects lazily and is never called).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { JobsClient } from '../../src/jobs/jobs-client';
import { generateToken } from '../../src/serve/auth';
import { resolveAllowedHosts } from '../../src/serve/request-target';
import { startJobsServer } from '../../src/serve/server';
import type { JobsServer } from '../../src/serve/server';
import type { Route } from '../../src/serve/routes';
import { createWebhookHandler, startWebhookServer } from '../../src/webhooks';
import type { WebhookServer } from '../../src/webhooks';
import type { ConnectionLimits } from '../../src/common/bounded-http';
import { waitFor } from '../helpers/wait';
import { dribble, rawConnect, sleep } from './raw-http';

const token = generateToken();
const jobs = new JobsClient({ taskQueue: 'connections-test' });
const logs: Array<Record<string, unknown>> = [];

/** Test-only routes: one that never answers, one that reads its body. */
const testRoutes: Route[] = [
  { method: 'GET', path: '/test/hang', handle: () => new Promise<void>(() => undefined) },
  {
    method: 'POST',
    path: '/test/echo',
    async handle(ctx) {
      const body = await ctx.body();
      ctx.res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
  },
];

const servers: Array<{ close(): Promise<void> }> = [];
async function serve(limits: Partial<ConnectionLimits>, extra: { allowedHosts?: string[] } = {}): Promise<JobsServer> {
  const s = await startJobsServer({ jobs, tokens: [token], port: 0, routes: testRoutes, log: (e) => logs.push(e), limits, ...extra });
  servers.push(s);
  return s;
}

let timeouts: JobsServer;
/** Timeouts that would not fire during a test, for the cases that must be closed by something else. */
const PATIENT = { headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000, keepAliveTimeoutMs: 60_000 };
const TIMEOUTS = { headersTimeoutMs: 600, requestTimeoutMs: 1_200, idleTimeoutMs: 1_500, keepAliveTimeoutMs: 400 };
const BOUND = 5;

before(async () => {
  timeouts = await serve(TIMEOUTS);
});
after(async () => {
  for (const s of servers) await s.close();
  await jobs.close();
});

const auth = `Authorization: Bearer ${token}\r\n`;
const host = (s: { url: string }) => `Host: ${new URL(s.url).host}\r\n`;

test('without a token: 401 at once, the connection closed and the dribbled body never read', async () => {
  const s = await serve({ ...PATIENT, lingerMs: 100 });
  const client = await rawConnect(s.url);
  client.write(`POST /v1/jobs HTTP/1.1\r\n${host(s)}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
  dribble(client, 50, 100_000);
  // Only the unread-body rule can close it: every timeout of this server is a minute.
  await client.closed;
  assert.equal(client.status(), 401);
  assert.match(client.received(), /\r\nconnection: close\r\n/i);
  assert.ok(client.written() < 100_000, 'closed long before the body was sent');
  assert.ok(s.connections().closedUnread >= 1);

  // Expect: 100-continue: refused before the body is even asked for.
  const polite = await rawConnect(s.url);
  polite.write(`POST /v1/jobs HTTP/1.1\r\n${host(s)}Content-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n`);
  await polite.closed;
  assert.equal(polite.status(), 401);
  assert.doesNotMatch(polite.received(), /100 Continue/);

  // With a token the body is asked for and read.
  const allowed = await rawConnect(s.url);
  allowed.write(`POST /test/echo HTTP/1.1\r\n${host(s)}${auth}Content-Type: application/json\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n`);
  await waitFor(async () => /100 Continue/.test(allowed.received()), '100 Continue for a request with a token');
  allowed.write('{"a":"b"}');
  await waitFor(async () => allowed.received().includes('{"a":"b"}'), 'the echoed body');
  allowed.destroy();
});

test('timeouts fire when configured: headers, whole request, idle while handled, keep-alive', async () => {
  const s = timeouts;
  const within = (elapsed: number, limit: number, what: string) => {
    assert.ok(elapsed >= limit - 50, `${what}: closed after ${elapsed.toFixed(0)} ms, before its ${limit} ms`);
    assert.ok(elapsed < limit * BOUND, `${what}: closed after ${elapsed.toFixed(0)} ms, long after its ${limit} ms`);
  };
  const silent = await rawConnect(s.url);
  const slowHeaders = await rawConnect(s.url);
  slowHeaders.write(`GET /v1/openapi.json HTTP/1.1\r\n${host(s)}`);
  dribble(slowHeaders, 100, 1_000, 'X-Slow: 1\r\n');
  const slowBody = await rawConnect(s.url);
  slowBody.write(`POST /test/echo HTTP/1.1\r\n${host(s)}${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
  dribble(slowBody, 100, 100_000, ' ');
  const idle = await rawConnect(s.url);
  idle.write(`GET /test/hang HTTP/1.1\r\n${host(s)}${auth}\r\n`);
  const kept = await rawConnect(s.url);
  kept.write(`GET /v1/openapi.json HTTP/1.1\r\n${host(s)}${auth}\r\n`);
  await waitFor(async () => kept.status() === 200 && kept.received().includes('"openapi"') && kept.received().trimEnd().endsWith('}'), 'the document');
  const answeredAt = performance.now();

  const [silentMs, headersMs, bodyMs, idleMs] = await Promise.all([silent.closed, slowHeaders.closed, slowBody.closed, idle.closed]);
  within(silentMs, TIMEOUTS.headersTimeoutMs, 'no request at all');
  within(headersMs, TIMEOUTS.headersTimeoutMs, 'headers sent slowly');
  within(bodyMs, TIMEOUTS.requestTimeoutMs, 'a body sent slowly');
  within(idleMs, TIMEOUTS.idleTimeoutMs, 'a request nobody answers');
  for (const c of [silent, slowHeaders, slowBody]) assert.equal(c.status(), 408);
  await kept.closed;
  // Node keeps a kept-alive socket 1 s longer than keepAliveTimeout (to avoid a race with clients).
  within(performance.now() - answeredAt, TIMEOUTS.keepAliveTimeoutMs, 'an idle kept-alive connection');
});

test('unauthenticated connections are capped: the oldest make room, token holders stay and are served', async () => {
  const s = await serve({ ...PATIENT, maxConnections: 400, maxUnauthenticatedConnections: 40 });
  // A token holder's kept-alive connection.
  const holder = await rawConnect(s.url);
  holder.write(`GET /v1/openapi.json HTTP/1.1\r\n${host(s)}${auth}\r\n`);
  await waitFor(async () => holder.status() === 200, 'the holder served');

  // 300 slowloris clients without a token, each dribbling header lines.
  const loris = await Promise.all(Array.from({ length: 300 }, () => rawConnect(s.url)));
  for (const c of loris) {
    c.write(`GET /v1/jobs HTTP/1.1\r\n${host(s)}`);
    dribble(c, 200, 10_000, 'X-Slow: 1\r\n');
  }
  await waitFor(async () => s.connections().evicted >= 260, 'the oldest unauthenticated connections evicted');
  assert.ok(s.connections().unauthenticated <= 40);
  // New token holders are served during the flood, and the old one was never evicted.
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${s.url}/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
  const before = holder.received().length;
  assert.ok(holder.write(`GET /v1/openapi.json HTTP/1.1\r\n${host(s)}${auth}\r\n`), 'the holder is still connected');
  await waitFor(async () => holder.received().length > before + 1000, 'the holder served again');
  for (const c of [...loris, holder]) c.destroy();
  await waitFor(async () => s.connections().unauthenticated === 0, 'the unauthenticated connections gone');
});

test('malformed request targets answer 400 invalid_target and log no warning; absolute URLs are served', async () => {
  const s = timeouts;
  const first = logs.length;
  for (const target of ['http://[/v1/jobs', '//[::1/x', '*', '/v1/jobs#frag', 'v1/jobs']) {
    const c = await rawConnect(s.url);
    c.write(`GET ${target} HTTP/1.1\r\n${host(s)}\r\n`);
    await c.closed;
    assert.equal(c.status(), 400, target);
    // Node's parser itself refuses a target that starts with neither "/" nor a scheme.
    if (target !== 'v1/jobs') assert.match(c.received(), /"code":"invalid_target"/, target);
  }
  assert.deepEqual(
    logs.slice(first).filter((e) => e.level !== 'info'),
    [],
  );
  const absolute = await rawConnect(s.url);
  absolute.write(`GET ${s.url}/v1/openapi.json HTTP/1.1\r\n${host(s)}${auth}Connection: close\r\n\r\n`);
  await absolute.closed;
  assert.equal(absolute.status(), 200);
});

test('on loopback only loopback Host names (and configured ones) are answered: DNS rebinding gets 403', async () => {
  const s = await serve(PATIENT, { allowedHosts: ['jobs.example.com', '.example.org'] });
  const port = new URL(s.url).port;
  const ask = async (hostHeader: string) => {
    const c = await rawConnect(s.url);
    c.write(`GET /v1/openapi.json HTTP/1.1\r\nHost: ${hostHeader}\r\n${auth}Connection: close\r\n\r\n`);
    await c.closed;
    return { status: c.status(), body: c.received() };
  };
  for (const ok of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'app.localhost', 'jobs.example.com', 'example.org:443', 'a.b.example.org']) {
    assert.equal((await ask(ok)).status, 200, ok);
  }
  for (const bad of [`evil.example:${port}`, 'jobs.example.com.evil.net', 'localhost.evil.net', 'example.com', '[::2]']) {
    const answer = await ask(bad);
    assert.equal(answer.status, 403, bad);
    assert.match(answer.body, /"code":"host_not_allowed"/);
  }
  // The dashboard page too (a rebinding page could otherwise frame and script it).
  const page = await rawConnect(s.url);
  page.write('GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
  await page.closed;
  assert.equal(page.status(), 403);
  assert.deepEqual(resolveAllowedHosts(false, undefined), 'any', 'on a public address (token required) any Host is answered by default');
  assert.deepEqual(resolveAllowedHosts(true, ['*']), 'any');
});

test('the webhook receiver has the same bounds: timeouts, the cap, unread bodies closed, other paths 404', async () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const delivered: string[] = [];
  const handler = createWebhookHandler({ secrets: [secret], deliver: async (jobId) => (delivered.push(jobId), 'delivered') });
  const receiver: WebhookServer = await startWebhookServer({
    handler,
    port: 0,
    limits: { ...TIMEOUTS, maxConnections: 200, maxUnauthenticatedConnections: 20 },
  });
  servers.push(receiver);
  const target = new URL(receiver.url);
  const h = `Host: ${target.host}\r\n`;
  try {
    const slowHeaders = await rawConnect(receiver.url);
    slowHeaders.write(`POST ${target.pathname} HTTP/1.1\r\n${h}`);
    dribble(slowHeaders, 100, 1_000, 'X-Slow: 1\r\n');
    const slowBody = await rawConnect(receiver.url);
    slowBody.write(`POST ${target.pathname} HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`);
    dribble(slowBody, 100, 100_000, ' ');
    const elsewhere = await rawConnect(receiver.url);
    elsewhere.write(`POST /other HTTP/1.1\r\n${h}Content-Length: 100000\r\n\r\n`);
    dribble(elsewhere, 50, 100_000, ' ');
    const [headersMs, bodyMs] = await Promise.all([slowHeaders.closed, slowBody.closed, elsewhere.closed]);
    assert.ok(headersMs >= TIMEOUTS.headersTimeoutMs - 50 && headersMs < TIMEOUTS.headersTimeoutMs * BOUND, `slow headers closed after ${headersMs} ms`);
    assert.ok(bodyMs >= TIMEOUTS.requestTimeoutMs - 50 && bodyMs < TIMEOUTS.requestTimeoutMs * BOUND, `slow body closed after ${bodyMs} ms`);
    assert.equal(elsewhere.status(), 404);
    assert.ok(elsewhere.written() < 100_000);

    // A verified delivery still gets through while 100 idle strangers hold connections.
    const strangers = await Promise.all(Array.from({ length: 100 }, () => rawConnect(receiver.url)));
    await waitFor(async () => receiver.connections().evicted >= 80, 'strangers evicted');
    const text = JSON.stringify({
      type: 'interaction.completed',
      timestamp: new Date().toISOString(),
      data: { id: 'v1_bounded', status: 'completed', user_metadata: { gemini_jobs_job_id: 'job-bounded', gemini_jobs_turn: '1' } },
    });
    const at = new Date();
    const res = await fetch(receiver.url, {
      method: 'POST',
      body: text,
      headers: {
        'webhook-id': 'msg_bounded',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(secret).sign('msg_bounded', at, text),
        'content-type': 'application/json',
      },
    });
    assert.equal(res.status, 202);
    assert.deepEqual(delivered, ['job-bounded']);
    for (const c of strangers) c.destroy();
  } finally {
    await receiver.close();
  }
  await sleep(0);
});
