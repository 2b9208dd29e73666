/**
 * Access control and input limits of `gemini-jobs serve`, over real sockets: no token, wrong
 * tokens, oversized, chunked and malformed bodies, validation before enqueue, the bind rule, and
 * a bounded loopback flood that leaves a running job untouched. No token ever appears in a
 * response or in the server's log.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { releaseTestEnv } from '../helpers/temporal';
import { fakeApiKey } from '../helpers/fake-credentials';
import { TokenVerifier, generateToken, parseTokens } from '../../src/serve/auth';
import { resolveServeTokens, startJobsServer } from '../../src/serve/server';
import { DR_AGENT, FAST, serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';

let h: ServeHarness;
before(async () => {
  h = await serveHarness('sec', {}, { scenarios: { long: { deepResearchDurationMs: 60 * 60_000 }, medium: { deepResearchDurationMs: 15 * 60_000 } } });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (question: string) => ({ agent: DR_AGENT, input: question, agent_config: { type: 'deep-research', thinking_summaries: 'auto' } });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; field?: string } }).error;

/** Every API route with its parameters filled in. */
function apiRoutes(): Array<{ method: string; path: string }> {
  return h.server.handler.routes.filter((r) => r.auth !== 'self').map((r) => ({ method: r.method, path: r.path.replace(':jobId', 'job_x') }));
}

test('without a token every API route (and any unknown path) answers 401 unauthorized, before reading the body', async () => {
  const paths = [...apiRoutes(), { method: 'GET', path: '/v1/nope' }, { method: 'DELETE', path: '/v1/jobs' }];
  assert.ok(paths.length >= 11);
  for (const { method, path } of paths) {
    const res = await h.call(path, {
      method,
      auth: false,
      ...(method === 'POST' ? { body: JSON.stringify({ request: research('unauth') }), headers: { 'content-type': 'application/json' } } : {}),
    });
    assert.equal(res.status, 401, `${method} ${path}`);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await errorOf(res)).code, 'unauthorized');
  }
  assert.equal(h.emulator.interactions().filter((i) => i.request['input'] === 'unauth').length, 0);
  // The dashboard's static files hold no data and need no token; the page then asks for one.
  const page = await h.call('/', { auth: false });
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
});

test('wrong tokens are refused: another token, a prefix, a longer one, Basic auth, an empty bearer', async () => {
  const wrong = [
    `Bearer ${generateToken()}`,
    `Bearer ${h.token.slice(0, -1)}`,
    `Bearer ${h.token}x`,
    `Basic ${Buffer.from(`u:${h.token}`).toString('base64')}`,
    'Bearer ',
    h.token,
  ];
  for (const authorization of wrong) {
    const res = await h.call('/v1/jobs', { headers: { authorization } });
    assert.equal(res.status, 401, authorization.slice(0, 12));
    const text = await res.text();
    assert.ok(!text.includes(h.token), 'the response never echoes a token');
  }
  assert.equal((await h.call('/v1/jobs', { headers: { authorization: `bearer ${h.token}` } })).status, 200, 'the scheme is case-insensitive');
  const verifier = new TokenVerifier(['first-token-0123456789', 'second-token-0123456789']);
  assert.equal(verifier.verify({ authorization: 'Bearer second-token-0123456789' }), true, 'any configured token works (rotation)');
  assert.equal(verifier.verify({ authorization: 'Bearer first-token-012345678' }), false);
  assert.equal(verifier.verify({}), false);
});

