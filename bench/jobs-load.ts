/**
 * Load bench: N concurrent Deep Research jobs against ONE worker child process, measured alone.
 *
 *   node dist/bench/jobs-load.js --jobs 100 [--mode stream|poll|webhook|both|all|a,b] [--faults] [--run-seconds 180]
 *
 * Starts its own Temporal dev server (sqlite in a temp dir) and emulator, pre-bundles the
 * workflows once, then for each phase (stream, poll; and with --faults the same again with
 * injected faults) starts a fresh emulator and worker child (webhook mode: plus a webhook receiver
 * in this process that the emulator delivers signed webhooks to), starts N jobs at once through
 * JobsClient, waits for all of them and checks every one against the emulator. Prints one table
 * with a column per phase and ratio columns. Flags: --help.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmulator, type Emulator, type FaultRule } from '../src/emulator';
import { JobsClient } from '../src/jobs/jobs-client';
import { WORKER_DEFAULTS } from '../src/worker/run-worker';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookHandler, type WebhookHandler } from '../src/webhooks';
import { diffActions, heartbeatActions, scrapeActions, type ActionCounts } from './lib/actions';
import { freePort } from './lib/dev-server';
import { FileResultStore } from '../src/results/result-store';
import type { JobOptions } from '../workflows/definitions';
import { JOB_OPTION_DEFAULTS } from '../workflows/helpers';
import { workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { PersistedDevServer } from './lib/dev-server';
import { historyFacts, jobSpecs, startJobs, verifyJobs, waitAllClosed, type Verification } from './lib/jobs';
import { LagProbe } from './lib/lag-probe';
import { modelStream } from './lib/flush-model';
import { holdWatchLease, type HeldWatchLease } from '../src/jobs/watch-lease';
import { ProcSampler, readRssBytes } from './lib/proc';
import { mapLimit, mb, median, percentile, seededRandom, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';
import { MEMORY_LOG_SCRIPT, ThreadMemory, type ThreadMemorySample } from './lib/thread-memory';
import { perStreamKb, runStreamFloor, type StreamFloorResult } from './lib/stream-floor';
import { STREAM_TURN_ACTIONS } from './lib/flush-model';
import { flushPolicy } from '../activities/follow/context';

const USAGE = `Usage: node dist/bench/jobs-load.js [options]
  --jobs N                 concurrent jobs (default 100)
  --mode M                 stream, poll, webhook, both (= stream,poll), all (= stream,webhook,poll) or a
                           comma list; phases run one after the other, side by side (default stream)
  --faults                 also run each mode with injected faults (stream cuts, stalls, raw JSON
                           errors, 429 storms with Retry-After, 503 bursts) and compare
  --run-seconds S          wall duration of one emulated Deep Research run (default 180)
  --emulated-minutes M     emulated length of that run (default 20; 60 gives actions per real job-hour)
  --floor                  also run the bare-stream floor (bench/stream-floor.ts) with as many streams, same
                           run shape, and compare the worker's memory per followed job with it
  --seed N                 seed of the emulator content and fault draws (default 1)
  --max-activities N       worker maxConcurrentActivityTaskExecutions (default max(jobs + 20, 200))
  --max-cached-workflows N worker maxCachedWorkflows (default: SDK default)
  --heartbeat-throttle-ms  worker maxHeartbeatThrottleInterval (default: the worker's 5 000 ms heartbeat
                           flush, divided by timeScale unless --wall-clock-options)
  --connections N          sockets of the worker's undici Agent (default unlimited)
  --sample N               jobs whose heartbeats are observed for the lag figures (default 10)
  --watched N              of the sampled jobs, N are watched (the bench holds their watch lease all run):
                           heartbeats per minute watched vs unwatched; lags are of the unwatched ones (default 0)
  --timeout-minutes M      give up waiting for a phase after M minutes (default 3 x run + 5)
  --json-out FILE          also write every figure as JSON
  --wall-clock-options     use the production job timings as they are (heartbeat timeout 40 s, stream idle
                           timeout 60 s, polling 2 s -> 30 s, checkpoint flush 20 s) instead of scaling them by 1/timeScale`;

const FLAGS = {
  jobs: { type: 'string' },
  mode: { type: 'string' },
  faults: { type: 'boolean' },
  'run-seconds': { type: 'string' },
  'emulated-minutes': { type: 'string' },
  floor: { type: 'boolean' },
  seed: { type: 'string' },
  'max-activities': { type: 'string' },
  'max-cached-workflows': { type: 'string' },
  'heartbeat-throttle-ms': { type: 'string' },
  connections: { type: 'string' },
  sample: { type: 'string' },
  watched: { type: 'string' },
  'timeout-minutes': { type: 'string' },
  'json-out': { type: 'string' },
  'wall-clock-options': { type: 'boolean' },
} as const;

const BENCH_KEY = 'bench-emulator-key';
/** Emulated duration of a Deep Research run by default (the emulator's default, 20 minutes). */
const DR_EMULATED_MS = 20 * 60_000;

/** Faults on about 10 % of stream and GET requests plus 10 % of creates (seeded draws). */
const FAULT_RULES: FaultRule[] = [
  { kind: 'cut', route: 'stream', afterEvents: 4, rawError: 'array', probability: 0.03 },
  { kind: 'cut', route: 'stream', afterEvents: 9, rawError: 'object', probability: 0.03 },
  { kind: 'cut', route: 'stream', afterEvents: 15, destroy: true, probability: 0.02 },
  { kind: 'stall', route: 'stream', afterEvents: 6, probability: 0.02 },
  { kind: 'http_error', route: ['get', 'stream'], status: 503, probability: 0.03 },
  { kind: 'http_error', route: ['get', 'stream'], status: 429, retryAfterSeconds: 1, probability: 0.02 },
  { kind: 'http_error', route: 'create', status: 429, retryAfterSeconds: 2, probability: 0.1 },
];

/**
 * The job timings. By default every duration is the production default divided by the emulator's
 * timeScale, so a phase is a uniformly time-compressed run of real 20-minute jobs: request counts
 * and history per job are those of a real run, lags multiply back by timeScale, and event, heartbeat
 * and request RATES are timeScale times the real ones (pessimistic for CPU and memory).
 */
