/**
 * A worker process is SIGKILLed mid-stream (no graceful shutdown, no final heartbeat). Another
 * worker picks the follow activity up after the heartbeat timeout, resumes the stream from the last
 * checkpointed event id, and the job ends with the canonical report, every emitted event applied
 * exactly once, and exactly one interaction created.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseTestEnv, workflowBundle } from '../helpers/temporal';
import { mergeLiveState } from '../../src/jobs/live-state';
import type { JobRequest } from '../../workflows/definitions';
import { FAST, TEST_API_KEY, jobHarness, stateOf, waitFor, type JobHarness } from './job-harness';

let h: JobHarness;
const children: ChildProcess[] = [];
before(async () => {
  h = await jobHarness('kill', { scenarios: { long: { deepResearchDurationMs: 10 * 60_000, deltaChars: 24 } } });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  await releaseTestEnv();
});

async function spawnWorker(bundlePath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'worker-process.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.env.address,
      GEMINI_JOBS_TASK_QUEUE: h.taskQueue,
      EMULATOR_URL: h.emulator.url,
      EMULATOR_API_KEY: TEST_API_KEY,
      GEMINI_JOBS_RESULTS_DIR: h.resultsDir,
      WORKFLOW_BUNDLE_PATH: bundlePath,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early with code ${code}`)));
  });
  return child;
}

test('SIGKILL of the worker mid-stream: the next worker resumes and nothing is lost or doubled', async () => {
  const bundlePath = join(h.resultsDir, 'workflow-bundle.js');
  await writeFile(bundlePath, (await workflowBundle()).code);
  const first = await spawnWorker(bundlePath);
  const handle = await h.start({
    request: { agent: 'deep-research-preview-04-2026', input: 'Durable execution', labels: { 'emulator-scenario': 'long' } } as JobRequest,
    options: { ...FAST, heartbeatTimeoutMs: 2_000 },
  });
  const live = await waitFor(async () => {
    const merged = mergeLiveState(await stateOf(handle), await handle.describe());
    return (merged.progress?.eventsApplied ?? 0) >= 15 ? merged : undefined;
  }, 'stream progress checkpointed');
  const interactionId = live.interactionId!;
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const emittedAtKill = h.emulator.interactions().find((i) => i.id === interactionId)!.events;
  const sentAtKill = h.emulator.counters().interactions[interactionId]!.eventsSent;
  assert.ok(emittedAtKill < 400, 'killed while the run was still going');

  await spawnWorker(bundlePath);
  const result = await handle.result();
  assert.equal(result.status, 'completed', JSON.stringify(result.error));
  assert.equal(result.interactionId, interactionId);
  assert.equal(h.emulator.counters().creates, 1, 'exactly one interaction created');
  const emitted = h.emulator.interactions().find((i) => i.id === interactionId)!.events;
  assert.equal(result.turns[0]!.eventsApplied, emitted, 'every emitted event applied exactly once');
  assert.equal(result.turns[0]!.streamVerified, true);
  const counters = h.emulator.counters().interactions[interactionId]!;
  assert.ok(counters.streams >= 2, 'the stream was resumed');
  // Resumed from the checkpoint, not from the start: only events after it were sent again.
  const resent = counters.eventsSent - emitted;
  console.log(`kill-resume: killed after ${sentAtKill} of ${emitted} events (checkpoint seen at ${live.progress!.eventsApplied}); ${resent} events re-sent after the restart`);
  assert.ok(resent < sentAtKill, `re-sent ${resent} events, fewer than the ${sentAtKill} sent before the kill`);
  const report = await h.store.get(result.report!);
  assert.equal(report?.toString('utf8'), h.emulator.canonicalReport(interactionId));
  const description = await handle.describe();
  assert.equal(description.status.name, 'COMPLETED');
});

test('graceful worker shutdown mid-stream: the activity hands over its checkpoint to the next worker', async () => {
  const before = h.emulator.counters().creates;
  const handle = await h.start({
    request: { agent: 'deep-research-preview-04-2026', input: 'Graceful handover', labels: { 'emulator-scenario': 'long' } } as JobRequest,
    options: { ...FAST, heartbeatTimeoutMs: 2_000 },
  });
  const first = await h.newWorker();
  await first.runUntil(
    waitFor(async () => {
      const merged = mergeLiveState(await stateOf(handle), await handle.describe());
      return (merged.progress?.eventsApplied ?? 0) >= 15 ? merged : undefined;
    }, 'stream progress checkpointed'),
  );
  // runUntil shut the worker down: the follow activity was cancelled with WORKER_SHUTDOWN.
  const description = await handle.describe();
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'followInteraction');
  assert.ok(pending, 'the follow activity is still pending (a failed attempt, not a cancelled one)');
  const second = await h.newWorker();
  const result = await second.runUntil(handle.result());
  assert.equal(result.status, 'completed', JSON.stringify(result.error));
  assert.equal(h.emulator.counters().creates - before, 1);
  const emitted = h.emulator.interactions().find((i) => i.id === result.interactionId)!.events;
  assert.equal(result.turns[0]!.eventsApplied, emitted);
  assert.equal(result.turns[0]!.streamVerified, true);
  assert.equal((await h.store.get(result.report!))?.toString('utf8'), h.emulator.canonicalReport(result.interactionId!));
});
