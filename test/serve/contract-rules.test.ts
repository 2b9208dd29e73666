/**
 * The OpenAPI document states the jobs client's rules: for a corpus of start requests at and
 * around every boundary, the document's verdict (the server's validator) and
 * `JobsClient.validateStart` agree. Where they may not, the document is the stricter one (so the
 * server, which checks the document first, refuses exactly what it documents), and each such case
 * is listed here with its reason; the one rule JSON Schema cannot state (two poll intervals in
 * order) is in the document's prose and in test/python/schemathesis_hooks.py.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobsClient } from '../../src/jobs/jobs-client';
import { openApiDocument } from '../../src/serve/openapi';
import { createRequestValidators } from '../../src/serve/validation';
import { fakeApiKey } from '../helpers/fake-credentials';
import { AGENT_TURN_DEADLINE_MS } from '../../src/contract/constants';

const validators = createRequestValidators(openApiDocument());
const startBody = validators.get('startJob')!;

const DR = 'deep-research-preview-04-2026';
const agent = (extra: Record<string, unknown> = {}) => ({ request: { agent: DR, input: 'q', ...extra } });
const model = (extra: Record<string, unknown> = {}) => ({ request: { model: 'gemini-3-flash-preview', input: 'q', ...extra } });
const withOptions = (options: Record<string, unknown>) => ({ ...agent(), options });
const WEEK = 7 * 24 * 3_600_000;

type Body = { request: Record<string, unknown>; options?: Record<string, unknown>; jobId?: unknown; thread?: unknown };

function documentAccepts(body: Body): boolean {
  try {
    startBody.body(body);
    return true;
  } catch {
    return false;
  }
}

function clientAccepts(body: Body): boolean {
  try {
    JobsClient.validateStart(body.request as never, {
      ...(body.jobId !== undefined ? { jobId: body.jobId as string } : {}),
      ...(body.thread !== undefined ? { thread: body.thread as string } : {}),
      ...(body.options !== undefined ? { options: body.options as never } : {}),
    });
    return true;
  } catch {
    return false;
  }
}

const accepted: Array<[string, Body]> = [
  ['an agent run', agent()],
  ['a model turn', model()],
  ['a content object', agent({ input: { type: 'text', text: 'q' } })],
  ['a content list', agent({ input: [{ type: 'text', text: 'q' }] })],
  ['a step list', agent({ input: [{ type: 'user_input', content: [{ type: 'text', text: 'q' }] }] })],
  ['an unknown content type (open union)', agent({ input: { type: 'future_block', x: 1 } })],
  ['agent_config with an agent', agent({ agent_config: { type: 'deep-research', thinking_summaries: 'auto', collaborative_planning: true } })],
  ['generation_config with a model', model({ generation_config: { temperature: 0.2 } })],
  ['tools', agent({ tools: [{ type: 'google_search' }, { type: 'url_context' }] })],
  ['labels', agent({ labels: { team: 'research', 'emulator-scenario': 'long', ['k'.repeat(63)]: 'v'.repeat(63) } })],
  ['an unknown request field (passes through)', agent({ future_field: { a: 1 } })],
  ['an empty credential-named field', agent({ tools: [{ type: 'mcp_server', name: 'x', url: 'https://mcp.example', headers: { Authorization: '' } }] })],
  ['prose that mentions a bearer', agent({ input: 'How does Bearer authentication work?' })],
  [
    'every duration at its minimum',
    withOptions({
      deadlineMs: 1_000,
      streamIdleTimeoutMs: 100,
      pollInitialIntervalMs: 10,
      pollMaxIntervalMs: 10,
      heartbeatTimeoutMs: 1_000,
      notFoundGraceMs: 0,
      followUpWindowMs: 0,
    }),
  ],
  [
    'every duration at its maximum',
    withOptions({
      deadlineMs: AGENT_TURN_DEADLINE_MS,
      streamIdleTimeoutMs: 3_600_000,
      pollInitialIntervalMs: 3_600_000,
      pollMaxIntervalMs: 3_600_000,
      heartbeatTimeoutMs: 3_600_000,
      notFoundGraceMs: 3_600_000,
      followUpWindowMs: WEEK,
    }),
  ],
  ['continue-as-new bounds', withOptions({ continueAsNewAfterEvents: 20 })],
  ['modes', withOptions({ mode: 'webhook' })],
  ['a budget', withOptions({ budget: { maxTotalTokens: 1, maxToolCalls: 3, maxWallTimeMs: 60_000, maxCostUsd: 0.01 } })],
  ['a tenant of 256', withOptions({ tenant: 't'.repeat(256) })],
  ['a job id of 200', { ...agent(), jobId: 'j'.repeat(200) }],
  ['a job id of 100 emoji (200 UTF-16 units)', { ...agent(), jobId: '😀'.repeat(100) }],
  ['a job id with punctuation', { ...agent(), jobId: 'job/2026:12?#..' }],
  ['a thread of 255', { ...agent(), thread: 't'.repeat(255) }],
  ['a thread with a single quote', { ...agent(), thread: "o'brien" }],
];

const refused: Array<[string, Body]> = [
  ['neither model nor agent', { request: { input: 'q' } }],
  ['both model and agent', agent({ model: 'gemini-3-flash-preview' })],
  ['an empty agent', { request: { agent: '', input: 'q' } }],
  ['a retired agent', { request: { agent: 'deep-research-pro-preview-12-2025', input: 'q' } }],
  ['agent_config with a model', model({ agent_config: { type: 'deep-research' } })],
  ['generation_config with an agent', agent({ generation_config: {} })],
  ['no input', { request: { agent: DR } }],
  ['a blank input', agent({ input: ' \n\t\u3000' })],
  ['an empty input list', agent({ input: [] })],
  ['a number as input', agent({ input: 5 })],
  ['a list item without type', agent({ input: [{ text: 'q' }] })],
  ['an input object without type', agent({ input: { text: 'q' } })],
  ['background', agent({ background: true })],
  ['store', agent({ store: false })],
  ['stream', agent({ stream: true })],
  ['previous_interaction_id', agent({ previous_interaction_id: 'v1_x' })],
  ['tools not a list', agent({ tools: 'google_search' })],
  ['a tool without type', agent({ tools: [{}] })],
  ['an upper-case label key', agent({ labels: { Team: 'x' } })],
  ['an upper-case label value', agent({ labels: { team: 'X' } })],
  ['65 labels', agent({ labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) })],
  ['a label value that is a number', agent({ labels: { team: 5 } })],
  ['a credential-shaped input', agent({ input: `my key is ${fakeApiKey('SyD-contract-rules-0123456789abcdefgh')}` })],
  ['a credential header', agent({ tools: [{ type: 'mcp_server', name: 'x', url: 'https://mcp.example', headers: { authorization: 'Bearer abc' } }] })],
  ['a credential-named field', agent({ api_key: 'x' })],
  ['a credential-named option', withOptions({ Password: 'hunter2' })],
  ['an unknown mode', withOptions({ mode: 'fast' })],
  ['a deadline below its minimum', withOptions({ deadlineMs: 999 })],
  ['a deadline past the API run limit plus its margin', withOptions({ deadlineMs: AGENT_TURN_DEADLINE_MS + 1 })],
  ['an unknown option (a typo, or an option of another version)', withOptions({ deadlinems: 60_000 })],
  ['a deadline as text', withOptions({ deadlineMs: '5m' })],
  ['a negative grace', withOptions({ notFoundGraceMs: -1 })],
  ['continue-as-new below its minimum', withOptions({ continueAsNewAfterEvents: 19 })],
  ['continue-as-new not whole', withOptions({ continueAsNewAfterEvents: 20.5 })],
  ['a zero budget', withOptions({ budget: { maxTotalTokens: 0 } })],
  ['a fractional token budget', withOptions({ budget: { maxTotalTokens: 1.5 } })],
  ['an unknown budget limit', withOptions({ budget: { maxDollars: 1 } })],
  ['an empty tenant', withOptions({ tenant: '' })],
  ['a tenant of 257', withOptions({ tenant: 't'.repeat(257) })],
  ['an empty job id', { ...agent(), jobId: '' }],
  ['a job id of 201', { ...agent(), jobId: 'j'.repeat(201) }],
  ['a job id with a space', { ...agent(), jobId: 'a b' }],
  ['a job id with a control character', { ...agent(), jobId: 'a\u0001b' }],
  ['a job id with a no-break space', { ...agent(), jobId: 'a\u00a0b' }],
  ['a job id of 101 emoji (202 UTF-16 units)', { ...agent(), jobId: '😀'.repeat(101) }],
  ['an empty thread', { ...agent(), thread: '' }],
  ['a thread of 256', { ...agent(), thread: 't'.repeat(256) }],
  ['a thread with a double quote', { ...agent(), thread: 'a"b' }],
  ['a thread with a backslash', { ...agent(), thread: 'a\\b' }],
  ['a thread option with a control character', withOptions({ thread: 'a\u0007' })],
];

/** The document refuses these; the jobs client alone accepts them. Each reason is in the document. */
const stricter: Array<[string, Body]> = [
  ['an international label (the HTTP API takes lowercase ASCII labels)', agent({ labels: { équipe: 'recherche' } })],
  ['agent: null beside model (the client reads null as absent; JSON Schema cannot)', model({ agent: null })],
  ['150 characters of which some are emoji (the document counts 100 such)', { ...agent(), jobId: 'a'.repeat(140) + '😀'.repeat(10) }],
];

