/**
 * The admission limiter continues as new with its queue packed, on the real dev server: a limiter
 * started with 5,000 waiters in the plain (pre-packing) input, then sent acquire signals until its
 * history passes the continue-as-new threshold, carries every waiter, in order, into its next run
 * in the packed form (~46 bytes a waiter).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { releaseTestEnv } from '../helpers/temporal';
import { acquireSignal, admissionWorkflowId, limiterStateQuery, type AdmissionLimiterInput, type AdmissionLimits, type Waiter } from '../../workflows/admission-definitions';
import { jobHarness, waitFor, type JobHarness } from '../jobs/job-harness';

let h: JobHarness;
before(async () => {
  h = await jobHarness('limiter-can');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const LIMITS: AdmissionLimits = {
  maxPerWindow: 10,
  windowMs: 60_000,
  maxConcurrent: 1,
  maxConcurrentPerTenant: 0,
  orderGraceMs: 0,
  leaseCheckMs: 3_600_000,
  idleExitMs: 3_600_000,
};

function waiter(i: number, t0: number): Waiter {
  const jobId = `job_${randomUUID()}`;
  return { ticket: `${jobId}#1`, jobId, runId: randomUUID(), enqueuedAtMs: t0 + i, seq: i + 1 };
}

test('a limiter holding 5,000 waiters continues as new with every waiter, in order, packed', async () => {
  const key = `${h.taskQueue}-can`;
  const t0 = Date.now() - 60_000;
  const initial = Array.from({ length: 5_000 }, (_, i) => waiter(i, t0));
  // Admission paused for an hour: nobody is admitted, the queue only grows.
  const input: AdmissionLimiterInput = {
    key,
    limits: LIMITS,
    carried: { waiters: initial, holders: [], recent: [], pausedUntilMs: Date.now() + 3_600_000, seq: initial.length, admitted: 0, throttles: 0, leaked: 0 },
  };
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const handle = await h.env.client.workflow.start('admissionLimiter', { workflowId: admissionWorkflowId(key), taskQueue: h.taskQueue, args: [input] });
    const firstRun = handle.firstExecutionRunId;
    const added: Waiter[] = [];
    // Acquire signals in rounds until the history passes the limiter's continue-as-new threshold.
    // Each round is handled before the next is sent: a continue-as-new is refused while new
    // signals keep arriving (the run must handle them first).
    let i = initial.length;
    for (let round = 0; ; round++) {
      assert.ok(round < 40, 'continued as new within 40 rounds of 150 signals');
      const batch = Array.from({ length: 150 }, () => waiter(i++, t0));
      added.push(...batch);
      for (let k = 0; k < batch.length; k += 25) {
        await Promise.all(
          batch.slice(k, k + 25).map((w) => handle.signal(acquireSignal, { ticket: w.ticket, jobId: w.jobId, runId: w.runId, enqueuedAtMs: w.enqueuedAtMs, limits: LIMITS })),
        );
      }
      const expectedCount = initial.length + added.length;
      await waitFor(
        async () => ((await h.env.client.workflow.getHandle(handle.workflowId).query(limiterStateQuery)).waiters.length === expectedCount ? true : undefined),
        `round ${round} handled`,
        120_000,
        200,
      );
      const d = await h.env.client.workflow.getHandle(handle.workflowId).describe();
      if (d.runId !== firstRun) break;
    }
    const latest = h.env.client.workflow.getHandle(handle.workflowId);
    const state = await latest.query(limiterStateQuery);
    // Signals sent after the continue-as-new land in the new run, after the carried ones.
    const expected = [...initial, ...added].map((w) => w.ticket);
    assert.deepEqual(
      state.waiters.map((w) => w.ticket),
      expected,
      'every waiter carried, FIFO order kept',
    );
    assert.deepEqual(state.waiters.slice(0, initial.length), initial, 'run ids, times and seq carried exactly');
    const history = await latest.fetchHistory();
    const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const next = defaultPayloadConverter.fromPayload<AdmissionLimiterInput>(payload);
    assert.ok(next.packedWaiters, 'the next run carries the packed queue');
    assert.equal(next.carried?.waiters.length, 0);
    const perWaiter = payload.data!.length / next.packedWaiters.n;
    assert.ok(perWaiter < 50, `continue-as-new input: ${payload.data!.length} bytes for ${next.packedWaiters.n} waiters (${perWaiter.toFixed(1)} each)`);
    await latest.terminate('test over');
  });
});
