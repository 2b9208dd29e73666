/**
 * The HTTP API of `gemini-jobs serve` end to end: real sockets, the real Temporal dev server and
 * the emulator. Start (idempotent on a client-chosen id), state, list with filters, result as
 * JSON and Markdown, SSE with Last-Event-ID resume, follow-up, cancel, plan approval/refinement.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { releaseTestEnv } from '../helpers/temporal';
import { DR_AGENT, FAST, readSse, serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';

let h: ServeHarness;
before(async () => {
  h = await serveHarness('api');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (question: string, extra: Record<string, unknown> = {}) => ({
  agent: DR_AGENT,
  input: question,
  agent_config: { type: 'deep-research', thinking_summaries: 'auto', ...extra },
});

test('POST /v1/jobs enqueues once per client-chosen jobId; state, list and result (JSON, Markdown) follow', async () => {
  const question = `heat pumps ${randomUUID()}`;
  const jobId = `http_${randomUUID()}`;
  const thread = `t-${randomUUID().slice(0, 8)}`;
  const first = await h.call('/v1/jobs', { json: { jobId, thread, request: research(question), options: FAST } });
  assert.equal(first.status, 202);
  const started = (await first.json()) as { jobId: string; runId: string; existing: boolean };
  assert.deepEqual({ jobId: started.jobId, existing: started.existing }, { jobId, existing: false });
  const again = await h.call('/v1/jobs', { json: { jobId, thread, request: research(question), options: FAST } });
  assert.equal(again.status, 200);
  assert.equal(((await again.json()) as { existing: boolean }).existing, true);

  const state = (await (await h.call(`/v1/jobs/${jobId}`)).json()) as { jobId: string; question?: string; phase: string };
  assert.equal(state.jobId, jobId);
  assert.equal(state.question, question);

  const outcome = (await (await h.call(`/v1/jobs/${jobId}/result?wait=1&timeoutMs=60000`)).json()) as { status: string; report: string; settled: boolean };
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.settled, true);
  const expected = h.emulator.interactions().find((i) => i.request['input'] === question);
  assert.ok(expected, 'exactly the emulator interaction of this question exists');
  assert.equal(h.emulator.interactions().filter((i) => i.request['input'] === question).length, 1, 'one interaction for two POSTs');
  assert.match(outcome.report, /^# /);

  const md = await h.call(`/v1/jobs/${jobId}/result`, { headers: { accept: 'text/markdown' } });
  assert.equal(md.status, 200);
  assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
  assert.equal(await md.text(), outcome.report);
  assert.equal(await (await h.call(`/v1/jobs/${jobId}/result?format=markdown`)).text(), outcome.report);

  const listed = await waitFor(async () => {
    const body = (await (await h.call(`/v1/jobs?thread=${thread}&status=completed`)).json()) as {
      jobs: Array<{ jobId: string; question?: string; agent?: string; thread?: string }>;
    };
    return body.jobs.find((j) => j.jobId === jobId);
  }, 'the job in the filtered list');
  assert.deepEqual({ question: listed.question, agent: listed.agent, thread: listed.thread }, { question, agent: DR_AGENT, thread });
  const other = (await (await h.call(`/v1/jobs?thread=${thread}&status=running`)).json()) as { jobs: unknown[] };
  assert.deepEqual(other.jobs, []);
});

test('GET /v1/jobs/{id}/events relays watch events as SSE and resumes after Last-Event-ID without repeating text', async () => {
  const question = `sse ${randomUUID()}`;
  const { jobId } = (await (await h.call('/v1/jobs', { json: { request: research(question), options: FAST } })).json()) as { jobId: string };
  const full = await readSse(await h.call(`/v1/jobs/${jobId}/events`), (m) => m.event === 'done');
  const types = full.map((m) => m.event);
  assert.ok(types.includes('phase'), 'a phase event');
  assert.ok(types.includes('thought'), 'a thought summary arrived while the run was live');
  assert.deepEqual(types.slice(-2), ['turn-completed', 'done']);
  for (const m of full) assert.equal(JSON.parse(m.data).seq, Number(m.id), 'id is the event seq');
  const report = full
    .filter((m) => m.event === 'output')
    .map((m) => JSON.parse(m.data).text)
    .join('');
  const outcome = (await (await h.call(`/v1/jobs/${jobId}/result`)).json()) as { report: string };
  assert.equal(report, outcome.report);

  // Resume from the middle of the report: the rest arrives exactly once.
  const outputs = full.filter((m) => m.event === 'output');
  assert.ok(outputs.length >= 2, 'the report came in several chunks');
  const cut = outputs[0]!;
  const rest = await readSse(await h.call(`/v1/jobs/${jobId}/events`, { headers: { 'last-event-id': cut.id! } }), (m) => m.event === 'done');
  assert.ok(rest.every((m) => Number(m.id) > Number(cut.id)));
  assert.equal(
    JSON.parse(cut.data).text +
      rest
        .filter((m) => m.event === 'output')
        .map((m) => JSON.parse(m.data).text)
        .join(''),
    report,
  );
  // `from` works the same for clients that cannot set headers.
  const viaQuery = await readSse(await h.call(`/v1/jobs/${jobId}/events?from=${cut.id}`), (m) => m.event === 'done');
  assert.deepEqual(
    viaQuery.map((m) => m.id),
    rest.map((m) => m.id),
  );

  const bad = await h.call(`/v1/jobs/${jobId}/events`, { headers: { 'last-event-id': 'abc' } });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { error: { field: string } }).error.field, 'Last-Event-ID');
  const missing = await h.call(`/v1/jobs/no_such_${randomUUID()}/events`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'job_not_found');
});

test("cancel, follow-up and plan routes answer with the job's outcome or a stable error code", async () => {
  const { jobId } = (await (
    await h.call('/v1/jobs', { json: { request: { ...research(`cancel ${randomUUID()}`), labels: { 'emulator-scenario': 'long' } }, options: FAST } })
  ).json()) as { jobId: string };
  await waitFor(async () => ((await (await h.call(`/v1/jobs/${jobId}`)).json()) as { interactionId?: string }).interactionId, 'the interaction id');
  // A follow-up while the turn runs is rejected by the workflow: 409 update_rejected.
  const early = await h.call(`/v1/jobs/${jobId}/follow-up`, { json: { input: 'and then?' } });
  assert.equal(early.status, 409);
  assert.equal(((await early.json()) as { error: { code: string } }).error.code, 'update_rejected');
  const noPlan = await h.call(`/v1/jobs/${jobId}/plan/approve`, { method: 'POST' });
  assert.equal(noPlan.status, 409);
  const cancel = await h.call(`/v1/jobs/${jobId}/cancel`, { json: { reason: 'test' } });
  assert.equal(cancel.status, 202);
  assert.deepEqual(await cancel.json(), { jobId, cancelRequested: true });
  const outcome = (await (await h.call(`/v1/jobs/${jobId}/result?wait=1`)).json()) as { status: string };
  assert.equal(outcome.status, 'cancelled');
  const late = (await (await h.call(`/v1/jobs/${jobId}/cancel`, { method: 'POST' })).json()) as { cancelRequested: boolean };
  assert.equal(late.cancelRequested, false);

  // Follow-up in an open thread.
  const { jobId: open } = (await (await h.call('/v1/jobs', { json: { request: research(`thread ${randomUUID()}`), options: { ...FAST, followUpWindowMs: 60_000 } } })).json()) as {
    jobId: string;
  };
  await h.call(`/v1/jobs/${open}/result?wait=1`);
  const follow = await h.call(`/v1/jobs/${open}/follow-up`, { json: { input: 'Now compare running costs.' } });
  assert.equal(follow.status, 202);
  assert.equal(((await follow.json()) as { turn: number }).turn, 2);
  const second = (await (await h.call(`/v1/jobs/${open}/result?wait=1`)).json()) as { status: string; turn: { turn: number } };
  assert.deepEqual({ status: second.status, turn: second.turn.turn }, { status: 'completed', turn: 2 });
  await h.call(`/v1/jobs/${open}/cancel`, { method: 'POST' });
});

test('plan refinement and approval over HTTP run the research on the approved plan', async () => {
  const { jobId } = (await (
    await h.call('/v1/jobs', { json: { request: research(`plan ${randomUUID()}`, { collaborative_planning: true }), options: { ...FAST, followUpWindowMs: 60_000 } } })
  ).json()) as { jobId: string };
  const planned = (await (await h.call(`/v1/jobs/${jobId}/result?wait=1`)).json()) as { report: string };
  assert.match(planned.report, /plan/i);
  const missing = await h.call(`/v1/jobs/${jobId}/plan/refine`, { json: {} });
  assert.equal(missing.status, 400);
  assert.equal(((await missing.json()) as { error: { field: string } }).error.field, 'instructions');
  const refined = await h.call(`/v1/jobs/${jobId}/plan/refine`, { json: { instructions: '1. Costs in Europe\n2. Installation time' } });
  assert.equal(refined.status, 202);
  await h.call(`/v1/jobs/${jobId}/result?wait=1`);
  const state = (await (await h.call(`/v1/jobs/${jobId}`)).json()) as { phase: string; plan?: unknown; turns: Array<{ status: string }> };
  // Depending on the plan contract, a refinement yields a new plan (then approve it) or runs the edited plan.
  if (state.plan !== undefined || state.phase === 'plan-ready' || state.turns.at(-1)!.status === 'requires_action') {
    const approved = await h.call(`/v1/jobs/${jobId}/plan/approve`, { method: 'POST' });
    assert.equal(approved.status, 202);
  }
  const done = (await (await h.call(`/v1/jobs/${jobId}/result?wait=1`)).json()) as { status: string; report: string };
  assert.equal(done.status, 'completed');
  assert.match(done.report, /## Sources/);
  assert.match(done.report, /Costs in Europe/, 'the research followed the refined plan');
  await h.call(`/v1/jobs/${jobId}/cancel`, { method: 'POST' });
});
