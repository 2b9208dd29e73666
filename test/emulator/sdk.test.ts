import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { accumulate } from './helpers';

describe('emulator with the official @google/genai SDK', () => {
  let emu: Emulator;
  // @google/genai ships ESM types for `import`; load it dynamically from this CommonJS test.
  let genai: typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });
  let ai: InstanceType<typeof genai.GoogleGenAI>;
  before(async () => {
    genai = await import('@google/genai');
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000 });
    ai = new genai.GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: emu.url } });
  });
  after(() => emu.close());

  test('create, stream, resume, get, cancel and delete through the SDK', async () => {
    const turn = await ai.interactions.create({ model: 'gemini-3-flash-preview', input: 'Hello SDK' });
    assert.equal(turn.status, 'completed');

    const stream = await ai.interactions.create({
      agent: 'deep-research-preview-04-2026',
      input: 'SDK research',
      background: true,
      stream: true,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    });
    const events: any[] = [];
    for await (const ev of stream) events.push(ev);
    assert.equal(events[0].event_type, 'interaction.created');
    assert.equal(events.at(-1).event_type, 'interaction.completed');
    const id: string = events[0].interaction.id;

    const got = await ai.interactions.get(id);
    assert.equal(got.status, 'completed');
    assert.deepEqual(JSON.parse(JSON.stringify(got.steps)).slice(1), accumulate(JSON.parse(JSON.stringify(events))));

    const mid = events[Math.floor(events.length / 2)];
    const resumeFrom = mid.event_id ?? events[Math.floor(events.length / 2) + 1].event_id;
    const resumed = await ai.interactions.get(id, { stream: true, last_event_id: resumeFrom });
    const rest: any[] = [];
    for await (const ev of resumed) rest.push(ev);
    const at = events.findIndex((e) => e.event_id === resumeFrom);
    assert.deepEqual(JSON.parse(JSON.stringify(rest)), JSON.parse(JSON.stringify(events.slice(at + 1))));

    const bg = await ai.interactions.create({ agent: 'deep-research-preview-04-2026', input: 'to cancel', background: true });
    assert.equal(bg.status, 'in_progress');
    const slow = bg.id!;
    const cancelled = await ai.interactions.cancel(slow);
    assert.ok(['cancelled', 'completed'].includes(cancelled.status!));

    await ai.interactions.delete(id);
    await assert.rejects(ai.interactions.get(id), (err: any) => /404|not found/i.test(String(err?.message ?? err)) || err?.status === 404);
    assert.ok(emu.counters().requests['stream']! >= 1);
  });

  test('Vertex routes through the SDK with an access token', async () => {
    const vertex = new genai.GoogleGenAI({
      vertexai: true,
      project: 'sdk-project',
      location: 'us-central1',
      httpOptions: { baseUrl: emu.url, headers: { Authorization: 'Bearer sdk-token', 'x-goog-user-project': 'sdk-quota' } },
    });
    const r = await vertex.interactions.create({ model: 'gemini-3-flash-preview', input: 'Hello Vertex SDK' });
    assert.equal(r.status, 'completed');
    const got = await vertex.interactions.get(r.id!);
    assert.equal(got.steps?.[0]?.type, 'user_input');
    assert.ok(emu.interactions().some((i) => i.scope === 'vertex:sdk-project/us-central1'));
    assert.ok(emu.userProjects().includes('sdk-quota'));
  });
});
