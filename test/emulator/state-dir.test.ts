/**
 * `stateDir`: an emulator started again on the same directory continues the interactions the
 * previous one stored, over real HTTP: a stream resumed by `last_event_id` across the restart gets
 * exactly the events the uninterrupted run has (same ids), a run that finished while no emulator
 * ran reads back finished, cancelled and deleted runs stay so, and chaining onto a run of the old
 * process works.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { DR, GEMINI, MODEL, http, sse } from './helpers';
import { waitFor } from '../helpers/wait';

let dir: string;
const opts = () => ({ stateDir: dir, timeScale: 60, deepResearchDurationMs: 120_000 }); // a 2 s run
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gj-emu-state-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a run goes on across a restart: the resumed stream and the GET are those of an uninterrupted run', async () => {
  const a = await startEmulator(opts());
  const created = await http(a, 'POST', GEMINI, { body: DR('restart me', { agent_config: { type: 'deep-research', thinking_summaries: 'auto' } }) });
  const id = created.json.id as string;
  await waitFor(() => a.eventsFor(id).length >= 6, 'some events before the restart');
  const seen = a.eventsFor(id);
  const cursor = seen.filter((e) => e.event_id).at(-1)!.event_id!;
  await a.close();
  assert.ok((await readdir(join(dir, 'runs'))).includes(`${id}.json`));

  const b: Emulator = await startEmulator(opts());
  try {
    const rest = (await sse(b, 'GET', `${GEMINI}/${id}?stream=true&last_event_id=${cursor}`)).events;
    const all = b.eventsFor(id);
    assert.equal(all.at(-1)!.event_type, 'interaction.completed');
    assert.deepEqual(
      all.slice(0, seen.length).map((e) => e.event_id),
      seen.map((e) => e.event_id),
      'the same event ids before the restart',
    );
    const at = all.findIndex((e) => e.event_id === cursor);
    assert.deepEqual(rest, all.slice(at + 1), 'the resumed stream continues right after the cursor');
    const got = await http(b, 'GET', `${GEMINI}/${id}`);
    assert.equal(got.json.status, 'completed');
    assert.ok(b.canonicalReport(id).length > 1000);
    const report = (got.json.steps as Array<{ type: string; content?: Array<{ text: string }> }>)
      .filter((s) => s.type === 'model_output')
      .flatMap((s) => (s.content ?? []).map((c) => c.text))
      .join('');
    assert.equal(report, b.canonicalReport(id));
  } finally {
    await b.close();
  }
});

test('what happened while no emulator ran, and what clients did before, holds after a restart', async () => {
  const a = await startEmulator(opts());
  const finishing = (await http(a, 'POST', GEMINI, { body: DR('finishes while down') })).json.id as string;
  const cancelled = (await http(a, 'POST', GEMINI, { body: DR('cancelled before', { labels: { 'emulator-scenario': 'zombie' } }) })).json.id as string;
  assert.equal((await http(a, 'POST', `${GEMINI}/${cancelled}/cancel`)).json.status, 'cancelled');
  const turn = await http(a, 'POST', GEMINI, { body: MODEL('a quick turn') });
  const deleted = (await http(a, 'POST', GEMINI, { body: MODEL('deleted before') })).json.id as string;
  await http(a, 'DELETE', `${GEMINI}/${deleted}`);
  const cancelledEvents = a.eventsFor(cancelled);
  await a.close();
  // Longer than the 2 s run: it ends while no emulator runs.
  await new Promise((r) => setTimeout(r, 2_500));

  const b = await startEmulator(opts());
  try {
    assert.equal((await http(b, 'GET', `${GEMINI}/${finishing}`)).json.status, 'completed');
    assert.equal((await http(b, 'GET', `${GEMINI}/${cancelled}`)).json.status, 'cancelled');
    assert.deepEqual(b.eventsFor(cancelled), cancelledEvents, 'the cancelled run is replayed to its cancel, not past it');
    assert.equal((await http(b, 'GET', `${GEMINI}/${deleted}`)).status, 404);
    assert.deepEqual((await http(b, 'GET', `${GEMINI}/${turn.json.id}`)).json.steps.slice(1), turn.json.steps);
    const chained = await http(b, 'POST', GEMINI, { body: MODEL('and then', { previous_interaction_id: turn.json.id }) });
    assert.equal(chained.json.status, 'completed');
  } finally {
    await b.close();
  }
});

test('without stateDir nothing is kept', async () => {
  const a = await startEmulator({ timeScale: 60 });
  const id = (await http(a, 'POST', GEMINI, { body: MODEL('ephemeral') })).json.id as string;
  await a.close();
  const b = await startEmulator({ timeScale: 60 });
  try {
    assert.equal((await http(b, 'GET', `${GEMINI}/${id}`)).status, 404);
  } finally {
    await b.close();
  }
});
