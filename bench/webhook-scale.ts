/**
 * Webhook-mode scale bench: N concurrent emulated Deep Research jobs in `webhook` mode on ONE
 * worker child process, every job checked, the worker's RSS sampled, the completion lag taken
 * apart stage by stage, and Temporal actions counted by the server.
 *
 *   node dist/bench/webhook-scale.js --jobs 2000 [--run-seconds 600] [--emulated-minutes 60] [--faults]
 *
 * One in-memory Temporal dev server (raised history caches), the emulator and a webhook receiver
 * in this process (the receiver signals through its own connection), jobs started in parallel
 * through several client connections, the worker with its production defaults unless a flag says
 * otherwise. Prints a table; `--json-out` writes every figure. Flags: --help.
 */
import { writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { startEmulator, type FaultRule, type WebhookDeliveryOptions } from '../src/emulator';
import { JobsClient } from '../src/jobs/jobs-client';
import { FileResultStore } from '../src/results/result-store';
import { WORKER_DEFAULTS } from '../src/worker/run-worker';
import { createWebhookHandler, signalThroughClient } from '../src/webhooks';
import type { JobOptions, JobResult } from '../workflows/definitions';
import { JOB_OPTION_DEFAULTS } from '../workflows/helpers';
import { workflowBundle } from '../test/helpers/temporal';
import { diffActions, heartbeatActions, scrapeActions } from './lib/actions';
import { numberFlag, parseFlags } from './lib/args';
import { PersistedDevServer, freePort } from './lib/dev-server';
import { BILLABLE_EVENT_FIELDS, jobSpecs, researchRequest, startOne, verifyJobs, waitAllClosed } from './lib/jobs';
import { ProcSampler, readRssBytes } from './lib/proc';
import { mapLimit, mb, percentile, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { MEMORY_LOG_SCRIPT, ThreadMemory, type ThreadMemorySample } from './lib/thread-memory';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/webhook-scale.js [options]
  --jobs N                 concurrent webhook-mode jobs (default 500)
  --run-seconds S          wall duration of one emulated run (default 300); make it longer than the
                           start of all jobs takes, so that all of them wait at once at the peak
  --emulated-minutes M     emulated length of a Deep Research run (default 60: actions per job = per job-hour)
  --start-concurrency C    job starts in flight (default 200)
  --start-connections K    client connections the starts are spread over (default 4)
  --max-cached-workflows N worker maxCachedWorkflows (default: the worker's default)
  --variants LIST          run one phase per worker variant, one after the other on the same server, and
                           compare them: phases separated by ';', settings by ',' (threads=N: workflow
                           threads, cache=N: maxCachedWorkflows, arenas=N: the worker's MALLOC_ARENA_MAX), e.g. "threads=1;threads=2"
  --faults                 webhook faults as the API's docs describe delivery: duplicates (10 %),
                           reordering delays (0-2 s), 10 % of attempts lost on the way and retried by the
                           sender on its own clock (5 s, doubling), and --lost of deliveries never made;
                           plus the load bench's API faults on GETs (5 % 503/429) and creates (10 % 429)
  --lost F                 fraction of deliveries permanently lost (default 0; 0.01 with --faults)
  --seed N                 emulator seed (default 1)
  --timeout-minutes M      give up waiting after M minutes (default 3 x run + 10)
  --json-out FILE          also write every figure as JSON`;

const FLAGS = {
  jobs: { type: 'string' },
  'run-seconds': { type: 'string' },
  'emulated-minutes': { type: 'string' },
  'start-concurrency': { type: 'string' },
  'start-connections': { type: 'string' },
  'max-cached-workflows': { type: 'string' },
  variants: { type: 'string' },
  faults: { type: 'boolean' },
  lost: { type: 'string' },
  seed: { type: 'string' },
  'timeout-minutes': { type: 'string' },
  'json-out': { type: 'string' },
} as const;

const BENCH_KEY = 'bench-emulator-key';

/**
 * Server settings for thousands of open workflows on one dev server: its per-shard caches of
 * mutable state and of history events default to 512 entries, far below the number of waiting
 * jobs, so every timer and signal would reload a workflow from the database.
 */
const SERVER_DYNAMIC_CONFIG = ['history.cacheMaxSize=20000', 'history.eventsCacheMaxSize=20000'];

/** With --faults, the API faults of the load bench's fault phase that webhook mode meets (GET checks and collects, creates). */
const API_FAULTS: FaultRule[] = [
  { kind: 'http_error', route: 'get', status: 503, probability: 0.03 },
  { kind: 'http_error', route: 'get', status: 429, retryAfterSeconds: 1, probability: 0.02 },
  { kind: 'http_error', route: 'create', status: 429, retryAfterSeconds: 2, probability: 0.1 },
];

function log(line: string): void {
  process.stderr.write(`[webhook-scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** What one job's history says about its webhook path (ms since epoch). */
interface JobTimeline {
  startedAt?: number;
  /** The create activity's answer: the remote run exists. */
  createdAt?: number;
  signalledAt?: number;
  followScheduledAt?: number;
  followStartedAt?: number;
  followCompletedAt?: number;
  closedAt?: number;
  events: number;
  historyActions: number;
  checks: number;
  timers: number;
}

async function timeline(client: Client, jobId: string): Promise<JobTimeline> {
  const history = await client.workflow.getHandle(jobId).fetchHistory();
  const t: JobTimeline = { events: 0, historyActions: 0, checks: 0, timers: 0 };
  const follows = new Set<string>();
  const creates = new Set<string>();
  for (const ev of history.events ?? []) {
    t.events++;
    const at = tsToMs(ev.eventTime);
    for (const field of BILLABLE_EVENT_FIELDS) if ((ev as Record<string, unknown>)[field]) t.historyActions++;
    if (ev.timerStartedEventAttributes) t.timers++;
    if (ev.workflowExecutionSignaledEventAttributes?.signalName === 'interactionWebhook' && t.signalledAt === undefined) t.signalledAt = at;
    if (ev.workflowExecutionStartedEventAttributes) t.startedAt = at;
    const scheduled = ev.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'createInteraction') creates.add(String(ev.eventId));
    if (ev.activityTaskCompletedEventAttributes && creates.has(String(ev.activityTaskCompletedEventAttributes.scheduledEventId))) t.createdAt = at;
    if (scheduled?.activityType?.name === 'checkInteraction') t.checks++;
    if (scheduled?.activityType?.name === 'followInteraction') {
      follows.add(String(ev.eventId));
      t.followScheduledAt = at;
    }
    if (ev.activityTaskStartedEventAttributes && follows.has(String(ev.activityTaskStartedEventAttributes.scheduledEventId))) t.followStartedAt = at;
    if (ev.activityTaskCompletedEventAttributes && follows.has(String(ev.activityTaskCompletedEventAttributes.scheduledEventId))) t.followCompletedAt = at;
    if (ev.workflowExecutionCompletedEventAttributes) t.closedAt = at;
  }
  return t;
}

function stat(values: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  return { n: values.length, p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: percentile(values, 100) };
}

interface Variant {
  name: string;
  threads?: number;
  cache?: number;
  /** glibc malloc arenas of the worker child (env MALLOC_ARENA_MAX). */
  arenas?: number;
}

function parseVariants(text: string | undefined, cache: number | undefined): Variant[] {
  if (!text) return [{ name: cache !== undefined ? `cache=${cache}` : 'defaults', ...(cache !== undefined ? { cache } : {}) }];
  return text.split(';').map((part) => {
    const v: Variant = { name: part.trim() };
    for (const kv of part
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)) {
      const [k, val] = kv.split('=');
      const num = Number(val);
      if (!Number.isInteger(num) || num < 0 || (k !== 'threads' && k !== 'cache' && k !== 'arenas')) {
        process.stderr.write(`--variants: ${JSON.stringify(kv)} is not threads=N, cache=N or arenas=N\n`);
        process.exit(2);
      }
      if (k === 'threads') v.threads = num;
      else if (k === 'arenas') v.arenas = num;
      else v.cache = num;
    }
    if (v.cache === undefined && cache !== undefined) v.cache = cache;
    return v;
  });
}

interface Settings {
  n: number;
  runSeconds: number;
  emulatedMinutes: number;
  startConcurrency: number;
  faults: boolean;
  lost: number;
  seed: number;
  timeoutMs: number;
}

interface Shared {
  server: PersistedDevServer;
  metricsPort: number;
  observer: Client;
  receiverClient: Client;
  starters: Client[];
  bundlePath: string;
  dir: string;
}

/** Stage name → wall ms per job. */
type Stages = Record<'deliver' | 'signal' | 'toWorkflow' | 'schedule' | 'pickUp' | 'collect' | 'close', number[]>;

interface PhaseOutcome {
  variant: Variant;
  text: string[];
  summary: Record<string, string>;
  lagWebhook: number[];
  lagBackstop: number[];
  stages: Stages;
  met: boolean;
  json: Record<string, unknown>;
}

async function runPhase(sh: Shared, cfg: Settings, variant: Variant): Promise<PhaseOutcome> {
  const { n, runSeconds, emulatedMinutes, faults, lost } = cfg;
  const emulatedMs = emulatedMinutes * 60_000;
  const timeScale = emulatedMs / (runSeconds * 1000);
  const scaled = (ms: number, min: number) => Math.max(min, Math.round(ms / timeScale));
  const { observer } = sh;

  // Deliveries as documented: at least once, unordered, retried by the sender on its own clock.
  const deliveryFaults: WebhookDeliveryOptions = faults
    ? { realTime: true, duplicateProbability: 0.1, delayMs: [0, 2_000], lostAttemptProbability: 0.1, retryInitialMs: 5_000, dropProbability: lost }
    : { realTime: true, ...(lost > 0 ? { dropProbability: lost } : {}) };
  const emulator = await startEmulator({
    timeScale,
    deepResearchDurationMs: emulatedMs,
    apiKey: BENCH_KEY,
    seed: cfg.seed,
    webhooks: deliveryFaults,
    ...(faults ? { faults: API_FAULTS } : {}),
  });

  // The receiver, timed at its door (first arrival of each webhook id) and around the signal.
  const arrivals = new Map<string, number>();
  const signalled = new Map<string, { arrivedAt: number; signalStartAt: number; signalledAt: number }>();
  const signal = signalThroughClient(sh.receiverClient);
  let signalsInFlight = 0;
  let maxSignalsInFlight = 0;
  const handler = createWebhookHandler({
    jwksUrl: `${emulator.url}/.well-known/jwks.json`,
    deliver: async (jobId, notice, deadline) => {
      const signalStartAt = Date.now();
      maxSignalsInFlight = Math.max(maxSignalsInFlight, ++signalsInFlight);
      try {
        const outcome = await signal(jobId, notice, deadline);
        if (!signalled.has(jobId)) signalled.set(jobId, { arrivedAt: arrivals.get(notice.webhookId) ?? signalStartAt, signalStartAt, signalledAt: Date.now() });
        return outcome;
      } finally {
        signalsInFlight--;
      }
    },
  });
  const http = createServer((req, res) => {
    const id = req.headers['webhook-id'];
    if (typeof id === 'string' && !arrivals.has(id)) arrivals.set(id, Date.now());
    void handler(req, res);
  });
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/webhooks/gemini`;

  const taskQueue = `webhook-scale-${Date.now().toString(36)}`;
  const resultsDir = join(sh.dir, `results-${taskQueue}`);
  const store = new FileResultStore(resultsDir);
  // The worker child's memory by thread (bench/lib/memory-log.ts).
  const threadMemory = new ThreadMemory();
  const checkpointFlushMs = Math.max(100, Math.round(WORKER_DEFAULTS.checkpointFlushMs / timeScale));
  const heartbeatFlushMs = Math.max(100, Math.round(WORKER_DEFAULTS.heartbeatFlushMs / timeScale));
  const worker = new WorkerProcess({
    config: {
      engine: 'jobs-worker',
      address: sh.server.address,
      taskQueue,
      resultsDir,
      bundlePath: sh.bundlePath,
      // The production worker's slot defaults (runWorker); cache and threads are the worker's own defaults.
      maxActivities: WORKER_DEFAULTS.maxActivities,
      maxWorkflowTasks: WORKER_DEFAULTS.maxWorkflowTasks,
      ...(variant.cache !== undefined ? { maxCachedWorkflows: variant.cache } : {}),
      ...(variant.threads !== undefined ? { workflowThreads: variant.threads } : {}),
      maxHeartbeatThrottleMs: heartbeatFlushMs,
      watchedFlushMs: heartbeatFlushMs,
      checkpointFlushMs,
      shutdownGraceMs: 2_000,
    },
    env: {
      GEMINI_JOBS_BASE_URL: emulator.url,
      GEMINI_API_KEY: BENCH_KEY,
      GEMINI_JOBS_WEBHOOK_URL: receiverUrl,
      GJ_WORKER_MEMORY_LOG_MS: '5000',
      ...(variant.arenas !== undefined ? { MALLOC_ARENA_MAX: String(variant.arenas) } : {}),
    },
    // e.g. GJ_BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the worker.
    execArgv: ['--require', MEMORY_LOG_SCRIPT, ...(process.env.GJ_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      if (line.startsWith('{"memory"')) threadMemory.note((JSON.parse(line) as { memory: ThreadMemorySample }).memory);
      else if (/ERROR|panic|fatal/i.test(line)) log(`worker: ${line.slice(0, 300)}`);
    },
  });
  const sampler = new ProcSampler(1_000);
  const serverSampler = new ProcSampler(5_000);
  try {
    const pid = await worker.start();
    sampler.track(pid);
    if (sh.server.pid) serverSampler.track(sh.server.pid);
    await new Promise((r) => setTimeout(r, 1_000));
    const idleRss = readRssBytes(pid) ?? 0;
    const actions0 = await scrapeActions(sh.metricsPort);

    const options: JobOptions = {
      mode: 'webhook',
      followUpWindowMs: 0,
      heartbeatTimeoutMs: scaled(JOB_OPTION_DEFAULTS.heartbeatTimeoutMs, 1_000),
      pollInitialIntervalMs: scaled(JOB_OPTION_DEFAULTS.pollInitialIntervalMs, 10),
      pollMaxIntervalMs: scaled(JOB_OPTION_DEFAULTS.pollMaxIntervalMs, 10),
    };
    const specs = jobSpecs('webhook-scale', n);
    const jobsClients = sh.starters.map((client) => new JobsClient({ client, taskQueue, resultStore: store }));
    log(
      `${variant.name}: ${n} jobs, run ${runSeconds} s wall (${emulatedMinutes} emulated min, timeScale ${timeScale.toFixed(2)}), worker pid ${pid}, idle RSS ${mb(idleRss)}, ${cfg.startConcurrency} starts in flight over ${sh.starters.length} connections`,
    );

    // Peak concurrency and memory, sampled from outside: runs in progress at the emulator.
    let peakWaiting = 0;
    let rssAtPeakWaiting = 0;
    let started = 0;
    const t0 = Date.now();
    const tick = setInterval(() => {
      const waiting = emulator.interactions().filter((i) => i.status === 'in_progress').length;
      const rss = readRssBytes(pid) ?? 0;
      if (waiting >= peakWaiting) {
        peakWaiting = waiting;
        rssAtPeakWaiting = Math.max(rssAtPeakWaiting, rss);
      }
      log(
        `${variant.name}: started ${started}/${n}, waiting at the emulator ${waiting}, worker RSS ${mb(rss)} (peak ${mb(sampler.usage().peakRssBytes)}; V8 heaps ${threadMemory.describe()}), receiver ${JSON.stringify(handler.stats)}`,
      );
    }, 10_000);
    tick.unref();
    await mapLimit(specs, cfg.startConcurrency, async (spec, i) => {
      await startOne(jobsClients[i % jobsClients.length]!, spec, researchRequest(spec.input), options);
      started++;
    });
    const startMs = Date.now() - t0;
    log(`${variant.name}: all ${n} started in ${(startMs / 1000).toFixed(1)} s (${((n * 1000) / startMs).toFixed(1)} starts/s)`);
    const waited = await waitAllClosed(observer, taskQueue, cfg.timeoutMs, undefined, 2_000);
    clearInterval(tick);
    const wallMs = waited.endedAt - t0;
    const usage = sampler.stop();
    const serverCpu = serverSampler.stop().cpuSeconds;
    const actions = diffActions(await scrapeActions(sh.metricsPort), actions0);
    log(`${variant.name}: ${waited.timedOut ? 'TIMED OUT' : 'all closed'} after ${(wallMs / 1000).toFixed(1)} s; verifying ${n} jobs`);
    await worker.stop().catch(() => undefined);

    const verification = await verifyJobs({ client: observer, store, emulator, specs, streamed: false, concurrency: 32 });
    const lines = await mapLimit(specs, 32, (s) => timeline(observer, s.jobId).catch(() => undefined));
    const results = await mapLimit(specs, 32, (s) =>
      observer.workflow
        .getHandle(s.jobId)
        .result()
        .then((r) => r as JobResult)
        .catch(() => undefined),
    );
    const settledAt = new Map<string, number>();
    for (const info of emulator.interactions()) if (info.settledAtMs !== undefined) settledAt.set(info.id, info.settledAtMs);

    // Stages of the path: run settled → receiver → signal → workflow → collect → job closed.
    const st: Stages = { deliver: [], signal: [], toWorkflow: [], schedule: [], pickUp: [], collect: [], close: [] };
    const lagWebhook: number[] = [];
    const lagBackstop: number[] = [];
    specs.forEach((spec, i) => {
      const r = results[i];
      const t = lines[i];
      const turn = r?.turns[r.turns.length - 1];
      if (!r || !t || !turn?.interactionId) return;
      const end = settledAt.get(turn.interactionId);
      if (end === undefined || t.followCompletedAt === undefined) return;
      const lag = Math.max(0, t.followCompletedAt - end);
      if (turn.settledBy === 'backstop') {
        lagBackstop.push(lag);
        return;
      }
      lagWebhook.push(lag);
      const s = signalled.get(spec.jobId);
      if (s) {
        st.deliver.push(s.arrivedAt - end);
        st.signal.push(s.signalledAt - s.arrivedAt);
        if (t.signalledAt !== undefined) st.toWorkflow.push(t.signalledAt - s.signalStartAt);
      }
      if (t.signalledAt !== undefined && t.followScheduledAt !== undefined) st.schedule.push(t.followScheduledAt - t.signalledAt);
      if (t.followScheduledAt !== undefined && t.followStartedAt !== undefined) st.pickUp.push(t.followStartedAt - t.followScheduledAt);
      if (t.followStartedAt !== undefined) st.collect.push(t.followCompletedAt - t.followStartedAt);
      if (t.closedAt !== undefined) st.close.push(t.closedAt - t.followCompletedAt);
    });
    const all = lagWebhook.concat(lagBackstop);
    const ok = lines.filter((l): l is JobTimeline => l !== undefined);
    const per = (x: number) => x / Math.max(1, ok.length);
    const heartbeats = heartbeatActions(actions);
    const billable = Object.entries(actions)
      .filter(([k]) => !/Poll|RespondWorkflowTask|GetSystemInfo|DescribeNamespace|DescribeWorkflow|GetWorkflowExecutionHistory|CountWorkflow|ListWorkflow|QueryWorkflow/.test(k))
      .reduce((a, [, v]) => a + v, 0);
    const perJobHour = 60 / emulatedMinutes;
    const fmt = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
    const row = (label: string, v: number[]) => {
      const s = stat(v);
      return [label, String(s.n), fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)];
    };
    const summary: Record<string, string> = {
      'jobs completed / report == canonicalReport / duplicate interactions': `${verification.completed} / ${verification.completed - verification.reportMismatch} / ${verification.duplicateInteractions}`,
      'jobs not completed (lost)': String(verification.lost),
      'time to start all jobs, s (starts/s)': `${(startMs / 1000).toFixed(1)} (${((n * 1000) / startMs).toFixed(1)})`,
      'peak runs waiting at once (emulator in_progress)': String(peakWaiting),
      'wall time, first start to all closed, s': (wallMs / 1000).toFixed(1),
      'worker RSS idle / peak / at peak waiting, MB': `${(idleRss / 1048576).toFixed(0)} / ${(usage.peakRssBytes / 1048576).toFixed(0)} / ${(rssAtPeakWaiting / 1048576).toFixed(0)}`,
      'V8 heap peaks by thread of the worker (used / total), MB': threadMemory.describePeaks(),
      'worker RSS above idle per job at peak, KB': ((usage.peakRssBytes - idleRss) / 1024 / n).toFixed(1),
      'worker CPU per job, ms': ((usage.cpuSeconds * 1000) / n).toFixed(1),
      'Temporal server CPU per job, ms': ((serverCpu * 1000) / n).toFixed(1),
      'Temporal actions per job (server count) / of which heartbeats': `${(billable / n).toFixed(1)} / ${(heartbeats / n).toFixed(2)}`,
      [`Temporal actions per job-hour (x ${perJobHour.toFixed(2)})`]: ((billable / n) * perJobHour).toFixed(1),
      'billable events in history per job / history events / backstop checks / timers': `${per(ok.reduce((a, l) => a + l.historyActions, 0)).toFixed(1)} / ${per(ok.reduce((a, l) => a + l.events, 0)).toFixed(1)} / ${per(ok.reduce((a, l) => a + l.checks, 0)).toFixed(2)} / ${per(ok.reduce((a, l) => a + l.timers, 0)).toFixed(2)}`,
      'settled by webhook / by backstop': `${lagWebhook.length} / ${lagBackstop.length}`,
      'job start -> create answered p50 / p99 / max, s': (() => {
        const v = ok.flatMap((l) => (l.startedAt !== undefined && l.createdAt !== undefined ? [l.createdAt - l.startedAt] : []));
        return `${fmt(percentile(v, 50))} / ${fmt(percentile(v, 99))} / ${fmt(percentile(v, 100))}`;
      })(),
      'most signals in flight at the receiver': String(maxSignalsInFlight),
    };
    const text: string[] = [];
    text.push(
      `== ${variant.name}: ${emulatedMinutes} emulated min in ${runSeconds} s wall (timeScale ${timeScale.toFixed(2)}); faults ${faults ? JSON.stringify(deliveryFaults) : `none${lost ? ` (lost ${lost})` : ''}`}`,
    );
    text.push(table([['figure', 'value'], ...Object.entries(summary)]));
    text.push('Completion lag (wall s; run settled at the emulator -> collecting activity completed):');
    text.push(
      table([
        ['stage', 'n', 'p50', 'p90', 'p99', 'max'],
        row('all jobs', all),
        row('settled by webhook', lagWebhook),
        row('settled by backstop (webhook lost)', lagBackstop),
        row(
          `  same, x timeScale (s of a real run)`,
          lagBackstop.map((ms) => ms * timeScale),
        ),
        row('  run settled -> delivery at the receiver', st.deliver),
        row('  receiver: verify + signal RPC', st.signal),
        row('  signal RPC start -> signal in history', st.toWorkflow),
        row('  signal in history -> collect scheduled', st.schedule),
        row('  collect scheduled -> started (worker pick-up)', st.pickUp),
        row('  collect started -> completed (GET + store)', st.collect),
        row('  collect completed -> job closed', st.close),
      ]),
    );
    text.push(`receiver ${JSON.stringify(handler.stats)}; emulator deliveries ${JSON.stringify(emulator.webhookCounters())}`);
    text.push(`server actions by type per job ${JSON.stringify(Object.fromEntries(Object.entries(actions).map(([k, v]) => [k, +(v / n).toFixed(2)])))}`);
    // The job that waited longest between its signal and its collect: what its history shows.
    let slowest: { jobId: string; ms: number } | undefined;
    specs.forEach((spec, i) => {
      const t = lines[i];
      if (t?.signalledAt === undefined || t.followScheduledAt === undefined) return;
      const ms = t.followScheduledAt - t.signalledAt;
      if (!slowest || ms > slowest.ms) slowest = { jobId: spec.jobId, ms };
    });
    if (slowest) {
      const history = await observer.workflow.getHandle(slowest.jobId).fetchHistory();
      const events = history.events ?? [];
      const first = tsToMs(events[0]?.eventTime);
      text.push(
        `slowest signal -> collect (${(slowest.ms / 1000).toFixed(2)} s), ${slowest.jobId}: ` +
          events
            .map(
              (e) =>
                `${((tsToMs(e.eventTime) - first) / 1000).toFixed(2)} ${
                  Object.keys(e)
                    .find((k) => k.endsWith('EventAttributes'))
                    ?.replace('EventAttributes', '') ?? e.eventType
                }`,
            )
            .join(', '),
      );
    }
    for (const p of verification.problems.slice(0, 10)) text.push(`problem: ${p}`);
    const met = verification.lost === 0 && verification.reportMismatch === 0 && usage.peakRssBytes < 1024 ** 3 && (billable / n) * perJobHour <= 30;
    text.push(`Targets (${n} complete with canonical reports, worker RSS < 1 GB, <= 30 actions per job-hour): ${met ? 'MET' : 'NOT MET'}`);
    const json = {
      variant,
      n,
      runSeconds,
      emulatedMinutes,
      timeScale,
      faults: deliveryFaults,
      startMs,
      wallMs,
      peakWaiting,
      idleRss,
      peakRss: usage.peakRssBytes,
      cpuSeconds: usage.cpuSeconds,
      rssAtPeakWaiting,
      heapPeaks: threadMemory.peaks(),
      serverCpu,
      actions,
      verification: { ...verification, checks: undefined },
      stages: Object.fromEntries(Object.entries(st).map(([k, v]) => [k, stat(v)])),
      lagWebhook: stat(lagWebhook),
      lagBackstop: stat(lagBackstop),
      receiver: handler.stats,
      deliveries: emulator.webhookCounters(),
    };
    return { variant, text, summary, lagWebhook, lagBackstop, stages: st, met, json };
  } finally {
    await worker.stop().catch(() => undefined);
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await emulator.close();
    await rm(resultsDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const f = parseFlags(FLAGS, USAGE);
  const n = Math.round(numberFlag(f, 'jobs', 500, 1));
  const runSeconds = numberFlag(f, 'run-seconds', 300, 1);
  const faults = f.faults === true;
  const cfg: Settings = {
    n,
    runSeconds,
    emulatedMinutes: numberFlag(f, 'emulated-minutes', 60, 1),
    startConcurrency: Math.round(numberFlag(f, 'start-concurrency', 200, 1)),
    faults,
    lost: numberFlag(f, 'lost', faults ? 0.01 : 0),
    seed: Math.round(numberFlag(f, 'seed', 1)),
    timeoutMs: numberFlag(f, 'timeout-minutes', (3 * runSeconds) / 60 + 10, 0.1) * 60_000,
  };
  const startConnections = Math.round(numberFlag(f, 'start-connections', 4, 1));
  const maxCached = f['max-cached-workflows'] !== undefined ? Math.round(numberFlag(f, 'max-cached-workflows', 0)) : undefined;
  const variants = parseVariants(f.variants as string | undefined, maxCached);

  const dir = await mkdtemp(join(tmpdir(), 'gj-webhook-scale-'));
  const metricsPort = await freePort();
  const server = await PersistedDevServer.start(undefined, undefined, [
    '--metrics-port',
    String(metricsPort),
    ...SERVER_DYNAMIC_CONFIG.flatMap((v) => ['--dynamic-config-value', v]),
  ]);
  const connect = () => Connection.connect({ address: server.address });
  const observer = new Client({ connection: await connect(), namespace: 'default' });
  const receiverClient = new Client({ connection: await connect(), namespace: 'default' });
  const starters = await Promise.all(Array.from({ length: startConnections }, async () => new Client({ connection: await connect(), namespace: 'default' })));
  const connections = [observer, receiverClient, ...starters].map((c) => c.connection);
  try {
    const bundlePath = join(dir, 'workflows-bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    const sh: Shared = { server, metricsPort, observer, receiverClient, starters, bundlePath, dir };
    const outcomes: PhaseOutcome[] = [];
    process.stdout.write(
      `gemini-jobs webhook-scale bench: ${n} concurrent webhook-mode Deep Research jobs per phase, one worker child, shared 2-core machine (timings are load-dependent; compare phases of one run)\n`,
    );
    // Each phase is printed as soon as it ends (a long run stopped later keeps what it measured).
    for (const v of variants) {
      const o = await runPhase(sh, cfg, v);
      outcomes.push(o);
      process.stdout.write(['', ...o.text].join('\n') + '\n');
    }
    const out: string[] = [];
    if (outcomes.length > 1) {
      const fmt = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : 'n/a');
      const keys: Array<[string, (o: PhaseOutcome) => string]> = [
        ['completion lag p50 / p99 (webhook), s', (o) => `${fmt(percentile(o.lagWebhook, 50))} / ${fmt(percentile(o.lagWebhook, 99))}`],
        ['  signal in history -> collect scheduled p50 / p99, s', (o) => `${fmt(percentile(o.stages.schedule, 50))} / ${fmt(percentile(o.stages.schedule, 99))}`],
        ['  collect completed -> job closed p50 / p99, s', (o) => `${fmt(percentile(o.stages.close, 50))} / ${fmt(percentile(o.stages.close, 99))}`],
        ['  receiver: verify + signal p50 / p99, s', (o) => `${fmt(percentile(o.stages.signal, 50))} / ${fmt(percentile(o.stages.signal, 99))}`],
        ['worker RSS idle / peak, MB', (o) => o.summary['worker RSS idle / peak / at peak waiting, MB']!.split(' / ').slice(0, 2).join(' / ')],
        ['worker CPU per job, ms', (o) => o.summary['worker CPU per job, ms']!],
        ['wall time, s', (o) => o.summary['wall time, first start to all closed, s']!],
      ];
      out.push('', 'Side by side (same server, one after the other):');
      out.push(table([['', ...outcomes.map((o) => o.variant.name)], ...keys.map(([label, get]) => [label, ...outcomes.map(get)])]));
    }
    if (out.length > 0) process.stdout.write(out.join('\n') + '\n');
    if (typeof f['json-out'] === 'string')
      await writeFile(
        f['json-out'],
        JSON.stringify(
          outcomes.map((o) => o.json),
          null,
          2,
        ),
      );
    process.exitCode = outcomes.every((o) => o.met) ? 0 : 1;
  } finally {
    for (const c of connections) await c.close().catch(() => undefined);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runMain(main);