export function jobTimings(timeScale: number, wallClock: boolean): JobOptions {
  if (wallClock) return { followUpWindowMs: 0 };
  const scaled = (ms: number, min: number) => Math.max(min, Math.round(ms / timeScale));
  return {
    followUpWindowMs: 0,
    heartbeatTimeoutMs: scaled(JOB_OPTION_DEFAULTS.heartbeatTimeoutMs, 1_000),
    streamIdleTimeoutMs: scaled(JOB_OPTION_DEFAULTS.streamIdleTimeoutMs, 1_000),
    pollInitialIntervalMs: scaled(JOB_OPTION_DEFAULTS.pollInitialIntervalMs, 10),
    pollMaxIntervalMs: scaled(JOB_OPTION_DEFAULTS.pollMaxIntervalMs, 10),
  };
}

type Mode = 'stream' | 'poll' | 'webhook';

interface PhaseSpec {
  name: string;
  mode: Mode;
  faults: boolean;
}

/**
 * Webhook delivery faults of --faults, as the API documents delivery (at least once, unordered,
 * retried with backoff for up to a day): duplicates, reordering delays, 10 % of attempts lost on
 * the way (retried by the sender on its own, unscaled clock: 5 s, doubling) and 1 % of deliveries
 * never made (only those fall to the backstop).
 */
const WEBHOOK_FAULTS = {
  realTime: true,
  duplicateProbability: 0.1,
  lostAttemptProbability: 0.1,
  dropProbability: 0.01,
  delayMs: [0, 2_000] as [number, number],
  retryInitialMs: 5_000,
};

/** A webhook receiver in this process (the bench's client signals the jobs), on a free port. */
async function startReceiver(client: Client, jwksUrl: string): Promise<{ url: string; handler: WebhookHandler; close: () => Promise<void> }> {
  const handler = createWebhookHandler({ client, jwksUrl });
  const server: Server = createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gemini`;
  return { url, handler, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

interface PhaseResult {
  phase: PhaseSpec;
  timeScale: number;
  options: JobOptions;
  /** Worker maxHeartbeatThrottleInterval (ms), undefined = createJobsWorker's default. */
  heartbeatFlushMs: number | undefined;
  checkpointFlushMs: number | undefined;
  /** Server-side `action` counter diff over the phase, by action type. */
  actions: ActionCounts;
  historyActionsPerJob: number;
  streamsOpenedPerJob: number;
  webhook?: { received: number; signalled: number; duplicates: number; rejected: number; deliveries: Record<string, number> };
  jobs: number;
  timedOut: boolean;
  wallMs: number;
  startMs: number;
  verification: Omit<Verification, 'checks'>;
  worker: {
    idleRssBytes: number;
    peakRssBytes: number;
    /** Median RSS over the middle of the run (30 % to 70 % of a run after the last job started). */
    midRunRssBytes: number;
    cpuSeconds: number;
    starts: number;
    unexpectedExits: number;
    /** Main thread's event-loop delay: the largest 1-second p99 of the run, and the largest delay (ms). */
    loopDelayP99Ms: number;
    loopDelayMaxMs: number;
    /** V8 heap peaks per thread (MB used / total). */
    heaps: string;
  };
  /** Emulated length of a run (minutes). */
  emulatedMinutes: number;
  serverCpuSeconds: number;
  benchCpuSeconds: number;
  heartbeatLagMs: {
    p50: number;
    p99: number;
    max: number;
    events: number;
    sampledJobs: number;
    beatsPerJob: number;
    /** p99 over every event, id-less ones included (covered by the next id'd event's checkpoint). */
    allEventsP99: number;
    /** The same events through the product flusher on a simulated clock (no delays). */
    modelledP50: number;
    modelledP99: number;
    /** Heartbeats per minute of real run, watched and unwatched sampled jobs. */
    beatsPerMinuteUnwatched: number;
    beatsPerMinuteWatched: number;
    watchedJobs: number;
    /** p99 of the lag probe's describe rounds (ms): its resolution in dating heartbeats. */
    describeRoundP99Ms: number;
    /** Where a recorded heartbeat's own event spent its time (ms wall, p50 / p99): bench/lib/lag-probe.ts BeatParts. */
    parts: { deliveryP50: number; deliveryP99: number; waitP50: number; waitP99: number; recordP50: number; recordP99: number; beats: number };
    /** Follow heartbeats per job the product's flusher sends for the sampled jobs' events (simulated clock). */
    modelledBeatsPerJob: number;
    retriedSampledJobs: number;
  };
  completionLagMs: { p50: number; p99: number; max: number };
  requestsPerJob: Record<string, number>;
  statusesPerJob: Record<string, number>;
  faultsFired: Record<string, number>;
  eventsPerJob: number;
  historyEvents: { min: number; median: number; max: number };
  /** Jobs whose activity of that type ran more than one attempt. */
  retriedJobsByActivity: Record<string, number>;
}

function log(line: string): void {
  process.stderr.write(`[jobs-load ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Bursts: every few seconds (seeded) the next `size` GET/stream/create requests all fail with 429 + Retry-After or 503. */
function startStorms(emulator: Emulator, seed: number, everyMs: number, size: number): () => void {
  const rng = seededRandom(seed);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const removers: Array<() => void> = [];
  const next = () => {
    if (stopped) return;
    timer = setTimeout(
      () => {
        const storm = rng() < 0.5;
        const remove = emulator.addFault(
          storm
            ? { kind: 'http_error', route: ['get', 'stream', 'create'], status: 429, retryAfterSeconds: 2, count: size }
            : { kind: 'http_error', route: ['get', 'stream'], status: 503, count: size },
        );
        removers.push(remove);
        setTimeout(remove, 5_000).unref();
        next();
      },
      everyMs * (0.5 + rng()),
    );
    timer.unref();
  };
  next();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const r of removers) r();
  };
}

