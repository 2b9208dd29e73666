/**
 * Every branch of one turn of the job workflow (create, follow race with deadline / cancel, remote
 * cancel, late outcome), each reached with stub activities on the real Temporal server. Each test
 * also replays the history it wrote on the same bundle (a cold-cache replay of that path).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { interactionJob } from '../../workflows';
import { cancelSignal, JOB_RESULT_MEMO, JOB_SEARCH_ATTRIBUTE_KEYS, type JobResult } from '../../workflows/definitions';
import { PATCHES } from '../../workflows/patches';
import { patchIds } from '../helpers/patch-markers';
import { AGENT_TURN_DEADLINE_MS, MODEL_TURN_DEADLINE_MS } from '../../src/contract/constants';
import { releaseTestEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { QUICK, agent, blocksUntilCancelled, cancelled, created, fails, followResult, followed, model, replayError, stateOf, stubHarness, type StubHarness } from './stub-harness';

let h: StubHarness;
before(async () => {
  h = await stubHarness('turn');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

async function assertReplays(workflowId: string): Promise<void> {
  assert.equal(await replayError(h.env, workflowId), undefined);
}

/** Waits until the job's follow (or `activity`) stub has been called `n` times. */
const calledTimes = (jobId: string, activity: string, n = 1) => waitFor(() => h.calls(jobId, activity).length >= n, `${activity} called ${n}x`);

test('happy path: create, follow, the turn and the state say completed', async () => {
  const usage = { total_tokens: 42 };
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-1'),
      followInteraction: followed({ usage, costUsd: 0.01, priceTable: '2026-01-01', toolCalls: 2 }),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.deepEqual(result.interactionIds, ['int-1']);
  assert.equal(result.summary, 'the report');
  assert.deepEqual(result.usage, usage);
  assert.deepEqual(result.cost, { usd: 0.01, priceTable: '2026-01-01' });
  const state = await stateOf(handle);
  assert.equal(state.phase, 'done');
  assert.equal(state.status, 'completed');
  assert.equal(state.turn, 1);
  assert.equal(state.interactionId, 'int-1');
  assert.equal(state.upstreamStatus, 'completed');
  assert.equal(state.model, 'gemini-3-flash-preview');
  assert.deepEqual(state.usage, usage);
  assert.equal(state.turns[0]!.toolCalls, 2);
  assert.equal(state.error, undefined);
  assert.equal(state.deadlineAt, undefined, 'a deadline is shown only while a turn runs');
  assert.equal(state.turnDeadlineMs, MODEL_TURN_DEADLINE_MS);
  const [create] = h.calls(handle.workflowId, 'createInteraction');
  assert.equal(create!.input.turn, 1);
  assert.equal(create!.input.previousInteractionId, undefined);
  assert.equal(create!.input.webhook, undefined);
  assert.equal((h.calls(handle.workflowId, 'followInteraction')[0]!.input.options as { mode: string }).mode, 'stream');
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 0);
  const search = (await handle.describe()).searchAttributes;
  assert.deepEqual(search.GeminiJobStatus, ['completed']);
  await assertReplays(handle.workflowId);
});

test('a job started with no search attributes and no deadline (as Python or `temporal workflow start` would) publishes them itself and gets the agent default', async () => {
  const jobId = h.nextJobId();
  h.script(jobId, { createInteraction: created('int-py'), followInteraction: followed() });
  const input = { request: agent('What changed in heat pumps since 2020?'), options: { followUpWindowMs: 0 } };
  const handle = await h.env.client.workflow.start(interactionJob, { taskQueue: h.taskQueue, workflowId: jobId, args: [input] });
  await handle.result();
  const state = await stateOf(handle);
  assert.equal(state.turnDeadlineMs, AGENT_TURN_DEADLINE_MS, 'the workflow owns the default, whoever started the job');
  assert.equal(state.question, 'What changed in heat pumps since 2020?');
  const attrs = (await handle.describe()).typedSearchAttributes;
  const shown = Object.fromEntries(Object.entries(JOB_SEARCH_ATTRIBUTE_KEYS).map(([field, key]) => [field, attrs.get(key)]));
  assert.deepEqual(shown, {
    status: 'completed',
    agent: 'deep-research-preview-04-2026',
    thread: undefined,
    kind: 'agent',
    question: 'What changed in heat pumps since 2020?',
    mode: 'stream',
    interaction: 'int-py',
  });
  assert.deepEqual(patchIds(await handle.fetchHistory()), [PATCHES.admittedTurns.id]);
  await assertReplays(jobId);
});

