/**
 * Several worker processes share one task queue; one of them is stopped mid-run and its follow
 * activities must continue on the others. Shared by `test/cluster/many-workers.test.ts` (asserts
 * counts and ordering) and `bench/many-workers.ts` (prints the timings).
 *
 * - `sigkill`: the victim dies with no shutdown at all. The server notices only when the follow
 *   activity's heartbeat timeout passes; the retry then starts on a surviving worker.
 * - `sigterm`: the victim shuts down gracefully. After its grace period its running activities are
 *   cancelled with WORKER_SHUTDOWN and reported as failed by the worker itself (with their last
 *   heartbeat), so the retry is scheduled before the process is gone: no heartbeat timeout wait.
 *
 * Which worker runs an activity comes from the server: `describe().pendingActivities[].lastWorkerIdentity`
 * (the SDK's default identity is `<pid>@<hostname>`).
 */
import { hostname } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmulator } from '../../src/emulator';
import { JobsClient } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import type { JobOptions } from '../../workflows/definitions';
import { workflowBundle } from '../../test/helpers/temporal';
import { jobSpecs, researchRequest, startOne, verifyJobs, waitAllClosed, type Verification } from './jobs';
import { sleep } from './stats';
import { WorkerProcess } from './worker-process';

export interface ManyWorkersOptions {
  /** An existing Temporal server (the cluster of scripts/cluster.mjs). */
  address: string;
  mode: 'sigkill' | 'sigterm';
  jobs: number;
  /** Worker processes on the task queue (the victim is one of them). */
  workers: number;
  heartbeatTimeoutMs: number;
  /** Shutdown grace of every worker (what SIGTERM gives running activities). */
  shutdownGraceMs: number;
  /** Wall duration of one emulated 20-minute Deep Research run, seconds. */
  runSeconds: number;
  /** Stop the victim once every job has applied this many stream events. */
  eventsBeforeStop?: number;
  settleTimeoutMs?: number;
  tag?: string;
  log?: (line: string) => void;
}

export interface Handover {
  jobId: string;
  /** Follow-activity attempt on the victim, and the first attempt seen after the stop. */
  attemptBefore: number;
  attemptAfter: number;
  /** Failure recorded for the victim's attempt: a heartbeat timeout (server-detected) or the worker's own report. */
  lastFailure: 'heartbeat-timeout' | 'worker-reported' | 'none';
  /** The attempt after the stop ran on a surviving worker (not the victim). */
  resumedOnSurvivor: boolean;
  /** Milliseconds from the signal until the next attempt was seen (describe polled every ~100 ms). */
  retryScheduledMs: number;
  /** Milliseconds from the signal until a surviving worker was running it. */
  resumedMs: number;
}

export interface ManyWorkersReport {
  mode: ManyWorkersOptions['mode'];
  workers: number;
  heartbeatTimeoutMs: number;
  shutdownGraceMs: number;
  /** Follow activities per worker (pid) when the victim was stopped. */
  spreadAtStop: Record<string, number>;
  victimPid: number;
  victimJobs: number;
  victimExit: { code: number | null; signal: string | null; ms: number };
  handovers: Handover[];
  /** Jobs not on the victim whose follow attempt changed anyway (should be 0). */
  bystandersDisturbed: number;
  verification: Verification;
  creates: number;
  wallMs: number;
}

interface PendingFollow {
  attempt: number;
  identity: string;
  state: string;
  lastFailure: Handover['lastFailure'];
}

async function pendingFollow(client: Client, jobId: string): Promise<PendingFollow | undefined> {
  const d = await client.workflow.getHandle(jobId).describe();
  const a = d.raw.pendingActivities?.find((p) => p.activityType?.name === 'followInteraction');
  if (!a) return undefined;
  const failure = a.lastFailure;
  const lastFailure: Handover['lastFailure'] = !failure ? 'none' : failure.timeoutFailureInfo ? 'heartbeat-timeout' : 'worker-reported';
  // PENDING_ACTIVITY_STATE_STARTED = 2
  return { attempt: a.attempt ?? 1, identity: a.lastWorkerIdentity ?? '', state: String(a.state), lastFailure };
}

const isStarted = (p: PendingFollow) => p.state === '2' || p.state === 'STARTED' || p.state === 'PENDING_ACTIVITY_STATE_STARTED';

