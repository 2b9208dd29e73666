/**
 * The server enforces exactly what its OpenAPI document says, over real HTTP with a real job:
 * each request the document calls invalid is refused with 400 naming the parameter (and the
 * document agrees it is invalid), each valid neighbour is served; every event a real stream
 * carries matches the document's event schema; the document's start example runs as a job.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import { releaseTestEnv } from '../helpers/temporal';
import { openApiDocument } from '../../src/serve/openapi';
import { DR_AGENT, FAST, readSse, serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';

let h: ServeHarness;
let jobId: string;
const doc = openApiDocument() as {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; schema: unknown }>;
        requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
        responses: Record<string, { content?: Record<string, { itemSchema?: unknown }> }>;
      }
    >
  >;
  components: unknown;
};
const ajv = new Ajv2020({ strict: false, validateFormats: false });
ajv.addSchema({ ...doc, $id: 'urn:test:openapi' });
const schemaAt = (pointer: string) => ajv.compile({ $ref: `urn:test:openapi#${pointer}` });
const param = (path: string, method: string, name: string) => {
  const i = doc.paths[path]![method]!.parameters!.findIndex((p) => p.name === name);
  assert.ok(i >= 0, `${method} ${path} documents ${name}`);
  return schemaAt(`/paths/${path.replace(/\//g, '~1')}/${method}/parameters/${i}/schema`);
};

before(async () => {
  h = await serveHarness('contract');
  const res = await h.call('/v1/jobs', {
    json: { request: { agent: DR_AGENT, input: `contract ${randomUUID()}`, agent_config: { type: 'deep-research', thinking_summaries: 'auto' } }, options: FAST },
  });
  jobId = ((await res.json()) as { jobId: string }).jobId;
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; field?: string; message: string } }).error;

test('what the document calls invalid is refused with 400 naming the parameter; the valid neighbour is served', async () => {
  const events = `/v1/jobs/${jobId}/events`;
  const cases: Array<{ name: string; path: string; init?: RequestInit & { json?: unknown }; code: string; field: string; documented: () => boolean }> = [
    {
      name: 'a job id over 200 characters',
      path: `/v1/jobs/${'j'.repeat(201)}`,
      code: 'invalid_job_id',
      field: 'jobId',
      documented: () => !param('/v1/jobs/{jobId}', 'get', 'jobId')('j'.repeat(201)),
    },
    {
      name: 'a control character in a job id',
      path: `/v1/jobs/a%01b`,
      code: 'invalid_job_id',
      field: 'jobId',
      documented: () => !param('/v1/jobs/{jobId}', 'get', 'jobId')('a\u0001b'),
    },
    {
      name: 'a control character in a thread filter',
      path: `/v1/jobs?thread=a%07b`,
      code: 'invalid_list_filter',
      field: 'thread[0]',
      documented: () => !param('/v1/jobs', 'get', 'thread')(['a\u0007b']),
    },
    {
      name: 'an empty jobId',
      path: '/v1/jobs',
      init: { json: { jobId: '', request: { agent: DR_AGENT, input: 'never' } } },
      code: 'invalid_job_id',
      field: 'jobId',
      documented: () => !schemaAt('/components/schemas/JobId')(''),
    },
    {
      name: 'input: null on a follow-up',
      path: `/v1/jobs/${jobId}/follow-up`,
      init: { json: { input: null } },
      code: 'invalid_request',
      field: 'input',
      documented: () => !schemaAt('/components/schemas/FollowUpBody')({ input: null }),
    },
    {
      name: 'a Last-Event-ID past the largest position',
      path: events,
      init: { headers: { 'last-event-id': '9007199254740992' } },
      code: 'invalid_request',
      field: 'Last-Event-ID',
      documented: () => !param('/v1/jobs/{jobId}/events', 'get', 'Last-Event-ID')(9007199254740992),
    },
    {
      name: 'wait=AAA',
      path: `/v1/jobs/${jobId}/result?wait=AAA`,
      code: 'invalid_request',
      field: 'wait',
      documented: () => !param('/v1/jobs/{jobId}/result', 'get', 'wait')('AAA'),
    },
    {
      name: 'format=xml',
      path: `/v1/jobs/${jobId}/result?format=xml`,
      code: 'invalid_request',
      field: 'format',
      documented: () => !param('/v1/jobs/{jobId}/result', 'get', 'format')('xml'),
    },
    {
      name: 'from=-1 beside a Last-Event-ID',
      path: `${events}?from=-1`,
      init: { headers: { 'last-event-id': '5' } },
      code: 'invalid_request',
      field: 'from',
      documented: () => !param('/v1/jobs/{jobId}/events', 'get', 'from')(-1),
    },
    {
      name: 'a timeout past the documented maximum',
      path: `/v1/jobs/${jobId}/result?wait=1&timeoutMs=300001`,
      code: 'invalid_request',
      field: 'timeoutMs',
      documented: () => !param('/v1/jobs/{jobId}/result', 'get', 'timeoutMs')(300001),
    },
  ];
  for (const c of cases) {
    assert.ok(c.documented(), `the document calls ${c.name} invalid`);
    const res = await h.call(c.path, c.init ?? {});
    assert.equal(res.status, 400, c.name);
    const error = await errorOf(res);
    assert.deepEqual({ code: error.code, field: error.field }, { code: c.code, field: c.field }, `${c.name}: ${error.message}`);
  }
  // The valid neighbours.
  assert.equal((await h.call(`/v1/jobs/${'j'.repeat(200)}`)).status, 404);
  assert.equal((await h.call(`/v1/jobs?thread=a'b`)).status, 200);
  assert.equal((await h.call(`/v1/jobs/${jobId}/result?wait=true&timeoutMs=0&format=json`)).status, 200);
  const resumed = await h.call(events, { headers: { 'last-event-id': '9007199254740991' } });
  assert.equal(resumed.status, 200, 'the largest position is accepted');
  await resumed.body?.cancel();
  const dots = await h.call('/v1/jobs', {
    json: { jobId: `..${randomUUID()}`, request: { agent: DR_AGENT, input: 'dots', agent_config: { type: 'deep-research' } }, options: FAST },
  });
  assert.equal(dots.status, 202);
  const dotsId = ((await dots.json()) as { jobId: string }).jobId;
  assert.equal((await h.call(`/v1/jobs/${encodeURIComponent(dotsId)}`)).status, 200, 'a job id starting with dots reaches its route');
});

test('a wait that runs out answers the outcome so far (settled: false), never a 5xx', async () => {
  const res = await h.call('/v1/jobs', { json: { request: { agent: DR_AGENT, input: `wait ${randomUUID()}` }, options: FAST } });
  const { jobId: waiting } = (await res.json()) as { jobId: string };
  const outcome = await h.call(`/v1/jobs/${waiting}/result?wait=1&timeoutMs=0`);
  assert.equal(outcome.status, 200);
  assert.equal(((await outcome.json()) as { settled: boolean }).settled, false);
});

test('every event of a real stream matches the document event schema', async () => {
  const content = doc.paths['/v1/jobs/{jobId}/events']!.get!.responses['200']!.content!['text/event-stream']!;
  assert.ok(content.itemSchema, 'the stream documents its items');
  const item = schemaAt('/paths/~1v1~1jobs~1{jobId}~1events/get/responses/200/content/text~1event-stream/itemSchema');
  const data = new Map<string, ReturnType<typeof schemaAt>>();
  const dataSchema = (event: string) => {
    if (!data.has(event)) {
      const branches = (content.itemSchema as { oneOf: Array<{ properties: { event: { const: string } } }> }).oneOf;
      const i = branches.findIndex((b) => b.properties.event.const === event);
      assert.ok(i >= 0, `the document lists event ${event}`);
      data.set(event, schemaAt(`/paths/~1v1~1jobs~1{jobId}~1events/get/responses/200/content/text~1event-stream/itemSchema/oneOf/${i}/properties/data/contentSchema`));
    }
    return data.get(event)!;
  };
  const messages = await readSse(await h.call(`/v1/jobs/${jobId}/events`, { headers: {} }), (m) => m.event === 'done');
  assert.ok(messages.length >= 4);
  const seen = new Set<string>();
  for (const m of messages) {
    const event = { event: m.event ?? 'message', data: m.data, ...(m.id !== undefined ? { id: m.id } : {}) };
    assert.ok(item(event), `${m.event} matches an item branch: ${JSON.stringify(item.errors)}`);
    const check = dataSchema(m.event!);
    assert.ok(check(JSON.parse(m.data)), `${m.event} data matches its schema: ${JSON.stringify(check.errors)}`);
    seen.add(m.event!);
  }
  for (const type of ['phase', 'turn-completed', 'done']) assert.ok(seen.has(type), `saw ${type}`);
});

test("the document's start examples run as jobs", async () => {
  const examples = doc.paths['/v1/jobs']!.post!.requestBody!.content['application/json']!.examples ?? {};
  assert.ok(Object.keys(examples).length >= 2);
  for (const [name, { value }] of Object.entries(examples)) {
    const body = { ...(value as Record<string, unknown>), options: { ...((value as { options?: object }).options ?? {}), ...FAST } };
    const res = await h.call('/v1/jobs', { json: body });
    assert.equal(res.status, 202, name);
    const { jobId: started } = (await res.json()) as { jobId: string };
    const outcome = await waitFor(
      async () => {
        const o = (await (await h.call(`/v1/jobs/${started}/result?wait=1&timeoutMs=20000`)).json()) as { settled: boolean; status: string };
        return o.settled ? o : undefined;
      },
      `example ${name} to finish`,
      120_000,
    );
    assert.equal(outcome.status, 'completed', name);
  }
});
