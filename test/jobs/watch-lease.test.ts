/**
 * Faster flush only while someone watches, over real Temporal: a job followed with a slow
 * checkpoint flush heartbeats once at the start and then not at all; while a JobsClient.watch runs
 * (which holds the watch lease `gemini-jobs-watch/<jobId>`) the worker's list of running leases
 * names the job and its heartbeats come at the watched flush; once the watch ends the lease is
 * given back and the heartbeats stop again. Heartbeats are counted as changes of the pending
 * follow activity's `lastHeartbeatTime` (describe); the phases are delimited by emulator event
 * counts and the worker's own watched-set, never by wall-clock bounds. The job workflow's history
 * is the same as an unwatched job's (nothing is sent to it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Worker } from '@temporalio/worker';
import { releaseTestEnv, workflowBundle } from '../helpers/temporal';
import { createJobsWorker } from '../../src/worker/create-worker';
import { WatchedJobs } from '../../src/worker/watched-jobs';
import { JobsClient } from '../../src/jobs/jobs-client';
import { holdWatchLease } from '../../src/jobs/watch-lease';
import { silentLogger } from '../../activities';
import { jobIdOfWatchLease, watchLeaseWorkflowId } from '../../workflows/watch-lease-definitions';
import type { JobRequest } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from './job-harness';

let h: JobHarness;
let worker: Worker;
let running: Promise<void>;
let watched: WatchedJobs;

before(async () => {
  // A 40-minute Deep Research run at 100× is 24 s of steady events: room for three phases.
  h = await jobHarness('watch', { scenarios: { watchable: { deepResearchDurationMs: 40 * 60_000, deltaChars: 24 } } });
  watched = new WatchedJobs({ client: () => h.env.client, refreshMs: 100 });
  worker = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    client: h.client,
    resultStore: h.store,
    inlineReportMaxBytes: 0,
    log: silentLogger,
    workflowBundle: await workflowBundle(),
    // Unwatched: a change waits 60 s (longer than the run); watched: 150 ms.
    checkpointFlushMs: 60_000,
    watchedFlushMs: 150,
    watchedJobs: watched,
    shutdownGraceTime: '1s',
  });
  running = worker.run();
});
after(async () => {
  watched?.close();
  worker?.shutdown();
  await running?.catch(() => undefined);
  await h?.close();
  await releaseTestEnv();
});

test('watch lease ids name their job and nothing else', () => {
  assert.equal(jobIdOfWatchLease(watchLeaseWorkflowId('job/with/slashes')), 'job/with/slashes');
  assert.equal(jobIdOfWatchLease('gemini-jobs-admission/key'), undefined);
  assert.equal(jobIdOfWatchLease('gemini-jobs-watch/'), undefined);
});

test('a watched job heartbeats at the watched flush, and stops when the watch ends', async () => {
  const handle = await h.start({
    request: { agent: 'deep-research-preview-04-2026', input: 'Watched durable execution', labels: { 'emulator-scenario': 'watchable' } } as JobRequest,
    // Liveness at 0.8 × 120 s: no beat of its own during the run.
    options: { ...FAST, heartbeatTimeoutMs: 120_000 },
  });
  const jobId = handle.workflowId;
  const beats: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      try {
        const d = await handle.describe();
        const follow = d.raw.pendingActivities?.find((a) => a.activityType?.name === 'followInteraction');
        const at = follow?.lastHeartbeatTime ? tsToMs(follow.lastHeartbeatTime) : undefined;
        if (at !== undefined && beats[beats.length - 1] !== at) beats.push(at);
      } catch {
        // the server is busy: the next round sees the same or a later heartbeat
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const eventsOf = () => h.emulator.interactions().find((i) => i.request['input'] === 'Watched durable execution')?.events ?? 0;
  try {
    // Phase 1, nobody watches: 15 events and only the start's heartbeat.
    await waitFor(() => eventsOf() >= 15 && beats.length >= 1, 'the first 15 events', 30_000);
    assert.equal(beats.length, 1, 'unwatched: no heartbeat after the start while the changes wait for the 60 s flush');

    // Phase 2, a JobsClient.watch runs (it holds the lease).
    const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
    const stopWatch = new AbortController();
    let watchEvents = 0;
    const watching = (async () => {
      for await (const _ of jobs.watch(jobId, { signal: stopWatch.signal, pollIntervalMs: 100 })) watchEvents++;
    })();
    await waitFor(() => watched.has(jobId), 'the worker lists the lease', 20_000);
    const atWatch = beats.length;
    await waitFor(() => beats.length >= atWatch + 3, 'three heartbeats while watched', 20_000);
    assert.ok(eventsOf() > 0 && watchEvents > 0);

    // Phase 3, the watch ends: the lease is given back and the slow flush is in force again.
    stopWatch.abort();
    await watching;
    await waitFor(async () => (await h.env.client.workflow.getHandle(watchLeaseWorkflowId(jobId)).describe()).status.name === 'COMPLETED', 'the lease workflow ends', 20_000);
    await waitFor(() => !watched.has(jobId), 'the worker drops the lease', 20_000);
    const atUnwatch = beats.length;
    const eventsAtUnwatch = eventsOf();
    await waitFor(() => eventsOf() >= eventsAtUnwatch + 15, '15 more events', 30_000);
    // One heartbeat may have been on its way when the worker noticed; none after it.
    assert.ok(beats.length - atUnwatch <= 1, `unwatched again: ${beats.length - atUnwatch} heartbeats over 15 events (watched: ${atUnwatch - 1} since the start)`);
  } finally {
    polling = false;
    await poller;
    await handle.terminate('test done').catch(() => undefined);
  }
});

test("the lease lasts while any holder holds it: one watcher leaving does not end another's", async () => {
  const jobId = `${h.taskQueue}-lease-only`;
  const lease = h.env.client.workflow.getHandle(watchLeaseWorkflowId(jobId));
  const first = await holdWatchLease(h.env.client, jobId, { taskQueue: h.taskQueue, leaseMs: 60_000 });
  const second = await holdWatchLease(h.env.client, jobId, { taskQueue: h.taskQueue, leaseMs: 60_000 });
  await waitFor(async () => (await lease.describe()).status.name === 'RUNNING', 'the lease runs');
  await first.release();
  await waitFor(async () => {
    const history = await lease.fetchHistory();
    return history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes).length >= 3;
  }, 'both holds and one give-back recorded');
  assert.equal((await lease.describe()).status.name, 'RUNNING', 'the second watcher still holds it');
  await second.release();
  await waitFor(async () => (await lease.describe()).status.name === 'COMPLETED', 'the lease ends with its last holder');
});
