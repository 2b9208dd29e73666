/**
 * Credentials never leave the worker's environment. Two real worker processes run jobs against an
 * emulator that accepts ONLY a fresh random API key (Gemini API route) and ONLY a fresh random
 * Vertex bearer token (project/location route):
 *
 * - the production CLI worker (`gemini-jobs worker`) with GEMINI_API_KEY in its environment;
 * - a worker child running the production `runWorker` with a Vertex client whose access token comes
 *   from its environment.
 *
 * Each runs a completing Deep Research job, a model turn, a job whose create answers a 400 whose
 * upstream message ECHOES the credential, a run that fails upstream, and a cancelled job. Then the
 * key and the token are searched for in: every workflow history (payload bytes decoded), every
 * describe() (sampled while running, so pending heartbeat details are included), every state query
 * and JobsClient.state/result, every JobResult, every result-store file, every log line of both
 * workers, every error thrown to callers (JobsClient, InteractionsClient), and the CLI's
 * status/result/start output. They must appear nowhere, and must have reached the emulator.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmulator, type Emulator, type FaultRule } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { JobsClient } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import { stateQuery, type JobOptions, type JobRequest, type JobResult } from '../../workflows/definitions';
import { WorkerProcess } from '../../bench/lib/worker-process';
import { CLI, filesText, runCli, textOf } from './helpers';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
function randomChars(n: number): string {
  return [...randomBytes(n)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}
/** Shaped like real credentials, unique to this run. */
const API_KEY = `AIza${randomChars(35)}`;
const TOKEN = `ya29.${randomChars(60)}`;
const PROJECT = 'gj-secrets-project';
const LOCATION = 'us-central1';
const DR_AGENT = 'deep-research-preview-04-2026';

/** An upstream that echoes the caller's credential in a 400 (worst case), for the next create only. */
function leaky400(family: 'api-key' | 'vertex'): FaultRule {
  const message = family === 'api-key' ? `API key not valid: ${API_KEY}. Please pass a valid API key.` : `Invalid Credentials: Bearer ${TOKEN}`;
  return { kind: 'http_error', route: 'create', status: 400, message, count: 1 };
}

const FAST: JobOptions = { heartbeatTimeoutMs: 3_000, pollInitialIntervalMs: 100, pollMaxIntervalMs: 500, streamIdleTimeoutMs: 2_000, notFoundGraceMs: 5_000, followUpWindowMs: 0 };

interface Family {
  name: 'api-key' | 'vertex';
  taskQueue: string;
  resultsDir: string;
  jobs: JobsClient;
  worker: WorkerProcess;
  interactions: InteractionsClient;
  jobIds: string[];
}

let env: TestWorkflowEnvironment;
let emulator: Emulator;
let dir: string;
const families: Family[] = [];
/** Everything collected, by where it came from. */
const sources: Array<{ label: string; text: string }> = [];
const describesWhileRunning: unknown[] = [];
const expected = new Map<string, string>();

function collect(label: string, value: unknown): void {
  sources.push({ label, text: typeof value === 'string' ? value : textOf(value) });
}

async function capture(label: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    const value = await fn();
    collect(`${label} (returned)`, value);
  } catch (err) {
    collect(`${label} (thrown)`, err);
  }
}

function requests(family: Family['name']): Array<{ key: string; request: JobRequest; expect: string; leaky?: boolean }> {
  const tag = `${family}-${randomChars(6)}`;
  const dr = (input: string, scenario?: string) =>
    ({
      agent: DR_AGENT,
      input,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
      ...(scenario ? { labels: { 'emulator-scenario': scenario } } : {}),
    }) as JobRequest;
  return [
    { key: 'ok', request: dr(`[${tag}] Research solid-state batteries.`), expect: 'completed' },
    { key: 'model', request: { model: 'gemini-3-flash-preview', input: `[${tag}] Say hello.` } as JobRequest, expect: 'completed' },
    { key: 'leaky400', request: dr(`[${tag}] This create is refused.`), expect: 'failed', leaky: true },
    { key: 'upstreamfail', request: dr(`[${tag}] This run fails upstream.`, 'fail'), expect: 'failed' },
    { key: 'cancel', request: dr(`[${tag}] This run is cancelled.`, 'long'), expect: 'cancelled' },
  ];
}

