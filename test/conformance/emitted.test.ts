/**
 * Both newest Google SDKs (@google/genai 3.6.1 and google-genai 3.6.1) drive the emulator through
 * every background operation on their DEFAULT settings (only the base URL points at it): create
 * (model, agent, background, stream), get (plain, include_input, stream, resume by last_event_id),
 * cancel, delete, previous_interaction_id chaining, function calling, collaborative planning,
 * webhook_config, continuation, the newest step variants and every status, the errors they raise,
 * and the webhooks resource. A recording proxy keeps every object the emulator answered, and each
 * one is then judged by each SDK's own types: @google/genai's declarations through the
 * TypeScript compiler (fresh object literals: excess properties fail), google-genai's pydantic
 * models strictly (no undeclared field, no unrecognised variant, no unlisted enum value).
 *
 * The Python half needs a virtualenv with test/python/requirements.txt (.ci/run makes
 * .tools/venv; GEMINI_JOBS_PYTHON names another interpreter); without one it is skipped, saying so.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { InteractionAccumulator } from '../../src/interactions/accumulator';
import type { InteractionEvent } from '../../src/interactions/types';
import { packageRoot } from '../helpers/temporal';
import { judge, type Judged, type SdkLists } from './js-sdk-types';
import { assertOurListsCover } from './lists';
import { RecordingProxy, type Recorded } from './recorder';

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const RESEARCH = 'deep-research-preview-04-2026';
const MODEL = 'gemini-3-flash-preview';
const python = process.env.GEMINI_JOBS_PYTHON ?? join(packageRoot, '.tools', 'venv', 'bin', 'python');
const SCRIPT = join(packageRoot, 'test', 'conformance', 'sdk_conformance.py');
const noPython = existsSync(python)
  ? false
  : 'no Python virtualenv with google-genai: `python3 -m venv .tools/venv && .tools/venv/bin/pip install -r test/python/requirements.txt` (.ci/run does this)';

function runPython(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(python, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The SDK type each recorded object claims to be (the emitted shape is what is judged). */
function sdkTypeOf(r: Recorded): string {
  if (r.kind === 'error') return 'LiveErrorEnvelope';
  if (r.kind === 'event') return `SdkEvent<${JSON.stringify((r.body as { event_type: string }).event_type)}>`;
  switch (r.operation) {
    case 'create':
    case 'get':
    case 'cancel':
      return 'Interactions.Interaction';
    case 'delete':
      return 'Interactions.InteractionDeleteResponse';
    case 'webhook.create':
    case 'webhook.get':
    case 'webhook.update':
      return 'Webhooks.Webhook';
    case 'webhook.list':
      return 'Webhooks.WebhookListResponse';
    case 'webhook.ping':
      return 'Webhooks.WebhookPingResponse';
    case 'webhook.rotate':
      return 'Webhooks.WebhookRotateSigningSecretResponse';
    case 'webhook.delete':
      return 'Webhooks.WebhookDeleteResponse';
    default:
      return 'never';
  }
}

