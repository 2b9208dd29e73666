/**
 * Threads: follow-up turns chained with previous_interaction_id, interaction-scoped settings resent
 * on every turn, updates rejected while a turn runs, and Deep Research plan approval.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { releaseTestEnv } from '../helpers/temporal';
import { approvePlanUpdate, cancelSignal, followUpUpdate, type JobRequest, type JobState } from '../../workflows/definitions';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from './job-harness';

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
    assert.deepEqual(result.interactionIds, s3.turns.map((t) => t.interactionId));

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

test('plan approval: a collaborative-planning run waits for input, approve starts the research', async () => {
  const worker = await h.newWorker();
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
    assert.equal(planned.status, 'requires_action');
    assert.equal(planned.phase, 'waiting-for-input');
    const plan = (await h.store.get(planned.turns[0]!.report!))!.toString('utf8');
    assert.match(plan, /research plan/i);

    // A follow-up the API would reject is refused by the validator before anything is created.
    await assert.rejects(
      handle.executeUpdate(followUpUpdate, { args: [{ input: 'go', overrides: { generation_config: { temperature: 1 } } as never }] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && /generation_config/.test(String((err as Error).cause ?? err)),
    );
    const accepted = await handle.executeUpdate(approvePlanUpdate, { args: [{}] });
    assert.equal(accepted.turn, 2);
    const done = await turnEnded(handle, 2);
    assert.equal(done.status, 'completed');
    // Approving again is rejected by the validator: no plan is waiting any more.
    await assert.rejects(handle.executeUpdate(approvePlanUpdate, { args: [{}] }), WorkflowUpdateFailedError);
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    const body = requestOf(accepted.interactionId);
    assert.equal(body['previous_interaction_id'], planned.interactionId);
    assert.equal(body['input'], 'approve');
    assert.deepEqual(body['agent_config'], { type: 'deep-research', collaborative_planning: true });
    const report = (await h.store.get(result.report!))!.toString('utf8');
    assert.equal(report, h.emulator.canonicalReport(accepted.interactionId));
    assert.match(report, /research report/);
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
