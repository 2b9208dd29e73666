/**
 * Cancellation and deadlines: a cancel never leaks a running remote job, never creates one that
 * was not created yet, and a finished job stays as it was.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import { interactionJob } from '../../workflows';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { JOB_RESULT_MEMO, cancelSignal, jobStatusKey, type JobRequest, type JobResult } from '../../workflows/definitions';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from './job-harness';
import { patchIds } from '../helpers/patch-markers';
import { PATCHES } from '../../workflows/patches';

let h: JobHarness;
before(async () => {
  h = await jobHarness('cancel');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (input: string): JobRequest => ({ agent: 'deep-research-preview-04-2026', input }) as JobRequest;

function remoteStatus(id: string): string {
  return h.emulator.interactions().find((i) => i.id === id)!.status;
}

test('cancel before create: the job ends cancelled and nothing is created', async () => {
  const before = h.emulator.counters().creates;
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.env.client.workflow.signalWithStart(interactionJob, {
      taskQueue: h.taskQueue,
      workflowId: `${h.taskQueue}-early-cancel`,
      args: [{ request: research('never run'), options: FAST }],
      signal: cancelSignal,
      signalArgs: [{ reason: 'changed my mind' }],
      typedSearchAttributes: [{ key: jobStatusKey, value: 'pending' }],
    });
    const result = await handle.result();
    assert.equal(result.status, 'cancelled');
    assert.equal(result.interactionIds.length, 0);
    assert.equal(h.emulator.counters().creates, before);
    assert.equal((await stateOf(handle)).cancelReason, 'changed my mind');
  });
});

test('cancel while the create is in flight: waits for the id, then cancels that interaction', async () => {
  const remove = h.emulator.addFault({ kind: 'delay', route: 'create', delayMs: 60_000, count: 1 }); // 0.6 s real
  try {
    const worker = await h.newWorker();
    await worker.runUntil(async () => {
      const handle = await h.start({ request: research('slow create'), options: FAST });
      await waitFor(async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.activityType?.name === 'createInteraction'), 'create running');
      await handle.signal(cancelSignal, { reason: 'stop' });
      const result = await handle.result();
      assert.equal(result.status, 'cancelled');
      assert.equal(result.interactionIds.length, 1);
      assert.equal(remoteStatus(result.interactionId!), 'cancelled', 'the created run is not leaked');
    });
  } finally {
    remove();
  }
});

test('cancel during the run: the follow activity stops, the remote run is cancelled and confirmed', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: research('cancel me midway'), options: FAST });
    await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
    await handle.signal(cancelSignal, { reason: 'user' });
    const result = await handle.result();
    assert.equal(result.status, 'cancelled');
    assert.equal(result.upstreamStatus, 'cancelled');
    assert.equal(remoteStatus(result.interactionId!), 'cancelled');
    assert.equal(h.emulator.counters().interactions[result.interactionId!]!.cancels, 1);
    const description = await handle.describe();
    assert.equal(description.searchAttributes[jobStatusKey.name]?.[0] ?? description.typedSearchAttributes.get(jobStatusKey), 'cancelled');
  });
});

test('cancel during the run sends the remote cancel at once, before the follow activity has stopped (it hears of its own cancel only from a heartbeat)', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    // A long heartbeat timeout: the follow activity would hear of the cancel only from a heartbeat
    // answer, up to its flush interval later. The remote cancel must not wait for that.
    const handle = await h.start({ request: research('cancel me at once'), options: { ...FAST, heartbeatTimeoutMs: 120_000 } });
    await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
    await handle.signal(cancelSignal, { reason: 'user' });
    const result = await handle.result();
    assert.equal(result.status, 'cancelled');
    assert.equal(remoteStatus(result.interactionId!), 'cancelled');
    assert.equal(h.emulator.counters().interactions[result.interactionId!]!.cancels, 1);
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = new Map<string, string>();
    let cancelScheduledAt = -1;
    let followClosedAt = -1;
    events.forEach((e, i) => {
      const type = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) scheduled.set(String(e.eventId), type);
      if (type === 'cancelInteraction' && cancelScheduledAt < 0) cancelScheduledAt = i;
      const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskCanceledEventAttributes ?? e.activityTaskFailedEventAttributes;
      if (closed && scheduled.get(String(closed.scheduledEventId)) === 'followInteraction') followClosedAt = i;
    });
    assert.ok(cancelScheduledAt >= 0 && followClosedAt >= 0, 'both activities are in the history');
    assert.ok(cancelScheduledAt < followClosedAt, `the remote cancel (event #${cancelScheduledAt}) was scheduled before the follow activity closed (#${followClosedAt})`);
  });
});

test('Temporal workflow cancellation takes the same path: remote run cancelled, result returned', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: research('cancel via temporal'), options: FAST });
    await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
    await handle.cancel();
    // The execution ends Temporal-cancelled (Canceled in the Web UI); its JobResult is in the memo.
    await assert.rejects(handle.result(), (err: unknown) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    const description = await handle.describe();
    assert.equal(description.status.name, 'CANCELLED');
    const result = (description.memo as Record<string, unknown>)[JOB_RESULT_MEMO] as JobResult;
    assert.equal(result.status, 'cancelled');
    assert.equal(remoteStatus(result.interactionId!), 'cancelled');
  });
});

test('cancel after completion: only closes the follow-up window; status stays completed, no cancel call', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: { model: 'gemini-3-flash-preview', input: 'Quick one' } as JobRequest, options: { ...FAST, followUpWindowMs: 60_000 } });
    const state = await waitFor(async () => {
      const s = await stateOf(handle);
      return s.status === 'completed' && s.followUpUntil ? s : undefined;
    }, 'completed and waiting for follow-ups');
    await handle.signal(cancelSignal, {});
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(h.emulator.counters().interactions[state.interactionId!]!.cancels, 0);
  });
});

test('deadline: it counts from the create, so a run that waited for its create is not cut short; the job records one patch marker in all', async () => {
  // Runs last 3 s here (5 emulated minutes at time scale 100). The create waits 2 s before the
  // run begins: against a 4 s deadline counted from admission the run would end 1 s too late.
  const remove = h.emulator.addFault({ kind: 'delay', route: 'create', delayMs: 200_000, count: 1 });
  try {
    const worker = await h.newWorker();
    await worker.runUntil(async () => {
      const slow = await h.start({ request: research('slow create'), options: { ...FAST, deadlineMs: 4_000 } });
      const result = await slow.result();
      assert.equal(result.status, 'completed', `completed, not cut at the admission-based deadline (${result.error?.message ?? ''})`);
      assert.equal(remoteStatus(result.interactionId!), 'completed');
      assert.deepEqual(patchIds(await slow.fetchHistory()), [PATCHES.admittedTurns.id], 'one marker, asked in the first workflow task');
    });
  } finally {
    remove();
  }
});

test('deadline: the turn ends timed_out and the remote run is cancelled', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.start({ request: research('too slow'), options: { ...FAST, deadlineMs: 1_500 } });
    const result = await handle.result();
    assert.equal(result.status, 'timed_out');
    assert.equal(result.error?.code, 'deadline_exceeded');
    assert.equal(result.upstreamStatus, 'cancelled');
    assert.equal(remoteStatus(result.interactionId!), 'cancelled');
  });
});
