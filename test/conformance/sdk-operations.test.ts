/**
 * Conformance: the newest @google/genai (3.3.0) drives the emulator through every Interactions
 * operation it offers, on its DEFAULT settings: only `httpOptions.baseUrl` points at the emulator,
 * so the SDK picks its own API version (`v1`), headers, retries and continuation behaviour.
 *
 * The SDK declares `engines.node >= 22`; the operations used here run on Node 20 as well
 * (measured on this project's CI image), so the test runs in-process on every supported Node.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { InteractionAccumulator } from '../../src/interactions/accumulator';
import type { InteractionEvent } from '../../src/interactions/types';

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('@google/genai 3.3.0 against the emulator, default settings', () => {
  let emu: Emulator;
  let genai: typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });
  let ai: InstanceType<typeof genai.GoogleGenAI>;
  const paths: string[] = [];
  before(async () => {
    genai = await import('@google/genai');
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000, log: (line) => paths.push(line) });
    ai = new genai.GoogleGenAI({ apiKey: 'conformance-key', httpOptions: { baseUrl: emu.url } });
  });
  after(() => emu.close());

  test('the SDK default route is /v1 and the emulator serves it', async () => {
    const turn = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: 'Hello v1' });
    assert.equal(turn.status, 'completed');
    assert.ok(
      paths.some((l) => l.startsWith('POST /v1/interactions ')),
      paths.join('\n'),
    );
  });

  test('create (model, unary): steps and output_text', async () => {
    const turn = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: 'Say something', generation_config: { thinking_level: 'xhigh' } });
    assert.equal(turn.status, 'completed');
    assert.ok(turn.steps?.some((s) => s.type === 'model_output'));
    assert.equal(typeof turn.output_text, 'string');
  });

  test('create (agent, background, stream) → get (unary, include_input) → get (stream, last_event_id): one timeline', async () => {
    const stream = await ai.interactions.create({
      agent: 'deep-research-preview-04-2026',
      input: 'Conformance research',
      background: true,
      stream: true,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    });
    const events: InteractionEvent[] = [];
    for await (const ev of stream) events.push(plain(ev) as InteractionEvent);
    assert.equal(events[0]!.event_type, 'interaction.created');
    assert.equal(events.at(-1)!.event_type, 'interaction.completed');
    const id = (events[0] as { interaction: { id: string } }).interaction.id;

    const got = await ai.interactions.get(id, { include_input: true });
    assert.equal(got.status, 'completed');
    const acc = new InteractionAccumulator();
    for (const e of events) acc.apply(e);
    assert.deepEqual(plain(got.steps)!.slice(1), plain(acc.snapshot().steps), 'our accumulator over the SDK-decoded stream equals the GET');

    const cursor = events.filter((e) => e.event_id)[5]!.event_id!;
    const resumed = await ai.interactions.get(id, { stream: true, last_event_id: cursor });
    const rest: InteractionEvent[] = [];
    for await (const ev of resumed) rest.push(plain(ev) as InteractionEvent);
    const at = events.findIndex((e) => e.event_id === cursor);
    assert.deepEqual(rest, events.slice(at + 1));
  });

  test('create (model, stream) with a client-side function call ends requires_action; the function_result turn continues it', async () => {
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }];
    const first = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: 'Look it up', tools });
    assert.equal(first.status, 'requires_action');
    const call = first.steps!.find((s) => s.type === 'function_call') as { id: string; name: string };
    const second = await ai.interactions.create({
      model: 'gemini-3-flash-preview',
      previous_interaction_id: first.id,
      tools,
      input: [{ type: 'function_result', call_id: call.id, name: call.name, result: 'found' }],
    });
    assert.equal(second.status, 'completed');
  });

  test('automatic continuation: a requires_continuation hop is continued by the SDK with continuation_token and no input', async () => {
    const before = emu.interactions().length;
    const merged = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: 'A long answer', labels: { 'emulator-scenario': 'requires-continuation' } });
    assert.equal(merged.status, 'completed');
    const hops = emu.interactions().slice(before);
    assert.equal(hops.length, 2, 'one continuation hop');
    assert.equal(hops[0]!.status, 'requires_continuation');
    assert.equal(typeof hops[1]!.request['continuation_token'], 'string');
    assert.equal(hops[1]!.request['input'], undefined);
    assert.equal(hops[1]!.previousInteractionId, hops[0]!.id);
  });

  test('cancel a running background interaction, then delete it', async () => {
    const bg = await ai.interactions.create({ agent: 'deep-research-preview-04-2026', input: 'to cancel', background: true, labels: { 'emulator-scenario': 'zombie' } });
    assert.equal(bg.status, 'in_progress');
    const cancelled = await ai.interactions.cancel(bg.id);
    assert.equal(cancelled.status, 'cancelled');
    await ai.interactions.delete(bg.id);
    await assert.rejects(ai.interactions.get(bg.id), (err: { status?: number; message?: string }) => err?.status === 404 || /404|not found/i.test(String(err?.message)));
  });

  test('webhooks: create, list, get, update, ping, rotate, delete', async () => {
    const created = await ai.webhooks.create({ uri: 'https://example.com/hook', subscribed_events: ['interaction.completed'] } as never);
    const id =
      (created as { id?: string; name?: string }).id ??
      String((created as { name?: string }).name)
        .split('/')
        .pop()!;
    assert.ok(id);
    const listed = await ai.webhooks.list();
    assert.ok(((listed as { webhooks?: unknown[] }).webhooks ?? []).length >= 1);
    assert.equal(((await ai.webhooks.get(id)) as { uri?: string }).uri, 'https://example.com/hook');
    await ai.webhooks.update(id, { uri: 'https://example.com/hook2', update_mask: 'uri' } as never);
    await ai.webhooks.ping(id);
    await ai.webhooks.rotateSigningSecret(id);
    await ai.webhooks.delete(id);
    assert.ok(paths.some((l) => l.startsWith('POST /v1/webhooks ')));
  });

  test('Vertex routing on the SDK defaults (v1beta1 project path, bearer + quota project)', async () => {
    const vertex = new genai.GoogleGenAI({
      vertexai: true,
      project: 'conf-project',
      location: 'us-central1',
      httpOptions: { baseUrl: emu.url, headers: { Authorization: 'Bearer conformance-token', 'x-goog-user-project': 'conf-quota' } },
    });
    const r = await vertex.interactions.create({ model: 'gemini-3-flash-preview', input: 'Hello Vertex' });
    assert.equal(r.status, 'completed');
    assert.ok(paths.some((l) => l.startsWith('POST /v1beta1/projects/conf-project/locations/us-central1/interactions ')));
    assert.ok(emu.userProjects().includes('conf-quota'));
  });
});
