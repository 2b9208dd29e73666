/**
 * Branches of the job workflow around and between turns: follow-up chaining and its window, plan
 * approval and refinement, continue-as-new, admission wait, the budget check on follow-ups and
 * webhook mode (signal, backstop checks, orphans, progress on demand), each with stub activities
 * on the real Temporal server, each history replayed on the same bundle afterwards.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { CreateInteractionInput } from '../../activities/types';
import { grantSignal } from '../../workflows/admission-definitions';
import { JOB_SEARCH_ATTRIBUTE_KEYS, approvePlanUpdate, cancelSignal, followUpUpdate, refreshProgressUpdate, webhookSignal } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import {
  QUICK,
  agent,
  blocksUntilCancelled,
  cancelled,
  checkResult,
  created,
  fails,
  followResult,
  followed,
  model,
  queued,
  replayError,
  stateOf,
  stubHarness,
  type StubHarness,
} from './stub-harness';

let h: StubHarness;
before(async () => {
  h = await stubHarness('thread');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

async function assertReplays(workflowId: string): Promise<void> {
  assert.equal(await replayError(h.env, workflowId), undefined);
}

/** A window long enough never to close during a test: tests end the job with a cancel. */
const OPEN = { ...QUICK, followUpWindowMs: 10 * 60_000 };

/** Creates that answer `int-1`, `int-2`, … in order. */
function numberedCreates(): (input: CreateInteractionInput) => Promise<{ interactionId: string; status: string; recovered: boolean }> {
  let n = 0;
  return async () => ({ interactionId: `int-${++n}`, status: 'in_progress', recovered: false });
}

/** The update failed (rejected by its validator or by the turn) with a cause matching `pattern`. */
async function rejectedWith(update: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(update, (err: unknown) => {
    assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
    assert.match(String((err as Error).cause), pattern);
    return true;
  });
}

/** The job's `GeminiJobStatus` search attribute as Temporal holds it. */
const statusAttribute = async (jobId: string) => (await h.env.client.workflow.getHandle(jobId).describe()).typedSearchAttributes.get(JOB_SEARCH_ATTRIBUTE_KEYS.status);

const createInputs = (jobId: string) => h.calls(jobId, 'createInteraction').map((c) => c.input as unknown as CreateInteractionInput);

test('follow-up chaining: the update returns the new turn, which chains to the last interaction', async () => {
  const handle = await h.start({ request: model('first'), options: OPEN }, { createInteraction: numberedCreates(), followInteraction: followed({ usage: { total_tokens: 10 } }) });
  const waiting = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.followUpUntil ? s : undefined;
  }, 'the follow-up window');
  assert.equal(waiting.phase, 'done');
  assert.equal(waiting.status, 'completed');
  await rejectedWith(handle.executeUpdate(followUpUpdate, { args: [{ input: '  ' }] }), /input is an empty string/);
  const accepted = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'second', overrides: { system_instruction: 'be brief' } }] });
  assert.deepEqual(accepted, { turn: 2, interactionId: 'int-2' });
  await waitFor(async () => (await stateOf(handle)).turns[1]?.endedAt !== undefined && (await stateOf(handle)).followUpUntil, 'turn 2 ended, window open');
  const state = await stateOf(handle);
  assert.equal(state.turn, 2);
  assert.equal(state.interactionId, 'int-2');
  assert.deepEqual(state.usage, { total_tokens: 20 });
  await handle.signal(cancelSignal, { reason: 'done talking' });
  const result = await handle.result();
  assert.equal(result.status, 'completed', "a cancel in the window keeps the last turn's status");
  assert.deepEqual(result.interactionIds, ['int-1', 'int-2']);
  const [first, second] = createInputs(handle.workflowId);
  assert.equal(first!.previousInteractionId, undefined);
  assert.equal(second!.previousInteractionId, 'int-1');
  assert.equal(second!.request.input, 'second');
  assert.equal((second!.request as { system_instruction?: string }).system_instruction, 'be brief');
  assert.equal(result.turns[1]!.previousInteractionId, 'int-1');
  await assertReplays(handle.workflowId);
});

