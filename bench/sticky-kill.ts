/**
 * Kill to next workflow task: how long a job whose worker was SIGKILLed waits before another
 * worker runs its next workflow task, with the SDK's default sticky-queue schedule-to-start
 * timeout (10 s) and with gemini-jobs' default (createJobsWorker), in one run, trials interleaved.
 *
 * Each trial: a webhook-mode Deep Research job waits for its webhook; two worker processes poll
 * the task queue; the one that ran the job's last workflow task (its sticky queue holds the job)
 * is SIGKILLed; the job is then signalled (a cancel, as a webhook's signal would arrive) and the
 * time from the kill to the job's next WorkflowTaskStarted (server time) is measured.
 *
 *   node dist/bench/sticky-kill.js [--trials 5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startEmulator } from '../src/emulator';
import { FileResultStore } from '../src/results/result-store';
import { JobsClient } from '../src/jobs/jobs-client';
import { DEFAULT_STICKY_QUEUE_TIMEOUT_MS } from '../src/worker/create-worker';
import { cancelSignal } from '../workflows/definitions';
import { workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { PersistedDevServer } from './lib/dev-server';
import { DR_AGENT } from './lib/jobs';
import { median, sleep, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';

const KEY = 'sticky-kill-key';
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface Variant {
  name: string;
  /** Passed to the worker; undefined = createJobsWorker's default. */
  stickyMs: number | undefined;
  taskQueue: string;
  workers: WorkerProcess[];
  jobs: JobsClient;
  samples: number[];
}

const ms = (e: HistoryEvent) => {
  const t = e.eventTime!;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
};

/** The job waits: its create is done, its last event is a completed workflow task. Returns that task's worker pid. */
async function waitingOn(handle: WorkflowHandle): Promise<number> {
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const created = events.some((e) => e.activityTaskCompletedEventAttributes);
    let lastTask = events.length - 1;
    while (lastTask >= 0 && !events[lastTask]!.workflowTaskCompletedEventAttributes) lastTask--;
    // Waiting: no workflow task or activity scheduled after the last completed task (only its commands: timers, upserts).
    const idle = lastTask >= 0 && !events.slice(lastTask).some((e) => e.workflowTaskScheduledEventAttributes || e.activityTaskScheduledEventAttributes);
    if (created && idle) {
      const pid = Number(/^(\d+)@/.exec(events[lastTask]!.workflowTaskCompletedEventAttributes!.identity ?? '')?.[1]);
      if (Number.isFinite(pid)) return pid;
    }
    await sleep(100);
  }
}

/** Server time of the first WorkflowTaskStarted after the first signal. */
async function nextTaskAfterSignal(handle: WorkflowHandle): Promise<number> {
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const signal = events.findIndex((e) => e.workflowExecutionSignaledEventAttributes);
    const started = signal >= 0 ? events.slice(signal).find((e) => e.workflowTaskStartedEventAttributes) : undefined;
    if (started) return ms(started);
    await sleep(100);
  }
}

async function trial(v: Variant, n: number, log: (s: string) => void): Promise<void> {
  const { jobId } = await v.jobs.start({ agent: DR_AGENT, input: `sticky kill ${v.name} ${n}`, agent_config: { type: 'deep-research' } } as never, {
    options: { mode: 'webhook', followUpWindowMs: 0 },
  });
  const handle = v.jobs.client.workflow.getHandle(jobId);
  const pid = await waitingOn(handle);
  const victim = v.workers.find((w) => w.pid === pid);
  if (!victim) throw new Error(`no worker with pid ${pid} (workers ${v.workers.map((w) => w.pid).join(', ')})`);
  await victim.kill9();
  const killedAt = Date.now();
  await handle.signal(cancelSignal, { reason: 'sticky-kill bench' });
  const startedAt = await nextTaskAfterSignal(handle);
  v.samples.push(startedAt - killedAt);
  log(`${v.name} trial ${n}: kill -> next workflow task ${((startedAt - killedAt) / 1000).toFixed(2)} s`);
  await handle.result().catch(() => undefined);
  await victim.start();
}

async function main(): Promise<void> {
  const f = parseFlags({ trials: { type: 'string' } }, 'Usage: node dist/bench/sticky-kill.js [--trials 5]');
  const trials = Math.round(numberFlag(f, 'trials', 5, 1));
  const log = (line: string) => process.stderr.write(`[sticky-kill ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const load0 = loadavg();

  const dir = await mkdtemp(join(tmpdir(), 'gj-sticky-'));
  const server = await PersistedDevServer.start(join(dir, 'temporal.sqlite'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  // Real-time runs of 20 minutes: nothing settles during a trial; the cancel ends each job.
  const emulator = await startEmulator({ timeScale: 1, deepResearchDurationMs: 20 * 60_000, apiKey: KEY });
  const variants: Variant[] = [];
  try {
    const bundlePath = join(dir, 'bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    const resultsDir = join(dir, 'results');
    for (const [name, stickyMs] of [
      ['SDK default (10 s)', 10_000],
      [`gemini-jobs default (${DEFAULT_STICKY_QUEUE_TIMEOUT_MS / 1000} s)`, undefined],
    ] as const) {
      const taskQueue = `sticky-${variants.length}-${Date.now().toString(36)}`;
      const workers = [0, 1].map(
        () =>
          new WorkerProcess({
            config: {
              engine: 'jobs-worker',
              address: server.address,
              taskQueue,
              resultsDir,
              bundlePath,
              shutdownGraceMs: 500,
              ...(stickyMs ? { stickyQueueTimeoutMs: stickyMs } : {}),
            },
            env: { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: KEY, GEMINI_JOBS_WEBHOOK_URL: 'http://127.0.0.1:9/unused' },
          }),
      );
      for (const w of workers) await w.start();
      variants.push({ name, stickyMs, taskQueue, workers, jobs: new JobsClient({ client, taskQueue, resultStore: new FileResultStore(resultsDir) }), samples: [] });
    }
    for (let n = 1; n <= trials; n++) for (const v of variants) await trial(v, n, log);
  } finally {
    for (const v of variants) for (const w of v.workers) await w.kill9();
    await emulator.close();
    await connection.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const [before, after] = variants.map((v) => median(v.samples)) as [number, number];
  const rows = [['variant', 'trials', 'p50', 'min', 'max']];
  for (const v of variants) {
    const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
    rows.push([v.name, String(v.samples.length), s(median(v.samples)), s(Math.min(...v.samples)), s(Math.max(...v.samples))]);
  }
  process.stdout.write(`kill -> next workflow task, ${trials} trials per variant, interleaved\n${table(rows)}\n`);
  process.stdout.write(`ratio p50 after / before: ${(after / before).toFixed(2)}\n`);
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
}

runMain(main);