test('bodies: oversized (declared and chunked) 413, malformed 400, not JSON 415, unknown fields and bad jobs name the field; nothing is enqueued', async () => {
  const question = `never enqueued ${randomUUID()}`;
  const big = JSON.stringify({ request: research(question + ' ' + 'x'.repeat(2.2 * 1024 * 1024)) });
  const declared = await h.call('/v1/jobs', { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
  assert.equal(declared.status, 413);
  assert.equal((await errorOf(declared)).code, 'payload_too_large');

  // Chunked (no Content-Length): cut off once the limit is passed.
  const chunked = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const url = new URL(h.server.url);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: '/v1/jobs',
        method: 'POST',
        headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      },
    );
    req.on('error', (err) => ((err as { code?: string }).code === 'EPIPE' || (err as { code?: string }).code === 'ECONNRESET' ? undefined : reject(err)));
    for (let i = 0; i < 48; i++) req.write('x'.repeat(64 * 1024));
    req.end();
  });
  assert.equal(chunked.status, 413);
  assert.equal(JSON.parse(chunked.body).error.code, 'payload_too_large');

  const cases: Array<{ body: string; type?: string; status: number; code: string; field?: string }> = [
    { body: '{"request": ', status: 400, code: 'invalid_json' },
    { body: '[1,2]', status: 400, code: 'invalid_json' },
    { body: 'request=x', type: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
    { body: JSON.stringify({ request: research(question), deadline: 5 }), status: 400, code: 'invalid_request', field: 'deadline' },
    { body: JSON.stringify({ input: question }), status: 400, code: 'invalid_request', field: 'input' },
    { body: JSON.stringify({ options: FAST }), status: 400, code: 'invalid_job', field: 'request' },
    { body: JSON.stringify({ request: { ...research(question), background: false } }), status: 400, code: 'invalid_job', field: 'request.background' },
    { body: JSON.stringify({ request: research(question), options: { deadlineMs: -1 } }), status: 400, code: 'invalid_job', field: 'options.deadlineMs' },
    { body: JSON.stringify({ request: research(question), jobId: 'has space' }), status: 400, code: 'invalid_job_id', field: 'jobId' },
    { body: JSON.stringify({ request: research(question), jobId: 7 }), status: 400, code: 'invalid_job_id', field: 'jobId' },
  ];
  for (const c of cases) {
    const res = await h.call('/v1/jobs', { method: 'POST', body: c.body, headers: { 'content-type': c.type ?? 'application/json' } });
    assert.equal(res.status, c.status, c.body.slice(0, 60));
    const error = await errorOf(res);
    assert.equal(error.code, c.code, c.body.slice(0, 60));
    if (c.field) assert.equal(error.field, c.field, c.body.slice(0, 60));
  }

  // A credential in job input is refused, and the response does not repeat it.
  const key = fakeApiKey('SyD-serve-test-0123456789abcdefghijk');
  const secret = await h.call('/v1/jobs', {
    json: { request: { ...research(question), tools: [{ type: 'mcp_server', name: 'x', url: 'https://mcp.example', headers: { 'x-goog-api-key': key } }] } },
  });
  assert.equal(secret.status, 400);
  const secretText = await secret.text();
  assert.equal(JSON.parse(secretText).error.code, 'invalid_job');
  assert.ok(!secretText.includes(key), 'the credential is not echoed');

  assert.equal(h.emulator.interactions().filter((i) => String(i.request['input']).startsWith(question.slice(0, 20))).length, 0, 'nothing reached the API');
  const logText = JSON.stringify(h.logs);
  assert.ok(!logText.includes(h.token) && !logText.includes(key), 'no credential in the server log');
});