test('follow-up validator: a follow-up while the turn runs is rejected before any command', async () => {
  const handle = await h.start(
    { request: model(), options: OPEN },
    { createInteraction: numberedCreates(), followInteraction: blocksUntilCancelled(), cancelInteraction: cancelled() },
  );
  await waitFor(() => h.calls(handle.workflowId, 'followInteraction').length > 0, 'follow running');
  await rejectedWith(handle.executeUpdate(followUpUpdate, { args: [{ input: 'x' }] }), /turn 1 is still running/);
  await handle.signal(cancelSignal, {});
  await handle.result();
  assert.equal(createInputs(handle.workflowId).length, 1);
  await assertReplays(handle.workflowId);
});

test('follow-up whose create fails: the update fails with its code; the next follow-up chains to the last good turn', async () => {
  let n = 0;
  const handle = await h.start(
    { request: model(), options: OPEN },
    {
      createInteraction: async (input) => {
        n++;
        if (n === 2) return fails('invalid_request', 'tools are wrong')();
        return created(`int-${input.turn}`)();
      },
      followInteraction: followed(),
    },
  );
  await waitFor(async () => (await stateOf(handle)).followUpUntil, 'the window');
  await rejectedWith(handle.executeUpdate(followUpUpdate, { args: [{ input: 'broken' }] }), /tools are wrong/);
  const afterFailure = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.followUpUntil && s.turns.length === 2 ? s : undefined;
  }, 'the window again');
  assert.equal(afterFailure.status, 'failed');
  assert.equal(afterFailure.error?.code, 'invalid_request');
  const accepted = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'fixed' }] });
  assert.deepEqual(accepted, { turn: 3, interactionId: 'int-3' });
  assert.equal(createInputs(handle.workflowId)[2]!.previousInteractionId, 'int-1');
  await waitFor(async () => (await stateOf(handle)).turns[2]?.endedAt, 'turn 3 ended');
  await handle.signal(cancelSignal, {});
  assert.equal((await handle.result()).status, 'completed');
  await assertReplays(handle.workflowId);
});

test('follow-up window expires: the job completes on its own with the last turn', async () => {
  const handle = await h.start({ request: model(), options: { ...QUICK, followUpWindowMs: 300 } }, { createInteraction: created('int-w'), followInteraction: followed() });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal((await stateOf(handle)).followUpUntil, undefined);
  await assertReplays(handle.workflowId);
});

test('plan ready → approve: the execute turn runs with collaborative_planning false', async () => {
  const handle = await h.start(
    { request: agent('plan it', true), options: OPEN },
    { createInteraction: numberedCreates(), followInteraction: followed({ summary: 'PLAN: 1. read 2. write' }) },
  );
  const ready = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.phase === 'plan-ready' ? s : undefined;
  }, 'plan-ready');
  assert.deepEqual(ready.plan, { turn: 1, interactionId: 'int-1', text: 'PLAN: 1. read 2. write' });
  assert.equal(ready.agent, 'deep-research-preview-04-2026');
  assert.equal(ready.status, 'plan_ready');
  await waitFor(async () => (await statusAttribute(handle.workflowId)) === 'plan_ready', 'GeminiJobStatus plan_ready');
  const accepted = await handle.executeUpdate(approvePlanUpdate, { args: [{}] });
  assert.equal(accepted.turn, 2);
  const afterRun = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.turns[1]?.endedAt && s.followUpUntil ? s : undefined;
  }, 'execute turn ended');
  assert.equal(afterRun.phase, 'done');
  assert.equal(afterRun.plan, undefined);
  assert.equal(afterRun.status, 'completed');
  assert.equal(await statusAttribute(handle.workflowId), 'completed');
  // The thread now runs with planning off: no plan can be waiting.
  await rejectedWith(handle.executeUpdate(approvePlanUpdate, { args: [{}] }), /not an agent run with agent_config.collaborative_planning/);
  await handle.signal(cancelSignal, {});
  await handle.result();
  const execute = createInputs(handle.workflowId)[1]!;
  assert.equal(execute.previousInteractionId, 'int-1');
  assert.equal((execute.request as { agent_config?: { collaborative_planning?: boolean } }).agent_config?.collaborative_planning, false);
  await assertReplays(handle.workflowId);
});

