/**
 * Admission control against the emulator's per-key quota: a burst far above the quota completes
 * with every create inside the limits (emulator counters), admits the earliest job waiting first, shows
 * `queued` with a position meanwhile, never loops on 429s, and permits come back whatever way a
 * turn ends (cancel while queued, cancel while running, failed create, terminated run).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import { JobsClient } from '../../src/jobs/jobs-client';
import { admissionSettings } from '../../src/worker/quota-settings';
import { defaultPayloadConverter } from '@temporalio/common';
import { acquireSignal, admissionWorkflowId, grantSignal, limiterStateQuery, type AcquireRequest } from '../../workflows/admission-definitions';
import { cancelSignal, type JobRequest, type JobState } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from '../jobs/job-harness';

const QUOTA = { maxConcurrent: 3, createsPerMinute: 6 };
let h: JobHarness;
let jobs: JobsClient;
before(async () => {
  // 600x: a 5-minute emulated run takes 0.5 s; the emulator's minute is 100 ms of real time.
  h = await jobHarness('admission', {
    timeScale: 600,
    keyQuota: { maxConcurrent: QUOTA.maxConcurrent, createsPerWindow: QUOTA.createsPerMinute, windowMs: 60_000, retryAfterSeconds: 1 },
    // An hour-long run (6 s real) for the holders the permit test acts on.
    scenarios: { long: { deepResearchDurationMs: 60 * 60_000 } },
  });
  jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (input: string): JobRequest => ({ agent: 'deep-research-preview-04-2026', input }) as JobRequest;

/** The limiter's limits match the emulator's concurrency exactly and stay under its rate. */
function admission(key: string, extra: Parameters<typeof admissionSettings>[0] = {}) {
  return admissionSettings(
    { maxConcurrent: QUOTA.maxConcurrent, maxPerWindow: QUOTA.createsPerMinute, windowMs: 1_000, orderGraceMs: 3_000, leaseCheckMs: 1_000, ...extra },
    { key },
  );
}

function quotaCounters() {
  const all = Object.values(h.emulator.counters().quota);
  assert.equal(all.length, 1, 'one credential');
  return all[0]!;
}

function limiter(key: string) {
  return h.env.client.workflow.getHandle(admissionWorkflowId(key));
}

test('a burst of 12 jobs on a quota of 3 concurrent: all complete, first come first served, inside the quota, no 429', async () => {
  h.emulator.resetCounters();
  const key = `${h.taskQueue}-burst`;
  const worker = await h.newWorker({ admission: admission(key) });
  await worker.runUntil(async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const { jobId } = await jobs.start(research(`burst job ${i}`), { jobId: `${h.taskQueue}-burst-${i}`, options: FAST });
      ids.push(jobId);
    }
    // The last job waits in the queue with a position, visible through JobsClient.state.
    const queued = await waitFor(async () => {
      const s = await jobs.state(ids[11]!);
      return s.phase === 'queued' && (s.admission?.position ?? 0) > 0 ? s : undefined;
    }, 'the last job queued with a position');
    assert.equal(queued.status, 'queued', 'listed as waiting for a quota permit');
    assert.equal(queued.admission?.key, key);
    const results = await Promise.all(ids.map((id) => h.env.client.workflow.getHandle(id).result()));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(12).fill('completed'),
    );
    const st = await limiter(key).query(limiterStateQuery);
    assert.equal(st.admitted, 12);
    assert.equal(st.holders.length, 0, 'every permit came back');
    // FIFO: every grant went to the job that asked first (earliest start) among those whose
    // request had reached the limiter. When a request reaches it is up to the machine's load (a
    // job's first workflow task), so the check reads the limiter's history, not a fixed order.
    const grants = grantsInHistory(await limiter(key).fetchHistory());
    assert.deepEqual([...grants.granted].sort(), [...ids].sort(), 'every job admitted once');
    for (const { jobId, waiting } of grants.decisions) {
      const earlier = waiting.filter((w) => w.enqueuedAtMs < grants.enqueuedAt.get(jobId)!);
      assert.deepEqual(earlier, [], `${jobId} was admitted while a job that asked earlier waited`);
    }
    grantOrder = grants.granted;
  });
  const q = quotaCounters();
  assert.equal(q.admitted, 12, 'exactly one create per job');
  assert.equal(q.refusedConcurrency + q.refusedRate, 0, 'no create refused');
  assert.ok(q.peakConcurrent <= QUOTA.maxConcurrent, `peak ${q.peakConcurrent} runs at once`);
  assert.equal(h.emulator.counters().statuses['429'] ?? 0, 0);
  // Creates of one admission wave race each other; across waves they keep the order of the grants.
  const created = h.emulator.interactions().map((i) => `${h.taskQueue}-burst-${/burst job (\d+)/.exec(String(i.request['input']))![1]}`);
  created.forEach((jobId, at) => {
    const granted = grantOrder.indexOf(jobId);
    assert.ok(Math.abs(granted - at) < QUOTA.maxConcurrent, `${jobId} granted ${granted + 1}th, created ${at + 1}th: ${created.join(',')}`);
  });
});

