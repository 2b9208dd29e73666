import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { DR, GEMINI, http, MODEL } from './helpers';

describe('emulator auth and validation', () => {
  let emu: Emulator;
  const lines: string[] = [];
  before(async () => {
    emu = await startEmulator({ timeScale: 6000, apiKey: 'right-key', accessToken: 'right-token', log: (l) => lines.push(l) });
  });
  after(() => emu.close());

  const ok = { 'x-goog-api-key': 'right-key' };

  test('missing API key answers 401 UNAUTHENTICATED, a wrong one 403, never echoing it', async () => {
    const missing = await http(emu, 'POST', GEMINI, { body: MODEL('hi'), headers: {} });
    assert.equal(missing.status, 401);
    assert.equal(missing.json.error.status, 'UNAUTHENTICATED');
    assert.equal(missing.json.error.code, 401);
    const wrong = await http(emu, 'POST', GEMINI, { body: MODEL('hi'), headers: { 'x-goog-api-key': 'sekrit-wrong-key' } });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json.error.status, 'PERMISSION_DENIED');
    assert.ok(!wrong.text.includes('sekrit'));
    const viaQuery = await http(emu, 'GET', `${GEMINI}/v1_x?key=sekrit-query-key`, { headers: {} });
    assert.equal(viaQuery.status, 403);
    assert.ok(!lines.join('\n').includes('sekrit'), 'credentials never reach the log');
  });

  test('Vertex routes need a Bearer token (401/403) and record x-goog-user-project', async () => {
    const path = '/v1beta1/projects/p1/locations/global/interactions';
    assert.equal((await http(emu, 'POST', path, { body: MODEL('hi'), headers: ok })).status, 401, 'API key is not enough on the project path');
    assert.equal((await http(emu, 'POST', path, { body: MODEL('hi'), headers: { authorization: 'Bearer nope' } })).status, 403);
    const good = await http(emu, 'POST', path, { body: MODEL('hi'), headers: { authorization: 'Bearer right-token', 'x-goog-user-project': 'billing-1' } });
    assert.equal(good.status, 200);
    assert.deepEqual(emu.userProjects(), ['billing-1']);
  });

  test('unknown routes answer 404 with the Google envelope', async () => {
    for (const path of ['/v2/interactions', '/v1beta/models', '/v1beta/interactions/a/b/c']) {
      const r = await http(emu, 'GET', path, { headers: ok });
      assert.equal(r.status, 404, path);
      assert.equal(r.json.error.status, 'NOT_FOUND');
    }
  });

  const cases: Array<[string, unknown, number, RegExp]> = [
    ['agent id sent in model', { model: 'deep-research-preview-04-2026', input: 'x', background: true }, 400, /agent/],
    ['antigravity id sent in model', { model: 'antigravity-preview-05-2026', input: 'x' }, 400, /agent/],
    ['model and agent together', { model: 'gemini-3-flash-preview', agent: 'deep-research-preview-04-2026', input: 'x', background: true }, 400, /one of/i],
    ['model with agent_config', MODEL('x', { agent_config: { type: 'deep-research' } }), 400, /agent_config/],
    ['agent with generation_config', DR('x', { agent_config: undefined, generation_config: {} }), 400, /generation_config/],
    ['deep research without background', DR('x', { background: false }), 400, /background/],
    ['missing input', { model: 'gemini-3-flash-preview' }, 400, /input/],
    ['empty input list', MODEL([]), 400, /input/],
    ['neither model nor agent', { input: 'x' }, 400, /required/],
    ['unknown top-level field', MODEL('x', { temperature: 1 }), 400, /Unknown name "temperature"/],
    ['background with store false', MODEL('x', { background: true, store: false }), 400, /store/],
    ['invalid label', MODEL('x', { labels: { Team: 'A' } }), 400, /label/i],
    ['unknown scenario label', MODEL('x', { labels: { 'emulator-scenario': 'no-such' } }), 400, /scenario/],
    ['unknown agent', { agent: 'my-agent', input: 'x' }, 404, /not found/],
    ['a mistyped agent', { agent: 'deep-research-preview', input: 'x', background: true }, 404, /Agent "deep-research-preview" was not found/],
    [
      'the retired Deep Research agent',
      { agent: 'deep-research-pro-preview-12-2025', input: 'x', background: true },
      404,
      /shut down on 2026-10-23.*deep-research-preview-04-2026/,
    ],
    ['an unknown model', MODEL('x', { model: 'gemini-3-flash' }), 404, /models\/gemini-3-flash is not found/],
  ];
  for (const [name, body, status, message] of cases) {
    test(`create rejects: ${name}`, async () => {
      const r = await http(emu, 'POST', GEMINI, { body: JSON.parse(JSON.stringify(body)), headers: ok });
      assert.equal(r.status, status);
      assert.equal(r.json.error.code, status);
      assert.match(r.json.error.message, message);
    });
  }

  test('extraModels and extraAgents let a test use names the SDKs do not list yet', async () => {
    const open = await startEmulator({ extraModels: ['gemini-9-test'], extraAgents: ['my-agent'] });
    try {
      assert.equal((await http(open, 'POST', GEMINI, { body: MODEL('x', { model: 'gemini-9-test' }), headers: ok })).status, 200);
      assert.equal((await http(open, 'POST', GEMINI, { body: { agent: 'my-agent', input: 'x' }, headers: ok })).status, 200);
      assert.equal((await http(open, 'POST', GEMINI, { body: MODEL('x', { model: 'gemini-3-flash' }), headers: ok })).status, 404);
    } finally {
      await open.close();
    }
  });

  test('invalid JSON body answers 400', async () => {
    const { request } = await import('undici');
    const res = await request(emu.url + GEMINI, { method: 'POST', headers: { ...ok, 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(res.statusCode, 400);
    assert.equal(((await res.body.json()) as any).error.status, 'INVALID_ARGUMENT');
  });

  test('last_event_id without stream=true answers 400; an unknown one too', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('hi'), headers: ok });
    const noStream = await http(emu, 'GET', `${GEMINI}/${r.json.id}?last_event_id=evt_1`, { headers: ok });
    assert.equal(noStream.status, 400);
    assert.match(noStream.json.error.message, /stream=true/);
    const unknown = await http(emu, 'GET', `${GEMINI}/${r.json.id}?stream=true&last_event_id=evt_99999`, { headers: ok });
    assert.equal(unknown.status, 400);
  });

  test('counters count requests per route, statuses and creates', async () => {
    emu.resetCounters();
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('count me'), headers: ok });
    await http(emu, 'GET', `${GEMINI}/${r.json.id}`, { headers: ok });
    await http(emu, 'GET', `${GEMINI}/${r.json.id}?stream=true`, { headers: ok });
    await http(emu, 'GET', `${GEMINI}/nope`, { headers: ok });
    const c = emu.counters();
    assert.deepEqual(c.requests, { create: 1, get: 2, stream: 1 });
    assert.deepEqual(c.statuses, { '200': 3, '404': 1 });
    assert.equal(c.creates, 1);
    assert.equal(c.streamsOpened, 1);
    assert.equal(c.interactions[r.json.id]!.gets, 1);
    assert.equal(c.interactions[r.json.id]!.streams, 1);
    assert.ok(c.eventsSent > 5);
    assert.equal(emu.interactions().filter((i) => i.request['input'] === 'count me').length, 1);
  });
});