test('plan ready → refine: the refinement turn keeps planning on, and its plan is the new plan', async () => {
  let n = 0;
  const handle = await h.start(
    { request: agent('plan it', true), options: OPEN },
    {
      createInteraction: numberedCreates(),
      followInteraction: async () => followResult({ summary: `PLAN v${++n}` }),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'plan-ready', 'plan-ready');
  await handle.executeUpdate(approvePlanUpdate, { args: [{ edit: 'add a section on cost' }] });
  const refined = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.phase === 'plan-ready' && s.plan?.turn === 2 ? s : undefined;
  }, 'refined plan');
  assert.deepEqual(refined.plan, { turn: 2, interactionId: 'int-2', text: 'PLAN v2' });
  await handle.signal(cancelSignal, {});
  await handle.result();
  const refine = createInputs(handle.workflowId)[1]!;
  assert.equal(refine.request.input, 'add a section on cost');
  assert.equal((refine.request as { agent_config?: { collaborative_planning?: boolean } }).agent_config?.collaborative_planning, true);
  await assertReplays(handle.workflowId);
});

test('a plan nobody approves before the window closes: the job ends completed (the plan turn completed)', async () => {
  const handle = await h.start(
    { request: agent('plan it', true), options: { ...QUICK, followUpWindowMs: 1_500 } },
    { createInteraction: created('int-p'), followInteraction: followed({ summary: 'PLAN' }) },
  );
  await waitFor(async () => (await statusAttribute(handle.workflowId)) === 'plan_ready', 'plan_ready listed');
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(await statusAttribute(handle.workflowId), 'completed');
  await assertReplays(handle.workflowId);
});

test('approvePlan on a job without collaborative planning is rejected', async () => {
  const handle = await h.start({ request: model(), options: OPEN }, { createInteraction: created('int-np'), followInteraction: followed() });
  await waitFor(async () => (await stateOf(handle)).followUpUntil, 'the window');
  await rejectedWith(handle.executeUpdate(approvePlanUpdate, { args: [{}] }), /not an agent run with agent_config.collaborative_planning/);
  await handle.signal(cancelSignal, {});
  await handle.result();
  await assertReplays(handle.workflowId);
});

test('continue-as-new before the next follow-up wait: the next run carries the turns and takes the follow-up', async () => {
  const handle = await h.start({ request: model(), options: { ...OPEN, continueAsNewAfterEvents: 10 } }, { createInteraction: numberedCreates(), followInteraction: followed() });
  const firstRunId = handle.firstExecutionRunId;
  const carried = await waitFor(async () => {
    const latest = h.env.client.workflow.getHandle(handle.workflowId);
    if ((await latest.describe()).runId === firstRunId) return undefined;
    const s = await stateOf(latest);
    return s.followUpUntil ? s : undefined;
  }, 'the continued run waiting for a follow-up');
  assert.equal(carried.turns.length, 1);
  assert.equal(carried.turn, 1);
  assert.equal(carried.interactionId, 'int-1');
  assert.equal(carried.status, 'completed');
  assert.equal(carried.deadlineAt, undefined, 'a continued run has no deadline until its first turn');
  const latest = h.env.client.workflow.getHandle(handle.workflowId);
  assert.deepEqual(await latest.executeUpdate(followUpUpdate, { args: [{ input: 'more' }] }), { turn: 2, interactionId: 'int-2' });
  await waitFor(async () => {
    const s = await stateOf(h.env.client.workflow.getHandle(handle.workflowId));
    return s.turns[1]?.endedAt && s.followUpUntil;
  }, 'turn 2 ended');
  await h.env.client.workflow.getHandle(handle.workflowId).signal(cancelSignal, {});
  const result = await handle.result();
  assert.deepEqual(result.interactionIds, ['int-1', 'int-2']);
  assert.equal(createInputs(handle.workflowId)[1]!.previousInteractionId, 'int-1');
  await assertReplays(handle.workflowId);
});