describe('what the emulator emits, judged by both 3.6.1 SDKs on their defaults', () => {
  let emu: Emulator;
  let proxy: RecordingProxy;
  let sink: Server;
  let sinkUrl: string;
  const deliveries: Array<{ type: string }> = [];
  let genai: typeof import('@google/genai', { with: { 'resolution-mode': 'import' } });
  let ai: InstanceType<typeof genai.GoogleGenAI>;
  let jsLists: SdkLists | undefined;

  before(async () => {
    genai = await import('@google/genai');
    emu = await startEmulator({ timeScale: 6000, deepResearchDurationMs: 60_000, modelTurnDurationMs: 200 });
    proxy = await new RecordingProxy(emu.url).start();
    ai = new genai.GoogleGenAI({ apiKey: 'conformance-key', httpOptions: { baseUrl: proxy.url } });
    sink = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        deliveries.push(JSON.parse(text) as { type: string });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    await proxy.close();
    await emu.close();
  });

  const settle = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const got = await ai.interactions.get(id);
      if (got.status !== 'in_progress' && got.status !== 'queued') return got;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${id} did not settle`);
  };
  const errorOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as Error & { status?: number; error?: unknown };
    }
    throw new Error('expected the SDK to raise');
  };

  test('@google/genai: every background operation, on /v1, with the SDK defaults', async () => {
    proxy.session = 'js';
    // create (background model turn) -> get -> get include_input
    const bg = await ai.interactions.create({ model: MODEL, input: 'js background hello', background: true });
    assert.equal((await settle(bg.id)).status, 'completed');
    assert.ok(
      proxy.records.some((r) => r.path.startsWith('/v1/interactions')),
      'the SDK default route is /v1',
    );
    const withInput = await ai.interactions.get(bg.id, { include_input: true });
    assert.equal(withInput.input, 'js background hello');

    // create (agent, background, stream) -> our accumulator over the SDK stream equals the GET -> resume by last_event_id
    const stream = await ai.interactions.create({
      agent: RESEARCH,
      input: 'js research',
      background: true,
      stream: true,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    });
    const events: InteractionEvent[] = [];
    for await (const ev of stream) events.push(plain(ev) as InteractionEvent);
    assert.equal(events.at(-1)!.event_type, 'interaction.completed');
    const id = (events[0] as { interaction: { id: string } }).interaction.id;
    const acc = new InteractionAccumulator();
    for (const e of events) acc.apply(e);
    assert.deepEqual(plain((await ai.interactions.get(id)).steps)!.slice(1), plain(acc.snapshot().steps));
    const cursor = events.filter((e) => e.event_id)[5]!.event_id!;
    const rest: InteractionEvent[] = [];
    for await (const ev of await ai.interactions.get(id, { stream: true, last_event_id: cursor })) rest.push(plain(ev) as InteractionEvent);
    assert.deepEqual(rest, events.slice(events.findIndex((e) => e.event_id === cursor) + 1));

    // cancel a running run, delete it, read it back
    const run = await ai.interactions.create({ agent: RESEARCH, input: 'js to cancel', background: true, labels: { 'emulator-scenario': 'zombie' } });
    assert.equal((await ai.interactions.cancel(run.id)).status, 'cancelled');
    await ai.interactions.delete(run.id);
    assert.equal((await errorOf(ai.interactions.get(run.id))).status, 404);

    // previous_interaction_id chaining
    const first = await settle((await ai.interactions.create({ model: MODEL, input: 'js first turn', background: true })).id);
    const second = await settle((await ai.interactions.create({ model: MODEL, input: 'js second turn', background: true, previous_interaction_id: first.id })).id);
    assert.equal(second.previous_interaction_id, first.id);

    // function calling, then the function_result turn
    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } }];
    const called = await settle((await ai.interactions.create({ model: MODEL, input: 'js look it up', background: true, tools })).id);
    assert.equal(called.status, 'requires_action');
    const call = called.steps!.find((s) => s.type === 'function_call') as { id: string; name: string };
    const input = [{ type: 'function_result' as const, call_id: call.id, name: call.name, result: 'found' }];
    assert.equal((await settle((await ai.interactions.create({ model: MODEL, background: true, tools, previous_interaction_id: called.id, input })).id)).status, 'completed');

    // collaborative planning: plan, refine (flag still true), execute (flag false)
    const planCfg = { type: 'deep-research' as const, collaborative_planning: true };
    const plan = await settle((await ai.interactions.create({ agent: RESEARCH, input: 'js: research heat pumps', background: true, agent_config: planCfg })).id);
    const refined = await settle(
      (await ai.interactions.create({ agent: RESEARCH, input: 'add costs', background: true, agent_config: planCfg, previous_interaction_id: plan.id })).id,
    );
    const executed = await settle(
      (
        await ai.interactions.create({
          agent: RESEARCH,
          input: 'go ahead',
          background: true,
          agent_config: { type: 'deep-research', collaborative_planning: false },
          previous_interaction_id: refined.id,
        })
      ).id,
    );
    assert.deepEqual([plan.status, refined.status, executed.status], ['completed', 'completed', 'completed']);

    // webhook_config
    const hooked = await ai.interactions.create({ model: MODEL, input: 'js webhook', background: true, webhook_config: { uris: [sinkUrl], user_metadata: { sdk: 'js' } } });
    assert.equal((await settle(hooked.id)).status, 'completed');

    // automatic continuation (the SDK's default) across a requires_continuation hop
    const hopsBefore = emu.interactions().length;
    assert.equal((await ai.interactions.create({ model: MODEL, input: 'a long answer', labels: { 'emulator-scenario': 'requires-continuation' } })).status, 'completed');
    const hops = emu.interactions().slice(hopsBefore);
    assert.deepEqual(
      hops.map((h) => [h.status, typeof h.request['continuation_token'], h.request['input'] === undefined]),
      [
        ['requires_continuation', 'undefined', false],
        ['completed', 'string', true],
      ],
      'one continuation hop: continuation_token, no input',
    );

    // the newest variants and every status, streamed
    for (const scenario of ['new-variants', 'queued', 'idle', 'budget-exceeded', 'token-exhaustion', 'fail']) {
      const s = await ai.interactions.create({
        agent: RESEARCH,
        input: `js ${scenario}`,
        background: true,
        stream: true,
        agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
        labels: { 'emulator-scenario': scenario },
      });
      for await (const _ of s) void _;
    }

    // Vertex routing on the SDK defaults (v1beta1 project path)
    const vertex = new genai.GoogleGenAI({
      vertexai: true,
      project: 'conf-project',
      location: 'us-central1',
      httpOptions: { baseUrl: proxy.url, headers: { Authorization: 'Bearer conformance-token', 'x-goog-user-project': 'conf-quota' } },
    });
    assert.equal((await vertex.interactions.create({ model: MODEL, input: 'js vertex' })).status, 'completed');
    assert.ok(proxy.records.some((r) => r.path.startsWith('/v1beta1/projects/conf-project/locations/us-central1/interactions')));
    assert.ok(emu.userProjects().includes('conf-quota'));

    // webhooks resource
    const created = await ai.webhooks.create({ uri: 'https://example.com/js-hook', subscribed_events: ['interaction.completed'] } as never);
    const hookId = (created as { id: string }).id;
    await ai.webhooks.list();
    await ai.webhooks.get(hookId);
    await ai.webhooks.update(hookId, { uri: 'https://example.com/js-hook2', update_mask: 'uri' } as never);
    await ai.webhooks.ping(hookId);
    await ai.webhooks.rotateSigningSecret(hookId);
    await ai.webhooks.delete(hookId);
  });

  test('@google/genai raises interaction errors as subclasses of its own (unexported) APIError, not the exported ApiError', async () => {
    proxy.session = 'js';
    const notFound = await errorOf(ai.interactions.get('v1_doesnotexist0000000000000'));
    const retired = await errorOf(ai.interactions.create({ agent: 'deep-research-pro-preview-12-2025', input: 'x', background: true }));
    const unknownModel = await errorOf(ai.interactions.create({ model: 'gemini-3-flash', input: 'x' }));
    const badRequest = await errorOf(ai.interactions.create({ agent: RESEARCH, input: 'x' }));
    assert.deepEqual(
      [notFound, retired, unknownModel, badRequest].map((e) => [e.name, e.status]),
      [
        ['NotFoundError', 404],
        ['NotFoundError', 404],
        ['NotFoundError', 404],
        ['BadRequestError', 400],
      ],
    );
    assert.ok(!(notFound instanceof genai.ApiError), 'the ApiError the SDK exports (and documents) does not catch them');
    assert.deepEqual((notFound.error as { error: { status: string } }).error.status, 'NOT_FOUND', '`error` holds the parsed body');
  });

  test('google-genai (Python): every background operation, with the SDK defaults', { skip: noPython }, async () => {
    proxy.session = 'python';
    const run = await runPython(['drive', proxy.url, sinkUrl]);
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, any>;
    assert.ok(['in_progress', 'completed'].includes(out.create_background), out.create_background);
    assert.equal(out.get_settled, 'completed');
    assert.equal(out.get_include_input, 'python background hello');
    assert.deepEqual(out.stream, { events: out.stream.events, first: 'interaction.created', last: 'interaction.completed', resumed_equal: true });
    assert.equal(out.cancel, 'cancelled');
    assert.deepEqual(out.chain, { status: 'completed', previous: true });
    assert.deepEqual(out.planning, ['completed', 'completed', 'completed']);
    assert.equal(out.webhook_config, 'completed');
    assert.deepEqual(out.function_call, ['requires_action', 'completed']);
    assert.deepEqual(out.scenarios, {
      'new-variants': 'completed',
      queued: 'completed',
      idle: 'idle',
      'budget-exceeded': 'budget_exceeded',
      'token-exhaustion': 'incomplete',
      fail: 'failed',
    });
    // How the Python SDK raises: classes of google.genai._interactions_errors, not google.genai.errors.APIError.
    for (const [name, cls, status] of [
      ['get_deleted', 'NotFoundError', 404],
      ['get_unknown', 'NotFoundError', 404],
      ['retired_agent', 'NotFoundError', 404],
      ['unknown_model', 'NotFoundError', 404],
      ['bad_request', 'BadRequestError', 400],
    ] as const) {
      const e = (out.errors[name] ?? out[name]) as { class: string; module: string; mro: string[]; status: number };
      assert.deepEqual([e.class, e.module, e.status], [cls, 'google.genai._interactions_errors', status], name);
      assert.ok(e.mro.includes('APIStatusError') && !e.mro.includes('ClientError'), `${name}: ${e.mro.join(' < ')}`);
    }
  });

  test('every object the emulator emitted fits @google/genai 3.6.1 types as a fresh object literal', () => {
    const items: Judged[] = proxy.records.map((r, i) => ({ label: `#${i} ${r.session} ${r.operation} ${r.kind} ${r.path}`, type: sdkTypeOf(r), value: r.body }));
    assert.ok(items.length > 200, `a full session was recorded (${items.length} objects)`);
    assert.ok(!items.some((i) => i.type === 'never'), 'every request is an operation the SDK has');
    const { verdicts, lists } = judge(items);
    jsLists = lists;
    const unknownEvents = proxy.records.filter((r) => r.kind === 'event' && !lists.events.includes((r.body as { event_type: string }).event_type));
    assert.deepEqual(unknownEvents, [], 'no event type the SDK does not list');
    assert.deepEqual(
      verdicts.map((v) => `${v.label}: ${v.message}`),
      [],
    );
    // What was covered: every status and step the emulator can produce on a default run.
    const stepTypes = new Set(
      proxy.records.flatMap((r) =>
        r.kind === 'event' && (r.body as { event_type: string }).event_type === 'step.start' ? [(r.body as { step: { type: string } }).step.type] : [],
      ),
    );
    for (const t of [
      'thought',
      'model_output',
      'google_search_call',
      'google_search_result',
      'url_context_call',
      'tool_search_call',
      'tool_search_result',
      'code_execution_call',
      'code_execution_result',
    ]) {
      assert.ok(stepTypes.has(t), `a ${t} step was judged`);
    }
  });

  test('every object the emulator emitted passes google-genai 3.6.1 pydantic models, strictly', { skip: noPython }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gj-conformance-'));
    try {
      const file = join(dir, 'records.json');
      await writeFile(file, JSON.stringify(proxy.records));
      const run = await runPython(['check', file]);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { checked: number; failures: string[]; lists: SdkLists };
      assert.equal(out.checked, proxy.records.length);
      assert.deepEqual(out.failures, []);
      assertOurListsCover(out.lists, 'google-genai');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the client's lists cover @google/genai's, read from its declarations", () => {
    assert.ok(jsLists, 'the judging test ran');
    assertOurListsCover(jsLists, '@google/genai');
  });

  test('webhook deliveries name only the events the SDKs list', () => {
    assert.ok(deliveries.length >= 1);
    assert.ok(jsLists);
    for (const d of deliveries) assert.ok(jsLists.webhookEvents.includes(d.type), d.type);
  });
});