before(async () => {
  env = await getTestEnv();
  dir = await mkdtemp(join(tmpdir(), 'gj-secrets-'));
  emulator = await startEmulator({
    apiKey: API_KEY,
    accessToken: TOKEN,
    timeScale: 100,
    deepResearchDurationMs: 5 * 60_000,
    scenarios: {
      long: { deepResearchDurationMs: 60 * 60_000 },
    },
  });
  const address = env.address;
  for (const name of ['api-key', 'vertex'] as const) {
    const taskQueue = uniqueTaskQueue(`secrets-${name}`);
    const resultsDir = join(dir, name);
    const worker =
      name === 'api-key'
        ? // The production CLI worker: credentials from its environment only.
          new WorkerProcess({
            script: CLI,
            args: ['worker', '--task-queue', taskQueue, '--address', address, '--shutdown-grace', '1s'],
            readyPattern: /"msg":"worker started"/,
            config: { engine: 'run-worker', address, taskQueue, resultsDir },
            env: { GEMINI_API_KEY: API_KEY, GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_JOBS_RESULTS_DIR: resultsDir, TEMPORAL_NAMESPACE: 'default' },
          })
        : // The production runWorker with a Vertex client; the token is in the child's environment.
          new WorkerProcess({
            config: { engine: 'run-worker', address, taskQueue, resultsDir },
            env: {
              GOOGLE_GENAI_USE_VERTEXAI: 'true',
              GOOGLE_CLOUD_PROJECT: PROJECT,
              GOOGLE_CLOUD_LOCATION: LOCATION,
              GEMINI_JOBS_BASE_URL: emulator.url,
              GJ_VERTEX_ACCESS_TOKEN: TOKEN,
            },
          });
    const interactions =
      name === 'api-key'
        ? new InteractionsClient({ baseUrl: emulator.url, apiKey: API_KEY, maxRetries: 0 })
        : new InteractionsClient({ baseUrl: emulator.url, vertexai: true, project: PROJECT, location: LOCATION, accessToken: TOKEN, maxRetries: 0 });
    families.push({
      name,
      taskQueue,
      resultsDir,
      worker,
      interactions,
      jobs: new JobsClient({ client: env.client, taskQueue, resultStore: new FileResultStore(resultsDir) }),
      jobIds: [],
    });
  }
  await Promise.all(families.map((f) => f.worker.start(120_000)));
});

after(async () => {
  await Promise.all(families.map((f) => f.worker.stop(5_000)));
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  await releaseTestEnv();
});