export async function runManyWorkers(opts: ManyWorkersOptions): Promise<ManyWorkersReport> {
  const log = opts.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'gj-many-'));
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, namespace: 'default' });
  const KEY = 'many-workers-key';
  const emulated = 20 * 60_000;
  const emulator = await startEmulator({ timeScale: emulated / (opts.runSeconds * 1000), deepResearchDurationMs: emulated, apiKey: KEY, seed: 11 });
  const taskQueue = `${opts.tag ?? 'many'}-${Date.now().toString(36)}`;
  const resultsDir = join(dir, 'results');
  const store = new FileResultStore(resultsDir);
  const jobs = new JobsClient({ client, taskQueue, resultStore: store });
  const workers: WorkerProcess[] = [];
  try {
    const bundlePath = join(dir, 'workflows-bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    for (let i = 0; i < opts.workers; i++) {
      workers.push(
        new WorkerProcess({
          config: {
            engine: 'jobs-worker',
            address: opts.address,
            taskQueue,
            resultsDir,
            bundlePath,
            maxHeartbeatThrottleMs: 500,
            stickyQueueTimeoutMs: 1_000,
            shutdownGraceMs: opts.shutdownGraceMs,
          },
          env: { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: KEY },
        }),
      );
    }
    await Promise.all(workers.map((w) => w.start()));
    const pidOf = (identity: string) => Number(identity.split('@')[0]);
    const host = hostname();
    log(`${workers.length} workers up (pids ${workers.map((w) => w.pid).join(', ')}) on ${taskQueue}`);

    const specs = jobSpecs(opts.tag ?? 'many', opts.jobs);
    const options: JobOptions = {
      followUpWindowMs: 0,
      heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
      streamIdleTimeoutMs: 5_000,
      pollInitialIntervalMs: 250,
      pollMaxIntervalMs: 1_000,
    };
    const t0 = Date.now();
    await Promise.all(specs.map((spec) => startOne(jobs, spec, researchRequest(spec.input), options)));

    // Every job is streaming on some worker and has applied a few events.
    const minEvents = opts.eventsBeforeStop ?? 10;
    const before = new Map<string, PendingFollow>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      before.clear();
      for (const spec of specs) {
        const [p, state] = await Promise.all([pendingFollow(client, spec.jobId), jobs.state(spec.jobId).catch(() => undefined)]);
        if (p && isStarted(p) && p.identity && (state?.progress?.eventsApplied ?? 0) >= minEvents) before.set(spec.jobId, p);
      }
      if (before.size === specs.length) break;
      if (Date.now() > deadline) throw new Error(`only ${before.size}/${specs.length} jobs streaming with ${minEvents}+ events after 120 s`);
      await sleep(200);
    }
    const spread: Record<string, number> = {};
    for (const p of before.values()) spread[String(pidOf(p.identity))] = (spread[String(pidOf(p.identity))] ?? 0) + 1;
    // The victim: the worker running the most follow activities.
    const victimPid = Number(Object.entries(spread).sort((a, b) => b[1] - a[1])[0]![0]);
    const victim = workers.find((w) => w.pid === victimPid);
    if (!victim) throw new Error(`follow activities run on pid ${victimPid}, which is none of our workers (${host})`);
    const victimJobs = [...before].filter(([, p]) => pidOf(p.identity) === victimPid).map(([id]) => id);
    log(`follow activities per worker pid: ${JSON.stringify(spread)}; stopping ${victimPid} (${opts.mode}) with ${victimJobs.length} of them`);

    const signalAt = Date.now();
    const stopping = opts.mode === 'sigkill' ? victim.kill9() : victim.stop(opts.shutdownGraceMs + 60_000);

    // Watch the victim's jobs until each runs on a survivor (or finishes).
    const handovers = new Map<string, Handover>();
    const watchDeadline = Date.now() + opts.heartbeatTimeoutMs + opts.shutdownGraceMs + 120_000;
    while (Date.now() < watchDeadline) {
      for (const jobId of victimJobs) {
        const prev = before.get(jobId)!;
        const now = await pendingFollow(client, jobId).catch(() => undefined);
        let h = handovers.get(jobId);
        if (!now || now.attempt <= prev.attempt) continue;
        if (!h) {
          h = {
            jobId,
            attemptBefore: prev.attempt,
            attemptAfter: now.attempt,
            lastFailure: now.lastFailure,
            resumedOnSurvivor: false,
            retryScheduledMs: Date.now() - signalAt,
            resumedMs: NaN,
          };
          handovers.set(jobId, h);
        }
        if (isStarted(now) && pidOf(now.identity) !== victimPid && !h.resumedOnSurvivor) {
          h.resumedOnSurvivor = true;
          h.resumedMs = Date.now() - signalAt;
        }
      }
      if ([...handovers.values()].filter((h) => h.resumedOnSurvivor).length === victimJobs.length) break;
      await sleep(100);
    }
    await stopping;
    const exit = victim.lastExit;

    const bystanders = [...before].filter(([id]) => !victimJobs.includes(id));
    let bystandersDisturbed = 0;
    for (const [id, p] of bystanders) {
      const now = await pendingFollow(client, id).catch(() => undefined);
      if (now && now.attempt !== p.attempt) bystandersDisturbed++;
    }
    const waited = await waitAllClosed(client, taskQueue, opts.settleTimeoutMs ?? 180_000);
    const verification = await verifyJobs({ client, store, emulator, specs });
    return {
      mode: opts.mode,
      workers: opts.workers,
      heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
      shutdownGraceMs: opts.shutdownGraceMs,
      spreadAtStop: spread,
      victimPid,
      victimJobs: victimJobs.length,
      victimExit: { code: exit?.code ?? null, signal: exit?.signal ?? null, ms: (exit?.at ?? Date.now()) - signalAt },
      handovers: [...handovers.values()],
      bystandersDisturbed,
      verification,
      creates: emulator.counters().creates,
      wallMs: waited.endedAt - t0,
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    await emulator.close();
    await connection.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
