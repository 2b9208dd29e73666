import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InteractionsClient } from '../../src/interactions/client';
import {
  APIConnectionError,
  APITimeoutError,
  AbortError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  RequestValidationError,
} from '../../src/interactions/errors';
import { parseRetryAfterMs, sleep as retrySleep } from '../../src/interactions/retry';
import { validateCreateRequest } from '../../src/interactions/validate';
import type { CreateInteractionRequest } from '../../src/interactions/types';
import { frame, json, sampleEvents, sseHead, startServer } from './helpers';
import { fakeApiKey } from '../helpers/fake-credentials';

const KEY = fakeApiKey('SyTESTKEY_abcdefghijklmnopqrstuvw');
const fastRetry = { initialDelayMs: 5, maxDelayMs: 20 };

describe('operations', () => {
  it('create / get / cancel / delete send the documented method, path and body', async () => {
    const server = await startServer((req, res) => {
      if (req.method === 'DELETE') return json(res, 200, {});
      json(res, 200, { id: 'v1_a', status: 'completed', steps: [] });
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const body = {
      agent: 'deep-research-preview-04-2026',
      input: 'q',
      background: true,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    } satisfies CreateInteractionRequest;
    const created = await client.create(body);
    assert.equal(created.id, 'v1_a');
    await client.get('v1_a', { include_input: true });
    await client.cancel('v1_a');
    await client.delete('v1_a');
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      ['POST /v1/interactions', 'GET /v1/interactions/v1_a?include_input=true', 'POST /v1/interactions/v1_a/cancel', 'DELETE /v1/interactions/v1_a'],
    );
    assert.deepEqual(JSON.parse(server.requests[0]!.body), body);
    assert.equal(server.requests[0]!.headers['content-type'], 'application/json');
    assert.equal(server.requests[2]!.body, '');
    await client.close();
    await server.close();
  });

  it('legacy-vertex-outputs: a fetched resource with `outputs` comes back as steps', async () => {
    const server = await startServer((_req, res) => json(res, 200, { id: 'v1_l', status: 'completed', outputs: [{ type: 'text', text: 'hi' }] }));
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const got = await client.get('v1_l');
    assert.deepEqual(got, { id: 'v1_l', status: 'completed', steps: [{ type: 'model_output', content: [{ type: 'text', text: 'hi' }] }] });
    await server.close();
  });

  it('create with stream: true yields typed events from a POST with Accept: text/event-stream', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.end(sampleEvents('v1_s').map(frame).join(''));
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const stream = client.create({ model: 'gemini-3-flash-preview', input: 'count', stream: true });
    const types: string[] = [];
    for await (const e of stream) types.push(e.event_type);
    assert.equal(types[0], 'interaction.created');
    assert.equal(types.at(-1), 'interaction.completed');
    assert.equal(stream.interactionId, 'v1_s');
    assert.equal(server.requests[0]!.headers.accept, 'text/event-stream');
    assert.equal(JSON.parse(server.requests[0]!.body).stream, true);
    await server.close();
  });

  it('get with stream: true and last_event_id re-attaches with the cursor in the query', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.end(frame({ event_type: 'interaction.status_update', interaction_id: 'v1_g', status: 'completed', event_id: 'e9' }));
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const events = [];
    for await (const e of client.get('v1_g', { stream: true, last_event_id: 'e8' })) events.push(e);
    assert.equal(events.length, 1);
    assert.equal(server.requests[0]!.url, '/v1/interactions/v1_g?stream=true&last_event_id=e8');
    await server.close();
  });

  it('webhooks: create, list, get, update with update_mask, delete, ping, rotate', async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    await client.webhooks.create({ uri: 'https://h/x', subscribed_events: ['interaction.completed'] });
    await client.webhooks.list({ page_size: 10 });
    await client.webhooks.get('w1');
    await client.webhooks.update('w1', { state: 'disabled', uri: 'https://h/y' });
    await client.webhooks.delete('webhooks/w1');
    await client.webhooks.ping('w1');
    await client.webhooks.rotateSigningSecret('w1', { revocation_behavior: 'immediate' });
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url} ${r.body}`),
      [
        'POST /v1/webhooks {"uri":"https://h/x","subscribed_events":["interaction.completed"]}',
        'GET /v1/webhooks?page_size=10 ',
        'GET /v1/webhooks/w1 ',
        'PATCH /v1/webhooks/w1?update_mask=state%2Curi {"state":"disabled","uri":"https://h/y"}',
        'DELETE /v1/webhooks/w1 ',
        'POST /v1/webhooks/w1:ping {}',
        'POST /v1/webhooks/w1:rotateSigningSecret {"revocation_behavior":"immediate"}',
      ],
    );
    await server.close();
  });
});

describe('retry policy', () => {
  it('auth-token-refetched-on-every-retry: 503 then 200 calls the token function twice', async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 0) return json(res, 503, { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } });
      json(res, 200, { id: 'x', status: 'in_progress' });
    });
    let calls = 0;
    const client = new InteractionsClient({
      vertexai: true,
      project: 'p',
      baseUrl: server.url,
      accessToken: async () => `tok-${++calls}-abcdef`,
      retry: fastRetry,
    });
    await client.get('x');
    assert.equal(calls, 2);
    assert.equal(server.requests[0]!.headers.authorization, 'Bearer tok-1-abcdef');
    assert.equal(server.requests[1]!.headers.authorization, 'Bearer tok-2-abcdef');
    await server.close();
  });

  it('retry-after-ms-honoured: the retry is not sent before the server-requested delay', async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 0) return json(res, 429, { error: { code: 429, message: 'slow down', status: 'RESOURCE_EXHAUSTED' } }, { 'retry-after-ms': '300' });
      json(res, 200, { id: 'x', status: 'completed' });
    });
    const waits: Array<{ ms: number; requestsSoFar: number }> = [];
    const sleep = async (ms: number) => {
      waits.push({ ms, requestsSoFar: server.requests.length });
    };
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, retry: fastRetry, sleep });
    await client.get('x');
    assert.deepEqual(waits, [{ ms: 300, requestsSoFar: 1 }], 'one wait of the server-requested 300 ms, between the two requests');
    assert.equal(server.requests.length, 2);
    await server.close();
  });

  it('retry-after is capped by maxRetryAfterMs', async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 0) return json(res, 503, { error: { code: 503, status: 'UNAVAILABLE' } }, { 'retry-after': '3600' });
      json(res, 200, { id: 'x', status: 'completed' });
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, retry: { ...fastRetry, maxRetryAfterMs: 10 } });
    await client.get('x');
    assert.equal(server.requests.length, 2);
    await server.close();
  });

  it('parseRetryAfterMs: ms header, seconds and HTTP date', () => {
    assert.equal(parseRetryAfterMs({ 'retry-after-ms': '250.5' }), 250.5);
    assert.equal(parseRetryAfterMs({ 'retry-after': '2' }), 2000);
    assert.equal(parseRetryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000), 6000);
    assert.equal(parseRetryAfterMs({ 'retry-after': 'soon' }), undefined);
    assert.equal(parseRetryAfterMs({}), undefined);
  });

  it('create-not-retried-on-503: one request, InternalServerError with retryable=true for the caller', async () => {
    const server = await startServer((_req, res) =>
      json(res, 503, { error: { code: 503, message: 'busy', status: 'UNAVAILABLE' } }, { 'x-request-id': 'req-42', 'retry-after': '1' }),
    );
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, retry: fastRetry });
    const err = await client.create({ model: 'gemini-3-flash-preview', input: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof InternalServerError);
    assert.equal(err.code, 'server_error');
    assert.equal(err.status, 503);
    assert.equal(err.googleStatus, 'UNAVAILABLE');
    assert.equal(err.requestId, 'req-42');
    assert.equal(err.retryAfterMs, 1000);
    assert.equal(err.retryable, true);
    assert.match(err.message, /route: gemini 127\.0\.0\.1:\d+/);
    assert.equal(server.requests.length, 1);
    await server.close();
  });

  it('create-retried-when-connect-refused: the request provably never reached a server', async () => {
    // Find a free port, then close it so connects are refused.
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise<void>((r) => tmp.close(() => r()));
    let tokenCalls = 0;
    const client = new InteractionsClient({
      vertexai: true,
      project: 'p',
      baseUrl: `http://127.0.0.1:${port}`,
      accessToken: () => `tok-${++tokenCalls}-xxxxxx`,
      maxRetries: 2,
      retry: fastRetry,
    });
    const err = await client.create({ model: 'm', input: 'x' }).catch((e: unknown) => e);
    assert.ok(err instanceof APIConnectionError);
    assert.equal(err.beforeSend, true);
    assert.equal(tokenCalls, 3, 'three attempts were made');
    assert.match(err.message, /route: vertex 127\.0\.0\.1/);
  });

  it('maxRetries-0: a GET 503 is surfaced after one request', async () => {
    const server = await startServer((_req, res) => json(res, 503, { error: { code: '503', message: 'x' } }));
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
    await assert.rejects(client.get('x'), InternalServerError);
    assert.equal(server.requests.length, 1);
    await server.close();
  });

  it('abort-during-backoff: the signal interrupts the retry sleep', async () => {
    const server = await startServer((_req, res) => json(res, 503, {}, { 'retry-after': '30' }));
    let backingOff!: (ms: number) => void;
    const inBackoff = new Promise<number>((resolve) => (backingOff = resolve));
    // The client's own abortable sleep, told to us when the client enters it.
    let slept: Promise<unknown> = Promise.resolve('never slept');
    const sleep = (ms: number, signal?: AbortSignal) => {
      backingOff(ms);
      const sleeping = retrySleep(ms, signal);
      slept = sleeping.then(
        () => 'slept the whole delay',
        (e: unknown) => e,
      );
      return sleeping;
    };
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, sleep });
    const ac = new AbortController();
    const p = client.get('x', { signal: ac.signal });
    assert.equal(await inBackoff, 30_000, 'backing off for the 30 s Retry-After');
    ac.abort();
    const err = await p.catch((e: unknown) => e);
    assert.ok(err instanceof AbortError);
    assert.ok((await slept) instanceof AbortError, 'the backoff sleep itself was interrupted');
    assert.equal((err as AbortError).code, 'aborted');
    assert.equal(server.requests.length, 1);
    await server.close();
  });

  it('overall-timeout: a server that never answers fails with phase overall', async () => {
    const server = await startServer(() => undefined);
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, timeoutMs: 100, maxRetries: 0 });
    const err = await client.get('x').catch((e: unknown) => e);
    assert.ok(err instanceof APITimeoutError);
    assert.equal(err.phase, 'overall');
    await server.close();
  });

  it('headers-timeout: per-request deadline, retried for GET', async () => {
    const server = await startServer((_req, res, n) => {
      if (n === 1) json(res, 200, { id: 'x', status: 'completed' });
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, headersTimeoutMs: 100, retry: fastRetry });
    const got = await client.get('x');
    assert.equal(got.status, 'completed');
    assert.equal(server.requests.length, 2);
    await server.close();
  });
});

