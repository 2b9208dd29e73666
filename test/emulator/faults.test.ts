import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { parseFaultHeader, startEmulator, type Emulator } from '../../src/emulator';
import { accumulate, DR, GEMINI, http, KEY, MODEL, sse, waitForStatus } from './helpers';
import { waitFor } from '../helpers/wait';
import { ManualClock } from '../helpers/manual-clock';
import { KNOWN_STATUSES } from '../../src/interactions/types';
import { InteractionsClient } from '../../src/interactions/client';

const waitForCondition = (fn: () => boolean) => waitFor(() => fn() || undefined, 'condition');

describe('emulator faults', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000 });
  });
  after(() => emu.close());

  test('stream cut after N events with a raw JSON error array appended, then resume recovers the rest', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: DR('cut me', { stream: true }), headers: { ...KEY, 'x-emulator-fault': 'cut afterEvents=6 rawError=array' } });
    assert.equal(s.events.length, 6);
    assert.notEqual(s.events.at(-1).event_type, 'interaction.completed');
    assert.equal(s.raw.length, 1);
    const raw = JSON.parse(s.raw[0]!);
    assert.ok(Array.isArray(raw) && raw[0].error.code === 503);
    const id = s.events[0].interaction.id;
    const lastId = [...s.events].reverse().find((e) => e.event_id).event_id;
    const rest = await sse(emu, 'GET', `${GEMINI}/${id}?stream=true&last_event_id=${lastId}`);
    assert.equal(rest.events.at(-1).event_type, 'interaction.completed');
    const get = await http(emu, 'GET', `${GEMINI}/${id}`);
    const seen = s.events.slice(0, s.events.findIndex((e) => e.event_id === lastId) + 1);
    assert.deepEqual(accumulate([...seen, ...rest.events]), get.json.steps.slice(1));
    assert.equal(emu.counters().faults['cut'], 1);
  });

  test('stream cut after T emulated seconds ends the body without interaction.completed', async () => {
    const clock = new ManualClock();
    const slow = await startEmulator({ timeScale: 600, deepResearchDurationMs: 120_000, clock });
    try {
      const created = await http(slow, 'POST', GEMINI, { body: DR('cut by time') });
      const reading = sse(slow, 'GET', `${GEMINI}/${created.json.id}?stream=true`, { headers: { ...KEY, 'x-emulator-fault': 'cut afterSeconds=30 rawError=object' } });
      await waitForCondition(() => slow.counters().streamsOpened === 1);
      // 30 emulated seconds at 600x are 50 clock milliseconds after the stream opened.
      clock.advance(49);
      assert.equal(slow.counters().faults['cut'] ?? 0, 0, 'not cut before 30 emulated seconds');
      clock.advance(1);
      assert.equal(slow.counters().faults['cut'], 1, 'cut at 30 emulated seconds');
      const s = await reading;
      assert.ok(s.events.length > 2, 'the events of the first 30 emulated seconds were streamed');
      assert.notEqual(s.events.at(-1).event_type, 'interaction.completed');
      assert.equal(JSON.parse(s.raw[0]!).error.status, 'UNAVAILABLE');
      assert.equal(slow.interactions()[0]!.status, 'in_progress', 'only the stream was cut, not the run');
    } finally {
      await slow.close();
    }
  });

  test('a resumed stream replays a few events and then stalls with the socket open', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: DR('stall me') });
    await waitForStatus(emu, created.json.id);
    const remove = emu.addFault({ kind: 'stall', afterEvents: 2, route: 'stream', interactionId: created.json.id });
    const res = await request(`${emu.url}${GEMINI}/${created.json.id}?stream=true`, { headers: KEY });
    let text = '';
    let ended = false;
    const reading = (async () => {
      for await (const chunk of res.body) text += chunk.toString();
      ended = true;
    })();
    // The run is over, so an unstalled stream would write its whole log and end in one go.
    await waitForCondition(() => emu.counters().faults['stall'] === 1 && text.split('\n\n').filter(Boolean).length >= 2);
    // A later round trip on the same server is the marker: the end would have arrived before it.
    assert.equal((await http(emu, 'GET', `${GEMINI}/${created.json.id}`)).status, 200);
    assert.equal(ended, false, 'the socket stays open after the stall');
    assert.equal(text.split('\n\n').filter(Boolean).length, 2);
    res.body.destroy();
    await reading.catch(() => undefined);
    remove();
    const again = await sse(emu, 'GET', `${GEMINI}/${created.json.id}?stream=true`);
    assert.equal(again.events.at(-1).event_type, 'interaction.completed', 'removed rule no longer applies');
    assert.equal(emu.counters().faults['stall'], 1);
  });

  test('429 with Retry-After for the next K creates, and no interaction is created by them', async () => {
    const before = emu.interactions().length;
    const remove = emu.addFault({ kind: 'http_error', status: 429, retryAfterSeconds: 7, route: 'create', count: 2 });
    const a = await http(emu, 'POST', GEMINI, { body: MODEL('rate limited') });
    const b = await http(emu, 'POST', GEMINI, { body: MODEL('rate limited') });
    const c = await http(emu, 'POST', GEMINI, { body: MODEL('rate limited') });
    remove();
    assert.deepEqual([a.status, b.status, c.status], [429, 429, 200]);
    assert.equal(a.headers['retry-after'], '7');
    assert.equal(a.json.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(emu.interactions().length, before + 1);
  });

  test('503 burst on GET for K requests, then GETs succeed', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('flaky get') });
    const remove = emu.addFault({ kind: 'http_error', status: 503, route: 'get', count: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await http(emu, 'GET', `${GEMINI}/${r.json.id}`)).status);
    remove();
    assert.deepEqual(codes, [503, 503, 503, 200]);
  });

  test('500 after the interaction was created: a blind retry would duplicate it', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: DR('created then 500'), headers: { ...KEY, 'x-emulator-fault': 'http_error status=500 afterCreate=true' } });
    assert.equal(r.status, 500);
    const made = emu.interactions().filter((i) => i.request['input'] === 'created then 500');
    assert.equal(made.length, 1);
    assert.equal((await http(emu, 'GET', `${GEMINI}/${made[0]!.id}`)).status, 200);
  });

  test('content-filter refusal: a bare JSON line after created/status_update, and GET answers 404', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: MODEL('refuse me', { stream: true, labels: { 'emulator-scenario': 'refusal' } }) });
    assert.equal(s.status, 200);
    assert.deepEqual(
      s.events.map((e) => e.event_type),
      ['interaction.created', 'interaction.status_update'],
    );
    assert.equal(JSON.parse(s.raw[0]!).error.code, 400);
    const id = s.events[0].interaction.id;
    assert.equal((await http(emu, 'GET', `${GEMINI}/${id}`)).status, 404);
    assert.equal(emu.interactions().find((i) => i.id === id)?.refused, true);
  });

  test('GET answers 404 for K requests right after a background create', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: DR('not found yet'), headers: { ...KEY, 'x-emulator-fault': 'get_not_found requests=2' } });
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await http(emu, 'GET', `${GEMINI}/${r.json.id}`)).status);
    assert.deepEqual(codes, [404, 404, 200]);
  });

  test('GET answers 403 for T emulated seconds right after create', async () => {
    const clock = new ManualClock();
    const slow = await startEmulator({ timeScale: 600, deepResearchDurationMs: 600_000, clock });
    try {
      slow.addFault({ kind: 'get_not_found', status: 403, forSeconds: 30 });
      const r = await http(slow, 'POST', GEMINI, { body: DR('forbidden for a while') });
      assert.equal((await http(slow, 'GET', `${GEMINI}/${r.json.id}`)).status, 403);
      // 30 emulated seconds at 600x are 50 clock milliseconds after the create.
      clock.advance(49);
      assert.equal((await http(slow, 'GET', `${GEMINI}/${r.json.id}`)).status, 403, 'still forbidden at 29.4 emulated seconds');
      clock.advance(1);
      assert.equal((await http(slow, 'GET', `${GEMINI}/${r.json.id}`)).status, 200);
    } finally {
      await slow.close();
    }
  });

  test('cancel answers 404 "Method not found" yet still cancels (stillCancel) or not', async () => {
    const slow = await startEmulator({ timeScale: 60, deepResearchDurationMs: 600_000 });
    try {
      const a = await http(slow, 'POST', GEMINI, { body: DR('cancel 404 but cancelled', { labels: { 'emulator-scenario': 'cancel-404' } }) });
      const ca = await http(slow, 'POST', `${GEMINI}/${a.json.id}/cancel`);
      assert.equal(ca.status, 404);
      assert.match(ca.json.error.message, /Method not found/);
      assert.equal((await http(slow, 'GET', `${GEMINI}/${a.json.id}`)).json.status, 'cancelled');
      const b = await http(slow, 'POST', GEMINI, { body: DR('cancel 404 and still running'), headers: { ...KEY, 'x-emulator-fault': 'cancel_not_found stillCancel=false' } });
      assert.equal((await http(slow, 'POST', `${GEMINI}/${b.json.id}/cancel`)).status, 404);
      assert.equal((await http(slow, 'GET', `${GEMINI}/${b.json.id}`)).json.status, 'in_progress');
    } finally {
      await slow.close();
    }
  });

  test('unknown event, step and delta types are injected; accumulation still equals GET', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: MODEL('future proof', { stream: true }), headers: { ...KEY, 'x-emulator-fault': 'unknown_events' } });
    assert.ok(s.events.some((e) => e.event_type === 'interaction.emulator_future_event'));
    assert.ok(s.events.some((e) => e.event_type === 'step.start' && e.step.type === 'emulator_future_step'));
    assert.ok(s.events.some((e) => e.event_type === 'step.delta' && e.delta.type === 'emulator_future_delta'));
    const get = await http(emu, 'GET', `${GEMINI}/${s.events[0].interaction.id}`);
    assert.deepEqual(get.json.steps.slice(1), accumulate(s.events));
  });

  test('slow report: the report arrives as many tiny deltas', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: DR('slowly', { stream: true }), headers: { ...KEY, 'x-emulator-fault': 'slow_report chunkChars=3' } });
    const id = s.events[0].interaction.id;
    const textDeltas = s.events.filter((e) => e.event_type === 'step.delta' && e.delta.type === 'text');
    assert.ok(textDeltas.length >= emu.canonicalReport(id).length / 3 - 1);
    assert.ok(textDeltas.every((e) => e.delta.text.length <= 3));
  });

  test('large report of a configurable size streams intact', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: DR('big', { stream: true }), headers: { ...KEY, 'x-emulator-fault': 'large_report megabytes=1.5' } });
    const id = s.events[0].interaction.id;
    const report = emu.canonicalReport(id);
    assert.ok(report.length >= 1.5 * 1024 * 1024, `report is ${report.length} bytes`);
    const steps = accumulate(s.events);
    assert.equal(
      steps
        .filter((x) => x.type === 'model_output')
        .map((x) => x.content[0].text)
        .join(''),
      report,
    );
  });

  test('a run can end failed with an error event (fail_run)', async () => {
    const s = await sse(emu, 'POST', GEMINI, { body: DR('doomed', { stream: true }), headers: { ...KEY, 'x-emulator-fault': 'fail_run' } });
    assert.deepEqual(
      s.events.slice(-3).map((e) => e.event_type),
      ['error', 'interaction.status_update', 'interaction.completed'],
    );
    assert.equal(s.events.at(-1).interaction.status, 'failed');
  });

  test('delay holds the response for the emulated time', async () => {
    const clock = new ManualClock();
    const slow = await startEmulator({ timeScale: 100, clock });
    try {
      const answered = () => slow.counters().statuses['404'] ?? 0;
      const pending = http(slow, 'GET', `${GEMINI}/nope`, { headers: { ...KEY, 'x-emulator-fault': 'delay delayMs=5000' } });
      await waitForCondition(() => slow.counters().faults['delay'] === 1);
      // 5 emulated seconds at 100x are 50 clock milliseconds.
      clock.advance(49);
      assert.equal(answered(), 0, 'held at 4.9 emulated seconds');
      clock.advance(1);
      await waitForCondition(() => answered() === 1);
      assert.equal((await pending).status, 404);
    } finally {
      await slow.close();
    }
  });

  test('probabilistic faults hit a share of requests, the same share for the same seed', async () => {
    const pattern = async () => {
      const e = await startEmulator({ timeScale: 6000, seed: 42, faults: [{ kind: 'http_error', status: 503, route: 'get', probability: 0.3 }] });
      try {
        const r = await http(e, 'POST', GEMINI, { body: MODEL('x') });
        const codes: number[] = [];
        for (let i = 0; i < 40; i++) codes.push((await http(e, 'GET', `${GEMINI}/${r.json.id}`)).status);
        return codes;
      } finally {
        await e.close();
      }
    };
    const a = await pattern();
    const b = await pattern();
    assert.deepEqual(a, b);
    const failed = a.filter((c) => c === 503).length;
    assert.ok(failed > 3 && failed < 25, `${failed} of 40 failed`);
  });

  test('fault header syntax: compact and JSON forms; unknown kinds are rejected', async () => {
    assert.deepEqual(parseFaultHeader('cut afterEvents=5 rawError=array route=stream|create; unknown_events'), [
      { kind: 'cut', afterEvents: 5, rawError: 'array', route: ['stream', 'create'] },
      { kind: 'unknown_events' },
    ]);
    assert.deepEqual(parseFaultHeader('{"kind":"stall","afterEvents":1}'), [{ kind: 'stall', afterEvents: 1 }]);
    const r = await http(emu, 'GET', `${GEMINI}/x`, { headers: { ...KEY, 'x-emulator-fault': 'explode' } });
    assert.equal(r.status, 400);
  });
});

