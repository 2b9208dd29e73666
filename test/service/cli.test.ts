/**
 * The `gemini-jobs` CLI as a child process (`node dist/src/cli/main.js …`) against the real
 * Temporal dev server, the emulator and an in-process worker: help, exit codes, --json output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { freePort } from '../../src/dev/temporal-server';
import { COMMAND_NAMES } from '../../src/cli/run';
import { createJobsWorker } from '../../src/worker/create-worker';
import { releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { CLI, DR_AGENT, runCli, serviceHarness, waitFor } from './harness';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;
let env: NodeJS.ProcessEnv;
before(async () => {
  h = await serviceHarness('cli');
  await h.startWorker();
  env = h.cliEnv();
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const FAST_FLAGS = ['--follow-up-window', '0s'];

test('--help on the CLI and on every command exits 0; usage errors exit 2', async () => {
  const main = await runCli(['--help'], env);
  assert.equal(main.code, 0);
  for (const name of COMMAND_NAMES) assert.ok(main.stdout.includes(name), `main help lists ${name}`);
  const helps = await Promise.all(COMMAND_NAMES.map((name) => runCli([name, '--help'], env)));
  helps.forEach((run, i) => {
    assert.equal(run.code, 0, COMMAND_NAMES[i]);
    assert.match(run.stdout, new RegExp(`Usage: gemini-jobs ${COMMAND_NAMES[i]}`));
  });
  const [unknown, badFlag, missing, badDuration, none] = await Promise.all([
    runCli(['frobnicate'], env),
    runCli(['status', '--frob'], env),
    runCli(['status'], env),
    runCli(['start', '--deadline', '60', 'q'], env),
    runCli([], env),
  ]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /--frob/);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing <jobId>/);
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /--deadline must be a duration with a unit/);
  assert.equal(none.code, 2);
});

test('an unreachable Temporal exits 3 with a clear message', async () => {
  const port = await freePort(undefined);
  const run = await runCli(['status', 'job_x', '--address', `127.0.0.1:${port}`, '--json'], { ...env, GEMINI_JOBS_CONNECT_TIMEOUT_MS: '1500' });
  assert.equal(run.code, 3);
  const error = JSON.parse(run.stderr.trim()) as { error: { code: string; message: string } };
  assert.equal(error.error.code, 'temporal_connection');
  assert.match(error.error.message, new RegExp(`127.0.0.1:${port}`));
});

test('start --json, duplicate start, status, watch --json, result --out', async () => {
  const jobId = `cli_${randomUUID()}`;
  const question = `CLI question ${jobId}`;
  const start = await runCli(['start', '--agent', DR_AGENT, '--thinking-summaries', 'auto', '--job-id', jobId, '--thread', 'cli-thread', ...FAST_FLAGS, '--json', question], env);
  assert.equal(start.code, 0, start.stderr);
  assert.deepEqual(JSON.parse(start.stdout), { jobId, runId: JSON.parse(start.stdout).runId, existing: false });
  const again = await runCli(['start', '--agent', DR_AGENT, '--job-id', jobId, '--json', question], env);
  assert.equal(JSON.parse(again.stdout).existing, true);

  const status = await runCli(['status', jobId, '--json'], env);
  assert.equal(status.code, 0, status.stderr);
  const state = JSON.parse(status.stdout) as { jobId: string; agent: string; thread: string };
  assert.deepEqual([state.jobId, state.agent, state.thread], [jobId, DR_AGENT, 'cli-thread']);

  const watch = await runCli(['watch', jobId, '--json', '--poll-interval', '200ms'], env, { timeoutMs: 60_000 });
  assert.equal(watch.code, 0, watch.stderr);
  const events = watch.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { seq: number; type: string; text?: string; interactionId?: string; status?: string });
  assert.equal(events[events.length - 1]!.type, 'done');
  const completed = events.find((e) => e.type === 'turn-completed')!;
  assert.equal(completed.status, 'completed');
  const report = h.emulator.canonicalReport(completed.interactionId!);
  assert.equal(
    events
      .filter((e) => e.type === 'output')
      .map((e) => e.text)
      .join(''),
    report,
  );

  const out = join(h.resultsDir, 'report-copy.md');
  const result = await runCli(['result', jobId, '--out', out], env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(await readFile(out, 'utf8'), report);
  const resultJson = await runCli(['result', jobId, '--json'], env);
  const parsed = JSON.parse(resultJson.stdout) as { status: string; report: string; reportSource: string };
  assert.deepEqual([parsed.status, parsed.reportSource, parsed.report], ['completed', 'store', report]);
  assert.equal(h.emulator.interactions().filter((i) => i.request['input'] === question).length, 1);
});

test('start --wait prints the report; watch on a non-TTY prints plain progress lines and the report', async () => {
  const question = `wait ${randomUUID()}`;
  const run = await runCli(['start', '--model', 'gemini-3-flash-preview', ...FAST_FLAGS, '--wait', question], env, { timeoutMs: 60_000 });
  assert.equal(run.code, 0, run.stderr);
  const info = h.emulator.interactions().find((i) => i.request['input'] === question)!;
  assert.equal(run.stdout, h.emulator.canonicalReport(info.id).replace(/\n?$/, '\n'));
  assert.match(run.stderr, /Started job job_/);

  // The job starts on a queue no worker polls yet, so it cannot end before the watch attaches:
  // the worker comes only once the watch has said it is waiting for one.
  const jobId = `cli_plain_${randomUUID()}`;
  const queue = uniqueTaskQueue('cli-plain');
  const queued = await runCli(['start', '--job-id', jobId, '--task-queue', queue, ...FAST_FLAGS, `plain ${jobId}`], env);
  assert.equal(queued.code, 0, queued.stderr);
  const child = spawn(process.execPath, [CLI, 'watch', jobId, '--poll-interval', '200ms'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const watch = { stdout: '', stderr: '', code: null as number | null };
  child.stdout.on('data', (d: Buffer) => (watch.stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (watch.stderr += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(() => watch.stderr.includes(`no worker is polling task queue ${queue}`), 'watch to wait for a worker', 30_000);
  const worker = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: queue,
    client: h.interactions,
    resultStore: h.store,
    inlineReportMaxBytes: 0,
    workflowBundle: await workflowBundle(),
    log: { info: () => undefined, warn: () => undefined },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  try {
    watch.code = await exited;
  } finally {
    worker.shutdown();
    await running;
  }
  assert.equal(watch.code, 0, watch.stderr);
  assert.match(watch.stderr, /^\[\d\d:\d\d\] turn 1: /m);
  assert.match(watch.stderr, /✔ turn 1 completed/);
  assert.doesNotMatch(watch.stderr, /\x1b\[/, 'no terminal escapes when not a TTY');
  const id = h.emulator.interactions().find((i) => i.request['input'] === `plain ${jobId}`)!.id;
  assert.equal(watch.stdout.trimEnd(), h.emulator.canonicalReport(id).trimEnd());
});

test('cancel exits 0 and the cancelled job makes result exit 1', async () => {
  const jobId = `cli_cancel_${randomUUID()}`;
  const request = join(h.resultsDir, 'long-request.json');
  await writeFile(request, JSON.stringify({ agent: DR_AGENT, input: 'a long one', labels: { 'emulator-scenario': 'long' } }));
  const start = await runCli(['start', '--request', request, '--job-id', jobId, ...FAST_FLAGS], env);
  assert.equal(start.code, 0, start.stderr);
  const cancel = await runCli(['cancel', jobId, '--reason', 'cli test', '--json'], env);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.equal(JSON.parse(cancel.stdout).cancelRequested, true);
  const result = await runCli(['result', jobId, '--wait', '--timeout', '30s'], env, { timeoutMs: 45_000 });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /cancelled/);
  const status = await runCli(['status', jobId], env);
  assert.equal(status.code, 0);
  assert.match(status.stdout, /cancelled/);
  assert.match(status.stdout, /cancelled: +cli test/, 'status shows the reason the job was cancelled with');
});

test('status into a pipe its reader closed (| head) ends quietly, without an EPIPE trace', async () => {
  const jobId = `cli_pipe_${randomUUID()}`;
  const start = await runCli(['start', '--model', 'gemini-3-flash-preview', '--job-id', jobId, ...FAST_FLAGS, '--wait', 'pipe'], env, { timeoutMs: 60_000 });
  assert.equal(start.code, 0, start.stderr);
  const child = spawn(process.execPath, [CLI, 'status', jobId], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The reader goes away before the first line: every write of status meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(code, 0);
});

test('follow-up --json and list --json by thread', async () => {
  const thread = `cli-list-${randomUUID()}`;
  const jobId = `cli_follow_${randomUUID()}`;
  const start = await runCli(['start', '--model', 'gemini-3-flash-preview', '--job-id', jobId, '--thread', thread, '--follow-up-window', '1m', '--wait', 'first question'], env, {
    timeoutMs: 60_000,
  });
  assert.equal(start.code, 0, start.stderr);
  const follow = await runCli(['follow-up', jobId, 'second question', '--json'], env);
  assert.equal(follow.code, 0, follow.stderr);
  const accepted = JSON.parse(follow.stdout) as { turn: number; interactionId: string };
  assert.equal(accepted.turn, 2);
  const waited = await runCli(['result', jobId, '--wait', '--json'], env, { timeoutMs: 60_000 });
  const outcome = JSON.parse(waited.stdout) as { turn: { turn: number }; report: string };
  assert.equal(outcome.turn.turn, 2);
  assert.equal(outcome.report, h.emulator.canonicalReport(accepted.interactionId));
  const watched = await runCli(['watch', jobId, '--poll-interval', '200ms'], env, { timeoutMs: 60_000 });
  assert.equal(watched.code, 0, watched.stderr);
  assert.match(watched.stderr, new RegExp(`Job ${jobId} stays open for a follow-up until \\S+: gemini-jobs follow-up ${jobId} "<question>"`));
  const approve = await runCli(['approve-plan', jobId], env);
  assert.equal(approve.code, 1, 'no plan is waiting: the update is rejected');
  assert.match(approve.stderr, new RegExp(`no plan waiting for approval[\\s\\S]*gemini-jobs follow-up ${jobId} "<question>"`));
  assert.doesNotMatch(approve.stderr, /followUp|approvePlan/, 'the CLI names its own commands, not the API methods');
  await runCli(['cancel', jobId], env);

  const listed = await waitFor(
    async () => {
      const list = await runCli(['list', '--thread', thread, '--json'], env);
      assert.equal(list.code, 0, list.stderr);
      const jobs = JSON.parse(list.stdout) as Array<{ jobId: string; thread: string }>;
      return jobs.length > 0 ? jobs : undefined;
    },
    'the job to show in the thread list',
    20_000,
    250,
  );
  assert.deepEqual(
    listed.map((j) => [j.jobId, j.thread]),
    [[jobId, thread]],
  );
  assert.equal((listed[0] as { usage?: unknown }).usage, undefined, 'list --json reads no state unless --usage asks');
  const table = await runCli(['list', '--thread', thread], env);
  assert.match(table.stdout, /^JOB ID +STATUS +AGENT +THREAD +STARTED +ENDED +QUESTION$/m);
  assert.match(table.stdout, new RegExp(`^${jobId} .* first question$`, 'm'));
  const withUsage = await runCli(['list', '--thread', thread, '--json', '--usage'], env);
  assert.equal(withUsage.code, 0, withUsage.stderr);
  const [summary] = JSON.parse(withUsage.stdout) as Array<{ usage?: { total_tokens?: number } }>;
  assert.ok((summary?.usage?.total_tokens ?? 0) > 0, 'list --json --usage carries the usage');
});

test('a request refused by validation exits 2 naming the field, and nothing is enqueued', async () => {
  const jobId = `cli_bad_${randomUUID()}`;
  const request = join(h.resultsDir, 'bad-request.json');
  await writeFile(request, JSON.stringify({ agent: DR_AGENT, input: 'x', background: false }));
  const run = await runCli(['start', '--request', request, '--job-id', jobId], env);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /request\.background/);
  await assert.rejects(h.env.client.workflow.getHandle(jobId).describe(), WorkflowNotFoundError);
});

test('worker without credentials fails fast (exit 2); worker --help works outside Docker', async () => {
  const { GEMINI_API_KEY: _k, GEMINI_JOBS_BASE_URL: _u, ...bare } = env;
  const run = await runCli(['worker'], bare, { timeoutMs: 15_000 });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /No Gemini credentials/);
  assert.doesNotMatch(run.stderr + run.stdout, new RegExp(String(_k)));
});

test('emulator prints its URL, serves the API and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--time-scale', '600'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Emulator listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const res = await fetch(`${url}/v1beta/interactions/missing-id`, { headers: { 'x-goog-api-key': 'k' } });
    assert.equal(res.status, 404);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('collaborative planning from the CLI: the plan turn names the approve command; refine-plan, then approve-plan runs it', async () => {
  const jobId = `cli_plan_${randomUUID()}`;
  const start = await runCli(['start', '--agent', DR_AGENT, '--collaborative-planning', '--job-id', jobId, '--follow-up-window', '2m', '--wait', 'Heat pump adoption'], env, {
    timeoutMs: 60_000,
  });
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /proposed research plan/);
  assert.ok(start.stderr.includes(`gemini-jobs approve-plan ${jobId}`), start.stderr);
  assert.ok(start.stderr.includes(`gemini-jobs refine-plan ${jobId}`), start.stderr);
  const status = await runCli(['status', jobId], env);
  assert.match(status.stdout, /plan-ready/);
  assert.match(status.stdout, /plan \(turn 1\):/);

  const refine = await runCli(['refine-plan', jobId, 'Only', 'Nordic', 'countries', '--wait'], env, { timeoutMs: 60_000 });
  assert.equal(refine.code, 0, refine.stderr);
  assert.match(refine.stdout, /revised research plan[\s\S]*Only Nordic countries/);
  assert.ok(refine.stderr.includes(`gemini-jobs approve-plan ${jobId}`));

  const approve = await runCli(['approve-plan', jobId, '--wait'], env, { timeoutMs: 90_000 });
  assert.equal(approve.code, 0, approve.stderr);
  assert.match(approve.stdout, /research report/);
  assert.ok(!approve.stderr.includes('approve-plan'), 'no plan waits after the research turn');
  await runCli(['cancel', jobId], env);
});
