/**
 * The chaos run shared by `bench/chaos.ts` and `test/proof/chaos.test.ts`: M Deep Research jobs
 * while the worker child is SIGKILLed at seeded random moments and restarted at once, optionally
 * with a restart of the (sqlite-persisted) Temporal dev server in the middle. Afterwards EVERY job
 * is checked against the emulator: completed, report byte-identical to `canonicalReport`, stream
 * events applied exactly once (`TurnRecord.eventsApplied` vs events the emulator emitted), and
 * exactly one interaction created (interactions grouped by the job's unique input text).
 */
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmulator } from '../../src/emulator';
import { JobsClient } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import type { JobOptions } from '../../workflows/definitions';
import { workflowBundle } from '../../test/helpers/temporal';
import { PersistedDevServer } from './dev-server';
import { jobSpecs, startOne, researchRequest, verifyJobs, waitAllClosed, type JobCheck } from './jobs';
import { ProcSampler } from './proc';
import { seededRandom, sleep } from './stats';
import { WorkerProcess } from './worker-process';

export interface ChaosOptions {
  jobs: number;
  /** SIGKILLs to deliver, at least (kills of an already-dead child are not counted). */
  kills: number;
  seed?: number;
  /** Wall duration of one emulated 20-minute Deep Research run, in seconds. */
  runSeconds: number;
  /** Mean time between kills in ms; each gap is uniform in [0.25, 1.75] × mean, so some kills land during startup. */
  meanKillGapMs: number;
  /** Start jobs over this many ms (default 0: all at once). */
  startSpreadMs?: number;
  /**
   * When false, kills begin only once every job has its interaction, so they hit the follow
   * activity only (the create's documented duplicate window is then out of reach). Default true.
   */
  killDuringCreates?: boolean;
  /** Use this server (no restart possible); default: a private dev server persisted to sqlite. */
  address?: string;
  /** Use this server and restart it through `restart()` (e.g. the PostgreSQL cluster of scripts/cluster.mjs). */
  server?: RestartableServer;
  /** Kill and restart the server after half the kills (needs no `address`). Default true without `address`. */
  serverRestart?: boolean;
  /** Give up waiting for the jobs this long after the last kill (ms). */
  settleTimeoutMs?: number;
  /** Job options (defaults: fast dead-worker detection, see CHAOS_JOB_OPTIONS). */
  jobOptions?: JobOptions;
  log?: (line: string) => void;
  /** Prefix of job ids and input texts. */
  tag?: string;
  /** Append every worker output line (JSON logs of all incarnations) to this file. */
  workerLogFile?: string;
}

/** A Temporal server the run may kill and start again (same address, same data). */
export interface RestartableServer {
  readonly address: string;
  readonly restarts: number;
  restart(): Promise<void>;
  /** Stops the server when the run owns it (a private dev server); a no-op for a shared cluster. */
  stop(): Promise<void>;
}

/** Fast dead-worker detection: a 3 s heartbeat timeout (the default 30 s would stall every job ~30 s per kill). */
export const CHAOS_JOB_OPTIONS: JobOptions = {
  followUpWindowMs: 0,
  heartbeatTimeoutMs: 3_000,
  streamIdleTimeoutMs: 5_000,
  pollInitialIntervalMs: 250,
  pollMaxIntervalMs: 1_000,
};

export interface ChaosReport {
  jobs: number;
  completed: number;
  byStatus: Record<string, number>;
  /** Jobs that did not end `completed` (or never ended). */
  lost: number;
  /** Completed jobs whose report is not byte-identical to the canonical one. */
  reportMismatch: number;
  /** Jobs whose events were applied more than once / fewer than emitted. */
  eventsDuplicated: number;
  eventsMissing: number;
  /** Interactions beyond one per job. */
  duplicateInteractions: number;
  missingInteractions: number;
  orphanInteractions: number;
  kills: number;
  workerStarts: number;
  unexpectedWorkerExits: number;
  serverRestarts: number;
  wallMs: number;
  settleTimedOut: boolean;
  /** Follow stream requests per job (each resume after a kill is one). */
  streamRequestsPerJob: number;
  workerCpuSeconds: number;
  workerPeakRssBytes: number;
  problems: string[];
  /** For each job with more than one interaction: when they were created relative to the nearest kill. */
  duplicateDetails: string[];
  checks: JobCheck[];
}