async function runPhase(
  ctx: { client: Client; server: PersistedDevServer; bundlePath: string; dir: string; seed: number; metricsPort?: number },
  phase: PhaseSpec,
  n: number,
  opts: {
    runSeconds: number;
    emulatedMs: number;
    wallClockOptions: boolean;
    maxActivities: number;
    maxCachedWorkflows?: number;
    heartbeatThrottleMs?: number;
    connections?: number;
    sample: number;
    watched: number;
    timeoutMs: number;
  },
): Promise<PhaseResult> {
  const timeScale = opts.emulatedMs / (opts.runSeconds * 1000);
  const emulator = await startEmulator({
    timeScale,
    deepResearchDurationMs: opts.emulatedMs,
    apiKey: BENCH_KEY,
    seed: ctx.seed,
    ...(phase.faults ? { faults: FAULT_RULES } : {}),
    ...(phase.mode === 'webhook' ? { webhooks: phase.faults ? WEBHOOK_FAULTS : {} } : {}),
  });
  const receiver = phase.mode === 'webhook' ? await startReceiver(ctx.client, `${emulator.url}/.well-known/jwks.json`) : undefined;
  const threadMemory = new ThreadMemory();
  /** The main thread's event-loop delay, one sample a second while jobs run. */
  const loopDelays: Array<{ p99Ms: number; maxMs: number }> = [];
  let running = false;
  const checkpointFlushMs = opts.wallClockOptions ? undefined : Math.max(100, Math.round(WORKER_DEFAULTS.checkpointFlushMs / timeScale));
  // The worker's heartbeat flush interval is a timing too: scaled like the job timings.
  const heartbeatFlushMs = opts.heartbeatThrottleMs ?? (opts.wallClockOptions ? undefined : Math.max(100, Math.round(WORKER_DEFAULTS.heartbeatFlushMs / timeScale)));
  const watchRefreshMs = opts.wallClockOptions ? undefined : Math.max(100, Math.round(WORKER_DEFAULTS.watchRefreshMs / timeScale));
  const taskQueue = `load-${phase.name.replace(/\W+/g, '-')}-${Date.now().toString(36)}`;
  const resultsDir = join(ctx.dir, `results-${phase.name.replace(/\W+/g, '-')}`);
  const store = new FileResultStore(resultsDir);
  const jobs = new JobsClient({ client: ctx.client, taskQueue, resultStore: store });
  const worker = new WorkerProcess({
    config: {
      engine: 'jobs-worker',
      address: ctx.server.address,
      taskQueue,
      resultsDir,
      bundlePath: ctx.bundlePath,
      maxActivities: opts.maxActivities,
      ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
      ...(heartbeatFlushMs !== undefined ? { maxHeartbeatThrottleMs: heartbeatFlushMs, watchedFlushMs: heartbeatFlushMs } : {}),
      ...(checkpointFlushMs !== undefined ? { checkpointFlushMs } : {}),
      ...(watchRefreshMs !== undefined ? { watchRefreshMs } : {}),
      ...(opts.connections ? { connections: opts.connections } : {}),
      shutdownGraceMs: 2_000,
    },
    env: {
      GEMINI_JOBS_BASE_URL: emulator.url,
      GEMINI_API_KEY: BENCH_KEY,
      // Memory by thread and event-loop delay, once a second (bench/lib/memory-log.ts).
      GJ_WORKER_MEMORY_LOG_MS: '1000',
      // glibc's arenas (e.g. MALLOC_ARENA_MAX=2) as the bench's own environment sets them, to compare.
      ...(process.env.GJ_WORKER_MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.GJ_WORKER_MALLOC_ARENA_MAX } : {}),
      ...(process.env.GJ_WORKER_HEAP_SNAPSHOT_DIR ? { GJ_WORKER_HEAP_SNAPSHOT_DIR: process.env.GJ_WORKER_HEAP_SNAPSHOT_DIR } : {}),
      ...(receiver ? { GEMINI_JOBS_WEBHOOK_URL: receiver.url } : {}),
    },
    execArgv: ['--require', MEMORY_LOG_SCRIPT],
    onLine: (line, stream) => {
      if (stream !== 'stderr') return;
      if (line.startsWith('{"memory"')) threadMemory.note((JSON.parse(line) as { memory: ThreadMemorySample }).memory);
      else if (line.startsWith('{"loop"')) {
        const loop = (JSON.parse(line) as { loop: { thread: string; p99Ms: number; maxMs: number } }).loop;
        if (loop.thread === 'main' && running) loopDelays.push(loop);
      } else if (/ERROR|panic|fatal/i.test(line)) log(`worker: ${line.slice(0, 300)}`);
    },
  });
  const sampler = new ProcSampler(500);
  const serverSampler = new ProcSampler(2_000);
  const pid = await worker.start();
  sampler.track(pid);
  await new Promise((r) => setTimeout(r, 1_000));
  const idleRss = readRssBytes(pid) ?? 0;
  if (ctx.server.pid) serverSampler.track(ctx.server.pid);
  const serverCpu0 = serverSampler.usage().cpuSeconds;
  const actions0 = ctx.metricsPort ? await scrapeActions(ctx.metricsPort).catch(() => ({})) : {};
  const benchCpu0 = process.cpuUsage();

  // Same timings in every phase; only `mode` differs.
  const options: JobOptions = { mode: phase.mode, ...jobTimings(timeScale, opts.wallClockOptions) };
  const specs = jobSpecs(`load-${phase.mode}${phase.faults ? '-faults' : ''}`, n);
  // Reading 10,000 emulated runs every 100 ms would cost the bench (and the machine) more than it measures.
  const probe = new LagProbe(emulator, ctx.client, specs, opts.sample, Math.max(100, Math.round(n / 10)));
  // Watched jobs: the bench holds their watch lease (as `gemini-jobs watch` would) for the whole run.
  for (const jobId of probe.sampleJobIds.slice(0, phase.mode === 'stream' ? opts.watched : 0)) probe.watchedJobIds.add(jobId);
  const leases: HeldWatchLease[] = [];
  const stopStorms = phase.faults ? startStorms(emulator, ctx.seed + 7, Math.max(5_000, (opts.runSeconds * 1000) / 4), Math.max(5, Math.round(n / 10))) : () => undefined;
  log(`${phase.name}: starting ${n} jobs (run ≈ ${opts.runSeconds} s wall, timeScale ${timeScale.toFixed(2)}, worker pid ${pid}, idle RSS ${mb(idleRss)})`);
  const t0 = Date.now();
  running = true;
  probe.start();
  // At most 500 starts in flight: 10,000 at once only queue up in the client and time out.
  await startJobs(jobs, specs, options, { concurrency: Math.min(n, 500) });
  for (const jobId of probe.watchedJobIds) leases.push(await holdWatchLease(ctx.client, jobId, { taskQueue, leaseMs: Math.max(1_000, Math.round(120_000 / timeScale)) }));
  const startMs = Date.now() - t0;
  const allStartedAt = Date.now();
  log(`${phase.name}: ${n} jobs started in ${(startMs / 1000).toFixed(1)} s`);
  let lastLog = 0;
  const waited = await waitAllClosed(ctx.client, taskQueue, opts.timeoutMs, (running) => {
    if (Date.now() - lastLog < 10_000) return;
    lastLog = Date.now();
    const u = sampler.usage();
    log(
      `${phase.name}: ${running} running, worker RSS now ${mb(readRssBytes(pid) ?? 0)} (peak ${mb(u.peakRssBytes)}; V8 heaps used/total ${threadMemory.describe()}), CPU ${u.cpuSeconds.toFixed(1)} s, events emitted ${emulator.interactions().reduce((a, i) => a + i.events, 0)}`,
    );
  });
  const wallMs = waited.endedAt - t0;
  running = false;
  for (const lease of leases) await lease.release();
  stopStorms();
  probe.stop();
  const usage = sampler.stop();
  const serverCpu = serverSampler.stop().cpuSeconds - serverCpu0;
  const benchCpu = process.cpuUsage(benchCpu0);
  const counters = emulator.counters();
  const actions = ctx.metricsPort ? diffActions(await scrapeActions(ctx.metricsPort).catch(() => ({})), actions0) : {};
  const webhookStats = receiver ? { ...receiver.handler.stats, deliveries: { ...emulator.webhookCounters() } as unknown as Record<string, number> } : undefined;
  log(`${phase.name}: ${waited.timedOut ? 'TIMED OUT' : 'all closed'} after ${(wallMs / 1000).toFixed(1)} s; verifying ${n} jobs`);

  const verification = await verifyJobs({ client: ctx.client, store, emulator, specs, streamed: phase.mode === 'stream' });
  const facts = await mapLimit(specs, 8, (s) => historyFacts(ctx.client, s.jobId).catch(() => ({ events: 0 })));
  const completedAt = new Map(specs.map((s, i) => [s.jobId, (facts[i] as { followCompletedAt?: number }).followCompletedAt]));
  specs.forEach((s, i) => {
    const scheduled = (facts[i] as { followScheduledAt?: number }).followScheduledAt;
    if (scheduled !== undefined) probe.followStartedAt.set(s.jobId, scheduled);
  });
  // Poll mode checkpoints no event ids: there is no heartbeat lag to measure.
  const hbLags = phase.mode === 'stream' ? probe.heartbeatLags(completedAt) : [];
  const allEventLags = phase.mode === 'stream' ? probe.heartbeatLags(completedAt, 'unwatched', 'all') : [];
  // The product's flush rule at this phase's (scaled) timings: the follow activity's own derivation.
  const hbTimeoutMs = options.heartbeatTimeoutMs ?? JOB_OPTION_DEFAULTS.heartbeatTimeoutMs;
  const derived = flushPolicy(checkpointFlushMs !== undefined ? { checkpointFlushMs } : {}, hbTimeoutMs);
  const policy = { ...derived, watchedFlushMs: derived.flushMs };
  const modelled = phase.mode === 'stream' ? probe.modelledLags(completedAt, policy) : [];
  const parts = phase.mode === 'stream' ? probe.beatParts() : [];
  const partP = (key: 'delivery' | 'wait' | 'record', p: number) =>
    percentile(
      parts.map((x) => x[key]),
      p,
    );
  const doneLags = probe.completionLags(completedAt);
  const historyLengths = facts.map((f) => f.events);
  // Jobs with an activity that needed more than one attempt, by activity type (a heartbeat timeout under load shows here).
  const retried: Record<string, number> = {};
  for (const f of facts)
    for (const [type, attempt] of Object.entries((f as { attempts?: Record<string, number> }).attempts ?? {})) if (attempt > 1) retried[type] = (retried[type] ?? 0) + 1;
  const historyActionsPerJob = facts.reduce((a, f) => a + ((f as { historyActions?: number }).historyActions ?? 0), 0) / n;
  const perJob = (rec: Record<string, number>) => Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, v / n]));
  const emitted = emulator.interactions().reduce((sum, i) => sum + i.events, 0);

  await worker.stop();
  await receiver?.close();
  await emulator.close();
  await rm(resultsDir, { recursive: true, force: true });
  const { checks: _checks, ...v } = verification;
  return {
    phase,
    timeScale,
    options,
    heartbeatFlushMs,
    checkpointFlushMs,
    actions,
    historyActionsPerJob,
    streamsOpenedPerJob: counters.streamsOpened / n,
    ...(webhookStats ? { webhook: webhookStats } : {}),
    jobs: n,
    timedOut: waited.timedOut,
    wallMs,
    startMs,
    verification: v,
    worker: {
      idleRssBytes: idleRss,
      peakRssBytes: usage.peakRssBytes,
      midRunRssBytes: sampler.medianRssBetween(allStartedAt + 0.3 * opts.runSeconds * 1000, allStartedAt + 0.7 * opts.runSeconds * 1000),
      cpuSeconds: usage.cpuSeconds,
      starts: worker.starts,
      unexpectedExits: worker.unexpectedExits,
      loopDelayP99Ms: Math.max(0, ...loopDelays.map((l) => l.p99Ms)),
      loopDelayMaxMs: Math.max(0, ...loopDelays.map((l) => l.maxMs)),
      heaps: threadMemory.describePeaks(),
    },
    emulatedMinutes: opts.emulatedMs / 60_000,
    serverCpuSeconds: serverCpu,
    benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
    heartbeatLagMs: {
      p50: percentile(hbLags, 50),
      p99: percentile(hbLags, 99),
      max: percentile(hbLags, 100),
      events: hbLags.length,
      sampledJobs: probe.sampleJobIds.length,
      beatsPerJob: probe.beatsPerJob('unwatched'),
      allEventsP99: percentile(allEventLags, 99),
      modelledP50: percentile(modelled, 50),
      modelledP99: percentile(modelled, 99),
      beatsPerMinuteUnwatched: probe.beatsPerRealMinute('unwatched', timeScale),
      beatsPerMinuteWatched: probe.beatsPerRealMinute('watched', timeScale),
      watchedJobs: probe.watchedJobIds.size,
      describeRoundP99Ms: probe.roundP99Ms(),
      parts: {
        deliveryP50: partP('delivery', 50),
        deliveryP99: partP('delivery', 99),
        waitP50: partP('wait', 50),
        waitP99: partP('wait', 99),
        recordP50: partP('record', 50),
        recordP99: partP('record', 99),
        beats: parts.length,
      },
      modelledBeatsPerJob: phase.mode === 'stream' ? probe.modelledBeatsPerJob(completedAt, policy) : NaN,
      retriedSampledJobs: probe.retriedJobs(),
    },
    completionLagMs: { p50: percentile(doneLags, 50), p99: percentile(doneLags, 99), max: percentile(doneLags, 100) },
    requestsPerJob: perJob(counters.requests),
    statusesPerJob: perJob(counters.statuses),
    faultsFired: counters.faults,
    eventsPerJob: emitted / n,
    historyEvents: { min: Math.min(...historyLengths), median: median(historyLengths), max: Math.max(...historyLengths) },
    retriedJobsByActivity: retried,
  };
}