test('admission wait: phase queued with the limiter key until the grant, then the turn runs admitted', async () => {
  const handle = await h.start(
    { request: agent(), options: { ...QUICK, tenant: 'team-a' } },
    { requestAdmission: queued('key-abc'), createInteraction: created('int-a'), followInteraction: followed() },
  );
  const waiting = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.phase === 'queued' ? s : undefined;
  }, 'queued');
  assert.deepEqual(waiting.admission, { position: 0, key: 'key-abc', tenant: 'team-a' });
  assert.equal(waiting.status, 'queued');
  assert.equal(await statusAttribute(handle.workflowId), 'queued', 'listed as queued for a quota permit');
  assert.equal(h.calls(handle.workflowId, 'createInteraction').length, 0);
  const ask = h.calls(handle.workflowId, 'requestAdmission')[0]!.input;
  assert.equal(ask.ticket, `${handle.workflowId}#1`);
  assert.equal(ask.isAgent, true);
  assert.equal(ask.tenant, 'team-a');
  await handle.signal(grantSignal, { ticket: `${handle.workflowId}#1`, key: 'key-abc' });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.ok(result.turns[0]!.admittedAt);
  const create = createInputs(handle.workflowId)[0]!;
  assert.deepEqual(create.admission, { limiterId: `no-such-limiter-${handle.workflowId}`, ticket: `${handle.workflowId}#1` });
  assert.equal((await stateOf(handle)).admission, undefined);
  await assertReplays(handle.workflowId);
});

test('cancel while queued for admission: leaves the queue, creates nothing', async () => {
  const handle = await h.start({ request: agent(), options: QUICK }, { requestAdmission: queued() });
  await waitFor(async () => (await stateOf(handle)).phase === 'queued', 'queued');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.equal(h.calls(handle.workflowId, 'createInteraction').length, 0);
  await assertReplays(handle.workflowId);
});

test('budget used up: a follow-up is rejected by the validator (no turn, no command)', async () => {
  const handle = await h.start(
    { request: model(), options: { ...OPEN, budget: { maxTotalTokens: 100 } } },
    {
      createInteraction: created('int-bt'),
      followInteraction: followed({
        status: 'budget_exceeded',
        usage: { total_tokens: 150 },
        budgetExceeded: { limit: 'maxTotalTokens', max: 100, used: 150, spent: { totalTokens: 150, toolCalls: 0, wallMs: 5, costUsd: 0 } },
      }),
    },
  );
  const waiting = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.followUpUntil ? s : undefined;
  }, 'the window');
  assert.equal(waiting.status, 'budget_exceeded');
  assert.equal(waiting.spent?.totalTokens, 150);
  await rejectedWith(handle.executeUpdate(followUpUpdate, { args: [{ input: 'more' }] }), /budget is used up/);
  await handle.signal(cancelSignal, {});
  assert.equal((await handle.result()).status, 'budget_exceeded');
  assert.equal(h.calls(handle.workflowId, 'createInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

// ---- webhook mode ------------------------------------------------------------------------------

const WEBHOOK = { ...QUICK, mode: 'webhook' as const };

/** Timers the job's history started (each one a billable Temporal action). */
async function timersStarted(workflowId: string): Promise<number> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter((e) => e.timerStartedEventAttributes).length;
}

test('webhook mode: the settling webhook ends the wait, one poll collects the report, one timer in all', async () => {
  const handle = await h.start({ request: agent(), options: WEBHOOK }, { createInteraction: created('int-wh'), followInteraction: followed() });
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  assert.equal(createInputs(handle.workflowId)[0]!.webhook, true);
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0, 'nothing is held while the run works');
  await handle.signal(webhookSignal, { webhookId: 'w1', eventType: 'interaction.completed', interactionId: 'int-wh', turn: 1, status: 'completed' });
  await handle.signal(webhookSignal, { webhookId: 'w1', eventType: 'interaction.completed', interactionId: 'int-wh', turn: 1, status: 'completed' });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.turns[0]!.settledBy, 'webhook');
  const follows = h.calls(handle.workflowId, 'followInteraction');
  assert.equal(follows.length, 1);
  assert.equal((follows[0]!.input.options as { mode: string }).mode, 'poll');
  assert.equal(h.calls(handle.workflowId, 'checkInteraction').length, 0);
  assert.equal(await timersStarted(handle.workflowId), 1, 'the wait is one durable timer (the deadline); the collect races none');
  await assertReplays(handle.workflowId);
});