test('bind rule: without a configured token only loopback; weak tokens are refused at start', async () => {
  assert.throws(
    () => resolveServeTokens('0.0.0.0', undefined, {}),
    (err: Error & { code?: string }) => err.code === 'invalid_config' && /GEMINI_JOBS_SERVE_TOKENS/.test(err.message),
  );
  assert.throws(() => resolveServeTokens('::', undefined, {}), /refusing to listen/);
  await assert.rejects(startJobsServer({ jobs: h.jobs, host: '192.0.2.1', env: {} }), /refusing to listen on 192\.0\.2\.1/);
  const loopback = resolveServeTokens('127.0.0.1', undefined, {});
  assert.equal(loopback.generated, true);
  assert.ok(loopback.tokens[0]!.length >= 40);
  assert.deepEqual(resolveServeTokens('0.0.0.0', undefined, { GEMINI_JOBS_SERVE_TOKENS: 'a'.repeat(20) + ', ' + 'b'.repeat(20) }).tokens, ['a'.repeat(20), 'b'.repeat(20)]);
  assert.throws(() => parseTokens('short'), /at least 16/);
  // A generated token is required too: the loopback server answers 401 without it.
  const served = await startJobsServer({ jobs: h.jobs, env: {} });
  try {
    assert.equal((await fetch(`${served.url}/v1/jobs`)).status, 401);
    const token = decodeURIComponent(served.dashboardUrl.split('#token=')[1]!);
    assert.equal((await fetch(`${served.url}/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await served.close();
  }
});

test('a bounded loopback flood (1,500 requests, 50 at a time) leaves a running job untouched', async (t) => {
  const question = `flood victim ${randomUUID()}`;
  const { jobId } = (await (await h.call('/v1/jobs', { json: { request: { ...research(question), labels: { 'emulator-scenario': 'medium' } }, options: FAST } })).json()) as {
    jobId: string;
  };
  await waitFor(async () => ((await (await h.call(`/v1/jobs/${jobId}`)).json()) as { phase: string }).phase === 'streaming', 'the job streaming');

  const floodQuestion = `flood ${randomUUID()}`;
  const big = 'x'.repeat(2.1 * 1024 * 1024);
  const kinds = [
    { name: 'unauthenticated start', n: 600, run: () => h.call('/v1/jobs', { auth: false, json: { request: research(floodQuestion) } }), expect: 401 },
    { name: 'wrong-token cancel', n: 300, run: () => h.call(`/v1/jobs/${jobId}/cancel`, { auth: generateToken(), method: 'POST' }), expect: 401 },
    // State reads share one query per job (single flight); on an overloaded machine the worker may
    // still miss a query deadline, which is answered 503 query_failed, never a wrong state.
    { name: 'state', n: 300, run: () => h.call(`/v1/jobs/${jobId}`), expect: 200, alsoOk: 503 },
    { name: 'malformed', n: 200, run: () => h.call('/v1/jobs', { method: 'POST', body: '{"request":', headers: { 'content-type': 'application/json' } }), expect: 400 },
    // Refused from Content-Length before the body is read; a client still uploading may see the
    // connection end instead of the 413 (counted as refused too).
    { name: 'oversized follow-up', n: 100, run: () => h.call(`/v1/jobs/${jobId}/follow-up`, { json: { input: big } }), expect: 413, mayReset: true },
  ];
  const tasks = kinds.flatMap((k) => Array.from({ length: k.n }, () => k));
  const answers = new Map<string, number>();
  const wrong: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        let answer: string;
        try {
          const res = await task.run();
          await res.arrayBuffer();
          answer = String(res.status);
          if (res.status !== task.expect && res.status !== (task as { alsoOk?: number }).alsoOk) wrong.push(`${task.name}: ${answer}`);
        } catch (err) {
          answer = 'connection closed';
          if (!task.mayReset) wrong.push(`${task.name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        }
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
    }),
  );
  t.diagnostic(`flood answers: ${JSON.stringify(Object.fromEntries(answers))}`);
  assert.deepEqual(wrong.slice(0, 5), [], `every flood request got its expected answer: ${JSON.stringify(Object.fromEntries(answers))}`);
  assert.equal(
    [...answers.values()].reduce((a, b) => a + b, 0),
    1_500,
  );
  assert.ok((answers.get('200') ?? 0) > 150, 'most state reads were answered during the flood');

  const mid = (await (await h.call(`/v1/jobs/${jobId}`)).json()) as { phase: string; status: string };
  assert.ok(mid.status === 'running' || mid.status === 'completed', `still running or done, got ${mid.status}`);
  const outcome = (await (await h.call(`/v1/jobs/${jobId}/result?wait=1&timeoutMs=120000`)).json()) as { status: string; turn: { interactionId: string }; report: string };
  assert.equal(outcome.status, 'completed');
  const interactions = h.emulator.interactions().filter((i) => i.request['input'] === question);
  assert.equal(interactions.length, 1, 'one interaction, never re-created');
  assert.equal(h.emulator.counters().interactions[interactions[0]!.id]!.cancels, 0, 'never cancelled');
  assert.equal(h.emulator.interactions().filter((i) => i.request['input'] === floodQuestion).length, 0, 'the flood enqueued nothing');
  assert.ok(!JSON.stringify(h.logs).includes(h.token));
});