/** The document accepts these; the client refuses them (JSON Schema cannot compare two fields). */
const looser: Array<[string, Body]> = [['poll intervals out of order', withOptions({ pollInitialIntervalMs: 500, pollMaxIntervalMs: 100 })]];

test('the document and JobsClient.validateStart agree on every start request of the corpus', () => {
  for (const [name, body] of accepted) {
    assert.equal(clientAccepts(body), true, `the client accepts ${name}`);
    assert.equal(documentAccepts(body), true, `the document accepts ${name}`);
  }
  for (const [name, body] of refused) {
    assert.equal(clientAccepts(body), false, `the client refuses ${name}`);
    assert.equal(documentAccepts(body), false, `the document refuses ${name}`);
  }
  for (const [name, body] of stricter) {
    assert.equal(clientAccepts(body), true, `the client accepts ${name}`);
    assert.equal(documentAccepts(body), false, `the document refuses ${name}`);
  }
  for (const [name, body] of looser) {
    assert.equal(clientAccepts(body), false, `the client refuses ${name}`);
    assert.equal(documentAccepts(body), true, `the document accepts ${name} (its prose states the rule)`);
  }
  const rules = JSON.stringify((openApiDocument().components as { schemas: Record<string, unknown> }).schemas.JobOptionsRules);
  assert.match(rules, /pollInitialIntervalMs. may not exceed .pollMaxIntervalMs/);
});

