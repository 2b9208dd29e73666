/**
 * The Python client package (python/, `gemini_jobs`) under pytest, against the real Temporal dev
 * server, the emulator over HTTP and real gemini-jobs workers: one whose reports travel inline in
 * history, one that writes them to a result store. Node first writes the parity cases (the
 * TypeScript contract's own answers for the listing values and validation), then holds what
 * Python recorded against the emulator's canonical reports and the TypeScript JobsClient.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { jobVisibilityOf, questionOf } from '../../src/contract';
import { validateStart } from '../../src/jobs/start-job';
import { JobValidationError } from '../../src/jobs/validate-job';
import { JobsClient } from '../../src/jobs/jobs-client';
import { waitFor } from '../helpers/wait';
import { jobStaticDetails, jobStaticSummary } from '../../src/jobs/ui-metadata';
import { createJobsWorker } from '../../src/worker/create-worker';
import type { JobOptions, JobRequest } from '../../workflows/definitions';
import { releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { serviceHarness, type ServiceHarness } from '../service/harness';
import { noVenv, PYTHON_PACKAGE_DIR, pythonEnv, runProgram, venvPython } from './python-env';

const AGENT = 'deep-research-preview-04-2026';
let h: ServiceHarness;
let dir: string;
let inlineWorker: { worker: Worker; running: Promise<void> } | undefined;
const inlineQueue = uniqueTaskQueue('py-inline');

before(async () => {
  if (noVenv) return;
  dir = await mkdtemp(join(tmpdir(), 'gj-pytest-'));
  h = await serviceHarness('pyclient');
  await h.startWorker(); // reports to the result store (h.taskQueue)
  const worker = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue: inlineQueue,
    client: h.interactions,
    resultStore: undefined, // the default deployment: reports inline in history
    log: { info: () => undefined, warn: () => undefined },
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    checkpointFlushMs: 300,
    watchedFlushMs: 300,
    watchRefreshMs: 100,
    shutdownGraceTime: '1s',
  });
  inlineWorker = { worker, running: worker.run() };
});
after(async () => {
  if (inlineWorker) {
    inlineWorker.worker.shutdown();
    await inlineWorker.running.catch(() => undefined);
  }
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  await releaseTestEnv();
});

/** Requests and options whose listing values and validation both languages must agree on. */
function parityCases(): Array<{ request: Record<string, unknown>; options?: JobOptions }> {
  const long = 'Why '.repeat(60) + 'heat pumps?';
  return [
    { request: { agent: AGENT, input: 'How do heat pumps work?' } },
    { request: { agent: AGENT, input: '  How \n\n do\theat\u00a0pumps   work?  ' } },
    { request: { agent: AGENT, input: long } },
    { request: { agent: AGENT, input: 'x'.repeat(250) } },
    { request: { agent: AGENT, input: '😀'.repeat(150) } },
    { request: { agent: AGENT, input: 'a'.repeat(150) + ' ' + 'b'.repeat(100) } },
    { request: { model: 'gemini-3-flash-preview', input: [{ type: 'text', text: 'From a content part' }] } },
    { request: { agent: AGENT, input: [{ type: 'user_input', content: [{ type: 'text', text: 'From a step' }] }] }, options: { thread: 'customer-42' } },
    { request: { agent: AGENT, input: 'With options' }, options: { mode: 'poll', deadlineMs: 600_000, followUpWindowMs: 0 } },
    { request: { agent: AGENT, input: [{ type: 'image', uri: 'gs://b/x.png' }] } },
    { request: { agent: AGENT, input: '   ' } },
    { request: { agent: AGENT, input: 'q', background: true } },
    { request: { agent: AGENT, input: 'my key AIza' + 'k'.repeat(35) } },
    { request: { agent: AGENT, input: 'q' }, options: { deadlineMs: 7_200_000 } },
    { request: { input: 'no agent' } },
  ];
}

async function writeParityFixtures(path: string): Promise<void> {
  const cases = parityCases().map(({ request, options = {} }) => {
    let refusedField: string | null = null;
    try {
      validateStart(request as unknown as JobRequest, { options });
    } catch (err) {
      if (!(err instanceof JobValidationError)) throw err;
      refusedField = err.field;
    }
    return {
      request,
      options,
      question: questionOf(request) ?? null,
      visibility: { status: 'pending', ...jobVisibilityOf(request, options) },
      summary: jobStaticSummary(request as unknown as JobRequest),
      details: jobStaticDetails(request as unknown as JobRequest, options),
      refusedField,
    };
  });
  await writeFile(path, JSON.stringify(cases));
}

test('the Python client starts, reads, watches, steers and reads reports of jobs (pytest)', { skip: noVenv }, async (t) => {
  const fixtures = join(dir, 'parity.json');
  const out = join(dir, 'seen.jsonl');
  await writeParityFixtures(fixtures);
  const env = pythonEnv({
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_NAMESPACE: 'default',
    GEMINI_JOBS_TASK_QUEUE: inlineQueue,
    GEMINI_JOBS_STORE_TASK_QUEUE: h.taskQueue,
    GEMINI_JOBS_RESULTS_DIR: h.resultsDir,
    GEMINI_JOBS_PARITY_FIXTURES: fixtures,
    GEMINI_JOBS_PYTEST_OUT: out,
  });
  const run = await runProgram(venvPython!, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-rs', 'tests'], { env, cwd: PYTHON_PACKAGE_DIR, timeoutMs: 600_000 });
  t.diagnostic(run.stdout.trim().split('\n').slice(-4).join(' | '));
  assert.equal(run.code, 0, `pytest failed:\n${run.stdout}\n${run.stderr}`);
  assert.doesNotMatch(run.stdout, /skipped/, 'every test ran');

  const seen = new Map<string, Record<string, unknown>>();
  for (const line of (await readFile(out, 'utf8')).trim().split('\n')) {
    const { name, value } = JSON.parse(line) as { name: string; value: Record<string, unknown> };
    seen.set(name, value);
  }
  // The report Python read from history is the emulator's, byte for byte.
  const watch = seen.get('watch') as { report: string; interactionId: string };
  assert.equal(watch.report, h.emulator.canonicalReport(watch.interactionId));
  const stored = seen.get('store') as { jobId: string; report: string };
  assert.equal(stored.report, (await h.jobs.result(stored.jobId)).report, 'the result store report, as the TypeScript client reads it');
  // The TypeScript client sees Python's jobs as its own.
  const same = seen.get('same') as { jobId: string; state: { question: string } };
  const inline = new JobsClient({ client: h.env.client, taskQueue: inlineQueue });
  const tsState = await inline.state(same.jobId);
  assert.equal(tsState.question, same.state.question);
  assert.equal(tsState.turnDeadlineMs, 70 * 60_000);
  const cancelled = seen.get('cancel') as { jobId: string };
  assert.equal((await inline.state(cancelled.jobId)).status, 'cancelled');
  await waitFor(async () => (await inline.list({ status: 'cancelled' })).some((j) => j.jobId === cancelled.jobId), 'listed as cancelled');
  const plan = seen.get('plan') as { plan: { text: string; interactionId: string } };
  assert.equal(plan.plan.text, h.emulator.canonicalReport(plan.plan.interactionId), 'the whole plan');
});