let grantOrder: string[] = [];

/**
 * The limiter's decisions from its history, in order: each grant with the requests that had
 * reached the limiter and were still waiting when it was made. A signal that precedes a grant in
 * history was delivered to the workflow task that made the grant (signals arriving during a task
 * are written after it).
 */
function grantsInHistory(history: Awaited<ReturnType<ReturnType<typeof limiter>['fetchHistory']>>) {
  const enqueuedAt = new Map<string, number>();
  const waiting = new Map<string, number>();
  const granted: string[] = [];
  const decisions: Array<{ jobId: string; waiting: Array<{ jobId: string; enqueuedAtMs: number }> }> = [];
  for (const event of history.events ?? []) {
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (signaled?.signalName === acquireSignal.name) {
      const request = defaultPayloadConverter.fromPayload<AcquireRequest>(signaled.input!.payloads![0]!);
      if (!enqueuedAt.has(request.jobId)) waiting.set(request.jobId, request.enqueuedAtMs);
      enqueuedAt.set(request.jobId, request.enqueuedAtMs);
    }
    const grant = event.signalExternalWorkflowExecutionInitiatedEventAttributes;
    const jobId = grant?.signalName === grantSignal.name ? grant.workflowExecution?.workflowId : undefined;
    if (jobId) {
      waiting.delete(jobId);
      decisions.push({ jobId, waiting: [...waiting].map(([id, enqueuedAtMs]) => ({ jobId: id, enqueuedAtMs })) });
      granted.push(jobId);
    }
  }
  return { enqueuedAt, granted, decisions };
}

test('a 429 with Retry-After pauses admission for the key: one refusal, one retry, nothing wasted', async () => {
  h.emulator.resetCounters();
  const key = `${h.taskQueue}-throttle`;
  const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 429, retryAfterSeconds: 1, count: 1 });
  try {
    const worker = await h.newWorker({ admission: admission(key) });
    await worker.runUntil(async () => {
      const ids: string[] = [];
      for (let i = 1; i <= 5; i++) ids.push((await jobs.start(research(`throttle job ${i}`), { jobId: `${h.taskQueue}-throttle-${i}`, options: FAST })).jobId);
      const results = await Promise.all(ids.map((id) => h.env.client.workflow.getHandle(id).result()));
      assert.deepEqual(
        results.map((r) => r.status),
        Array(5).fill('completed'),
      );
      const st = await limiter(key).query(limiterStateQuery);
      assert.equal(st.throttles, 1, 'the 429 reached the limiter');
    });
  } finally {
    remove();
  }
  const counters = h.emulator.counters();
  assert.equal(counters.statuses['429'], 1, 'a single 429, no retry loop');
  assert.equal(counters.creates, 5, 'one interaction per job');
});