test('jobs with an API key and with a Vertex token: the credentials reach the API and appear nowhere else', { timeout: 240_000 }, async () => {
  // ---- run the jobs ---------------------------------------------------------------------------
  // The leaky 400 is an emulator-wide rule for ONE create: those jobs start first, one at a time.
  for (const f of families) {
    for (const { key, request, expect } of requests(f.name).filter((r) => r.leaky)) {
      const jobId = `secrets-${f.name}-${key}-${randomChars(6)}`;
      const fired = emulator.counters().faults['http_error'] ?? 0;
      const remove = emulator.addFault(leaky400(f.name));
      await f.jobs.start(request, { jobId, options: FAST });
      f.jobIds.push(jobId);
      expected.set(jobId, expect);
      await waitFor(() => (emulator.counters().faults['http_error'] ?? 0) > fired, 'the leaky 400 to fire', 60_000);
      remove();
    }
  }
  for (const f of families) {
    for (const { key, request, expect } of requests(f.name).filter((r) => !r.leaky)) {
      const jobId = `secrets-${f.name}-${key}-${randomChars(6)}`;
      await f.jobs.start(request, { jobId, options: FAST });
      f.jobIds.push(jobId);
      expected.set(jobId, expect);
    }
  }
  const allJobs = families.flatMap((f) => f.jobIds.map((id) => ({ f, id })));
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const { f, id } of allJobs) {
        try {
          describesWhileRunning.push(await f.jobs.handle(id).describe());
        } catch {
          // not visible yet
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  try {
    // Cancel the long runs once they are streaming (a heartbeat with progress exists).
    for (const f of families) {
      const id = f.jobIds.find((j) => j.includes('-cancel-'))!;
      await waitFor(async () => ((await f.jobs.state(id)).progress?.eventsApplied ?? 0) > 2, `${id} to stream`, 60_000, 200);
      collect(`${f.name} describe of the running job`, await f.jobs.handle(id).describe());
      await capture(`${f.name} JobsClient.cancel`, () => f.jobs.cancel(id, 'proof: cancelled by the secrets test'));
    }

    for (const { f, id } of allJobs) {
      const outcome = await f.jobs.result(id, { wait: true, timeoutMs: 90_000 });
      assert.equal(outcome.status, expected.get(id), `${id}: ${JSON.stringify(outcome.turn?.error)}`);
      if (id.includes('-leaky400-')) {
        // The upstream message did travel (so redaction, not luck, keeps the secret out).
        assert.match(outcome.turn?.error?.message ?? '', /API key not valid|Invalid Credentials/, `${id}: the upstream 400 message reached the job`);
      }
      collect(`${id} JobsClient.result`, outcome);
    }
  } finally {
    sampling = false;
    await sampler;
  }

  // ---- errors thrown to callers ---------------------------------------------------------------
  const [apiFam, vertexFam] = families as [Family, Family];
  await capture('start with the key in the input', () => apiFam.jobs.start({ agent: DR_AGENT, input: `Use my key ${API_KEY} for this.` } as JobRequest));
  await capture('start with request.api_key', () => apiFam.jobs.start({ model: 'gemini-3-flash-preview', input: 'hi', api_key: API_KEY } as unknown as JobRequest));
  await capture('start with an Authorization header in a tool', () =>
    vertexFam.jobs.start({
      model: 'gemini-3-flash-preview',
      input: 'hi',
      tools: [{ type: 'mcp_server', name: 'm', url: 'https://mcp.example', headers: { Authorization: `Bearer ${TOKEN}` } }],
    } as unknown as JobRequest),
  );
  await capture('followUp on a closed job', () => apiFam.jobs.followUp(apiFam.jobIds[0]!, 'And then?'));
  await capture('result of a missing job', () => apiFam.jobs.result('secrets-no-such-job'));
  for (const f of families) {
    await capture(`${f.name} InteractionsClient.get missing`, () => f.interactions.get('v1_doesnotexist'));
    await capture(`${f.name} InteractionsClient.cancel missing`, () => f.interactions.cancel('v1_doesnotexist'));
    const remove = emulator.addFault(leaky400(f.name));
    await capture(`${f.name} InteractionsClient.create answered by a leaky 400`, () => f.interactions.create({ agent: DR_AGENT, input: 'x', background: true }));
    remove();
  }
  await capture('InteractionsClient with the key, server unreachable', () => new InteractionsClient({ baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY, maxRetries: 0 }).get('v1_x'));
  await capture('InteractionsClient with the token, server unreachable', () =>
    new InteractionsClient({ baseUrl: 'http://127.0.0.1:1', vertexai: true, project: PROJECT, location: LOCATION, accessToken: TOKEN, maxRetries: 0 }).get('v1_x'),
  );

  // ---- everything Temporal holds about the jobs ---------------------------------------------
  for (const { f, id } of allJobs) {
    const handle = f.jobs.handle(id);
    const history = await handle.fetchHistory();
    const historyText = textOf(history);
    assert.ok(historyText.includes('[' + f.name), `${id}: history payloads were decoded (the job input is visible)`);
    collect(`${id} history`, historyText);
    collect(`${id} describe`, await handle.describe());
    // A job cancelled through Temporal has no result: its JobResult is in the memo (JOB_RESULT_MEMO).
    collect(`${id} JobResult`, (await handle.result().catch(async () => (await handle.describe()).memo)) as JobResult);
    await capture(`${id} state query`, () => handle.query(stateQuery));
    await capture(`${id} JobsClient.state`, () => f.jobs.state(id));
  }
  collect('describe() samples while running (heartbeat details)', describesWhileRunning);
  assert.ok(
    describesWhileRunning.some((d) => (d as { raw?: { pendingActivities?: Array<{ heartbeatDetails?: unknown }> } }).raw?.pendingActivities?.some((a) => a.heartbeatDetails)),
    'some describe() saw heartbeat details',
  );

  // Every request of the workers and clients carried the exact credential (anything else is 401/403).
  const counters = emulator.counters();
  assert.equal(counters.statuses['401'] ?? 0, 0, 'no request lacked a credential');
  assert.equal(counters.statuses['403'] ?? 0, 0, 'no request carried a wrong credential');

  // ---- result store, worker logs, CLI ----------------------------------------------------------
  for (const f of families) {
    const files = await filesText(f.resultsDir);
    // Reports now travel inline through Temporal (scanned with the history above); the store holds only larger ones.
    collect(`${f.name} result-store files`, files.text);
    assert.ok(f.worker.output.length > 0, `${f.name}: the worker logged something`);
    collect(`${f.name} worker output (stdout + stderr)`, f.worker.output.join('\n'));
  }
  for (const f of families) {
    const cliEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      GEMINI_JOBS_TASK_QUEUE: f.taskQueue,
      GEMINI_JOBS_RESULTS_DIR: f.resultsDir,
      // The API-key CLI may read a report from the API; the Vertex one has no token source, so only the store.
      ...(f.name === 'api-key' ? { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: API_KEY } : {}),
    };
    for (const id of f.jobIds) {
      for (const args of [
        ['status', id],
        ['status', id, '--json'],
        ['result', id],
        ['result', id, '--json'],
      ]) {
        const r = await runCli(args, cliEnv);
        collect(`CLI ${args.join(' ')}`, `${r.stdout}\n${r.stderr}`);
      }
    }
    const refused = await runCli(['start', '--model', 'gemini-3-flash-preview', `my key is ${API_KEY} and my token is ${TOKEN}`], cliEnv);
    assert.equal(refused.code, 2, 'a start carrying a credential is refused');
    collect('CLI start with a credential in the question', `${refused.stdout}\n${refused.stderr}`);
  }

  // ---- not vacuous: the credentials did reach the emulator, and the search can find them -------
  const scopes = emulator.interactions().map((i) => i.scope);
  assert.ok(scopes.filter((s) => s === 'gemini').length >= 4, 'API-key jobs reached the Gemini route (only the exact key is accepted there)');
  assert.ok(scopes.filter((s) => s === `vertex:${PROJECT}/${LOCATION}`).length >= 4, 'Vertex jobs reached the project/location route (only the exact token is accepted there)');
  assert.ok(textOf({ payload: Buffer.from(`x${API_KEY}y`) }).includes(API_KEY), 'the search decodes payload bytes');

  // ---- the proof -------------------------------------------------------------------------------
  assert.ok(sources.length > 60, `searched ${sources.length} sources`);
  const leaks = sources
    .filter((s) => s.text.includes(API_KEY) || s.text.includes(TOKEN))
    .map((s) => `${s.label}: ${s.text.includes(API_KEY) ? 'API key' : ''}${s.text.includes(TOKEN) ? ' access token' : ''}`);
  // Never print the secrets themselves: only where they were found.
  assert.deepEqual(leaks, [], `credentials found in:\n${leaks.join('\n')}`);
});
