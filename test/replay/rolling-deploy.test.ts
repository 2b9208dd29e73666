/**
 * A rolling deploy under Worker Versioning, on the real dev server: jobs start on build A (the
 * current version), build B comes up on the same task queue and becomes current, A is shut down
 * while its follow activities hold live streams. Every job must complete with its canonical
 * report, exactly one interaction each, no failed workflow task (so no non-determinism), and end
 * on build B (AUTO_UPGRADE, the default behaviour: see workflows/README.md).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createJobsWorker } from '../../src/worker/create-worker';
import { resolveVersioning, workerDeploymentOptions } from '../../src/worker/versioning';
import type { JobRequest, JobResult } from '../../workflows/definitions';
import { packageRoot, workflowBundle } from '../helpers/temporal';
import { releaseTestEnv } from '../helpers/temporal';
import { silentLogger } from '../../activities';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from '../jobs/job-harness';

const JOBS = 4;

let h: JobHarness;
before(async () => {
  // 20 emulated minutes at 100×: each run streams for ~12 s, long enough to be mid-run at the switch.
  h = await jobHarness('rolling', { deepResearchDurationMs: 20 * 60_000 });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

async function versionedWorker(deploymentName: string, buildId: string, behavior = 'auto_upgrade'): Promise<Worker> {
  const versioning = resolveVersioning({}, { GEMINI_JOBS_DEPLOYMENT_NAME: deploymentName, GEMINI_JOBS_BUILD_ID: buildId, GEMINI_JOBS_VERSIONING_BEHAVIOR: behavior });
  assert.ok(versioning);
  return createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: h.taskQueue,
    client: h.client,
    resultStore: h.store,
    inlineReportMaxBytes: 0, // the checks read reports from the store
    log: silentLogger,
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    shutdownGraceTime: '1s',
    workerDeploymentOptions: workerDeploymentOptions(versioning),
  });
}

/** `temporal worker deployment set-current-version`, retried until the version has registered (its worker polled). */
async function setCurrentVersion(deploymentName: string, buildId: string): Promise<void> {
  let lastError = '';
  await waitFor(
    async () => {
      try {
        await h.env.client.workflowService.setWorkerDeploymentCurrentVersion({
          namespace: h.env.client.options.namespace,
          deploymentName,
          buildId,
          identity: 'rolling-deploy-test',
        });
        return true;
      } catch (err) {
        lastError = (err as Error).message;
        return false;
      }
    },
    `version ${deploymentName}/${buildId} current (last error: ${lastError})`,
    60_000,
    250,
  );
}

interface TaskCounts {
  byBuild: Record<string, number>;
  failedTasks: number;
  followAttempts: number;
}

async function workflowTasksOf(workflowId: string): Promise<TaskCounts> {
  const history = await h.env.client.workflow.getHandle(workflowId).fetchHistory();
  const counts: TaskCounts = { byBuild: {}, failedTasks: 0, followAttempts: 0 };
  for (const e of history.events ?? []) {
    const done = e.workflowTaskCompletedEventAttributes;
    if (done) {
      const build = done.deploymentVersion?.buildId ?? done.workerVersion?.buildId ?? 'unversioned';
      counts.byBuild[build] = (counts.byBuild[build] ?? 0) + 1;
    }
    if (e.workflowTaskFailedEventAttributes) counts.failedTasks++;
    const started = e.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > counts.followAttempts) counts.followAttempts = started.attempt ?? 1;
  }
  return counts;
}

// This test found a real fault: with admission's request as a local activity, a job moved from
// build A to B failed its first task on B with TMPRL1100 (the local activity's marker and the
// create's patch marker in one workflow task). `requestAdmission` is a regular activity since.
test('rolling deploy: jobs started on build A finish on build B after A is drained, one interaction each, no non-determinism', async (t) => {
  const deploymentName = `gemini-jobs-${randomUUID().slice(0, 8)}`;
  const creates0 = h.emulator.counters().creates;

  const workerA = await versionedWorker(deploymentName, 'build-a');
  const runA = workerA.run();
  let workerB: Worker | undefined;
  let runB: Promise<void> | undefined;
  // On any failure, stop whatever still runs so the connection can close.
  t.after(async () => {
    for (const [w, run] of [
      [workerA, runA],
      [workerB, runB],
    ] as const) {
      if (w && w.getState() !== 'STOPPED') {
        try {
          w.shutdown();
        } catch {
          // already stopping
        }
        await run?.catch(() => undefined);
      }
    }
  });
  await setCurrentVersion(deploymentName, 'build-a');

  const handles = await Promise.all(
    Array.from({ length: JOBS }, (_, i) => h.start({ request: { agent: 'deep-research-preview-04-2026', input: `Rolling deploy topic ${i}` } as JobRequest, options: FAST })),
  );
  // Every job is mid-run on A: created, and its follow activity has started streaming.
  for (const handle of handles) {
    const id = await waitFor(async () => (await stateOf(handle)).interactionId, `${handle.workflowId} created on build A`, 60_000);
    await waitFor(() => (h.emulator.counters().interactions[id]?.streams ?? 0) > 0, `${handle.workflowId} streaming on build A`, 60_000);
  }
  const onA = await h.env.client.workflow.getHandle(handles[0]!.workflowId).describe();
  assert.equal(onA.raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId, 'build-a');

  workerB = await versionedWorker(deploymentName, 'build-b');
  runB = workerB.run();
  const switchedAt = Date.now();
  await setCurrentVersion(deploymentName, 'build-b');
  // Drain A: no new tasks reach it once B is current; shutting it down hands its live streams over.
  workerA.shutdown();
  await runA;
  const drainedAt = Date.now();

  const results: JobResult[] = await Promise.all(handles.map((handle) => handle.result()));
  const doneAt = Date.now();

  assert.equal(h.emulator.counters().creates - creates0, JOBS, 'exactly one interaction per job');
  let handedOver = 0;
  for (const [i, result] of results.entries()) {
    assert.equal(result.status, 'completed', JSON.stringify(result.error));
    assert.equal((await h.store.get(result.report!))?.toString('utf8'), h.emulator.canonicalReport(result.interactionId!));
    const tasks = await workflowTasksOf(handles[i]!.workflowId);
    assert.equal(tasks.failedTasks, 0, 'no workflow task failed (no non-determinism error)');
    assert.ok((tasks.byBuild['build-a'] ?? 0) >= 1, 'started on build A');
    assert.ok((tasks.byBuild['build-b'] ?? 0) >= 1, 'finished on build B');
    const info = (await handles[i]!.describe()).raw.workflowExecutionInfo?.versioningInfo;
    assert.equal(info?.deploymentVersion?.buildId, 'build-b');
    if (tasks.followAttempts > 1) handedOver++;
    t.diagnostic(`${handles[i]!.workflowId}: workflow tasks ${JSON.stringify(tasks.byBuild)}, follow attempts ${tasks.followAttempts}`);
  }
  assert.ok(handedOver >= 1, 'at least one live stream was handed over from A to B through its heartbeat');
  t.diagnostic(`switch+drain ${drainedAt - switchedAt} ms, jobs done ${doneAt - switchedAt} ms after the switch; ${handedOver}/${JOBS} follow activities handed over`);
});

