import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { accumulate, DR, GEMINI, http, MODEL, sse, waitForStatus } from './helpers';
import { ManualClock } from '../helpers/manual-clock';

describe('emulator streams: replay, resume and accumulation', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000 });
  });
  after(() => emu.close());

  test('a model stream follows the documented event order and accumulates to the GET steps', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: MODEL('Count from 1 to 25.', { stream: true }) });
    assert.equal(s.status, 200);
    assert.match(s.contentType, /^text\/event-stream/);
    const types = s.events.map((e) => e.event_type);
    assert.deepEqual(types.slice(0, 3), ['interaction.created', 'interaction.status_update', 'step.start']);
    assert.deepEqual(types.slice(-2), ['interaction.status_update', 'interaction.completed']);
    const created = s.events[0].interaction;
    assert.equal(created.object, 'interaction');
    assert.equal(created.status, 'in_progress');
    assert.equal(created.model, 'gemini-3-flash-preview');
    const done = s.events.at(-1).interaction;
    assert.equal(done.status, 'completed');
    assert.equal(done.steps, undefined);
    assert.ok(done.usage.total_tokens > 0);
    // every SSE `event:` line equals the JSON event_type
    for (const block of s.text.split('\n\n').filter(Boolean)) {
      const [ev, data] = block.split('\n');
      assert.equal(ev!.slice(7), JSON.parse(data!.slice(6)).event_type);
    }
    const get = await http(emu, 'GET', `${GEMINI}/${created.id}`);
    assert.equal(get.json.steps[0].type, 'user_input');
    assert.deepEqual(get.json.steps.slice(1), accumulate(s.events));
    assert.ok(s.events.filter((e) => e.event_type === 'step.delta' && e.delta.type === 'text').length >= 3, 'text is streamed in several deltas');
  });

  test('resume from every event id yields exactly the remaining events', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: DR('Resume me from anywhere') });
    const id = created.json.id;
    await waitForStatus(emu, id);
    const full = await sse(emu, 'GET', `${GEMINI}/${id}?stream=true`);
    assert.ok(full.events.length > 50);
    assert.ok(
      full.events.some((e) => e.event_id === undefined),
      'some events carry no event_id',
    );
    const ids = full.events.map((e) => e.event_id).filter(Boolean);
    assert.equal(new Set(ids).size, ids.length, 'event ids are unique');
    for (let i = 0; i < full.events.length; i++) {
      const eventId = full.events[i].event_id;
      if (!eventId) continue;
      const rest = await sse(emu, 'GET', `${GEMINI}/${id}?stream=true&last_event_id=${eventId}`);
      assert.deepEqual(rest.events, full.events.slice(i + 1), `resume after ${eventId}`);
    }
  });

  test('a resumed stream on a running interaction continues live until terminal', async () => {
    const emuSlow = await startEmulator({ timeScale: 600, deepResearchDurationMs: 120_000 });
    try {
      const created = await http(emuSlow, 'POST', GEMINI, { body: DR('Live resume') });
      const id = created.json.id;
      const first = emuSlow.eventsFor(id);
      const last = [...first].reverse().find((e) => e.event_id)!;
      const rest = await sse(emuSlow, 'GET', `${GEMINI}/${id}?stream=true&last_event_id=${last.event_id}`);
      assert.equal(rest.events.at(-1).event_type, 'interaction.completed');
      const all = emuSlow.eventsFor(id);
      const at = all.findIndex((e) => e.event_id === last.event_id);
      assert.deepEqual(rest.events, all.slice(at + 1));
    } finally {
      await emuSlow.close();
    }
  });

  test('deep research stream accumulation equals GET steps and the canonical report', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: DR('The economics of tidal power', { stream: true }) });
    const id = s.events[0].interaction.id;
    const get = await http(emu, 'GET', `${GEMINI}/${id}`);
    assert.equal(get.json.status, 'completed');
    const steps = accumulate(s.events);
    assert.deepEqual(get.json.steps.slice(1), steps);
    const types = new Set(steps.map((x) => x.type));
    for (const t of ['thought', 'google_search_call', 'google_search_result', 'url_context_call', 'url_context_result', 'model_output']) assert.ok(types.has(t), t);
    const report = get.json.steps
      .filter((x: any) => x.type === 'model_output')
      .flatMap((x: any) => x.content.map((c: any) => c.text))
      .join('');
    assert.equal(emu.canonicalReport(id), report);
    assert.ok(report.length > 4000 && report.startsWith('# '), 'a multi-KB markdown report');
    assert.ok(get.json.usage.grounding_tool_count[0].count > 0);
    assert.ok(
      steps.some((x) => x.type === 'thought' && x.summary?.[0]?.text),
      'thinking_summaries auto yields summaries',
    );
  });

  test('the same input gives the same report; a different input a different one', async () => {
    const a = await http(emu, 'POST', GEMINI, { body: DR('Deterministic topic') });
    const b = await http(emu, 'POST', GEMINI, { body: DR('Deterministic topic') });
    const c = await http(emu, 'POST', GEMINI, { body: DR('Another topic') });
    assert.notEqual(a.json.id, b.json.id);
    assert.equal(emu.canonicalReport(a.json.id), emu.canonicalReport(b.json.id));
    assert.notEqual(emu.canonicalReport(a.json.id), emu.canonicalReport(c.json.id));
    const other = await startEmulator({ timeScale: 6000 });
    try {
      const d = await http(other, 'POST', GEMINI, { body: DR('Deterministic topic') });
      assert.equal(other.canonicalReport(d.json.id), emu.canonicalReport(a.json.id), 'same seed, same report across emulators');
    } finally {
      await other.close();
    }
  });

  test('a background run progresses without any stream and spreads its events over the run', async () => {
    const clock = new ManualClock();
    const slow = await startEmulator({ timeScale: 600, deepResearchDurationMs: 60_000, clock });
    try {
      const created = await http(slow, 'POST', GEMINI, { body: DR('Nobody is watching') });
      assert.equal(created.json.status, 'in_progress');
      const get = async () => (await http(slow, 'GET', `${GEMINI}/${created.json.id}`)).json;
      // 60 emulated seconds at 600x are 100 clock milliseconds.
      clock.advance(50);
      const mid = await get();
      assert.equal(mid.status, 'in_progress');
      assert.ok(mid.steps.length > 1, 'half way through, the run has produced steps');
      clock.advance(49);
      assert.equal((await get()).status, 'in_progress', 'still running at 59.4 emulated seconds');
      clock.advance(1);
      const done = await get();
      assert.equal(done.status, 'completed', 'done at 60 emulated seconds');
      assert.ok(done.steps.length > mid.steps.length);
    } finally {
      await slow.close();
    }
  });

  test('thinking_summaries none still shows progress through search steps', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: DR('Quiet research', { agent_config: { type: 'deep-research' } }) });
    const done = await waitForStatus(emu, created.json.id);
    assert.ok(done.steps.every((s: any) => s.type !== 'thought' || s.summary === undefined));
    assert.ok(done.steps.some((s: any) => s.type === 'google_search_call'));
  });
});