test('create fails non-retryably: the turn fails with the error code, nothing is followed', async () => {
  const handle = await h.start({ request: model(), options: QUICK }, { createInteraction: fails('bad_request', 'input is wrong') });
  const result = await handle.result();
  assert.equal(result.status, 'failed');
  assert.deepEqual(result.error, { code: 'bad_request', message: 'input is wrong', retryable: false });
  assert.deepEqual(result.interactionIds, []);
  assert.equal(h.calls(handle.workflowId, 'createInteraction').length, 1);
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0);
  const state = await stateOf(handle);
  assert.equal(state.interactionId, undefined);
  assert.equal(state.error?.code, 'bad_request');
  await assertReplays(handle.workflowId);
});

test('cancel before the first turn (signalWithStart): ends cancelled, nothing asked or created', async () => {
  const jobId = h.nextJobId();
  h.script(jobId, {});
  const handle = await h.env.client.workflow.signalWithStart(interactionJob, {
    taskQueue: h.taskQueue,
    workflowId: jobId,
    args: [{ request: model(), options: QUICK }],
    signal: cancelSignal,
    signalArgs: [{ reason: 'changed my mind' }],
  });
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(h.calls(jobId), []);
  assert.equal((await stateOf(handle)).cancelReason, 'changed my mind');
  await assertReplays(jobId);
});

test('cancel during the create: the cancellable create stops, nothing to cancel remotely', async () => {
  const handle = await h.start({ request: model(), options: QUICK }, { createInteraction: blocksUntilCancelled() });
  await calledTimes(handle.workflowId, 'createInteraction');
  await waitFor(async () => (await stateOf(handle)).phase === 'creating', 'phase creating');
  await handle.signal(cancelSignal, { reason: 'stop' });
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(result.interactionIds, []);
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0);
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 0);
  await assertReplays(handle.workflowId);
});

test('cancel during the create that answers anyway: the created interaction is cancelled remotely', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: blocksUntilCancelled(() => ({ interactionId: 'int-late', status: 'in_progress', recovered: false })),
      cancelInteraction: cancelled(),
    },
  );
  await calledTimes(handle.workflowId, 'createInteraction');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(result.interactionIds, ['int-late']);
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0);
  assert.deepEqual(
    h.calls(handle.workflowId, 'cancelInteraction').map((c) => c.input.interactionId),
    ['int-late'],
  );
  await assertReplays(handle.workflowId);
});

test('cancel during the follow: the follow is cancelled, the remote cancel confirmed, the job ends cancelled', async () => {
  const handle = await h.start(
    { request: agent(), options: QUICK },
    {
      createInteraction: created('int-c'),
      followInteraction: blocksUntilCancelled(),
      cancelInteraction: cancelled({ usage: { total_tokens: 7 } }),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  const running = await stateOf(handle);
  assert.equal(running.phase, 'running');
  assert.equal(running.status, 'running');
  assert.equal(running.interactionId, 'int-c');
  await handle.signal(cancelSignal, { reason: 'user' });
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.equal(result.upstreamStatus, 'cancelled');
  assert.deepEqual(result.usage, { total_tokens: 7 });
  assert.equal(result.error, undefined);
  assert.deepEqual(
    h.calls(handle.workflowId, 'cancelInteraction').map((c) => c.input.interactionId),
    ['int-c'],
  );
  const state = await stateOf(handle);
  assert.equal(state.cancelReason, 'user');
  assert.equal(state.phase, 'done');
  await assertReplays(handle.workflowId);
});

test('remote cancel fails: the job still ends cancelled, the error says the cancel failed', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-cf'),
      followInteraction: blocksUntilCancelled(),
      cancelInteraction: fails('permission_denied'),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.equal(result.error?.code, 'permission_denied');
  assert.match(result.error!.message, /^cancelling the remote run failed: /);
  await assertReplays(handle.workflowId);
});

test('deadline during the follow: the remote run is cancelled and the turn ends timed_out', async () => {
  const handle = await h.start(
    { request: model(), options: { ...QUICK, deadlineMs: 800 } },
    {
      createInteraction: created('int-d'),
      followInteraction: blocksUntilCancelled(),
      cancelInteraction: cancelled(),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'timed_out');
  assert.equal(result.error?.code, 'deadline_exceeded');
  assert.match(result.error!.message, /turn 1 passed its deadline of 800 ms/);
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

test('late outcome: the follow finished just before the cancel reached it, the turn keeps its result', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-l'),
      followInteraction: blocksUntilCancelled(() => followResult({ summary: 'finished first' })),
      cancelInteraction: cancelled({ upstreamStatus: 'completed', cancelAnswer: 'already_finished' }),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.summary, 'finished first');
  // The remote cancel went out at once, beside the activity's cancellation, and was awaited.
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

test('late outcome that says cancelled: the cancel already sent decides the turn', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-lc'),
      followInteraction: blocksUntilCancelled(() => followResult({ status: 'cancelled', upstreamStatus: 'cancelled', summary: '' })),
      cancelInteraction: cancelled(),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.equal(result.summary, undefined, 'the late cancelled outcome is not applied');
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

test('cancel finds the run already finished: its real result is collected with one poll', async () => {
  let follows = 0;
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-f'),
      followInteraction: async (input) => {
        if (++follows === 1) return blocksUntilCancelled<never>()();
        assert.equal(input.options.mode, 'poll');
        return followResult({ summary: 'collected after cancel' });
      },
      cancelInteraction: cancelled({ upstreamStatus: 'completed', cancelAnswer: 'already_finished' }),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.summary, 'collected after cancel');
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 2);
  await assertReplays(handle.workflowId);
});

test('follow fails non-retryably: the turn fails with its code', async () => {
  const handle = await h.start({ request: model(), options: QUICK }, { createInteraction: created('int-nf'), followInteraction: fails('not_found') });
  const result = await handle.result();
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.code, 'not_found');
  assert.equal(result.interactionId, 'int-nf');
  await assertReplays(handle.workflowId);
});

test('unknown upstream status passes through: the job ends unknown, the raw status kept', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-u', 'warming_up'),
      followInteraction: followed({ status: 'unknown', upstreamStatus: 'paused_for_review' }),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'unknown');
  assert.equal(result.upstreamStatus, 'paused_for_review');
  assert.equal((await stateOf(handle)).upstreamStatus, 'paused_for_review');
  await assertReplays(handle.workflowId);
});