test('PINNED (the opt-in alternative): running jobs stay on build A after B is current, so A must run until they end', async () => {
  const deploymentName = `gemini-jobs-${randomUUID().slice(0, 8)}`;
  const workerA = await versionedWorker(deploymentName, 'build-a', 'pinned');
  const workerB = await versionedWorker(deploymentName, 'build-b', 'pinned');
  const research = (input: string) => ({ agent: 'deep-research-preview-04-2026', input }) as JobRequest;
  await workerA.runUntil(async () => {
    await setCurrentVersion(deploymentName, 'build-a');
    const old = await h.start({ request: research('Pinned topic'), options: FAST });
    await waitFor(async () => (await stateOf(old)).interactionId, 'created on A', 60_000);
    await workerB.runUntil(async () => {
      await setCurrentVersion(deploymentName, 'build-b');
      const fresh = await h.start({ request: research('New topic'), options: FAST });
      assert.equal((await fresh.result()).status, 'completed');
      assert.deepEqual(Object.keys((await workflowTasksOf(fresh.workflowId)).byBuild), ['build-b'], 'a new job starts on the current version');
      assert.equal((await old.result()).status, 'completed');
    });
    const tasks = await workflowTasksOf(old.workflowId);
    assert.deepEqual(Object.keys(tasks.byBuild), ['build-a'], 'the pinned job never left build A');
    assert.equal(tasks.failedTasks, 0);
    assert.equal((await old.describe()).raw.workflowExecutionInfo?.versioningInfo?.behavior, 1 /* VERSIONING_BEHAVIOR_PINNED */);
  });
});

test('versioning settings: opt-in by deployment name, build id from the package version, bad values named', () => {
  assert.equal(resolveVersioning({}, {}), undefined, 'unversioned unless a deployment name is set');
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  assert.deepEqual(resolveVersioning({}, { GEMINI_JOBS_DEPLOYMENT_NAME: 'gemini-jobs' }), { deploymentName: 'gemini-jobs', buildId: version, behavior: 'AUTO_UPGRADE' });
  assert.deepEqual(resolveVersioning({}, { GEMINI_JOBS_DEPLOYMENT_NAME: 'gj', GEMINI_JOBS_BUILD_ID: 'abc123', GEMINI_JOBS_VERSIONING_BEHAVIOR: 'pinned' }), {
    deploymentName: 'gj',
    buildId: 'abc123',
    behavior: 'PINNED',
  });
  assert.throws(() => resolveVersioning({}, { GEMINI_JOBS_BUILD_ID: 'abc' }), /GEMINI_JOBS_DEPLOYMENT_NAME/);
  assert.throws(
    () => resolveVersioning({}, { GEMINI_JOBS_DEPLOYMENT_NAME: 'gj', GEMINI_JOBS_VERSIONING_BEHAVIOR: 'sticky' }),
    /GEMINI_JOBS_VERSIONING_BEHAVIOR must be auto_upgrade or pinned/,
  );
  assert.throws(
    () => resolveVersioning({}, { GEMINI_JOBS_DEPLOYMENT_NAME: 'my deployment' }),
    (err: Error & { code?: string }) => err.code === 'invalid_config' && /GEMINI_JOBS_DEPLOYMENT_NAME/.test(err.message),
  );
  assert.deepEqual(workerDeploymentOptions({ deploymentName: 'gj', buildId: 'b1', behavior: 'AUTO_UPGRADE' }), {
    version: { deploymentName: 'gj', buildId: 'b1' },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  });
});
