/**
 * Observability on the real stack: the Runtime's Prometheus endpoint is scraped during a job
 * (gemini_jobs_running moves with the job, API requests are counted by status code, a stream cut
 * counts a reconnect, a handover between workers records resume lag); activity log lines carry the
 * activity context; the authenticated endpoint refuses callers without the token; API calls get
 * client spans under the activity's span, with no secret in any attribute.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { startEmulator, type Emulator } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { FileResultStore } from '../../src/results/result-store';
import { activityContextLogger } from '../../activities/activity-logger';
import { instrumentedAgent, routeOf } from '../../src/telemetry/api-instrumentation';
import { freeLoopbackPort, resolveMetricsSettings, startAuthenticatedMetricsServer } from '../../src/telemetry/prometheus';
import { installTracing } from '../../src/telemetry/tracing';
import { createJobsWorker, JOB_WORKFLOWS_PATH } from '../../src/worker/create-worker';
import { interactionJob } from '../../workflows';
import { jobStatusKey, stateQuery, type JobInput, type JobRequest } from '../../workflows/definitions';
import { fakeApiKey } from '../helpers/fake-credentials';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { FAST } from '../jobs/job-harness';

const API_KEY = fakeApiKey('SyObservabilityTestKey0123456789abc');
const logs: LogEntry[] = [];
let metricsAddress: string;
let env: TestWorkflowEnvironment;
let emulator: Emulator;
let resultsDir: string;
let store: FileResultStore;
let client: InteractionsClient;
const spans = new InMemorySpanExporter();

before(async () => {
  metricsAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  // Before any connection: this process's Runtime exports metrics and captures SDK/activity logs.
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry) => logs.push(entry)),
    telemetryOptions: { metrics: { prometheus: { bindAddress: metricsAddress } } },
  });
  env = await getTestEnv();
  emulator = await startEmulator({ port: 0, timeScale: 100, deepResearchDurationMs: 20 * 60_000, apiKey: API_KEY });
  resultsDir = await mkdtemp(join(tmpdir(), 'gj-observability-'));
  store = new FileResultStore(resultsDir);
  client = new InteractionsClient({ baseUrl: emulator.url, apiKey: API_KEY, maxRetries: 0, dispatcher: instrumentedAgent() });
});
after(async () => {
  await emulator?.close();
  await rm(resultsDir, { recursive: true, force: true });
  await releaseTestEnv();
});

const fallbackLog = { info: () => undefined, warn: () => undefined };

async function worker(taskQueue: string, extra: Partial<Parameters<typeof createJobsWorker>[0]> = {}) {
  return createJobsWorker({
    connection: env.nativeConnection,
    taskQueue,
    client,
    resultStore: store,
    log: activityContextLogger(fallbackLog),
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    shutdownGraceTime: '1s',
    ...extra,
  });
}

function start(taskQueue: string, input: JobInput, workflowId: string) {
  return env.client.workflow.start(interactionJob, { taskQueue, workflowId, args: [input], typedSearchAttributes: [{ key: jobStatusKey, value: 'pending' }] });
}

async function scrape(): Promise<string> {
  const res = await fetch(`http://${metricsAddress}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

/** Sum of the samples of `name` whose labels include every `labels` pair. */
function sample(body: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of body.split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    // Label values may hold braces (`{id}` route templates): the label set ends at the last `}`.
    const rest = line.slice(name.length);
    const labelText = rest.startsWith('{') ? rest.slice(1, rest.lastIndexOf('}')) : '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    found = true;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return found ? total : NaN;
}

