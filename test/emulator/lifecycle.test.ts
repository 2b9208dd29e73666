import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { accumulate, DR, GEMINI, http, MODEL, sse, waitForStatus } from './helpers';
import { waitFor } from '../helpers/wait';

describe('emulator lifecycle: cancel, delete, store, chaining, tools, planning', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ timeScale: 600, deepResearchDurationMs: 600_000 });
  });
  after(() => emu.close());

  test('cancel of a running background run ends it cancelled on its open stream', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: DR('Cancel me') });
    const id = created.json.id;
    const opened = emu.counters().streamsOpened;
    const streaming = sse(emu, 'GET', `${GEMINI}/${id}?stream=true`);
    await waitFor(() => emu.counters().streamsOpened > opened, 'the stream to open');
    const cancelled = await http(emu, 'POST', `${GEMINI}/${id}/cancel`);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.json.status, 'cancelled');
    const s = await streaming;
    const tail = s.events.slice(-2);
    assert.deepEqual(
      tail.map((e) => [e.event_type, e.status ?? e.interaction?.status]),
      [
        ['interaction.status_update', 'cancelled'],
        ['interaction.completed', 'cancelled'],
      ],
    );
    const get = await http(emu, 'GET', `${GEMINI}/${id}`);
    assert.equal(get.json.status, 'cancelled');
    assert.deepEqual(get.json.steps.slice(1), accumulate(s.events));
    assert.equal(emu.counters().cancels, 1);
  });

  test('cancel of a finished interaction returns it unchanged', async () => {
    const done = await http(emu, 'POST', GEMINI, { body: MODEL('Already done') });
    const again = await http(emu, 'POST', `${GEMINI}/${done.json.id}/cancel`);
    assert.equal(again.status, 200);
    assert.equal(again.json.status, 'completed');
  });

  test('delete removes the interaction: GET, stream and cancel then answer 404', async () => {
    const done = await http(emu, 'POST', GEMINI, { body: MODEL('Delete me') });
    const del = await http(emu, 'DELETE', `${GEMINI}/${done.json.id}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.json, {});
    for (const [method, path] of [
      ['GET', ''],
      ['GET', '?stream=true'],
      ['POST', '/cancel'],
      ['DELETE', ''],
    ] as const) {
      const r = await http(emu, method, `${GEMINI}/${done.json.id}${path}`);
      assert.equal(r.status, 404);
      assert.equal(r.json.error.status, 'NOT_FOUND');
    }
    assert.equal(emu.interactions().find((i) => i.id === done.json.id)?.deleted, true);
  });

  test('store:false interactions are answered but never retrievable', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('Do not keep this', { store: false }) });
    assert.equal(r.json.status, 'completed');
    assert.equal((await http(emu, 'GET', `${GEMINI}/${r.json.id}`)).status, 404);
  });

  test('create returns only produced steps; GET adds the user_input step', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('Which steps?') });
    assert.notEqual(r.json.steps[0].type, 'user_input');
    const g = await http(emu, 'GET', `${GEMINI}/${r.json.id}?stream=false`);
    assert.deepEqual(g.json.steps[0], { type: 'user_input', content: [{ type: 'text', text: 'Which steps?' }] });
    assert.deepEqual(g.json.steps.slice(1), r.json.steps);
  });

  test('previous_interaction_id chains turns and the reply references the previous turn', async () => {
    const first = await http(emu, 'POST', GEMINI, { body: MODEL('My name is Ada.') });
    const second = await http(emu, 'POST', GEMINI, { body: MODEL('What is my name?', { previous_interaction_id: first.json.id }) });
    assert.equal(second.status, 200);
    assert.equal(second.json.previous_interaction_id, first.json.id);
    const text = second.json.steps.find((s: any) => s.type === 'model_output').content[0].text;
    assert.match(text, /My name is Ada\./);
    const g = await http(emu, 'GET', `${GEMINI}/${second.json.id}`);
    assert.equal(g.json.steps[0].type, 'user_input');
    const missing = await http(emu, 'POST', GEMINI, { body: MODEL('x', { previous_interaction_id: 'v1_nope' }) });
    assert.equal(missing.status, 404);
  });

  test('function calling: requires_action with streamed arguments, then a function_result completes', async () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } } }];
    const s = await sse(emu, 'POST', GEMINI, { body: MODEL('Weather in Paris?', { tools, stream: true }) });
    const id = s.events[0].interaction.id;
    assert.equal(s.events.at(-1).interaction.status, 'requires_action');
    const argDeltas = s.events.filter((e) => e.event_type === 'step.delta' && e.delta.type === 'arguments_delta');
    assert.ok(argDeltas.length >= 2, 'arguments arrive as several partial JSON strings');
    const call = accumulate(s.events).find((x) => x.type === 'function_call');
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof call.arguments.city, 'string');
    const g = await http(emu, 'GET', `${GEMINI}/${id}`);
    assert.deepEqual(g.json.steps.slice(1), accumulate(s.events));
    const bad = await http(emu, 'POST', GEMINI, {
      body: MODEL([{ type: 'function_result', call_id: 'wrong', name: 'get_weather', result: {} }], { tools, previous_interaction_id: id }),
    });
    assert.equal(bad.status, 400);
    const follow = await http(emu, 'POST', GEMINI, {
      body: MODEL([{ type: 'function_result', call_id: call.id, name: 'get_weather', result: { temp_c: 21 } }], { tools, previous_interaction_id: id }),
    });
    assert.equal(follow.json.status, 'completed');
    assert.match(follow.json.steps.at(-1).content[0].text, /temp_c/);
  });

  test('collaborative planning as chained turns: plan (completed), refine (flag true), execute (flag false)', async () => {
    const planning = await http(emu, 'POST', GEMINI, { body: DR('Urban heat islands', { agent_config: { type: 'deep-research', collaborative_planning: true } }) });
    const plan = await waitForStatus(emu, planning.json.id);
    assert.equal(plan.status, 'completed', 'a plan turn ends like any turn, not requires_action');
    const planText = emu.canonicalReport(planning.json.id);
    assert.match(planText, /^Here is my proposed research plan/);

    // "go ahead" with the flag still true does not start the research: it refines the plan.
    const refining = await http(emu, 'POST', GEMINI, {
      body: DR('Focus on Europe', { previous_interaction_id: planning.json.id, agent_config: { type: 'deep-research', collaborative_planning: true } }),
    });
    assert.equal((await waitForStatus(emu, refining.json.id)).status, 'completed');
    const revised = emu.canonicalReport(refining.json.id);
    assert.match(revised, /^Here is my revised research plan/);
    assert.match(revised, /Focus on Europe/);

    const research = await http(emu, 'POST', GEMINI, {
      body: DR('Approve the plan: start the research.', { previous_interaction_id: refining.json.id, agent_config: { type: 'deep-research', collaborative_planning: false } }),
    });
    const done = await waitForStatus(emu, research.json.id);
    assert.equal(done.status, 'completed');
    const report = emu.canonicalReport(research.json.id);
    assert.match(report, /^# Urban heat islands: research report/);
    const firstHeading = revised.split('\n')[2]!.replace(/^1\. /, '').replace(/\.$/, '');
    assert.ok(report.includes(`## ${firstHeading}`), 'the report follows the approved (revised) plan');
    const edited = await http(emu, 'POST', GEMINI, { body: DR('1. Measure surface temperatures\n2. Compare tree cover', { previous_interaction_id: planning.json.id }) });
    await waitForStatus(emu, edited.json.id);
    assert.ok(emu.canonicalReport(edited.json.id).includes('## Measure surface temperatures'), 'an edited plan shapes the report');
  });

  test('the SDK default /v1 and /v1beta serve the same Gemini API store; Vertex v1 project paths too', async () => {
    const created = await http(emu, 'POST', '/v1/interactions', { body: MODEL('Hello v1') });
    assert.equal(created.status, 200);
    assert.equal((await http(emu, 'GET', `/v1beta/interactions/${created.json.id}`)).status, 200);
    const vertexV1 = await http(emu, 'POST', '/v1/projects/p/locations/global/interactions', { body: MODEL('Hello Vertex v1'), headers: { authorization: 'Bearer ya29.t' } });
    assert.equal(vertexV1.status, 200);
  });

  test('a continuation (continuation_token + previous_interaction_id) needs no input', async () => {
    const first = await http(emu, 'POST', GEMINI, { body: { ...MODEL('Long answer'), labels: { 'emulator-scenario': 'requires-continuation' } } });
    assert.equal(first.status, 200);
    assert.equal(first.json.status, 'requires_continuation');
    assert.match(first.json.continuation_token, /^ct_/);
    const next = await http(emu, 'POST', GEMINI, {
      body: { model: 'gemini-3-flash-preview', previous_interaction_id: first.json.id, continuation_token: first.json.continuation_token },
    });
    assert.equal(next.status, 200, JSON.stringify(next.json));
    assert.equal(next.json.status, 'completed');
    const missing = await http(emu, 'POST', GEMINI, { body: { model: 'gemini-3-flash-preview', previous_interaction_id: first.json.id } });
    assert.equal(missing.status, 400);
  });

  test('international label characters are accepted; uppercase is not', async () => {
    assert.equal((await http(emu, 'POST', GEMINI, { body: { ...MODEL('labels'), labels: { équipe: 'recherche', 部署: '研究' } } })).status, 200);
    assert.equal((await http(emu, 'POST', GEMINI, { body: { ...MODEL('labels'), labels: { Team: 'x' } } })).status, 400);
  });

  test('Vertex and express routes serve the same API, scoped per project and location', async () => {
    const vertex = '/v1beta1/projects/proj-a/locations/us-central1/interactions';
    const bearer = { authorization: 'Bearer ya29.token', 'x-goog-user-project': 'quota-proj' };
    const r = await http(emu, 'POST', vertex, { body: MODEL('Hello Vertex'), headers: bearer });
    assert.equal(r.status, 200);
    assert.equal((await http(emu, 'GET', `${vertex}/${r.json.id}`, { headers: bearer })).status, 200);
    assert.equal((await http(emu, 'GET', `/v1beta1/projects/proj-b/locations/us-central1/interactions/${r.json.id}`, { headers: bearer })).status, 404);
    assert.equal((await http(emu, 'GET', `${GEMINI}/${r.json.id}`)).status, 404);
    assert.ok(emu.userProjects().includes('quota-proj'));
    const express = await http(emu, 'POST', '/v1beta1/interactions', { body: MODEL('Hello express') });
    assert.equal(express.status, 200);
  });
});

describe('emulator deepResearchDurationSpread', () => {
  test('Deep Research runs vary in length within ±spread, reproducibly for a seed; no spread keeps every run equal', async () => {
    const lengths = async (spread: number, seed: number) => {
      const emu = await startEmulator({ timeScale: 600, deepResearchDurationMs: 600_000, deepResearchDurationSpread: spread, seed });
      try {
        for (let i = 0; i < 6; i++) await http(emu, 'POST', GEMINI, { body: DR(`Spread ${i}`) });
        return emu.interactions().map((i) => i.scriptedDurationMs);
      } finally {
        await emu.close();
      }
    };
    const spread = await lengths(0.5, 7);
    assert.ok(
      spread.every((ms) => ms >= 300_000 && ms <= 900_000 + 1),
      `within ±50%: ${spread.join(', ')}`,
    );
    assert.ok(new Set(spread).size > 1, `lengths differ: ${spread.join(', ')}`);
    assert.deepEqual(await lengths(0.5, 7), spread);
    assert.equal(new Set(await lengths(0, 7)).size, 1);
  });
});