test("webhook mode backstop: the sweeper's notice (a GET that found the run settled) ends the wait as `backstop`", async () => {
  const handle = await h.start({ request: agent(), options: WEBHOOK }, { createInteraction: created('int-bs'), followInteraction: followed() });
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'sweep:int-bs:completed', eventType: 'backstop.check', interactionId: 'int-bs', status: 'completed', source: 'sweeper' });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.turns[0]!.settledBy, 'backstop');
  assert.equal(h.calls(handle.workflowId, 'checkInteraction').length, 0, 'no per-job checks: the sweeper serves every job');
  await assertReplays(handle.workflowId);
});

test('webhook mode: refreshProgress runs one check now; rejected when no webhook turn waits', async () => {
  const handle = await h.start(
    { request: agent(), options: WEBHOOK },
    {
      createInteraction: created('int-rp'),
      checkInteraction: async () => checkResult({ upstreamStatus: 'in_progress', outputChars: 42, latestThought: 'reading', usage: { total_tokens: 9 } }),
      followInteraction: followed(),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  const fresh = await handle.executeUpdate(refreshProgressUpdate, { args: [] });
  assert.deepEqual(fresh.progress, { eventsApplied: 0, outputChars: 42, latestThought: 'reading' });
  assert.equal(fresh.upstreamStatus, 'in_progress');
  assert.deepEqual(fresh.usage, { total_tokens: 9 });
  assert.equal(fresh.turns.length, 1);
  await handle.signal(webhookSignal, { webhookId: 'w-rp', eventType: 'interaction.completed', interactionId: 'int-rp', turn: 1 });
  await handle.result();
  await assert.rejects(handle.executeUpdate(refreshProgressUpdate, { args: [] }));
  await assertReplays(handle.workflowId);
});

test('webhook mode: an unknown event type about the run is kept and ends nothing (pass-through, no crash)', async () => {
  const handle = await h.start({ request: agent(), options: WEBHOOK }, { createInteraction: created('int-uk'), followInteraction: followed() });
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'w-new', eventType: 'interaction.some_future_event', interactionId: 'int-uk', turn: 1 });
  await handle.signal(webhookSignal, { webhookId: 'w-done', eventType: 'interaction.completed', interactionId: 'int-uk', turn: 1 });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  assert.equal(result.turns[0]!.settledBy, 'webhook');
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 1);
  await assertReplays(handle.workflowId);
});

test('webhook mode duplicate create: the duplicate settles first, so it is kept and the still-running one is cancelled', async () => {
  const handle = await h.start(
    { request: agent(), options: WEBHOOK },
    {
      createInteraction: async () => ({ interactionId: 'int-rec', status: 'in_progress', recovered: false, ambiguous: true }),
      cancelInteraction: async (input) => {
        assert.equal(input.interactionId, 'int-rec', 'the run still working is the one cancelled');
        return { upstreamStatus: 'cancelled', confirmed: true, cancelAnswer: 'accepted', usage: { total_tokens: 300 } };
      },
      followInteraction: followed(),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'w-o', eventType: 'interaction.completed', interactionId: 'int-dup', turn: 1, status: 'completed' });
  const result = await handle.result();
  assert.equal(result.status, 'completed');
  const turn = result.turns[0]!;
  assert.equal(turn.interactionId, 'int-dup', 'the turn now names the interaction that settled first');
  assert.equal(turn.createAmbiguous, true);
  assert.deepEqual(
    turn.duplicateCreates?.map(({ interactionId, outcome, finalStatus, usage }) => ({ interactionId, outcome, finalStatus, usage })),
    [
      { interactionId: 'int-dup', outcome: 'kept', finalStatus: undefined, usage: undefined },
      { interactionId: 'int-rec', outcome: 'cancelled', finalStatus: 'cancelled', usage: { total_tokens: 300 } },
    ],
  );
  assert.deepEqual(
    h.calls(handle.workflowId, 'followInteraction').map((c) => c.input.interactionId),
    ['int-dup'],
    'the report is collected from the kept interaction',
  );
  await assertReplays(handle.workflowId);
});