test('a refused body names its field and the rule', () => {
  const cases: Array<[Body | Record<string, unknown>, string, string, RegExp]> = [
    [{ ...agent(), jobId: 'a b' }, 'invalid_job_id', 'jobId', /no whitespace/],
    [{ ...agent(), thread: 'a"b' }, 'invalid_thread', 'thread', /double quote/],
    [withOptions({ deadlineMs: 999 }), 'invalid_job', 'options.deadlineMs', />= 1000/],
    [agent({ background: true }), 'invalid_job', 'request.background', /the job workflow sets it/],
    [agent({ input: '  ' }), 'invalid_job', 'request.input', /non-blank string/],
    [agent({ model: 'm' }), 'invalid_job', 'request', /Exactly one of `model` or `agent`/],
    [agent({ input: `key ${fakeApiKey('SyD-contract-rules-0123456789abcdefgh')}` }), 'invalid_job', 'request.input', /look like a credential/],
    [{ ...agent(), deadline: 5 }, 'invalid_request', 'deadline', /not a field of this request; allowed: jobId, thread, request, options/],
    [{ options: {} }, 'invalid_job', 'request', /is required/],
  ];
  for (const [body, code, field, message] of cases) {
    assert.throws(
      () => startBody.body(body),
      (err: { code?: string; field?: string; message: string }) => err.code === code && err.field === field && message.test(err.message),
      `${field}: ${code} ${message}`,
    );
  }
});
