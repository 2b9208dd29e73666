/**
 * Three worker processes share one task queue on the real cluster (Temporal server on PostgreSQL,
 * `npm run test:cluster`). One is SIGKILLed for good mid-run: its jobs continue on the other two
 * after the heartbeat timeout and complete with the canonical report, one interaction each. One is
 * SIGTERMed: it reports its activities as failed itself inside its grace period (a worker-reported
 * failure, not a timeout), so their retries start on the others although the heartbeat timeout is
 * ten minutes, far longer than the test waits.
 * Timings are in `node dist/bench/many-workers.js`; here only counts and ordering.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runManyWorkers, type ManyWorkersReport } from '../../bench/lib/many-workers';
import { clusterState, needsCluster } from '../helpers/cluster';

function summary(r: ManyWorkersReport): string {
  return JSON.stringify({ spread: r.spreadAtStop, victimJobs: r.victimJobs, exit: r.victimExit, handovers: r.handovers, v: { ...r.verification, checks: undefined } }, null, 1);
}

function assertAllJobsRight(r: ManyWorkersReport, jobs: number): void {
  const v = r.verification;
  const s = summary(r);
  assert.equal(v.completed, jobs, s);
  assert.equal(v.reportMismatch, 0, s);
  assert.equal(v.eventsDuplicated, 0, s);
  assert.equal(v.eventsMissing, 0, s);
  assert.equal(v.duplicateInteractions, 0, s);
  assert.equal(r.creates, jobs, `one interaction per job\n${s}`);
}

test('SIGKILL one of three workers for good: its jobs resume on the other two after the heartbeat timeout', { skip: needsCluster, timeout: 300_000 }, async () => {
  const jobs = 6;
  const r = await runManyWorkers({
    address: clusterState()!.address,
    mode: 'sigkill',
    jobs,
    workers: 3,
    heartbeatTimeoutMs: 4_000,
    shutdownGraceMs: 1_000,
    runSeconds: 40,
    tag: 'cluster-kill',
  });
  const s = summary(r);
  assert.equal(r.victimExit.signal, 'SIGKILL', s);
  assert.ok(r.victimJobs >= 1, s);
  assert.equal(r.handovers.length, r.victimJobs, `every job of the killed worker got a new attempt\n${s}`);
  for (const h of r.handovers) {
    assert.ok(h.resumedOnSurvivor, `${h.jobId} resumed on a surviving worker\n${s}`);
    assert.equal(h.lastFailure, 'heartbeat-timeout', `the server found the dead worker by its heartbeat timeout\n${s}`);
    assert.ok(h.attemptAfter > h.attemptBefore, s);
  }
  assertAllJobsRight(r, jobs);
  console.log(
    `many-workers sigkill: ${r.victimJobs}/${jobs} jobs on the victim; resumed after ${r.handovers.map((h) => h.resumedMs).join(', ')} ms (heartbeat timeout ${r.heartbeatTimeoutMs} ms)`,
  );
});

test('SIGTERM one of three workers: it hands its activities over inside its grace period', { skip: needsCluster, timeout: 300_000 }, async () => {
  const jobs = 6;
  // A 10-minute heartbeat timeout: a handover that waited for it would never be seen here.
  const r = await runManyWorkers({
    address: clusterState()!.address,
    mode: 'sigterm',
    jobs,
    workers: 3,
    heartbeatTimeoutMs: 600_000,
    shutdownGraceMs: 2_000,
    runSeconds: 40,
    tag: 'cluster-term',
  });
  const s = summary(r);
  assert.equal(r.victimExit.code, 0, `the worker shut down cleanly\n${s}`);
  assert.equal(r.handovers.length, r.victimJobs, s);
  for (const h of r.handovers) {
    assert.equal(h.lastFailure, 'worker-reported', `the worker reported the attempt itself, no timeout\n${s}`);
    assert.ok(h.resumedOnSurvivor, s);
  }
  assertAllJobsRight(r, jobs);
  console.log(
    `many-workers sigterm: ${r.victimJobs}/${jobs} jobs on the victim; exit after ${r.victimExit.ms} ms (grace ${r.shutdownGraceMs} ms); retries scheduled after ${r.handovers.map((h) => h.retryScheduledMs).join(', ')} ms`,
  );
});