describe('statuses, new variants and user-reported failure shapes', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000 });
  });
  after(() => emu.close());
  const scenario = (name: string, input = `scenario ${name}`) => DR(input, { labels: { 'emulator-scenario': name } });

  test('every status of the newest SDKs is produced by some scripted run', async () => {
    const seen = new Set<string>();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['completed', DR('plain')],
      ['queued', scenario('queued')],
      ['failed', scenario('fail')],
      ['incomplete', scenario('token-exhaustion')],
      ['budget_exceeded', scenario('budget-exceeded')],
      ['requires_continuation', scenario('requires-continuation')],
      ['idle', scenario('idle')],
      ['requires_action', MODEL('call a tool', { tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }] })],
    ];
    for (const [, body] of cases) {
      const created = await http(emu, 'POST', GEMINI, { body });
      assert.equal(created.status, 200, JSON.stringify(created.json));
      await waitForStatus(emu, created.json.id, ['completed', 'failed', 'cancelled', 'requires_action', 'incomplete', 'budget_exceeded', 'requires_continuation', 'idle']);
      for (const e of emu.eventsFor(created.json.id)) if (e.event_type === 'interaction.status_update') seen.add((e as { status: string }).status);
    }
    // A zombie never finishes on its own, so the cancel always lands on a running interaction.
    const bg = await http(emu, 'POST', GEMINI, { body: scenario('zombie', 'to cancel') });
    await http(emu, 'POST', `${GEMINI}/${bg.json.id}/cancel`);
    for (const e of emu.eventsFor(bg.json.id)) if (e.event_type === 'interaction.status_update') seen.add((e as { status: string }).status);
    for (const s of KNOWN_STATUSES) assert.ok(seen.has(s), `status ${s} produced`);
  });

  test('interaction.completed carries the SDK lifecycle shape: no errors field, even after an error event', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: scenario('fail') });
    await waitForStatus(emu, created.json.id, ['failed']);
    const completed = emu.eventsFor(created.json.id).find((e) => e.event_type === 'interaction.completed') as { interaction: Record<string, unknown> };
    assert.equal(completed.interaction['status'], 'failed');
    assert.equal('errors' in completed.interaction, false);
    assert.ok(emu.eventsFor(created.json.id).some((e) => e.event_type === 'error'));
    const got = await http(emu, 'GET', `${GEMINI}/${created.json.id}`);
    assert.equal(got.json.errors[0].code, 'internal', 'the resource still has its errors');
  });

  test('zombie: stays in_progress, status GETs never answer until it is cancelled', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: scenario('zombie') });
    const controller = new AbortController();
    const hung = fetch(`${emu.url}${GEMINI}/${created.json.id}`, { headers: KEY, signal: controller.signal }).then(
      () => 'answered',
      () => 'aborted',
    );
    await waitForCondition(() => (emu.counters().faults['zombie'] ?? 0) >= 1);
    controller.abort();
    assert.equal(await hung, 'aborted');
    assert.equal(emu.interactions().find((i) => i.id === created.json.id)!.status, 'in_progress');
    const cancelled = await http(emu, 'POST', `${GEMINI}/${created.json.id}/cancel`);
    assert.equal(cancelled.json.status, 'cancelled');
    assert.equal((await http(emu, 'GET', `${GEMINI}/${created.json.id}`)).json.status, 'cancelled');
  });

  test('replay-from-start: a reattach with last_event_id gets the whole run again', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: scenario('replay-from-start') });
    await waitForStatus(emu, created.json.id);
    const res = await fetch(`${emu.url}${GEMINI}/${created.json.id}?stream=true&last_event_id=evt_5`, { headers: KEY });
    const text = await res.text();
    assert.match(text, /^event: interaction\.created/);
  });

  test('client.resume over a replay-from-start reattach yields every event exactly once (replace, not append)', async () => {
    const created = await http(emu, 'POST', GEMINI, { body: scenario('replay-from-start', 'resume replay') });
    await waitForStatus(emu, created.json.id);
    const client = new InteractionsClient({ apiKey: 'test-key', baseUrl: emu.url });
    try {
      const got: unknown[] = [];
      const stream = client.resume(created.json.id, { reconnectDelayMs: 1 });
      for await (const e of stream) got.push(e);
      assert.ok(stream.reconnects >= 1, 'the cut forced a reattach');
      assert.ok((emu.counters().faults['replay_from_start'] ?? 0) >= 1, 'the reattach was replayed from the start');
      assert.deepEqual(JSON.parse(JSON.stringify(got)), emu.eventsFor(created.json.id));
    } finally {
      await client.close();
    }
  });

  test('content_blocked: a non-streamed create answers HTTP 400 content_blocked and stores nothing', async () => {
    const r = await http(emu, 'POST', GEMINI, { body: MODEL('blocked', { labels: { 'emulator-scenario': 'content-blocked' } }) });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.details[0].reason, 'content_blocked');
    assert.ok(emu.interactions().at(-1)!.refused);
  });

  test('DELETE on a running interaction does not cancel it: the run goes on, the record is gone', async () => {
    const cancelsBefore = emu.counters().cancels;
    const created = await http(emu, 'POST', GEMINI, { body: DR('delete me') });
    assert.equal((await http(emu, 'DELETE', `${GEMINI}/${created.json.id}`)).status, 200);
    assert.equal((await http(emu, 'GET', `${GEMINI}/${created.json.id}`)).status, 404);
    await waitForCondition(() => emu.interactions().find((i) => i.id === created.json.id)!.status === 'completed');
    assert.equal(emu.counters().cancels, cancelsBefore);
  });
});