describe('errors', () => {
  it('no-credential-in-messages: an upstream body echoing the API key is redacted', async () => {
    const server = await startServer((_req, res) =>
      json(res, 400, { error: { code: 400, message: `API key ${KEY} not valid. Please pass a valid API key.`, status: 'INVALID_ARGUMENT' } }),
    );
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const err = await client.get('x').catch((e: unknown) => e);
    assert.ok(err instanceof BadRequestError);
    assert.equal(err.code, 'bad_request');
    assert.ok(!err.message.includes(KEY), err.message);
    assert.ok(!JSON.stringify(err.body).includes(KEY));
    assert.match(err.message, /REDACTED/);
    await server.close();
  });

  it('status mapping: 404 NotFoundError carries the interaction id; 429 RateLimitError', async () => {
    const server = await startServer((_req, res, n) => json(res, n === 0 ? 404 : 429, { error: { code: 'NOT_FOUND', message: 'gone' } }, { 'x-goog-request-id': 'g-1' }));
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
    const e1 = await client.get('v1_missing').catch((e: unknown) => e);
    assert.ok(e1 instanceof NotFoundError);
    assert.equal(e1.interactionId, 'v1_missing');
    assert.equal(e1.googleStatus, 'NOT_FOUND');
    assert.equal(e1.requestId, 'g-1');
    assert.equal(e1.retryable, false);
    const e2 = await client.get('y').catch((e: unknown) => e);
    assert.ok(e2 instanceof RateLimitError);
    assert.equal(e2.code, 'rate_limited');
    await server.close();
  });
});

