/**
 * Every face tells the truth about a job (issue 13): retry failures and missing workers are
 * shown, cancel works during create retries, elapsed figures are real, messages say what is true
 * and what to do, connection failures name the cause and fix, validation comes before any
 * connection, the Web UI summary is the question. Real Temporal, emulator over HTTP, CLI children.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { Worker } from '@temporalio/worker';
import { InteractionsClient } from '../../src/interactions/client';
import { JobClosedError, JobsClient, JobUpdateRejectedError } from '../../src/jobs/jobs-client';
import { createJobsWorker } from '../../src/worker/create-worker';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { CLI, DR_AGENT, FAST, TEST_API_KEY, runCli, serviceHarness, waitFor } from './harness';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;
let env: NodeJS.ProcessEnv;
let closedPort: number;
const logs: string[] = [];
const deadQueue = uniqueTaskQueue('ux-dead-api');
let deadWorker: { worker: Worker; running: Promise<void> } | undefined;

before(async () => {
  h = await serviceHarness('ux', { scenarios: { long: { deepResearchDurationMs: 60 * 60_000 } } });
  await h.startWorker();
  env = h.cliEnv();
  // Port 1 (tcpmux) needs root to bind: connections to it are refused on any test machine.
  closedPort = 1;
  // A worker whose Gemini endpoint refuses connections: every create fails before sending.
  const worker = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: deadQueue,
    client: new InteractionsClient({ baseUrl: `http://127.0.0.1:${closedPort}`, apiKey: TEST_API_KEY, maxRetries: 0 }),
    resultStore: undefined,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(m) },
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    shutdownGraceTime: '1s',
  });
  deadWorker = { worker, running: worker.run() };
});
after(async () => {
  deadWorker?.worker.shutdown();
  await deadWorker?.running.catch(() => undefined);
  await h?.close();
  await releaseTestEnv();
});

const research = (question: string, labels?: Record<string, string>): JobRequest =>
  ({ agent: DR_AGENT, input: question, agent_config: { type: 'deep-research', thinking_summaries: 'auto' }, ...(labels ? { labels } : {}) }) as JobRequest;

test('a create retrying on a dead endpoint: status shows the last failure, no duplicate warning, cancel ends it during the retries', async () => {
  const jobs = new JobsClient({ client: h.env.client, taskQueue: deadQueue });
  const jobId = `job_dead_${randomUUID()}`;
  await jobs.start(research(`dead ${jobId}`), { jobId, options: FAST });
  const retrying = await waitFor(
    async () => {
      const s = await jobs.state(jobId);
      return s.retrying && s.retrying.attempt >= 2 ? s : undefined;
    },
    'the create to be retried',
    60_000,
  );
  assert.equal(retrying.retrying!.activity, 'createInteraction');
  assert.match(retrying.retrying!.lastFailure, /ECONNREFUSED|connection failed/);
  const run = await runCli(['status', jobId], { ...env, GEMINI_JOBS_TASK_QUEUE: deadQueue });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /last failure: .*(ECONNREFUSED|connection failed)/);
  assert.match(run.stdout, /retrying: +createInteraction attempt \d+/);
  assert.ok(!logs.some((l) => /duplicate/.test(l)), `no duplicate warning for a request that never left: ${logs.join(' | ')}`);

  // Cancel lands between attempts (1 s, 2 s, 4 s … backoff): the job ends cancelled, nothing created.
  assert.equal(await jobs.cancel(jobId, 'endpoint is down'), true, JSON.stringify(await jobs.state(jobId)));
  const outcome = await jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
  assert.equal(outcome.status, 'cancelled');
  assert.equal(outcome.turn?.interactionId, undefined);
  assert.equal(outcome.closed, true);
});

test('no worker on the task queue: status and watch say so and name the fix; Ctrl-C stops watch', async () => {
  const queue = uniqueTaskQueue('ux-no-worker');
  const jobs = new JobsClient({ client: h.env.client, taskQueue: queue, queryTimeoutMs: 1_000 });
  const jobId = `job_noworker_${randomUUID()}`;
  await jobs.start(research(`nobody ${jobId}`), { jobId, options: FAST });
  const noWorkerEnv = { ...env, GEMINI_JOBS_TASK_QUEUE: queue };
  const status = await runCli(['status', jobId], noWorkerEnv);
  assert.match(status.stderr, new RegExp(`no worker is polling task queue ${queue}`));
  assert.match(status.stderr, /gemini-jobs worker/);
  // Answered from describe() alone: a state query with no worker could only time out.
  assert.equal(status.code, 0, status.stderr);
  assert.doesNotMatch(status.stderr, /No answer to the state query/);
  assert.match(status.stdout, /status: +pending/);

  const child = spawn(process.execPath, [CLI, 'watch', jobId], { env: noWorkerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(() => /no worker is polling/.test(stderr), 'watch to warn about the missing worker', 30_000);
  child.kill('SIGINT');
  assert.notEqual(await exited, null, 'watch exits on SIGINT');
  assert.match(stderr, new RegExp(`Stopped watching; job ${jobId} keeps running\\. Watch it again: gemini-jobs watch ${jobId}`));
  assert.match(stderr, new RegExp(`stays open for a follow-up: gemini-jobs follow-up ${jobId} "<question>"`));

  // A worker comes: the job's start is when it was enqueued, not the worker's first task.
  const enqueued = (await h.env.client.workflow.getHandle(jobId).describe()).startTime.toISOString();
  const worker = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: queue,
    client: h.interactions,
    workflowBundle: await workflowBundle(),
    log: { info: () => undefined, warn: () => undefined },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  try {
    const served = await waitFor(async () => {
      const s = await jobs.state(jobId).catch(() => undefined);
      return s && s.phase !== 'creating' ? s : undefined;
    }, 'the worker to run the job');
    assert.equal(served.startedAt, enqueued, 'startedAt counts the time the job sat queued without a worker');
    assert.ok(Date.parse(served.turns[0]?.startedAt ?? served.turnStartedAt ?? enqueued) >= Date.parse(enqueued));
  } finally {
    await jobs.cancel(jobId);
    worker.shutdown();
    await running;
  }
});

test('elapsed and duration figures are measured from the start, by the reader', async () => {
  const jobId = `job_elapsed_${randomUUID()}`;
  const before = Date.now();
  await h.jobs.start(research(`elapsed ${jobId}`), { jobId, options: FAST });
  const outcome = await h.jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
  const turn = outcome.turn!;
  const duration = Date.parse(turn.endedAt!) - Date.parse(turn.startedAt);
  assert.ok(duration > 0);
  const state = await h.jobs.state(jobId);
  assert.equal(state.turnElapsedMs, duration, 'a finished turn shows its duration');
  assert.ok(state.elapsedMs >= duration, 'the job ran at least as long as its turn');
  const json = JSON.parse((await runCli(['status', jobId, '--json'], env)).stdout) as { turnElapsedMs: number; closed: boolean };
  assert.equal(json.turnElapsedMs, duration);
  assert.equal(json.closed, true);
  // watch on the finished job reports the turn's own duration, not the watcher's.
  const watched = await runCli(['watch', jobId], env);
  const mm = Math.floor(duration / 60_000);
  const ss = Math.floor((duration % 60_000) / 1000);
  assert.match(watched.stderr, new RegExp(`completed after ${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`));
  // A running turn: elapsed grows with the reader's clock, not with workflow tasks.
  const longId = `job_elapsed_long_${randomUUID()}`;
  await h.jobs.start(research(`long ${longId}`, { 'emulator-scenario': 'long' }), { jobId: longId, options: FAST });
  await waitFor(async () => (await h.jobs.state(longId)).phase === 'streaming', 'the long job to stream');
  const startedAt = Date.parse((await h.jobs.state(longId)).startedAt);
  await waitFor(async () => (await h.jobs.state(longId)).elapsedMs >= 1_500, 'elapsed to pass 1.5 s between workflow tasks', 30_000);
  const running = await h.jobs.state(longId);
  assert.ok(running.elapsedMs >= 1_500 && startedAt >= before - 1_000);
  await h.jobs.cancel(longId);
});

test('follow-up on an ended job and approve-plan while research runs get true messages', async () => {
  const jobId = `job_closed_${randomUUID()}`;
  await h.jobs.start(research(`closed ${jobId}`, { 'emulator-scenario': 'long' }), { jobId, options: FAST });
  await h.jobs.cancel(jobId, 'test');
  await h.jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
  await waitFor(async () => (await h.jobs.snapshot(jobId)).closed, 'the job to close');
  await assert.rejects(h.jobs.followUp(jobId, 'more?'), (err: unknown) => err instanceof JobClosedError && /has ended \(cancelled\)/.test((err as Error).message));
  const cli = await runCli(['follow-up', jobId, 'more?'], env);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /has ended \(cancelled\)/);
  assert.doesNotMatch(cli.stderr, /No job with id/);

  const planId = `job_plan_${randomUUID()}`;
  await h.jobs.start(
    { agent: DR_AGENT, input: `plan ${planId}`, agent_config: { type: 'deep-research', collaborative_planning: true }, labels: { 'emulator-scenario': 'long' } } as JobRequest,
    { jobId: planId, options: { ...FAST, followUpWindowMs: 60_000 } },
  );
  await waitFor(
    async () => {
      const s = await h.jobs.state(planId);
      return s.turns[0]?.endedAt !== undefined;
    },
    'the plan turn to end',
    60_000,
  );
  const accepted = await h.jobs.approvePlan(planId, { approve: true });
  await assert.rejects(h.jobs.approvePlan(planId, { approve: true }), (err: unknown) => {
    assert.ok(err instanceof JobUpdateRejectedError);
    assert.match((err as Error).message, new RegExp(`turn ${accepted.turn} .*is still running`));
    return true;
  });
  await h.jobs.cancel(planId);
});

test('the Web UI summary is the question; details name the agent', async () => {
  const jobId = `job_ui_${randomUUID()}`;
  const question = 'How do heat pumps work in very cold climates?';
  await h.jobs.start(research(question), { jobId, options: FAST });
  const description = await h.jobs.handle(jobId).describe();
  assert.equal(await description.staticSummary(), question);
  assert.match((await description.staticDetails()) ?? '', new RegExp(DR_AGENT));
  await h.jobs.result(jobId, { wait: true, timeoutMs: 60_000 });
});

test('list --status bogus is a usage error; validation runs before any connection', async () => {
  const down = { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` };
  const list = await runCli(['list', '--status', 'bogus'], down);
  assert.equal(list.code, 2, list.stderr);
  assert.match(list.stderr, /not a job status/);
  const start = await runCli(['start', '--model', 'gemini-3-flash-preview', '--thread', 'a"b', 'q'], down);
  assert.equal(start.code, 2, `a refused job is a usage error even with Temporal down: ${start.stderr}`);
});

test('connection failures name the cause and the fix; worker prints no raw transport error', async () => {
  const refused = await runCli(['status', 'job_x'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` });
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /connection refused/);
  assert.match(refused.stderr, /gemini-jobs dev/);
  assert.match(refused.stderr, /--address/);
  const dns = await runCli(['status', 'job_x'], { ...env, TEMPORAL_ADDRESS: 'no-such-host.invalid:7233' });
  assert.equal(dns.code, 3);
  assert.match(dns.stderr, /does not resolve/);
  const worker = await runCli(['worker'], { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` });
  assert.equal(worker.code, 3, worker.stderr);
  assert.match(worker.stderr, /connection refused/);
  assert.doesNotMatch(worker.stderr, /tonic/);
});

test('worker, dev and help messages: Vertex without a project, dev without --address', async () => {
  const vertexEnv: NodeJS.ProcessEnv = { ...env, GOOGLE_GENAI_USE_VERTEXAI: 'true' };
  delete vertexEnv.GEMINI_JOBS_BASE_URL;
  delete vertexEnv.GEMINI_API_KEY;
  const vertex = await runCli(['worker'], vertexEnv);
  assert.equal(vertex.code, 2);
  assert.match(vertex.stderr, /GOOGLE_GENAI_USE_VERTEXAI is set.*GOOGLE_CLOUD_PROJECT/);
  const devHelp = await runCli(['dev', '--help'], env);
  assert.doesNotMatch(devHelp.stdout, /^\s+--address/m, 'dev lists no --address option');
  const devAddress = await runCli(['dev', '--address', 'x:1'], env);
  assert.equal(devAddress.code, 2);
  assert.match(devAddress.stderr, /dev starts its own Temporal server/);
});

test('list order is what the help says: open jobs first, then ended jobs, most recently ended first', async () => {
  const thread = `order-${randomUUID()}`;
  const quick = (q: string) => ({ model: 'gemini-3-flash-preview', input: q }) as JobRequest;
  const b = await h.jobs.start(quick('b'), { thread, options: FAST });
  await h.jobs.result(b.jobId, { wait: true, timeoutMs: 60_000 });
  const open = await h.jobs.start(research('open', { 'emulator-scenario': 'long' }), { thread, options: FAST });
  const c = await h.jobs.start(quick('c'), { thread, options: FAST });
  await h.jobs.result(c.jobId, { wait: true, timeoutMs: 60_000 });
  const list = await waitFor(async () => {
    const l = await h.jobs.list({ thread });
    return l.length === 3 && l.filter((j) => j.executionStatus === 'COMPLETED').length === 2 ? l : undefined;
  }, 'visibility to list all three');
  assert.deepEqual(
    list.map((j) => j.jobId),
    [open.jobId, c.jobId, b.jobId],
    'open (started second) first, then c (ended last), then b',
  );
  await h.jobs.cancel(open.jobId);
});
