/**
 * Pure parts of the job layer, no server: failure mapping, credential detection, job validation,
 * stream progress hashing, live-state merging, the result store, and workflow helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure, CancelledFailure, defaultPayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { NotFoundError, RateLimitError, InternalServerError, RequestValidationError } from '../../src/interactions/errors';
import { NON_RETRYABLE_ERROR_TYPES, toActivityFailure } from '../../activities/failure-mapping';
import { alwaysFinalCodes } from '../../src/interactions/retry-table';
import { NON_RETRYABLE_TYPES } from '../../workflows/job';
import { findSecrets, redact as redactSecrets } from '../../src/common/redact';
import { JobValidationError, validateJobInput } from '../../src/jobs/validate-job';
import { JobsClient } from '../../src/jobs/jobs-client';
import { AGENT_TURN_DEADLINE_MS } from '../../src/contract';
import { FileResultStore } from '../../src/results/result-store';
import { mergeLiveState } from '../../src/jobs/live-state';
import { applyEvent, cloneProgress, emptyProgress, fnv1a, streamedTextOf } from '../../activities/progress';
import type { FollowCheckpoint } from '../../activities/types';
import type { JobInput, JobState } from '../../workflows/definitions';
import { followUpRequest, planApprovalInput, resolveJobOptions, sumUsage } from '../../workflows/helpers';
import type { InteractionEvent } from '../../src/interactions/types';

const FAKE_KEY = 'AIza' + 'Sy'.padEnd(35, 'x'); // shaped like a Google API key, not a real one

test('failure mapping: 4xx codes are non-retryable and typed by code', () => {
  const f = toActivityFailure(new NotFoundError({ status: 404, upstreamMessage: 'gone' }), { forceNonRetryable: true });
  assert.ok(f instanceof ApplicationFailure);
  assert.equal(f.type, 'not_found');
  assert.equal(f.nonRetryable, true);
  const v = toActivityFailure(new RequestValidationError('model', 'model and agent both set', 'send only one'));
  assert.equal((v as ApplicationFailure).type, 'invalid_request');
  assert.equal((v as ApplicationFailure).nonRetryable, true);
});

test('failure mapping: 429 with Retry-After becomes nextRetryDelay; 5xx is retryable', () => {
  const f = toActivityFailure(new RateLimitError({ status: 429, retryAfterMs: 7_000 })) as ApplicationFailure;
  assert.equal(f.type, 'rate_limited');
  assert.equal(f.nonRetryable, false);
  assert.equal(f.nextRetryDelay, 7_000);
  const s = toActivityFailure(new InternalServerError({ status: 503 })) as ApplicationFailure;
  assert.equal(s.type, 'server_error');
  assert.equal(s.nonRetryable, false);
});

test('failure mapping: CancelledFailure is never wrapped; the workflow list matches the table', () => {
  const c = new CancelledFailure('cancelled');
  assert.equal(toActivityFailure(c), c);
  assert.deepEqual([...NON_RETRYABLE_TYPES].sort(), [...NON_RETRYABLE_ERROR_TYPES].sort());
  // The one list (src/contract/constants.ts) is exactly the retry table's always-final rows.
  assert.deepEqual(alwaysFinalCodes().sort(), [...NON_RETRYABLE_ERROR_TYPES].sort());
});

test('secrets: credential-shaped strings and credential headers are found and redacted', () => {
  const found = findSecrets({
    tools: [{ type: 'mcp_server', url: 'https://mcp.example.com', headers: { Authorization: 'Basic abc' } }],
    input: `use key ${FAKE_KEY}`,
  });
  assert.deepEqual(
    found.map((f) => f.path),
    ['$.tools[0].headers.Authorization', '$.input'],
  );
  assert.equal(redactSecrets(`key=${FAKE_KEY} and Bearer abcdefghijklmnopqrstuvwxyz`), 'key=[REDACTED] and Bearer [REDACTED]');
});

test('validate-job: rejects credentials, workflow-owned fields and bad options, naming the field', () => {
  const ok: JobInput = { request: { model: 'gemini-3-flash-preview', input: 'hi' } as JobInput['request'] };
  validateJobInput(ok);
  const cases: Array<[JobInput, string]> = [
    [
      { request: { ...ok.request, tools: [{ type: 'mcp_server', name: 'x', url: 'https://x', headers: { Authorization: 'Bearer abc' } }] } as never },
      'request.tools[0].headers.Authorization',
    ],
    [{ request: { ...ok.request, tools: [{ type: 'retrieval', exa_ai_search_config: { api_key: 'k-123' } }] } as never }, 'request.tools[0].exa_ai_search_config.api_key'],
    [{ request: { ...ok.request, input: `summarize with ${FAKE_KEY}` } as never }, 'request.input'],
    [{ request: { ...ok.request, stream: true } as never }, 'request.stream'],
    [{ request: { ...ok.request, previous_interaction_id: 'v1_x' } as never }, 'request.previous_interaction_id'],
    [{ ...ok, options: { deadlineMs: -5 } }, 'options.deadlineMs'],
    [{ ...ok, options: { mode: 'sse' as never } }, 'options.mode'],
    [{ ...ok, options: { pollInitialIntervalMs: 5_000, pollMaxIntervalMs: 1_000 } }, 'options.pollInitialIntervalMs'],
  ];
  for (const [input, field] of cases) {
    assert.throws(
      () => validateJobInput(input),
      (err: unknown) => err instanceof JobValidationError && err.field === field && err.message.length > 20,
      `expected a JobValidationError on ${field}`,
    );
  }
  // The credential itself never appears in the message.
  try {
    validateJobInput({ request: { ...ok.request, input: `summarize with ${FAKE_KEY}` } as never });
  } catch (err) {
    assert.ok(!(err as Error).message.includes(FAKE_KEY));
    assert.match((err as Error).message, /worker/);
  }
});

test('validate-job: a request the client rejects is reported on its field', () => {
  assert.throws(
    () => validateJobInput({ request: { model: 'gemini-3-flash-preview', agent: 'deep-research-preview-04-2026', input: 'x' } as never }),
    (err: unknown) => err instanceof JobValidationError && err.field.startsWith('request'),
  );
});

test('progress: FNV-1a over deltas equals FNV-1a over the concatenation; checkpoints clone', () => {
  assert.equal(fnv1a('hello world'), fnv1a('world', fnv1a('hello ')));
  const p = emptyProgress();
  const events: InteractionEvent[] = [
    { event_type: 'step.start', index: 0, step: { type: 'thought' } },
    { event_type: 'step.delta', index: 0, delta: { type: 'thought_summary', content: { type: 'text', text: 'Thinking' } } },
    { event_type: 'step.stop', index: 0 },
    { event_type: 'step.start', index: 1, step: { type: 'model_output' } },
    { event_type: 'step.delta', index: 1, delta: { type: 'text', text: 'Hello ' }, event_id: 'e1' },
    { event_type: 'step.delta', index: 1, delta: { type: 'text', text: 'world' } },
  ] as InteractionEvent[];
  for (const e of events) applyEvent(p, e, '2026-01-01T00:00:00.000Z');
  assert.equal(p.eventsApplied, 6);
  assert.equal(p.outputChars, 11);
  assert.equal(p.latestThought, 'Thinking');
  assert.equal(p.outputHash, fnv1a('Hello world'));
  const copy = cloneProgress(p);
  applyEvent(p, { event_type: 'step.stop', index: 1, usage: { total_tokens: 70 }, step_usage: { total_tokens: 20 } } as unknown as InteractionEvent, 'x');
  assert.equal(copy.eventsApplied, 6);
  assert.deepEqual(p.usage, { total_tokens: 70 }, "step.stop's usage (the interaction's so far, as the newest SDKs declare it) is the live usage");
  assert.equal(
    streamedTextOf([
      { type: 'user_input', content: [{ type: 'text', text: 'q' }] },
      { type: 'model_output', content: [{ type: 'text', text: 'Hello world' }] },
    ]),
    'Hello world',
  );
});

test('live state: heartbeat details of the follow activity fill progress, phase and attempt', () => {
  const cp: FollowCheckpoint = {
    interactionId: 'v1_abc',
    lastEventId: 'ev-42',
    progress: { eventsApplied: 42, outputChars: 900, outputHash: '00000000', latestThought: 'Reading sources', lastEventAt: '2026-01-01T00:00:00.000Z' },
    mode: 'reconnecting',
    streamedFromStart: true,
    streamFailures: 1,
    at: '2026-01-01T00:00:00.000Z',
  };
  const description = {
    raw: {
      pendingActivities: [{ activityType: { name: 'followInteraction' }, attempt: 3, heartbeatDetails: { payloads: [defaultPayloadConverter.toPayload(cp)] } }],
    },
  } as unknown as WorkflowExecutionDescription;
  const state: JobState = { jobId: 'j', phase: 'running', status: 'running', interactionId: 'v1_abc', turn: 1, turns: [], startedAt: 'x', elapsedMs: 5 };
  const merged = mergeLiveState(state, description);
  assert.equal(merged.phase, 'reconnecting');
  assert.equal(merged.attempt, 3);
  assert.deepEqual(merged.progress, { eventsApplied: 42, outputChars: 900, latestThought: 'Reading sources', lastEventAt: '2026-01-01T00:00:00.000Z', lastEventId: 'ev-42' });
  // A stale heartbeat of another interaction is ignored.
  assert.equal(mergeLiveState({ ...state, interactionId: 'v1_other' }, description).progress, undefined);
});

test('result store: atomic put, get by ref or key, unsafe keys rejected', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gj-store-'));
  try {
    const store = new FileResultStore(dir);
    const ref = await store.put('job-1/1-v1_abc.md', '# Report\n', 'text/markdown');
    assert.equal(ref.store, 'file');
    assert.equal(ref.bytes, 9);
    assert.match(ref.sha256, /^[0-9a-f]{64}$/);
    assert.equal((await store.get(ref))?.toString(), '# Report\n');
    assert.equal(await store.get('job-1/missing.md'), undefined);
    assert.deepEqual(await readdir(join(dir, 'job-1')), ['1-v1_abc.md']); // no temporary files left
    await assert.rejects(store.put('../escape.md', 'x', 'text/plain'), TypeError);
    await assert.rejects(store.put('/abs.md', 'x', 'text/plain'), TypeError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('workflow helpers: defaults, follow-up settings resent with overrides, plan approval, usage sum', () => {
  assert.equal(resolveJobOptions({ agent: 'deep-research-preview-04-2026', input: 'x' } as never).deadlineMs, 70 * 60_000);
  assert.equal(
    resolveJobOptions({ agent: 'deep-research-preview-04-2026', input: 'x' } as never, {}, { legacy: true }).deadlineMs,
    60 * 60_000,
    '0.1.0 histories replay against 60',
  );
  assert.equal(resolveJobOptions({ model: 'gemini-3-flash-preview', input: 'x' } as never).deadlineMs, 10 * 60_000);
  const base = { model: 'm', input: 'first', system_instruction: 'be brief', tools: [{ type: 'google_search' }], generation_config: { temperature: 0.2 } };
  const next = followUpRequest(base as never, { input: 'second', overrides: { system_instruction: 'be verbose', model: 'other' } as never });
  assert.deepEqual(next, { model: 'm', input: 'second', system_instruction: 'be verbose', tools: [{ type: 'google_search' }], generation_config: { temperature: 0.2 } });
  assert.equal(planApprovalInput({}), 'approve');
  assert.equal(planApprovalInput({ edit: '1. Only cover Europe.' }), '1. Only cover Europe.');
  assert.deepEqual(sumUsage([{ total_tokens: 3, total_input_tokens: 1 }, undefined, { total_tokens: 4 }]), { total_tokens: 7, total_input_tokens: 1 });
});

test("the workflow owns the agent deadline (the API's 60-minute maximum plus 10): clients never write a default, and refuse a longer one", () => {
  const research = { agent: 'deep-research-preview-04-2026', input: 'q', agent_config: { type: 'deep-research' } } as JobInput['request'];
  assert.equal(AGENT_TURN_DEADLINE_MS, 70 * 60_000);
  const agent = JobsClient.validateStart(research, { options: { mode: 'webhook' } });
  assert.deepEqual(agent.options, { mode: 'webhook' }, 'the input carries no default');
  assert.equal(resolveJobOptions(agent.request, agent.options).deadlineMs, 70 * 60_000);
  assert.equal(JobsClient.validateStart(research, { options: { deadlineMs: 5_000 } }).options?.deadlineMs, 5_000);
  assert.equal(JobsClient.validateStart({ model: 'gemini-3-flash-preview', input: 'q' } as JobInput['request']).options, undefined);
  assert.throws(
    () => JobsClient.validateStart(research, { options: { deadlineMs: 2 * 3_600_000 } }),
    (err: Error) => /options\.deadlineMs: .*60-minute run limit plus a 10-minute margin/.test(err.message),
  );
  assert.throws(
    () => JobsClient.validateStart(research, { options: { webhookBackstopInitialMs: 1 } as never }),
    (err: Error) => /options\.webhookBackstopInitialMs: is not a job option/.test(err.message),
  );
  assert.throws(
    () => JobsClient.validateStart({ ...research, agent: 'deep-research-pro-preview-12-2025' } as JobInput['request']),
    (err: Error) => /request\.agent: deep-research-pro-preview-12-2025 was shut down on 2026-10-23.*Use deep-research-preview-04-2026/.test(err.message),
    'a retired agent is refused before anything is enqueued, naming its replacement',
  );
});