/**
 * Server-counted actions that a job causes: every action type except the polls and completions
 * of the worker itself (which Temporal Cloud does not bill) — i.e. starts, heartbeats, timers,
 * signals, updates, activity tasks.
 */
function totalActions(r: PhaseResult): number {
  return Object.entries(r.actions)
    .filter(([k]) => !/Poll|RespondWorkflowTask|GetSystemInfo|DescribeNamespace|DescribeWorkflow|GetWorkflowExecutionHistory|CountWorkflow|ListWorkflow|QueryWorkflow/.test(k))
    .reduce((a, [, v]) => a + v, 0);
}

/** The bare-stream floor beside the stream phase's worker: RSS per followed job against RSS per bare stream, one definition for both. */
function floorReport(r: PhaseResult, floor: StreamFloorResult): string[] {
  const w = r.worker;
  const rows = [
    ['', 'worker (stream phase)', 'bare-stream floor', 'worker / floor'],
    ['idle RSS, MB', fmt(w.idleRssBytes / 1048576, 0), fmt(floor.idleRssBytes / 1048576, 0), fmt(w.idleRssBytes / floor.idleRssBytes)],
    ['peak RSS, MB', fmt(w.peakRssBytes / 1048576, 0), fmt(floor.peakRssBytes / 1048576, 0), ''],
    [
      'RSS above idle per job / stream, KB, at peak',
      fmt(perStreamKb(w.peakRssBytes, w.idleRssBytes, r.jobs), 0),
      fmt(perStreamKb(floor.peakRssBytes, floor.idleRssBytes, floor.streams), 0),
      fmt(perStreamKb(w.peakRssBytes, w.idleRssBytes, r.jobs) / perStreamKb(floor.peakRssBytes, floor.idleRssBytes, floor.streams)),
    ],
    [
      'RSS above idle per job / stream, KB, mid-run median',
      fmt(perStreamKb(w.midRunRssBytes, w.idleRssBytes, r.jobs), 0),
      fmt(perStreamKb(floor.midRunRssBytes, floor.idleRssBytes, floor.streams), 0),
      fmt(perStreamKb(w.midRunRssBytes, w.idleRssBytes, r.jobs) / perStreamKb(floor.midRunRssBytes, floor.idleRssBytes, floor.streams)),
    ],
    ['CPU, s', fmt(w.cpuSeconds, 1), fmt(floor.cpuSeconds, 1), fmt(w.cpuSeconds / floor.cpuSeconds)],
  ];
  return [
    `Bare-stream floor (bench/lib/stream-floor.ts): ${floor.streams} streams of the same runs (${floor.events} events parsed) held by a bare Node process with undici, split + JSON.parse.`,
    `Worker V8 heap peaks by thread, MB used / total: ${w.heaps}.`,
    table(rows),
  ];
}

