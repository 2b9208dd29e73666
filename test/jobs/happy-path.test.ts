/**
 * Jobs that run to completion against the emulator over real HTTP on the real Temporal dev server:
 * a model turn, a Deep Research run, a duplicate start, and history length independent of run length.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { releaseTestEnv } from '../helpers/temporal';
import { mergeLiveState } from '../../src/jobs/live-state';
import type { JobRequest, JobResult } from '../../workflows/definitions';
import { FAST, historyLength, jobHarness, stateOf, waitFor, type JobHarness } from './job-harness';

let h: JobHarness;
before(async () => {
  h = await jobHarness('happy');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

async function assertReport(result: JobResult): Promise<string> {
  assert.ok(result.report, 'a report ref');
  const body = await h.store.get(result.report);
  assert.ok(body, 'the report is in the result store');
  assert.equal(body.toString('utf8'), h.emulator.canonicalReport(result.interactionId!));
  assert.equal(result.report.bytes, body.length);
  return body.toString('utf8');
}

test('a model turn completes: report equals the canonical one, one create, small result', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: { model: 'gemini-3-flash-preview', input: 'Count from 1 to 25.' } as JobRequest, options: FAST });
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(result.upstreamStatus, 'completed');
    assert.equal(result.turns.length, 1);
    assert.equal(result.interactionIds.length, 1);
    const report = await assertReport(result);
    assert.equal(result.summary, report.slice(0, 280));
    assert.ok(result.usage?.total_tokens);
    assert.equal(h.emulator.counters().creates, 1);
    const info = h.emulator.interactions().find((i) => i.id === result.interactionId)!;
    assert.equal(info.background, true);
    assert.equal(info.stored, true);
    assert.equal(info.request['stream'], undefined);
    assert.ok(JSON.stringify(result).length < 4_000, 'the result stays small');
  });
});

test('a Deep Research run completes: streamed, verified, report equals the canonical one', async () => {
  const before = h.emulator.counters().creates;
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({
      request: {
        agent: 'deep-research-preview-04-2026',
        input: 'Compare heat pumps and gas boilers',
        agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
      } as JobRequest,
      options: FAST,
    });
    // Live state: heartbeat progress shows up through describe() while the run streams.
    const live = await waitFor(async () => {
      const merged = mergeLiveState(await stateOf(handle), await handle.describe());
      return merged.progress && merged.progress.eventsApplied > 3 ? merged : undefined;
    }, 'live progress');
    assert.ok(['streaming', 'reconnecting', 'polling'].includes(live.phase));
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    await assertReport(result);
    assert.equal(h.emulator.counters().creates - before, 1);
    const state = await stateOf(handle);
    assert.equal(state.phase, 'done');
    assert.equal(state.turns[0]!.report?.key, result.report!.key);
  });
});

test('duplicate start with the same workflow id creates one interaction', async () => {
  const before = h.emulator.counters().creates;
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const input = { request: { model: 'gemini-3-flash-preview', input: 'Say hi' } as JobRequest, options: FAST };
    const id = `${h.taskQueue}-dup`;
    const first = await h.start(input, id);
    await assert.rejects(h.start(input, id), WorkflowExecutionAlreadyStartedError);
    const again = await h.env.client.workflow.start('interactionJob', {
      taskQueue: h.taskQueue,
      workflowId: id,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    assert.equal(again.firstExecutionRunId, first.firstExecutionRunId);
    const result = await first.result();
    assert.equal(result.status, 'completed');
    assert.equal(h.emulator.counters().creates - before, 1);
  });
});

test('history length does not grow with run length (short vs long emulated run)', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const short = await h.start({ request: { model: 'gemini-3-flash-preview', input: 'Say hi' } as JobRequest, options: FAST });
    const long = await h.start({
      request: { agent: 'deep-research-preview-04-2026', input: 'History of the bicycle', labels: { 'emulator-scenario': 'slow-report' } } as JobRequest,
      options: FAST,
    });
    const [a, b] = await Promise.all([short.result(), long.result()]);
    assert.equal(a.status, 'completed');
    assert.equal(b.status, 'completed');
    const eventsLong = h.emulator.interactions().find((i) => i.id === b.interactionId)!.events;
    const eventsShort = h.emulator.interactions().find((i) => i.id === a.interactionId)!.events;
    const [hs, hl] = [await historyLength(short), await historyLength(long)];
    console.log(`history events: short run ${hs} (${eventsShort} stream events), long run ${hl} (${eventsLong} stream events)`);
    assert.ok(eventsLong > 10 * eventsShort, 'the long run really emitted many more events');
    assert.ok(Math.abs(hl - hs) <= 4, `history lengths ${hs} vs ${hl} should be within a few events`);
  });
});