test('a waiting status ends the turn waiting-for-input (window closed: the job completes with it)', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-ra'),
      followInteraction: followed({ status: 'requires_action', upstreamStatus: 'requires_action' }),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'requires_action');
  assert.equal((await stateOf(handle)).phase, 'done');
  await assertReplays(handle.workflowId);
});

test('wall-time budget during the follow: cancelled remotely, ends budget_exceeded', async () => {
  const handle = await h.start(
    { request: model(), options: { ...QUICK, budget: { maxWallTimeMs: 700 } } },
    {
      createInteraction: created('int-b'),
      followInteraction: blocksUntilCancelled(),
      cancelInteraction: cancelled(),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'budget_exceeded');
  assert.equal(result.error?.code, 'budget_exceeded');
  assert.equal(result.turns[0]!.budgetExceeded?.limit, 'maxWallTimeMs');
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  const state = await stateOf(handle);
  assert.deepEqual(state.budget, { maxWallTimeMs: 700 });
  assert.ok(state.spent && state.spent.wallMs >= 700);
  await assertReplays(handle.workflowId);
});

test('wall-time budget used up before the follow: no follow at all, cancelled remotely', async () => {
  const handle = await h.start(
    { request: model(), options: { ...QUICK, budget: { maxWallTimeMs: 1 } } },
    {
      createInteraction: async () => {
        await new Promise((r) => setTimeout(r, 20)); // the create takes longer than the whole budget
        return { interactionId: 'int-b0', status: 'in_progress', recovered: false };
      },
      cancelInteraction: cancelled(),
    },
  );
  const result = await handle.result();
  assert.equal(result.status, 'budget_exceeded');
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0);
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

test('Temporal cancellation: remote run cancelled, execution ends Canceled with the result in the memo', async () => {
  const handle = await h.start(
    { request: model(), options: QUICK },
    {
      createInteraction: created('int-t'),
      followInteraction: blocksUntilCancelled(),
      cancelInteraction: cancelled(),
    },
  );
  await calledTimes(handle.workflowId, 'followInteraction');
  await handle.cancel();
  await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
  const described = await handle.describe();
  assert.equal(described.status.name, 'CANCELLED');
  const memo = described.memo?.[JOB_RESULT_MEMO] as JobResult | undefined;
  assert.equal(memo?.status, 'cancelled');
  assert.equal(h.calls(handle.workflowId, 'cancelInteraction').length, 1);
  assert.equal((await stateOf(handle)).cancelReason, 'workflow cancellation requested');
  await assertReplays(handle.workflowId);
});