const PART_LABELS = { delivery: 'emulator write -> worker applied', wait: 'applied -> sent (flush rule)', record: 'sent -> server recorded' } as const;

/** Actions per job the model predicts: the follow heartbeats the flusher sends for the sampled jobs' events, plus the fixed items of a turn. */
function modelledActions(r: PhaseResult): number {
  return r.heartbeatLagMs.modelledBeatsPerJob + Object.values(STREAM_TURN_ACTIONS).reduce((a, b) => a + b, 0);
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function report(results: PhaseResult[], pairs: Array<[number, number, string]>): string {
  const routes = [...new Set(results.flatMap((r) => Object.keys(r.requestsPerJob)))].sort();
  const statuses = [...new Set(results.flatMap((r) => Object.keys(r.statusesPerJob)))].filter((s) => !s.startsWith('2')).sort();
  type Row = { label: string; value: (r: PhaseResult) => number; show: (n: number) => string; ratio?: boolean };
  const rows: Row[] = [
    { label: 'jobs', value: (r) => r.jobs, show: (n) => String(n) },
    { label: 'jobs completed', value: (r) => r.verification.completed, show: (n) => String(n) },
    { label: 'jobs not completed (lost)', value: (r) => r.verification.lost, show: (n) => String(n) },
    { label: 'report == canonicalReport', value: (r) => r.verification.completed - r.verification.reportMismatch, show: (n) => String(n) },
    { label: 'events applied exactly once', value: (r) => (r.phase.mode === 'stream' ? r.verification.eventsExact : NaN), show: (n) => (Number.isFinite(n) ? String(n) : 'n/a') },
    { label: 'stream-verified turns', value: (r) => (r.phase.mode === 'stream' ? r.verification.streamVerified : NaN), show: (n) => (Number.isFinite(n) ? String(n) : 'n/a') },
    { label: 'duplicate interactions', value: (r) => r.verification.duplicateInteractions, show: (n) => String(n) },
    { label: 'wall time, s (start of first job to all closed)', value: (r) => r.wallMs / 1000, show: (n) => fmt(n, 1), ratio: true },
    { label: 'time to start all jobs, s', value: (r) => r.startMs / 1000, show: (n) => fmt(n, 1) },
    { label: 'worker RSS idle, MB', value: (r) => r.worker.idleRssBytes / 1048576, show: (n) => fmt(n, 0) },
    { label: 'worker RSS peak, MB', value: (r) => r.worker.peakRssBytes / 1048576, show: (n) => fmt(n, 0), ratio: true },
    { label: 'worker RSS mid-run median, MB (30-70 % of a run after the last start)', value: (r) => r.worker.midRunRssBytes / 1048576, show: (n) => fmt(n, 0), ratio: true },
    { label: 'worker main thread event-loop delay, largest 1-s p99, ms', value: (r) => r.worker.loopDelayP99Ms, show: (n) => fmt(n, 0) },
    { label: 'worker main thread event-loop delay, max, ms', value: (r) => r.worker.loopDelayMaxMs, show: (n) => fmt(n, 0) },
    { label: 'worker CPU, s', value: (r) => r.worker.cpuSeconds, show: (n) => fmt(n, 1), ratio: true },
    { label: 'worker CPU per job, ms', value: (r) => (r.worker.cpuSeconds * 1000) / r.jobs, show: (n) => fmt(n, 0), ratio: true },
    { label: 'heartbeat lag p50, s wall', value: (r) => r.heartbeatLagMs.p50 / 1000, show: (n) => fmt(n, 2) },
    { label: 'heartbeat lag p99, s wall', value: (r) => r.heartbeatLagMs.p99 / 1000, show: (n) => fmt(n, 2) },
    { label: 'heartbeat lag p50, s of a real run (x timeScale)', value: (r) => (r.heartbeatLagMs.p50 * r.timeScale) / 1000, show: (n) => fmt(n, 1) },
    { label: 'heartbeat lag p99, s of a real run (x timeScale)', value: (r) => (r.heartbeatLagMs.p99 * r.timeScale) / 1000, show: (n) => fmt(n, 1) },
    { label: '  (events measured: those with an event_id, the possible resume points)', value: (r) => r.heartbeatLagMs.events, show: (n) => String(n) },
    {
      label: 'heartbeat lag p99 over ALL events (id-less ones wait for the next id), s of a real run',
      value: (r) => (r.heartbeatLagMs.allEventsP99 * r.timeScale) / 1000,
      show: (n) => fmt(n, 1),
    },
    {
      label: 'heartbeat lag p50, s of a real run, MODELLED (same events, product flusher, no delays)',
      value: (r) => (r.heartbeatLagMs.modelledP50 * r.timeScale) / 1000,
      show: (n) => fmt(n, 1),
    },
    { label: 'heartbeat lag p99, s of a real run, MODELLED', value: (r) => (r.heartbeatLagMs.modelledP99 * r.timeScale) / 1000, show: (n) => fmt(n, 1) },
    { label: 'lag probe describe round p99, ms wall (heartbeat dating resolution)', value: (r) => r.heartbeatLagMs.describeRoundP99Ms, show: (n) => fmt(n, 0) },
    { label: 'sampled jobs whose follow activity was retried (heartbeat timeout, failure)', value: (r) => r.heartbeatLagMs.retriedSampledJobs, show: (n) => String(n) },
    ...(['delivery', 'wait', 'record'] as const).flatMap((part): Row[] =>
      [50, 99].map((p) => ({
        label: `  a recorded beat's event: ${PART_LABELS[part]} p${p}, s of a real run`,
        value: (r: PhaseResult) => (r.heartbeatLagMs.parts[`${part}P${p}` as keyof PhaseResult['heartbeatLagMs']['parts']] * r.timeScale) / 1000,
        show: (n: number) => fmt(n, 1),
      })),
    ),
    { label: 'heartbeats per job-minute of a real run, unwatched', value: (r) => r.heartbeatLagMs.beatsPerMinuteUnwatched, show: (n) => fmt(n, 2) },
    { label: 'heartbeats per job-minute of a real run, watched (watch lease held)', value: (r) => r.heartbeatLagMs.beatsPerMinuteWatched, show: (n) => fmt(n, 2) },
    { label: 'completion lag p50, s wall (run ended -> activity done)', value: (r) => r.completionLagMs.p50 / 1000, show: (n) => fmt(n, 2), ratio: true },
    { label: 'completion lag p99, s wall', value: (r) => r.completionLagMs.p99 / 1000, show: (n) => fmt(n, 2), ratio: true },
    { label: 'completion lag p50, s of a real run (x timeScale)', value: (r) => (r.completionLagMs.p50 * r.timeScale) / 1000, show: (n) => fmt(n, 1), ratio: true },
    { label: 'completion lag p99, s of a real run (x timeScale)', value: (r) => (r.completionLagMs.p99 * r.timeScale) / 1000, show: (n) => fmt(n, 1), ratio: true },
    ...routes.map((route): Row => ({ label: `API requests per job: ${route}`, value: (r) => r.requestsPerJob[route] ?? 0, show: (n) => fmt(n), ratio: true })),
    { label: 'API requests per job: total', value: (r) => Object.values(r.requestsPerJob).reduce((a, b) => a + b, 0), show: (n) => fmt(n), ratio: true },
    ...statuses.map((s): Row => ({ label: `  HTTP ${s} answers per job`, value: (r) => r.statusesPerJob[s] ?? 0, show: (n) => fmt(n) })),
    { label: 'stream events emitted per job', value: (r) => r.eventsPerJob, show: (n) => fmt(n, 1) },
    { label: 'history events per job: min', value: (r) => r.historyEvents.min, show: (n) => String(n) },
    { label: 'history events per job: median', value: (r) => r.historyEvents.median, show: (n) => String(n), ratio: true },
    { label: 'history events per job: max', value: (r) => r.historyEvents.max, show: (n) => String(n) },
    { label: 'worker RSS above idle per job, KB', value: (r) => (r.worker.peakRssBytes - r.worker.idleRssBytes) / 1024 / r.jobs, show: (n) => fmt(n, 0), ratio: true },
    { label: 'worker RSS above idle per job, KB, mid-run', value: (r) => perStreamKb(r.worker.midRunRssBytes, r.worker.idleRssBytes, r.jobs), show: (n) => fmt(n, 0), ratio: true },
    { label: 'Temporal server CPU, s', value: (r) => r.serverCpuSeconds, show: (n) => fmt(n, 1) },
    { label: 'Temporal server CPU per job, ms', value: (r) => (r.serverCpuSeconds * 1000) / r.jobs, show: (n) => fmt(n, 0), ratio: true },
    { label: 'stream opens per job', value: (r) => r.streamsOpenedPerJob, show: (n) => fmt(n) },
    { label: 'Temporal actions per job (server count)', value: (r) => totalActions(r) / r.jobs, show: (n) => fmt(n, 1), ratio: true },
    { label: '  of which heartbeats', value: (r) => heartbeatActions(r.actions) / r.jobs, show: (n) => fmt(n, 1) },
    {
      label: 'Temporal actions per job, MODEL (flusher on the sampled events + STREAM_TURN_ACTIONS)',
      value: (r) => (r.phase.mode === 'stream' ? modelledActions(r) : NaN),
      show: (n) => fmt(n, 1),
    },
    { label: '  model / server count', value: (r) => (r.phase.mode === 'stream' ? modelledActions(r) / (totalActions(r) / r.jobs) : NaN), show: (n) => fmt(n, 3) },
    { label: '  billable events in history per job', value: (r) => r.historyActionsPerJob, show: (n) => fmt(n, 1) },
    {
      label: 'Temporal actions per job-hour (per job x 60 / emulated minutes; fixed costs weigh more below 60)',
      value: (r) => (totalActions(r) / r.jobs) * (60 / r.emulatedMinutes),
      show: (n) => fmt(n, 0),
      ratio: true,
    },
    { label: 'bench + emulator CPU, s', value: (r) => r.benchCpuSeconds, show: (n) => fmt(n, 1) },
  ];
  const header = ['', ...results.map((r) => r.phase.name), ...pairs.map(([, , label]) => label)];
  const body = rows.map((row) => [
    row.label,
    ...results.map((r) => row.show(row.value(r))),
    ...pairs.map(([a, b]) => {
      if (!row.ratio) return '';
      const x = row.value(results[a]!);
      const y = row.value(results[b]!);
      return y === 0 ? (x === 0 ? '1.00' : 'inf') : fmt(x / y);
    }),
  ]);
  return table([header, ...body]);
}

async function main(): Promise<void> {
  const f = parseFlags(FLAGS, USAGE);
  const n = Math.round(numberFlag(f, 'jobs', 100, 1));
  const mode = (f.mode as string | undefined) ?? 'stream';
  const modeList = mode === 'both' ? ['stream', 'poll'] : mode === 'all' ? ['stream', 'webhook', 'poll'] : mode.split(',').map((m) => m.trim());
  if (modeList.length === 0 || !modeList.every((m) => m === 'stream' || m === 'poll' || m === 'webhook')) {
    process.stderr.write(`--mode must be stream, poll, webhook, both, all or a comma list of modes (got ${JSON.stringify(mode)})\n`);
    process.exit(2);
  }
  const runSeconds = numberFlag(f, 'run-seconds', 180, 1);
  const emulatedMs = numberFlag(f, 'emulated-minutes', DR_EMULATED_MS / 60_000, 1) * 60_000;
  const seed = Math.round(numberFlag(f, 'seed', 1));
  const maxActivities = Math.round(numberFlag(f, 'max-activities', Math.max(n + 20, 200), 1));
  const maxCachedWorkflows = f['max-cached-workflows'] !== undefined ? Math.round(numberFlag(f, 'max-cached-workflows', 0)) : undefined;
  const heartbeatThrottleMs = f['heartbeat-throttle-ms'] !== undefined ? numberFlag(f, 'heartbeat-throttle-ms', 0, 1) : undefined;
  const connections = f.connections !== undefined ? Math.round(numberFlag(f, 'connections', 0, 1)) : undefined;
  const sample = Math.round(numberFlag(f, 'sample', 10, 1));
  const watched = Math.min(sample, Math.round(numberFlag(f, 'watched', 0, 0)));
  const wallClockOptions = f['wall-clock-options'] === true;
  const timeoutMs = numberFlag(f, 'timeout-minutes', (3 * runSeconds) / 60 + 5, 0.1) * 60_000;

  const modes = modeList as Mode[];
  const phases: PhaseSpec[] = modes.map((m) => ({ name: m, mode: m, faults: false }));
  if (f.faults) phases.push(...modes.map((m) => ({ name: `${m}+faults`, mode: m, faults: true })));

  const dir = await mkdtemp(join(tmpdir(), 'gj-load-'));
  const metricsPort = await freePort();
  const server = await PersistedDevServer.start(join(dir, 'temporal.sqlite'), undefined, ['--metrics-port', String(metricsPort)]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  try {
    const bundle = await workflowBundle();
    const bundlePath = join(dir, 'workflows-bundle.js');
    await writeFile(bundlePath, bundle.code);
    log(`Temporal dev server ${server.address}; phases: ${phases.map((p) => p.name).join(', ')}; ${n} jobs each`);

    const results: PhaseResult[] = [];
    for (const phase of phases) {
      results.push(
        await runPhase({ client, server, bundlePath, dir, seed, metricsPort }, phase, n, {
          runSeconds,
          emulatedMs,
          wallClockOptions,
          maxActivities,
          ...(maxCachedWorkflows !== undefined ? { maxCachedWorkflows } : {}),
          ...(heartbeatThrottleMs !== undefined ? { heartbeatThrottleMs } : {}),
          ...(connections !== undefined ? { connections } : {}),
          sample,
          watched,
          timeoutMs,
        }),
      );
    }

    const pairs: Array<[number, number, string]> = [];
    const idx = (name: string) => results.findIndex((r) => r.phase.name === name);
    if (idx('stream') >= 0 && idx('poll') >= 0) pairs.push([idx('stream'), idx('poll'), 'stream/poll']);
    if (idx('webhook') >= 0 && idx('stream') >= 0) pairs.push([idx('webhook'), idx('stream'), 'webhook/stream']);
    for (const m of modes) if (idx(`${m}+faults`) >= 0) pairs.push([idx(`${m}+faults`), idx(m), `${m} faults/base`]);

    const streamRun = results.find((r) => r.phase.name === 'stream');
    const out: string[] = [];
    out.push(`gemini-jobs load bench: ${n} concurrent Deep Research jobs, one worker child process, 2-core machine`);
    out.push(
      `Emulated run: ${emulatedMs / 60_000} min at timeScale ${(emulatedMs / (runSeconds * 1000)).toFixed(2)} = ${runSeconds} s wall. Worker: maxConcurrentActivityTaskExecutions ${maxActivities}` +
        `${maxCachedWorkflows !== undefined ? `, maxCachedWorkflows ${maxCachedWorkflows}` : ''}${heartbeatThrottleMs ? `, maxHeartbeatThrottleInterval ${heartbeatThrottleMs} ms` : ''}${connections ? `, undici connections ${connections}` : ''}.`,
    );
    const t = results[0]!.options;
    out.push(
      wallClockOptions
        ? 'Job timings: production defaults as they are (heartbeatTimeout 40 s, streamIdleTimeout 60 s, polling 2 s -> 30 s, checkpoint flush 20 s), followUpWindow 0.'
        : `Job timings: production defaults / timeScale, i.e. a time-compressed real run: heartbeatTimeout ${t.heartbeatTimeoutMs} ms, ` +
            `worker checkpoint flush ${results[0]!.checkpointFlushMs} ms (${WORKER_DEFAULTS.checkpointFlushMs} ms / timeScale; ${results[0]!.heartbeatFlushMs} ms while watched), ` +
            `streamIdleTimeout ${t.streamIdleTimeoutMs} ms, polling ${t.pollInitialIntervalMs} -> ${t.pollMaxIntervalMs} ms, followUpWindow 0. Request and history counts per job are a real run's; rates are timeScale x real.`,
    );
    // The product's own policy at the job and worker defaults (activities/follow/context.ts).
    const model = modelStream(flushPolicy({ checkpointFlushMs: WORKER_DEFAULTS.checkpointFlushMs }, JOB_OPTION_DEFAULTS.heartbeatTimeoutMs));
    out.push(
      `Model at real time scale (bench/lib/flush-model.ts, the product's flusher, 20 emulated 60-minute runs): ${model.heartbeatsPerRun.toFixed(0)} heartbeats/run, ` +
        `${model.actionsPerJobHour.toFixed(0)} actions per job-hour, resume lag p50 ${model.lagP50s.toFixed(1)} s / p99 ${model.lagP99s.toFixed(1)} s.`,
    );
    out.push('');
    out.push(report(results, pairs));
    out.push('');
    out.push('How the lags are measured (no hook inside the worker):');
    out.push('  heartbeat lag  = time the server recorded the heartbeat whose lastEventId covers an event (describe().pendingActivities');
    out.push(`                   lastHeartbeatTime, polled every 0.25 s on ${sample} sampled jobs) minus the time the emulator emitted that event`);
    out.push('                   (its event count read every 0.1 s, in this process); events after the last heartbeat count at the');
    out.push('                   ActivityTaskCompleted time. It is how much stream a SIGKILLed worker would replay. Stream mode only.');
    out.push('  completion lag = ActivityTaskCompleted of followInteraction (history) minus when the emulator run reached its terminal status.');
    out.push('  "of a real run" multiplies by timeScale; it does not apply to delays that are not scaled (Temporal activity retry');
    out.push('                   backoff, Retry-After, and in webhook mode the delivery -> signal -> collect path, whose wall-clock');
    out.push('                   lag is the real one).');
    out.push("  actions        = the Temporal server's own `action` counter (Prometheus), diffed over the phase, without worker polls;");
    out.push('                   per job-hour = per job x 60 / emulated minutes: below 60 the fixed costs of a turn weigh more, so');
    out.push('                   measure job-hours with --emulated-minutes 60 (`node dist/bench/actions-model.js` models them).');
    out.push("  lag parts      = for each heartbeat the probe saw, its own event's emulator write -> the worker's lastEventAt (applied)");
    out.push("                   -> the checkpoint's `at` (sent) -> the server's lastHeartbeatTime (recorded); one machine, one clock.");
    for (const r of results) {
      const byStatus = Object.entries(r.verification.byStatus)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      out.push(
        `${r.phase.name}: statuses ${byStatus}${r.timedOut ? ' (TIMED OUT waiting)' : ''}; faults fired ${JSON.stringify(r.faultsFired)}; worker starts ${r.worker.starts}, unexpected exits ${r.worker.unexpectedExits}; jobs with a retried activity ${JSON.stringify(r.retriedJobsByActivity)}`,
      );
      for (const p of r.verification.problems.slice(0, 10)) out.push(`  problem: ${p}`);
      if (r.verification.problems.length > 10) out.push(`  … ${r.verification.problems.length - 10} more problems`);
    }
    for (const r of results.filter((x) => x.webhook)) {
      out.push(
        `${r.phase.name}: receiver ${JSON.stringify({ received: r.webhook!.received, signalled: r.webhook!.signalled, duplicates: r.webhook!.duplicates, rejected: r.webhook!.rejected })}; emulator deliveries ${JSON.stringify(r.webhook!.deliveries)}`,
      );
    }
    for (const r of results)
      out.push(`${r.phase.name}: server actions by type per job ${JSON.stringify(Object.fromEntries(Object.entries(r.actions).map(([k, v]) => [k, +(v / r.jobs).toFixed(2)])))}`);
    const webhookRun = results.find((r) => r.phase.name === 'webhook');
    if (webhookRun) {
      const ok = webhookRun.worker.peakRssBytes < 1024 ** 3 && webhookRun.verification.lost === 0;
      out.push(
        `Target (${n} concurrent webhook-mode jobs complete, worker RSS < 1 GB): ${ok ? 'MET' : 'NOT MET'} (peak ${mb(webhookRun.worker.peakRssBytes)}, lost ${webhookRun.verification.lost})`,
      );
    }
    if (streamRun) {
      const ok = streamRun.worker.peakRssBytes < 1024 ** 3 && streamRun.verification.lost === 0;
      out.push(
        `Target (${n} concurrent streaming jobs complete, worker RSS < 1 GB): ${ok ? 'MET' : 'NOT MET'} (peak ${mb(streamRun.worker.peakRssBytes)}, lost ${streamRun.verification.lost})`,
      );
    }
    for (const r of results.filter((x) => x.phase.faults)) {
      out.push(
        `${r.phase.name}: every job ended right: ${r.verification.lost === 0 && r.verification.reportMismatch === 0 && r.verification.duplicateInteractions === 0 ? 'YES' : 'NO'}`,
      );
    }
    if (f.floor && streamRun) out.push('', ...floorReport(streamRun, await runStreamFloor({ streams: n, runSeconds, emulatedMs, seed })));
    process.stdout.write(out.join('\n') + '\n');
    if (typeof f['json-out'] === 'string') await writeFile(f['json-out'], JSON.stringify({ n, runSeconds, maxActivities, results }, null, 2));
    const bad = results.some((r) => r.verification.lost > 0 || r.verification.reportMismatch > 0 || r.verification.duplicateInteractions > 0);
    process.exitCode = bad ? 1 : 0;
  } finally {
    await connection.close().catch(() => undefined);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runMain(main);