/** When each duplicate's interactions were created, relative to the worker kills and the server restart. */
function explainDuplicates(checks: JobCheck[], created: Map<string, number>, kills: number[], serverRestartAt: number | undefined): string[] {
  const out: string[] = [];
  for (const c of checks.filter((x) => x.interactionIds.length > 1)) {
    const times = c.interactionIds.map((id) => created.get(id) ?? NaN);
    const first = times[0]!;
    const nextKill = kills.find((k) => k >= first - 50);
    const parts = [
      `${c.jobId}: ${c.interactionIds.length} creates at +0 ms, ${times
        .slice(1)
        .map((t) => `+${Math.round(t - first)} ms`)
        .join(', ')}`,
    ];
    parts.push(nextKill !== undefined ? `worker SIGKILL ${Math.round(nextKill - first)} ms after the first create` : 'no worker kill after the first create');
    if (serverRestartAt !== undefined) parts.push(`server restart ${Math.round(serverRestartAt - first)} ms after it`);
    out.push(parts.join('; '));
  }
  return out;
}

/** True when nothing was lost, duplicated or missing. */
export function chaosClean(r: ChaosReport): boolean {
  return (
    r.lost === 0 &&
    r.reportMismatch === 0 &&
    r.eventsDuplicated === 0 &&
    r.eventsMissing === 0 &&
    r.duplicateInteractions === 0 &&
    r.missingInteractions === 0 &&
    r.orphanInteractions === 0
  );
}