test('permits come back: cancel while queued, cancel while running, failed create, terminated run', async () => {
  h.emulator.resetCounters();
  const key = `${h.taskQueue}-release`;
  const worker = await h.newWorker({ admission: admission(key, { maxConcurrent: 1, orderGraceMs: 0 }) });
  const long = (input: string): JobRequest => ({ ...research(input), labels: { 'emulator-scenario': 'long' } }) as unknown as JobRequest;
  await worker.runUntil(async () => {
    const start = async (name: string, request = research(name)) =>
      (await jobs.start(request, { jobId: `${h.taskQueue}-${name}`, options: { ...FAST, deadlineMs: 600_000 } })).jobId;
    const state = (id: string): Promise<JobState> => jobs.state(id);
    const a = await start('holder-a', long('holder-a'));
    await waitFor(async () => (await state(a)).phase !== 'queued' && (await state(a)).interactionId, 'A admitted and created');
    const b = await start('queued-b');
    await waitFor(async () => (await state(b)).phase === 'queued', 'B queued behind A');
    // Cancel B while it waits: it leaves the queue and creates nothing.
    await h.env.client.workflow.getHandle(b).signal(cancelSignal, { reason: 'not needed' });
    const rb = await h.env.client.workflow.getHandle(b).result();
    assert.equal(rb.status, 'cancelled');
    assert.equal(rb.interactionIds.length, 0);
    // Cancel A while it runs: its permit goes to C.
    const c = await start('after-cancel-c');
    await waitFor(async () => (await state(c)).phase === 'queued', 'C queued');
    await h.env.client.workflow.getHandle(a).signal(cancelSignal, { reason: 'stop' });
    assert.equal((await h.env.client.workflow.getHandle(a).result()).status, 'cancelled');
    assert.equal((await h.env.client.workflow.getHandle(c).result()).status, 'completed');
    // A create that fails for good gives the permit back too.
    const failing = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 400, count: 1 });
    const e = await start('failing-e');
    const re = await h.env.client.workflow.getHandle(e).result();
    failing();
    assert.equal(re.status, 'failed');
    // A holder terminated from outside never releases: the liveness check reclaims its permit.
    const f = await start('terminated-f', long('terminated-f'));
    const fInteraction = await waitFor(async () => (await state(f)).interactionId, 'F admitted');
    const g = await start('after-terminate-g');
    await waitFor(async () => (await state(g)).phase === 'queued', 'G queued');
    await h.env.client.workflow.getHandle(f).terminate('operator');
    // Terminating a job leaks its remote run; the operator stops it by hand.
    await h.client.cancel(fInteraction);
    assert.equal((await h.env.client.workflow.getHandle(g).result()).status, 'completed');
    const st = await limiter(key).query(limiterStateQuery);
    assert.equal(st.leaked, 1, 'the terminated holder was reclaimed');
    assert.equal(st.holders.length, 0);
    assert.equal(st.waiters.length, 0);
  });
  assert.equal(quotaCounters().refusedConcurrency, 0, 'the emulator never saw two runs at once');
});

test('fairness: a tenant at its limit waits while another tenant is admitted past it', async () => {
  h.emulator.resetCounters();
  const key = `${h.taskQueue}-tenants`;
  const worker = await h.newWorker({ admission: admission(key, { maxConcurrent: 2, maxConcurrentPerTenant: 1, orderGraceMs: 3_000 }) });
  await worker.runUntil(async () => {
    const start = async (name: string, tenant: string) => (await jobs.start(research(name), { jobId: `${h.taskQueue}-${name}`, options: { ...FAST, tenant } })).jobId;
    // Enqueued a1, a2, a3, b1: tenant a may hold one permit, so b1 goes second.
    const ids = [await start('a1', 'a'), await start('a2', 'a'), await start('a3', 'a'), await start('b1', 'b')];
    const results = await Promise.all(ids.map((id) => h.env.client.workflow.getHandle(id).result()));
    assert.deepEqual(
      results.map((r) => r.status),
      Array(4).fill('completed'),
    );
    const history = await limiter(key).fetchHistory();
    const granted = (history.events ?? []).flatMap((e) => {
      const a = e.signalExternalWorkflowExecutionInitiatedEventAttributes;
      return a?.signalName === 'admissionGranted' && a.workflowExecution?.workflowId ? [a.workflowExecution.workflowId.replace(`${h.taskQueue}-`, '')] : [];
    });
    assert.deepEqual(granted, ['a1', 'b1', 'a2', 'a3']);
  });
});