test('metrics: scraped during a job, the project metrics move (phase gauge, API codes, reconnects, resume lag)', async (t) => {
  const taskQueue = uniqueTaskQueue('metrics');
  const before = await scrape();
  const reconnects0 = sample(before, 'gemini_jobs_stream_reconnects_total') || 0;
  const workerA = await worker(taskQueue);
  const runA = workerA.run();
  t.after(async () => {
    if (workerA.getState() === 'RUNNING') workerA.shutdown();
    await runA.catch(() => undefined);
  });
  const handle = await start(
    taskQueue,
    { request: { agent: 'deep-research-preview-04-2026', input: 'Metrics topic', labels: { 'emulator-scenario': 'stream-cut' } } as JobRequest, options: FAST },
    `${taskQueue}-job`,
  );
  const id = await waitFor(async () => (await handle.query(stateQuery)).interactionId, 'created');
  await waitFor(() => (emulator.counters().interactions[id]?.streams ?? 0) >= 2, 'stream cut and reconnected');

  const during = await scrape();
  const ours = (body: string) =>
    body
      .split('\n')
      .filter((l) => l.includes('gemini_jobs') && !l.startsWith('#'))
      .join('\n');
  assert.equal(
    sample(during, 'gemini_jobs_running', { phase: 'running' }),
    1,
    `one job running on this worker:\n${during
      .split('\n')
      .filter((l) => l.includes('gemini_jobs'))
      .join('\n')}`,
  );
  assert.equal(sample(during, 'gemini_jobs_running', { phase: 'creating' }), 0);
  assert.ok(sample(during, 'gemini_jobs_api_requests_total', { route: 'POST /interactions', code: '200' }) >= 1, 'the create is counted with its code');
  assert.ok(sample(during, 'gemini_jobs_api_requests_total', { route: 'GET /interactions/{id} (stream)', code: '200' }) >= 2, `both streams are counted:\n${ours(during)}`);
  assert.ok(sample(during, 'gemini_jobs_stream_reconnects_total') - reconnects0 >= 1, 'the cut counted a reconnect');

  // Hand the live stream over to a second worker: the resumed attempt records its lag.
  workerA.shutdown();
  await runA;
  const workerB = await worker(taskQueue);
  const result = await workerB.runUntil(handle.result());
  assert.equal(result.status, 'completed');

  const afterJob = await scrape();
  assert.equal(sample(afterJob, 'gemini_jobs_running', { phase: 'running' }), 0, 'the gauge went back to 0');
  assert.ok(sample(afterJob, 'gemini_jobs_resume_lag_ms_count') >= 1, 'resume lag recorded for the handed-over attempt');
  assert.ok(sample(afterJob, 'gemini_jobs_api_requests_total', { route: 'GET /interactions/{id}', code: '200' }) >= 1, 'the final GET is counted');
  assert.ok(/^temporal_\w+/m.test(afterJob), "the SDK's own worker metrics share the endpoint");
  assert.ok(!afterJob.includes(API_KEY), 'no secret in metrics');
  assert.ok(!afterJob.includes(id), 'no interaction id in metric labels');

  // Activity log lines went through Temporal's activity logger: they carry the activity context.
  const resumedLine = logs.find((l) => l.message === 'follow: resuming from checkpoint' && l.meta?.workflowId === handle.workflowId);
  assert.ok(resumedLine, 'the resumed attempt logged through the activity logger');
  assert.equal(resumedLine.meta?.activityType, 'followInteraction');
  assert.equal(typeof resumedLine.meta?.activityId, 'string');
  assert.equal(resumedLine.meta?.attempt, 2);
  assert.ok(!JSON.stringify(logs, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes(API_KEY), 'no secret in any log line');
});

test('metrics endpoint beyond loopback: refused without a token; with one, only Bearer callers get metrics', async () => {
  assert.equal(resolveMetricsSettings({}), undefined, 'off by default');
  assert.deepEqual(resolveMetricsSettings({ GEMINI_JOBS_METRICS_ADDRESS: '127.0.0.1:9464' }), { host: '127.0.0.1', port: 9464 });
  assert.throws(() => resolveMetricsSettings({ GEMINI_JOBS_METRICS_ADDRESS: '0.0.0.0:9464' }), /GEMINI_JOBS_METRICS_TOKEN/);
  assert.throws(() => resolveMetricsSettings({ GEMINI_JOBS_METRICS_ADDRESS: '0.0.0.0:9464', GEMINI_JOBS_METRICS_TOKEN: 'short' }), /at least 16/);
  assert.throws(() => resolveMetricsSettings({ GEMINI_JOBS_METRICS_ADDRESS: 'nohost' }), /host:port/);
  const token = 'metrics-token-' + 'x'.repeat(16);
  // Bound on loopback here (tests never listen beyond it); the auth path is the same for 0.0.0.0.
  const proxy = await startAuthenticatedMetricsServer({ host: '127.0.0.1', port: 0, token }, metricsAddress);
  try {
    const url = `http://127.0.0.1:${proxy.port}/metrics`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /gemini_jobs_api_requests_total/);
    assert.equal((await fetch(`http://127.0.0.1:${proxy.port}/other`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
  } finally {
    await proxy.close();
  }
});

test('routes are templates: ids and query strings never reach labels', () => {
  assert.deepEqual(routeOf('GET', '/v1beta/interactions/abc123?stream=true&last_event_id=9'), { route: 'GET /interactions/{id} (stream)', stream: true, interactionId: 'abc123' });
  assert.deepEqual(routeOf('POST', '/v1beta1/projects/p1/locations/global/interactions?key=secret'), { route: 'POST /interactions', stream: false });
  assert.equal(routeOf('POST', '/v1beta/interactions/abc/cancel').route, 'POST /interactions/{id}/cancel');
});

test('traces: workflow, activity and API client spans, API spans under their activity, no secrets', async () => {
  const tracing = installTracing({ spanProcessor: new SimpleSpanProcessor(spans), serviceName: 'gemini-jobs-test' });
  try {
    const taskQueue = uniqueTaskQueue('traces');
    // Bundled from the path: the plugin adds its workflow interceptor modules to the bundle.
    const w = await worker(taskQueue, { workflowBundle: undefined, workflowsPath: JOB_WORKFLOWS_PATH, plugins: [tracing.plugin] });
    const result = await w.runUntil(async () =>
      (await start(taskQueue, { request: { model: 'gemini-3-flash-preview', input: 'Trace me' } as JobRequest, options: FAST }, `${taskQueue}-job`)).result(),
    );
    assert.equal(result.status, 'completed');
    const finished = spans.getFinishedSpans();
    const names = finished.map((s) => s.name);
    const follow = finished.find((s) => s.name === 'RunActivity:followInteraction');
    assert.ok(follow, `activity span present: ${names.join(', ')}`);
    assert.ok(
      finished.some((s) => s.name.startsWith('RunWorkflow:') || s.name.startsWith('StartActivity:')),
      `workflow spans present: ${names.join(', ')}`,
    );
    const api = finished.filter((s) => s.name.startsWith('Interactions '));
    assert.ok(api.some((s) => s.name === 'Interactions POST /interactions' && s.attributes['http.response.status_code'] === 200));
    const streamSpan = api.find((s) => s.name === 'Interactions GET /interactions/{id} (stream)');
    assert.ok(streamSpan, `stream span present: ${api.map((s) => s.name).join(', ')}`);
    assert.equal(streamSpan.parentSpanId, follow.spanContext().spanId, 'the API span is a child of the activity span');
    assert.equal(streamSpan.spanContext().traceId, follow.spanContext().traceId);
    assert.ok(!JSON.stringify(finished.map((s) => ({ n: s.name, a: s.attributes, e: s.events }))).includes(API_KEY), 'no secret in any span');
  } finally {
    await tracing.shutdown();
  }
});