const KEY = 'chaos-emulator-key';
const DR_EMULATED_MS = 20 * 60_000;

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  const rng = seededRandom(opts.seed ?? 1);
  const dir = await mkdtemp(join(tmpdir(), 'gj-chaos-'));
  const server: RestartableServer | undefined = opts.server ?? (opts.address ? undefined : await PersistedDevServer.start(join(dir, 'temporal.sqlite')));
  const address = opts.address ?? server!.address;
  const restartServer = !!server && opts.serverRestart !== false;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const emulator = await startEmulator({ timeScale: DR_EMULATED_MS / (opts.runSeconds * 1000), deepResearchDurationMs: DR_EMULATED_MS, apiKey: KEY, seed: opts.seed ?? 1 });
  const taskQueue = `chaos-${Date.now().toString(36)}-${Math.floor(rng() * 1e6)}`;
  const resultsDir = join(dir, 'results');
  const store = new FileResultStore(resultsDir);
  const jobs = new JobsClient({ client, taskQueue, resultStore: store });
  const sampler = new ProcSampler(500);
  let stopping = false;
  let worker: WorkerProcess | undefined;
  try {
    const bundlePath = join(dir, 'workflows-bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    worker = new WorkerProcess({
      config: {
        engine: 'jobs-worker',
        address,
        taskQueue,
        resultsDir,
        bundlePath,
        maxActivities: Math.max(200, opts.jobs + 20),
        // Checkpoints reach the server at least every 0.5 s; tasks of a dead worker's sticky
        // queue move to the normal queue after 1 s.
        maxHeartbeatThrottleMs: 500,
        stickyQueueTimeoutMs: 1_000,
        shutdownGraceMs: 500,
        log: true,
      },
      env: { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: KEY },
      ...(opts.workerLogFile ? { onLine: (line: string) => appendFileSync(opts.workerLogFile!, `${new Date().toISOString()} ${line}\n`) } : {}),
      onUnexpectedExit: (code, signal) => {
        if (stopping) return;
        if (worker!.unexpectedExits > opts.kills + 20) {
          log(`worker exited on its own (code ${code}, signal ${signal}) too often; not restarting it again`);
          return;
        }
        log(`worker exited on its own (code ${code}, signal ${signal}); restarting: ${worker!.output.slice(-3).join(' | ').slice(0, 400)}`);
        sampler.track(worker!.spawn().pid);
      },
    });
    sampler.track(await worker.start());

    const specs = jobSpecs(opts.tag ?? 'chaos', opts.jobs);
    const options = { ...CHAOS_JOB_OPTIONS, ...opts.jobOptions };
    const t0 = Date.now();
    const spread = opts.startSpreadMs ?? 0;
    const starting = Promise.all(
      specs.map(async (spec, i) => {
        if (spread > 0) await sleep((i / specs.length) * spread);
        await startOne(jobs, spec, researchRequest(spec.input), options, 180_000);
      }),
    );
    starting.catch(() => undefined);
    if (opts.killDuringCreates === false) {
      await starting;
      // Recorded by the workflow (the create activity's completion reached Temporal), not just
      // answered by the emulator: only then is a kill unable to cause a second create.
      const deadline = Date.now() + 60_000;
      for (const spec of specs) {
        for (;;) {
          const state = await jobs.state(spec.jobId).catch(() => undefined);
          if (state?.interactionId) break;
          if (Date.now() > deadline) throw new Error(`${spec.jobId} did not record its interaction within 60 s`);
          await sleep(100);
        }
      }
      log(`all ${specs.length} interactions created and recorded; killing from now on`);
    }

    const restartAt = Math.floor(opts.kills / 2);
    let serverRestarted = false;
    let serverRestartAt: number | undefined;
    const killTimes: number[] = [];
    let guard = 0;
    while (worker.kills < opts.kills && guard++ < opts.kills * 3) {
      await sleep(opts.meanKillGapMs * (0.25 + 1.5 * rng()));
      if (restartServer && !serverRestarted && worker.kills >= restartAt) {
        serverRestarted = true;
        serverRestartAt = Date.now();
        log(`restarting the Temporal server (kill -9, same ports and database) after ${worker.kills} worker kills`);
        const t = Date.now();
        await server!.restart();
        log(`server back in ${Date.now() - t} ms`);
      }
      sampler.sample();
      if (opts.workerLogFile) appendFileSync(opts.workerLogFile, `${new Date().toISOString()} ---- SIGKILL ${worker.kills + 1} (pid ${worker.pid})\n`);
      killTimes.push(Date.now());
      await worker.kill9();
      sampler.track(worker.spawn().pid);
      if (worker.kills % 10 === 0) log(`${worker.kills} kills`);
    }
    log(`${worker.kills} kills done at ${((Date.now() - t0) / 1000).toFixed(1)} s; waiting for the jobs`);
    await starting;
    if (!worker.alive) sampler.track(worker.spawn().pid);
    const waited = await waitAllClosed(client, taskQueue, opts.settleTimeoutMs ?? 5 * 60_000);
    const wallMs = waited.endedAt - t0;
    log(`jobs settled (${waited.timedOut ? 'TIMED OUT' : 'all closed'}) at ${(wallMs / 1000).toFixed(1)} s; verifying`);

    const v = await verifyJobs({ client, store, emulator, specs });
    const usage = sampler.stop();
    const streams = emulator.counters().requests['stream'] ?? 0;
    const created = new Map(emulator.interactions().map((i) => [i.id, Date.parse(i.created)]));
    return {
      jobs: specs.length,
      completed: v.completed,
      byStatus: v.byStatus,
      lost: v.lost,
      reportMismatch: v.reportMismatch,
      eventsDuplicated: v.eventsDuplicated,
      eventsMissing: v.eventsMissing,
      duplicateInteractions: v.duplicateInteractions,
      missingInteractions: v.missingInteractions,
      orphanInteractions: v.orphanInteractions,
      kills: worker.kills,
      workerStarts: worker.starts,
      unexpectedWorkerExits: worker.unexpectedExits,
      serverRestarts: server?.restarts ?? 0,
      wallMs,
      settleTimedOut: waited.timedOut,
      streamRequestsPerJob: streams / specs.length,
      workerCpuSeconds: usage.cpuSeconds,
      workerPeakRssBytes: usage.peakRssBytes,
      problems: v.problems,
      duplicateDetails: explainDuplicates(v.checks, created, killTimes, serverRestartAt),
      checks: v.checks,
    };
  } finally {
    stopping = true;
    sampler.stop();
    await worker?.stop(5_000);
    await emulator.close();
    await connection.close().catch(() => undefined);
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The report as printable lines. */
export function formatChaosReport(r: ChaosReport): string[] {
  const lines = [
    `jobs ${r.jobs}: completed ${r.completed}; statuses ${JSON.stringify(r.byStatus)}`,
    `lost jobs (not completed)            ${r.lost}`,
    `report not byte-identical            ${r.reportMismatch}`,
    `events applied twice (duplicated)    ${r.eventsDuplicated}`,
    `events missing                       ${r.eventsMissing}`,
    `duplicate interactions               ${r.duplicateInteractions}`,
    `jobs without an interaction          ${r.missingInteractions}`,
    `interactions matching no job         ${r.orphanInteractions}`,
    `worker SIGKILLs ${r.kills}, worker starts ${r.workerStarts}, unexpected worker exits ${r.unexpectedWorkerExits}, server restarts ${r.serverRestarts}`,
    `wall time ${(r.wallMs / 1000).toFixed(1)} s${r.settleTimedOut ? ' (TIMED OUT waiting for jobs)' : ''}; stream requests per job ${r.streamRequestsPerJob.toFixed(1)}; worker CPU ${r.workerCpuSeconds.toFixed(1)} s over all incarnations, peak RSS ${(r.workerPeakRssBytes / 1048576).toFixed(0)} MB`,
  ];
  for (const d of r.duplicateDetails) lines.push(`duplicate: ${d}`);
  for (const p of r.problems.slice(0, 20)) lines.push(`problem: ${p}`);
  if (r.problems.length > 20) lines.push(`… ${r.problems.length - 20} more problems`);
  return lines;
}