test('webhook mode duplicate create: a duplicate that failed is recorded and cancelled; the turn waits for its own run', async () => {
  const handle = await h.start(
    { request: agent(), options: WEBHOOK },
    {
      createInteraction: created('int-own'),
      cancelInteraction: async (input) => {
        assert.equal(input.interactionId, 'int-failed-dup');
        return { upstreamStatus: 'failed', confirmed: true, cancelAnswer: 'already_finished' };
      },
      followInteraction: followed(),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'w-f', eventType: 'interaction.failed', interactionId: 'int-failed-dup', turn: 1, status: 'failed' });
  await waitFor(async () => (await stateOf(handle)).turns[0]?.duplicateCreates?.[0]?.outcome, 'duplicate recorded');
  await handle.signal(webhookSignal, { webhookId: 'w-own', eventType: 'interaction.completed', interactionId: 'int-own', turn: 1 });
  const result = await handle.result();
  assert.equal(result.turns[0]!.interactionId, 'int-own');
  assert.deepEqual(
    result.turns[0]!.duplicateCreates?.map(({ interactionId, outcome, finalStatus }) => ({ interactionId, outcome, finalStatus })),
    [{ interactionId: 'int-failed-dup', outcome: 'already_finished', finalStatus: 'failed' }],
  );
  await assertReplays(handle.workflowId);
});

test('webhook mode duplicate create: a duplicate revealed after its turn ended is cancelled during the follow-up window', async () => {
  const handle = await h.start(
    { request: agent(), options: { ...WEBHOOK, followUpWindowMs: 10 * 60_000 } },
    {
      createInteraction: created('int-first'),
      cancelInteraction: async () => ({ upstreamStatus: 'completed', confirmed: true, cancelAnswer: 'already_finished', usage: { total_tokens: 77 } }),
      followInteraction: followed(),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'w-1', eventType: 'interaction.completed', interactionId: 'int-first', turn: 1 });
  await waitFor(async () => (await stateOf(handle)).followUpUntil, 'window open');
  await handle.signal(webhookSignal, { webhookId: 'w-2', eventType: 'interaction.completed', interactionId: 'int-late', turn: 1 });
  const state = await waitFor(async () => {
    const s = await stateOf(handle);
    return s.turns[0]?.duplicateCreates?.length ? s : undefined;
  }, 'late duplicate recorded');
  assert.deepEqual(
    state.turns[0]!.duplicateCreates?.map(({ interactionId, outcome, usage }) => ({ interactionId, outcome, usage })),
    [{ interactionId: 'int-late', outcome: 'already_finished', usage: { total_tokens: 77 } }],
  );
  assert.equal(state.followUpUntil !== undefined, true, 'the window stays open');
  await handle.signal(cancelSignal, {});
  await handle.result();
  await assertReplays(handle.workflowId);
});

test('webhook mode: cancel during the wait cancels the remote run', async () => {
  const handle = await h.start({ request: agent(), options: WEBHOOK }, { createInteraction: created('int-wc'), cancelInteraction: cancelled() });
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(cancelSignal, {});
  const result = await handle.result();
  assert.equal(result.status, 'cancelled');
  assert.deepEqual(
    h.calls(handle.workflowId, 'cancelInteraction').map((c) => c.input.interactionId),
    ['int-wc'],
  );
  await assertReplays(handle.workflowId);
});

test('webhook mode: the deadline passes while waiting: cancelled remotely, timed_out', async () => {
  const handle = await h.start({ request: agent(), options: { ...WEBHOOK, deadlineMs: 1_000 } }, { createInteraction: created('int-wd'), cancelInteraction: cancelled() });
  const result = await handle.result();
  assert.equal(result.status, 'timed_out');
  assert.equal(result.error?.code, 'deadline_exceeded');
  assert.equal(h.calls(handle.workflowId, 'followInteraction').length, 0);
  await assertReplays(handle.workflowId);
});

test('webhook mode: a sweeper notice that the run failed collects it and the turn fails with its error', async () => {
  const handle = await h.start(
    { request: agent(), options: WEBHOOK },
    {
      createInteraction: created('int-wf'),
      followInteraction: followed({ status: 'failed', upstreamStatus: 'failed', error: { code: 'upstream_failed', message: 'boom', retryable: false } }),
    },
  );
  await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
  await handle.signal(webhookSignal, { webhookId: 'sweep:int-wf:failed', eventType: 'backstop.check', interactionId: 'int-wf', status: 'failed', source: 'sweeper' });
  const result = await handle.result();
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.code, 'upstream_failed');
  assert.equal(result.turns[0]!.settledBy, 'backstop');
  await assertReplays(handle.workflowId);
});
