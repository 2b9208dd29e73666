/**
 * Reports through Temporal (issue 13, point 1): with default settings the worker returns the
 * report inline in the follow activity's result, so a reader in another directory with no
 * result store and no Gemini credentials gets it from the workflow history. Larger reports go to
 * the configured store, or stay at the API; a report nobody can read makes `result` exit 1 and
 * say where it looked. Real Temporal, real emulator over HTTP, the CLI as a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { JobsClient } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import { createJobsWorker } from '../../src/worker/create-worker';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { FAST, runCli, serviceHarness } from './harness';
import { waitFor } from '../helpers/wait';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;
let elsewhere: string;
const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
const inlineQueue = uniqueTaskQueue('reports-inline');
const tinyQueue = uniqueTaskQueue('reports-tiny');

async function worker(taskQueue: string, extra: { inlineReportMaxBytes?: number } = {}): Promise<void> {
  const w = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue,
    client: h.interactions,
    // The default deployment: no external store configured.
    resultStore: undefined,
    ...extra,
    log: { info: () => undefined, warn: () => undefined },
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    shutdownGraceTime: '1s',
  });
  workers.push({ worker: w, running: w.run() });
}

before(async () => {
  h = await serviceHarness('reports');
  elsewhere = await mkdtemp(join(tmpdir(), 'gj-elsewhere-'));
  await worker(inlineQueue);
  await worker(tinyQueue, { inlineReportMaxBytes: 64 });
});
after(async () => {
  for (const { worker: w, running } of workers) {
    w.shutdown();
    await running.catch(() => undefined);
  }
  await h?.close();
  await rm(elsewhere, { recursive: true, force: true });
  await releaseTestEnv();
});

/** CLI environment of a process in another directory: no results dir, no Gemini settings. */
function bareEnv(taskQueue: string): NodeJS.ProcessEnv {
  const env = h.cliEnv({ GEMINI_JOBS_TASK_QUEUE: taskQueue });
  delete env.GEMINI_JOBS_RESULTS_DIR;
  delete env.GEMINI_JOBS_BASE_URL;
  delete env.GEMINI_API_KEY;
  return env;
}

test('by default the report travels inline through Temporal: a reader elsewhere, with no store and no credentials, gets it', async () => {
  const jobs = new JobsClient({ client: h.env.client, taskQueue: inlineQueue, resultStore: new FileResultStore(elsewhere) });
  const jobId = `job_inline_${randomUUID()}`;
  await jobs.start({ model: 'gemini-3-flash-preview', input: `inline ${jobId}` } as JobRequest, { jobId, options: FAST });
  const outcome = await jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.reportSource, 'history');
  assert.equal(outcome.turn?.report?.store, 'temporal');
  const canonical = h.emulator.canonicalReport(outcome.turn!.interactionId!);
  assert.equal(outcome.report, canonical);
  assert.deepEqual(await readdir(elsewhere), [], 'nothing was written to any store');

  // The CLI in another directory: `result > report.md` gets the full text, exit 0.
  const run = await runCli(['result', jobId], bareEnv(inlineQueue), { cwd: elsewhere });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, canonical.endsWith('\n') ? canonical : canonical + '\n');
  // watch on the finished job prints it too, and the turn's real duration.
  const watched = await runCli(['watch', jobId], bareEnv(inlineQueue), { cwd: elsewhere });
  assert.equal(watched.code, 0, watched.stderr);
  assert.ok(watched.stdout.startsWith(canonical.slice(0, 100)));
  assert.doesNotMatch(watched.stderr, /unavailable/);
});

test('a plan awaiting approval is whole in JobsClient.state (read from history), not the 280-character summary', async () => {
  const jobs = new JobsClient({ client: h.env.client, taskQueue: inlineQueue, resultStore: new FileResultStore(elsewhere) });
  const jobId = `job_plan_${randomUUID()}`;
  const request = { agent: 'deep-research-preview-04-2026', input: `plan ${jobId}`, agent_config: { type: 'deep-research', collaborative_planning: true } } as JobRequest;
  await jobs.start(request, { jobId, options: { ...FAST, followUpWindowMs: 60_000 } });
  const state = await waitFor(async () => {
    const s = await jobs.state(jobId);
    return s.status === 'plan_ready' ? s : undefined;
  }, 'plan_ready');
  const canonical = h.emulator.canonicalReport(state.plan!.interactionId);
  assert.ok(canonical.length > 280, 'the plan is longer than a turn summary');
  assert.equal(state.plan!.text, canonical);
  await jobs.cancel(jobId);
});

test('a report over the inline limit without a store stays at the API: read with credentials, else result exits 1 and says where it looked', async () => {
  const jobs = new JobsClient({ client: h.env.client, taskQueue: tinyQueue, resultStore: new FileResultStore(elsewhere) });
  const jobId = `job_big_${randomUUID()}`;
  await jobs.start({ model: 'gemini-3-flash-preview', input: `too big ${jobId}` } as JobRequest, { jobId, options: FAST });
  const bare = await jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
  assert.equal(bare.status, 'completed');
  assert.equal(bare.turn?.report?.store, 'api');
  assert.equal(bare.report, undefined);
  assert.equal(bare.reportSource, 'none');
  assert.ok(bare.reportProblem, 'the unreadable report is reported');
  assert.match(bare.reportProblem!.looked.join('\n'), /Interactions API/);

  const withApi = new JobsClient({ client: h.env.client, taskQueue: tinyQueue, resultStore: new FileResultStore(elsewhere), interactions: h.interactions });
  const viaApi = await withApi.result(jobId);
  assert.equal(viaApi.reportSource, 'api');
  assert.equal(viaApi.report, h.emulator.canonicalReport(bare.turn!.interactionId!));

  const run = await runCli(['result', jobId], bareEnv(tinyQueue), { cwd: elsewhere });
  assert.equal(run.code, 1, 'a report that exists but cannot be read is a failure');
  assert.equal(run.stdout, '', 'no empty report on stdout');
  assert.match(run.stderr, /could not be read/);
  assert.match(run.stderr, /Looked in:/);
  const json = await runCli(['result', jobId, '--json'], bareEnv(tinyQueue), { cwd: elsewhere });
  assert.equal(json.code, 1);
  assert.ok((JSON.parse(json.stdout) as { reportProblem?: { looked: string[] } }).reportProblem?.looked.length);
});

test('a relative GEMINI_JOBS_RESULTS_DIR is refused (exit 2) before anything connects', async () => {
  const env = { ...bareEnv(inlineQueue), GEMINI_JOBS_RESULTS_DIR: 'relative/results', TEMPORAL_ADDRESS: '127.0.0.1:1' };
  const run = await runCli(['result', 'job_x'], env, { cwd: elsewhere });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /GEMINI_JOBS_RESULTS_DIR must be an absolute path/);
});
