/**
 * JobsClient against the real Temporal dev server and the emulator over real HTTP: idempotent
 * start, state, resumable watch, result (store and API fallback), cancel, follow-up, list, and
 * validation before enqueue.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { JobsClient } from '../../src/jobs/jobs-client';
import type { JobEvent } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import { buildListQuery, quoteVisibilityValue } from '../../src/jobs/list-query';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { DR_AGENT, FAST, serviceHarness, waitFor } from './harness';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;
before(async () => {
  h = await serviceHarness('client');
  await h.startWorker();
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (question: string, labels?: Record<string, string>): JobRequest =>
  ({
    agent: DR_AGENT,
    input: question,
    agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    ...(labels ? { labels } : {}),
  }) as JobRequest;

function createsFor(question: string): number {
  return h.emulator.interactions().filter((i) => i.request['input'] === question).length;
}

test('start returns at once and a duplicate start with the same id enqueues nothing (one interaction)', async () => {
  const question = `duplicate ${randomUUID()}`;
  const jobId = `job_dup_${randomUUID()}`;
  const first = await h.jobs.start(research(question), { jobId, options: FAST });
  // The run takes seconds (4 emulated minutes at 100x): a start that waited for it would find it closed.
  assert.equal((await h.env.client.workflow.getHandle(jobId).describe()).status.name, 'RUNNING', 'start does not wait for the run');
  assert.deepEqual({ jobId: first.jobId, existing: first.existing }, { jobId, existing: false });
  const second = await h.jobs.start(research(question), { jobId, options: FAST });
  assert.equal(second.existing, true);
  assert.equal(second.runId, first.runId);

  const outcome = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  assert.equal(outcome.status, 'completed');
  // After the job closed the id stays taken (REJECT_DUPLICATE): still idempotent.
  const third = await h.jobs.start(research(question), { jobId, options: FAST });
  assert.equal(third.existing, true);
  assert.equal(createsFor(question), 1);
});

test('a generated job id looks like job_<uuid>', async () => {
  const question = `generated id ${randomUUID()}`;
  const started = await h.jobs.start({ model: 'gemini-3-flash-preview', input: question } as JobRequest, { options: FAST });
  assert.match(started.jobId, /^job_[0-9a-f-]{36}$/);
  assert.equal(started.existing, false);
  await h.jobs.result(started.jobId, { wait: true, timeoutMs: 30_000 });
});

test('state merges the state query with live heartbeat progress', async () => {
  const jobId = `job_state_${randomUUID()}`;
  await h.jobs.start(research(`state ${jobId}`), { jobId, options: FAST, thread: 'state-thread' });
  const live = await waitFor(async () => {
    const s = await h.jobs.state(jobId);
    return s.progress && s.progress.eventsApplied > 2 ? s : undefined;
  }, 'live progress');
  assert.equal(live.jobId, jobId);
  assert.equal(live.agent, DR_AGENT);
  assert.equal(live.thread, 'state-thread');
  assert.ok(['streaming', 'polling', 'reconnecting'].includes(live.phase), live.phase);
  assert.equal(live.turn, 1);
  const done = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  const closed = await h.jobs.state(jobId);
  assert.equal(closed.phase, 'done');
  assert.equal(closed.status, 'completed');
  assert.equal(closed.turns[0]!.interactionId, done.turn!.interactionId);
});

test('watch resumes after a disconnect without duplicating or losing report text', async () => {
  const jobId = `job_watch_${randomUUID()}`;
  await h.jobs.start(research(`watch ${jobId}`), { jobId, options: FAST });
  const first: JobEvent[] = [];
  let outputs = 0;
  for await (const event of h.jobs.watch(jobId, { pollIntervalMs: 200, chunkChars: 97 })) {
    first.push(event);
    if (event.type === 'output' && ++outputs === 3) break; // disconnect in the middle of the text
  }
  assert.ok(
    first.some((e) => e.type === 'phase'),
    'live phase events before the text',
  );
  assert.equal(outputs, 3);
  const resumeFrom = first[first.length - 1]!.seq;
  const rest: JobEvent[] = [];
  for await (const event of h.jobs.watch(jobId, { from: resumeFrom, pollIntervalMs: 200, chunkChars: 97 })) rest.push(event);

  const all = [...first, ...rest];
  for (let i = 1; i < all.length; i++) assert.ok(all[i]!.seq > all[i - 1]!.seq, `seq strictly increasing at ${i}`);
  assert.equal(new Set(all.map((e) => e.seq)).size, all.length, 'no duplicate seq');
  const outputsAll = all.filter((e): e is Extract<JobEvent, { type: 'output' }> => e.type === 'output');
  let offset = 0;
  for (const o of outputsAll) {
    assert.equal(o.offset, offset, 'text chunks are contiguous');
    offset += o.text.length;
  }
  const text = outputsAll.map((o) => o.text).join('');
  const completed = all.find((e) => e.type === 'turn-completed');
  assert.ok(completed && completed.type === 'turn-completed');
  assert.equal(completed.status, 'completed');
  assert.equal(text, h.emulator.canonicalReport(completed.interactionId!));
  assert.equal(completed.outputChars, text.length);
  assert.equal(all[all.length - 1]!.type, 'done');

  // Resuming from the end yields nothing more; resuming from the middle of the text yields exactly the rest.
  const none: JobEvent[] = [];
  for await (const event of h.jobs.watch(jobId, { from: all[all.length - 1]!.seq })) none.push(event);
  assert.deepEqual(none, []);
  const mid = outputsAll[1]!;
  let tail = '';
  for await (const event of h.jobs.watch(jobId, { from: mid.seq, chunkChars: 1000 })) if (event.type === 'output') tail += event.text;
  assert.equal(tail, text.slice(mid.offset + mid.text.length));
});

test('result reads the report from the store, and from the API when the store lacks it', async () => {
  const jobId = `job_result_${randomUUID()}`;
  await h.jobs.start({ model: 'gemini-3-flash-preview', input: `result ${jobId}` } as JobRequest, { jobId, options: FAST });
  const outcome = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.reportSource, 'store');
  assert.equal(outcome.report, h.emulator.canonicalReport(outcome.turn!.interactionId!));
  assert.equal(outcome.closed, true);

  const emptyDir = await mkdtemp(join(tmpdir(), 'gj-empty-'));
  try {
    const viaApi = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: new FileResultStore(emptyDir), interactions: h.interactions });
    const fromApi = await viaApi.result(jobId);
    assert.equal(fromApi.reportSource, 'api');
    assert.equal(fromApi.report, outcome.report);
    const noApi = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: new FileResultStore(emptyDir) });
    assert.equal((await noApi.result(jobId)).reportSource, 'none');
  } finally {
    await rm(emptyDir, { recursive: true, force: true });
  }
});

test('cancel ends a running job as cancelled; cancelling again reports it had ended', async () => {
  const jobId = `job_cancel_${randomUUID()}`;
  await h.jobs.start(research(`cancel ${jobId}`, { 'emulator-scenario': 'long' }), { jobId, options: FAST });
  await waitFor(async () => (await h.jobs.state(jobId)).interactionId, 'the interaction is created');
  assert.equal(await h.jobs.cancel(jobId, 'test says stop'), true);
  const outcome = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  assert.equal(outcome.status, 'cancelled');
  assert.equal(outcome.closed, true);
  const info = h.emulator.interactions().find((i) => i.id === outcome.turn!.interactionId);
  assert.equal(info?.status, 'cancelled', 'the remote run was cancelled too');
  assert.equal(await h.jobs.cancel(jobId), false);
  await assert.rejects(h.jobs.cancel(`job_missing_${randomUUID()}`), { code: 'job_not_found' });
});

test('followUp starts turn 2 chained to turn 1', async () => {
  const jobId = `job_follow_${randomUUID()}`;
  await h.jobs.start({ model: 'gemini-3-flash-preview', input: `first ${jobId}` } as JobRequest, {
    jobId,
    options: { ...FAST, followUpWindowMs: 60_000 },
  });
  const turn1 = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  assert.equal(turn1.status, 'completed');
  assert.equal(turn1.closed, false, 'the job stays open for follow-ups');
  const accepted = await h.jobs.followUp(jobId, 'And a second point?');
  assert.equal(accepted.turn, 2);
  const info = h.emulator.interactions().find((i) => i.id === accepted.interactionId);
  assert.equal(info?.request['previous_interaction_id'], turn1.turn!.interactionId);
  const turn2 = await h.jobs.result(jobId, { wait: true, timeoutMs: 30_000 });
  assert.equal(turn2.turn?.turn, 2);
  assert.equal(turn2.report, h.emulator.canonicalReport(accepted.interactionId));
  await h.jobs.cancel(jobId, 'test done');
  await waitFor(async () => (await h.jobs.state(jobId)).phase === 'done' && (await h.jobs.snapshot(jobId)).closed, 'job closed');
});

test('list filters by status, agent and thread, with quotes in values escaped', async () => {
  const thread = `it's thread ${randomUUID()}`;
  const a = await h.jobs.start({ model: 'gemini-3-flash-preview', input: `list a ${thread}` } as JobRequest, { options: FAST, thread });
  const b = await h.jobs.start(research(`list b ${thread}`), { options: FAST, thread });
  await h.jobs.result(a.jobId, { wait: true, timeoutMs: 30_000 });
  await h.jobs.result(b.jobId, { wait: true, timeoutMs: 30_000 });
  const both = await waitFor(
    async () => {
      const jobs = await h.jobs.list({ thread, status: 'completed' });
      return jobs.length === 2 ? jobs : undefined;
    },
    'both jobs listed as completed',
    15_000,
    250,
  );
  assert.deepEqual(both.map((j) => j.jobId).sort(), [a.jobId, b.jobId].sort());
  assert.ok(both.every((j) => j.thread === thread && j.executionStatus === 'COMPLETED'));
  const agentOnly = await h.jobs.list({ thread, agent: DR_AGENT });
  assert.deepEqual(
    agentOnly.map((j) => j.jobId),
    [b.jobId],
  );
  assert.deepEqual(await h.jobs.list({ thread, status: 'running' }), []);
  assert.ok(
    both.every((j) => j.usage === undefined),
    'usage is read only when asked',
  );
  assert.equal(quoteVisibilityValue(`it's`), `'it''s'`);
  assert.throws(() => quoteVisibilityValue('say "hi"'), { code: 'invalid_list_filter' });
  await assert.rejects(h.jobs.start({ model: 'gemini-3-flash-preview', input: 'x' } as JobRequest, { thread: 'a\\b' }), { code: 'invalid_thread' });
  assert.match(buildListQuery({ status: ['completed', 'failed'] }), /GeminiJobStatus IN \('completed', 'failed'\)/);
});

test('listPage pages through visibility with a token; list({ usage }) reads every job of the page', async () => {
  const thread = `pages ${randomUUID()}`;
  const started = [];
  for (let i = 0; i < 3; i++) started.push(await h.jobs.start({ model: 'gemini-3-flash-preview', input: `page ${i} ${thread}` } as JobRequest, { options: FAST, thread }));
  for (const job of started) await h.jobs.result(job.jobId, { wait: true, timeoutMs: 30_000 });
  await waitFor(async () => (await h.jobs.list({ thread, status: 'completed' })).length === 3, 'the three jobs listed as completed', 15_000, 250);

  const first = await h.jobs.listPage({ thread, pageSize: 2 });
  assert.equal(first.jobs.length, 2);
  assert.ok(first.nextPageToken, 'a first page of two out of three has a next page');
  const second = await h.jobs.listPage({ thread, pageSize: 2, pageToken: first.nextPageToken! });
  assert.equal(second.nextPageToken, undefined, 'the last page has no token');
  assert.deepEqual([...first.jobs, ...second.jobs].map((j) => j.jobId).sort(), started.map((j) => j.jobId).sort(), 'the two pages hold each job once');
  // The same pages through list(): from a token, and across pages up to pageSize.
  assert.deepEqual(
    (await h.jobs.list({ thread, pageSize: 2, pageToken: first.nextPageToken! })).map((j) => j.jobId),
    second.jobs.map((j) => j.jobId),
  );
  const withUsage = await h.jobs.list({ thread, usage: true, usageConcurrency: 2 });
  assert.equal(withUsage.length, 3);
  for (const job of withUsage) assert.ok((job.usage?.total_tokens ?? 0) > 0, `${job.jobId} has its usage`);
});

test('a bad job is refused before anything is enqueued, naming the field', async () => {
  const jobId = `job_bad_${randomUUID()}`;
  await assert.rejects(h.jobs.start({ agent: DR_AGENT, input: 'x', stream: true } as unknown as JobRequest, { jobId }), (err: Error & { code?: string; field?: string }) => {
    assert.equal(err.code, 'invalid_job');
    assert.equal(err.field, 'request.stream');
    return true;
  });
  await assert.rejects(
    h.jobs.start({ agent: DR_AGENT, input: 'x' } as JobRequest, { jobId, options: { deadlineMs: -5 } }),
    (err: Error & { field?: string }) => err.field === 'options.deadlineMs',
  );
  await assert.rejects(
    h.jobs.start(
      {
        model: 'gemini-3-flash-preview',
        input: 'x',
        tools: [{ type: 'mcp_server', name: 'm', url: 'https://example.com', headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz' } }],
      } as unknown as JobRequest,
      { jobId },
    ),
    /credential/,
  );
  await assert.rejects(h.jobs.start({ agent: DR_AGENT, input: 'x' } as JobRequest, { jobId: 'has space' }), { code: 'invalid_job_id' });
  await assert.rejects(h.env.client.workflow.getHandle(jobId).describe(), WorkflowNotFoundError);
});
