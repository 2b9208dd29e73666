/**
 * Threads: follow-up turns chained with previous_interaction_id, interaction-scoped settings resent
 * on every turn, updates rejected while a turn runs, and Deep Research plan approval.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { releaseTestEnv } from '../helpers/temporal';
import { cancelSignal, followUpUpdate, type JobRequest, type JobState } from '../../workflows/definitions';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from './job-harness';
import { JobsClient } from '../../src/jobs/jobs-client';

let h: JobHarness;
before(async () => {
  h = await jobHarness('followups');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

function requestOf(id: string): Record<string, unknown> {
  return h.emulator.interactions().find((i) => i.id === id)!.request;
}

async function turnEnded(handle: Parameters<typeof stateOf>[0], turn: number): Promise<JobState> {
  return waitFor(async () => {
    const s = await stateOf(handle);
    return s.turns[turn - 1]?.endedAt && s.followUpUntil ? s : undefined;
  }, `turn ${turn} ended`);
}

test('a chain of three turns: previous_interaction_id chained, settings resent, overrides applied', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const request = {
      model: 'gemini-3-flash-preview',
      input: 'Name three rivers.',
      system_instruction: 'Answer briefly.',
      tools: [{ type: 'google_search' }],
      generation_config: { temperature: 0.2, thinking_summaries: 'auto' },
      response_format: { type: 'text', mime_type: 'text/plain' },
    } as unknown as JobRequest;
    const handle = await h.start({ request, options: { ...FAST, followUpWindowMs: 60_000 } });
    const s1 = await turnEnded(handle, 1);
    assert.equal(s1.status, 'completed');

    const t2 = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Which is longest?' }] });
    assert.equal(t2.turn, 2);
    // While turn 2 runs, another follow-up is rejected by the validator (not written to history).
    const early = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'too early' }] }).then(
      () => 'accepted',
      (err: unknown) => (err instanceof WorkflowUpdateFailedError ? 'rejected' : String(err)),
    );
    assert.equal(early, 'rejected');
    await turnEnded(handle, 2);
    const t3 = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'And the shortest?', overrides: { system_instruction: 'Answer in one word.' } }] });
    assert.equal(t3.turn, 3);
    const s3 = await turnEnded(handle, 3);
    assert.equal(s3.turns.length, 3);
    assert.ok(s3.turns.every((t) => t.status === 'completed' && t.report));
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.deepEqual(
      result.interactionIds,
      s3.turns.map((t) => t.interactionId),
    );

    const [id1, id2, id3] = result.interactionIds as [string, string, string];
    assert.equal(t2.interactionId, id2);
    const [r1, r2, r3] = [requestOf(id1), requestOf(id2), requestOf(id3)];
    assert.equal(r1['previous_interaction_id'], undefined);
    assert.equal(r2['previous_interaction_id'], id1);
    assert.equal(r3['previous_interaction_id'], id2);
    for (const r of [r2, r3]) {
      assert.deepEqual(r['tools'], request.tools);
      assert.deepEqual(r['generation_config'], (request as { generation_config: unknown }).generation_config);
      assert.deepEqual(r['response_format'], (request as { response_format: unknown }).response_format);
      assert.equal(r['model'], 'gemini-3-flash-preview');
      assert.equal(r['background'], true);
    }
    assert.equal(r2['system_instruction'], 'Answer briefly.');
    assert.equal(r3['system_instruction'], 'Answer in one word.');
    assert.equal(r2['input'], 'Which is longest?');
    // Each turn's report is the canonical report of its own interaction.
    for (const t of result.turns) {
      assert.equal((await h.store.get(t.report!))?.toString('utf8'), h.emulator.canonicalReport(t.interactionId!));
    }
  });
});

test('collaborative planning as chained turns: plan-ready, refinePlan (flag true), approvePlan executes (flag false)', async () => {
  const worker = await h.newWorker();
  const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
  await worker.runUntil(async () => {
    const handle = await h.start({
      request: {
        agent: 'deep-research-preview-04-2026',
        input: 'Battery storage economics',
        agent_config: { type: 'deep-research', collaborative_planning: true },
      } as JobRequest,
      options: { ...FAST, followUpWindowMs: 60_000 },
    });
    const planned = await turnEnded(handle, 1);
    assert.equal(planned.turns[0]!.status, 'completed', 'a plan turn ends completed, as the API ends it');
    assert.equal(planned.status, 'plan_ready', 'and the job waits for the plan to be approved');
    assert.equal(planned.phase, 'plan-ready');
    assert.equal(planned.plan?.turn, 1);
    assert.equal(planned.plan?.interactionId, planned.turns[0]!.interactionId);
    const full = await jobs.state(handle.workflowId);
    assert.equal(full.plan?.text, h.emulator.canonicalReport(planned.turns[0]!.interactionId!), 'state carries the whole plan');
    assert.match(full.plan!.text, /proposed research plan/);

    // A follow-up the API would reject is refused by the validator before anything is created.
    await assert.rejects(
      handle.executeUpdate(followUpUpdate, { args: [{ input: 'go', overrides: { generation_config: { temperature: 1 } } as never }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && /generation_config/.test(String((err as Error).cause ?? err)),
    );

    const refined = await jobs.refinePlan(handle.workflowId, 'Focus on Europe', { wait: true, timeoutMs: 60_000 });
    assert.equal(refined.turn, 2);
    assert.match(refined.plan!.text, /revised research plan[\s\S]*Focus on Europe/);
    const refineBody = requestOf(refined.interactionId);
    assert.equal(refineBody['previous_interaction_id'], planned.interactionId);
    assert.equal(refineBody['input'], 'Focus on Europe');
    assert.deepEqual(refineBody['agent_config'], { type: 'deep-research', collaborative_planning: true });
    const replanned = await turnEnded(handle, 2);
    assert.equal(replanned.phase, 'plan-ready');
    assert.equal(replanned.plan?.turn, 2);

    const accepted = await jobs.approvePlan(handle.workflowId);
    assert.equal(accepted.turn, 3);
    const done = await turnEnded(handle, 3);
    assert.equal(done.status, 'completed');
    assert.equal(done.phase, 'done');
    assert.equal(done.plan, undefined, 'no plan waits after the research turn');
    // Approving again is rejected by the validator: no plan is waiting any more.
    await assert.rejects(jobs.approvePlan(handle.workflowId), /no plan is waiting|not an agent run/);
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    const body = requestOf(accepted.interactionId);
    assert.equal(body['previous_interaction_id'], refined.interactionId);
    assert.deepEqual(body['agent_config'], { type: 'deep-research', collaborative_planning: false });
    const report = (await h.store.get(result.report!))!.toString('utf8');
    assert.equal(report, h.emulator.canonicalReport(accepted.interactionId));
    assert.match(report, /research report/);
    assert.ok(report.includes('Focus on Europe') || /Europe/.test(report), 'the research follows the refined plan');
  });
});

test('continue-as-new between turns keeps the thread: turns carried, follow-ups still accepted', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({
      request: { model: 'gemini-3-flash-preview', input: 'Turn one', system_instruction: 'Be brief.' } as JobRequest,
      options: { ...FAST, followUpWindowMs: 60_000, continueAsNewAfterEvents: 25 },
    });
    await turnEnded(handle, 1);
    await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn two' }] });
    // After turn 2 the history is past 25 events: the next wait happens in a new run.
    const s2 = await waitFor(async () => {
      const description = await handle.describe();
      if (description.runId === handle.firstExecutionRunId) return undefined;
      const s = await stateOf(handle).catch(() => undefined);
      return s?.followUpUntil ? s : undefined;
    }, 'continued as new and waiting');
    assert.equal(s2.turns.length, 2);
    const t3 = await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn three' }] });
    assert.equal(t3.turn, 3);
    await turnEnded(handle, 3);
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    assert.equal(result.turns.length, 3);
    assert.equal(result.status, 'completed');
    const r3 = requestOf(t3.interactionId);
    assert.equal(r3['previous_interaction_id'], result.interactionIds[1]);
    assert.equal(r3['system_instruction'], 'Be brief.');
  });
});