describe('client-side validation (zero requests reach the server)', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let client: InteractionsClient;
  before(async () => {
    server = await startServer((_req, res) => json(res, 200, {}));
    client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
  });
  after(async () => {
    assert.equal(server.requests.length, 0);
    await server.close();
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['model with agent', { model: 'm', agent: 'a', input: 'x' }, 'agent', /not both/],
    [
      'model with agent_config',
      { model: 'm', agent_config: { type: 'deep-research' }, input: 'x' },
      'agent_config',
      /use `generation_config` for model turns, or send `agent` instead of `model`/,
    ],
    ['agent with generation_config', { agent: 'a', generation_config: {}, input: 'x' }, 'generation_config', /use `agent_config`/],
    ['neither model nor agent', { input: 'x' }, 'model', /send `model`/],
    ['missing input', { model: 'm' }, 'input', /continuation_token/],
    ['tools not an array', { model: 'm', input: 'x', tools: { type: 'google_search' } }, 'tools', /must be an array/],
    ['background not boolean', { model: 'm', input: 'x', background: 'yes' }, 'background', /must be a boolean/],
    ['label key uppercase', { model: 'm', input: 'x', labels: { Team: 'a' } }, 'labels.Team', /lowercase \(or international\) letter first/],
    ['label value too long', { model: 'm', input: 'x', labels: { team: 'a'.repeat(64) } }, 'labels.team', /at most 63/],
  ];
  for (const [name, body, field, fix] of bad) {
    it(`rejects ${name}`, async () => {
      const err = await client.create(body as CreateInteractionRequest & { stream?: false }).catch((e: unknown) => e);
      assert.ok(err instanceof RequestValidationError, String(err));
      assert.equal(err.code, 'invalid_request');
      assert.equal(err.field, field);
      assert.match(err.message, fix);
      assert.ok(err.message.includes(field.split('.')[0]!));
    });
  }

  it('accepts labels with international characters (the API allows them)', () => {
    assert.doesNotThrow(() => validateCreateRequest({ model: 'm', input: 'x', labels: { équipe: 'recherche', 部署: '研究', 'team-2': 'ü_1' } }));
    assert.throws(() => validateCreateRequest({ model: 'm', input: 'x', labels: { équipe: 'Recherche' } }), /labels\.équipe/);
  });

  it('accepts continuation without input', () => {
    // Validation passes; the (fake) server answers {}.
    assert.doesNotThrow(() => validateCreateRequest({ model: 'm', previous_interaction_id: 'v1', continuation_token: 't' }));
  });

  it('streaming create validates synchronously', () => {
    assert.throws(() => client.create({ model: 'm', agent: 'a', input: 'x', stream: true } as unknown as CreateInteractionRequest & { stream: true }), RequestValidationError);
  });

  it('rejects last_event_id without stream', async () => {
    const err = await client.get('x', { last_event_id: 'e1' }).catch((e: unknown) => e);
    assert.ok(err instanceof RequestValidationError);
    assert.equal(err.field, 'last_event_id');
    assert.match(err.message, /stream: true/);
  });
});
