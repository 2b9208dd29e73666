/**
 * Batches under faults: one N-question Deep Research batch on the emulator, its worker (a child
 * process, admission control on) SIGKILLed twice and then replaced by a rolling deploy (a second
 * worker started, the first stopped with SIGTERM), all while items run. Then K single jobs on the
 * same server, for Temporal actions per job. Prints: items completed with the emulator's report,
 * the key's peak concurrent runs vs the quota, duplicate interactions, wall time, worker peak RSS,
 * Temporal actions per item vs per single job, and the batch's history (runs, events, bytes).
 *
 *   node dist/bench/batch.js [--items 1000] [--window 50] [--quota 20] [--run-seconds 10]
 *                            [--continue-as-new-every 100] [--singles 20]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startEmulator } from '../src/emulator';
import { FileResultStore } from '../src/results/result-store';
import { JobsClient } from '../src/jobs/jobs-client';
import { batchWorkflowId, type BatchState, type JobRequest } from '../src/contract';
import { workflowBundle } from '../test/helpers/temporal';
import { diffActions, scrapeActions, type ActionCounts } from './lib/actions';
import { numberFlag, parseFlags } from './lib/args';
import { freePort, PersistedDevServer } from './lib/dev-server';
import { DR_AGENT } from './lib/jobs';
import { mb, sleep, table } from './lib/stats';
import { readRssBytes } from './lib/proc';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';

const KEY = 'batch-bench-key';

function rssOf(pid: number | undefined): number {
  return pid ? (readRssBytes(pid) ?? 0) : 0;
}

const total = (a: ActionCounts) => Object.values(a).reduce((s, v) => s + v, 0);

async function main(): Promise<void> {
  const usage = 'Usage: node dist/bench/batch.js [--items 1000] [--window 50] [--quota 20] [--run-seconds 10] [--continue-as-new-every 100] [--singles 20]';
  const f = parseFlags(
    {
      items: { type: 'string' },
      window: { type: 'string' },
      quota: { type: 'string' },
      'run-seconds': { type: 'string' },
      'continue-as-new-every': { type: 'string' },
      singles: { type: 'string' },
    },
    usage,
  );
  const n = Math.round(numberFlag(f, 'items', 1000, 1));
  const window = Math.round(numberFlag(f, 'window', 50, 1));
  const quota = Math.round(numberFlag(f, 'quota', 20, 1));
  const runSeconds = numberFlag(f, 'run-seconds', 10, 1);
  const canEvery = Math.round(numberFlag(f, 'continue-as-new-every', 100, 1));
  const singles = Math.round(numberFlag(f, 'singles', 20, 0));
  const log = (line: string) => process.stderr.write(`[batch ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  const dir = await mkdtemp(join(tmpdir(), 'gj-batch-bench-'));
  const metricsPort = await freePort();
  const server = await PersistedDevServer.start(join(dir, 'temporal.sqlite'), undefined, ['--metrics-port', String(metricsPort)]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  // A 20-minute Deep Research run takes `runSeconds` of real time; the emulator's key quota is the
  // ground truth for concurrency (it counts runs in flight per key).
  const emulator = await startEmulator({
    timeScale: (20 * 60) / runSeconds,
    deepResearchDurationMs: 20 * 60_000,
    apiKey: KEY,
    keyQuota: { maxConcurrent: quota, createsPerWindow: 100_000, windowMs: 60_000, retryAfterSeconds: 1 },
  });
  try {
    const bundlePath = join(dir, 'bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    const taskQueue = `batch-${Date.now().toString(36)}`;
    const resultsDir = join(dir, 'results');
    const jobs = new JobsClient({ client, taskQueue, resultStore: new FileResultStore(resultsDir) });
    const workerEnv = {
      GEMINI_JOBS_BASE_URL: emulator.url,
      GEMINI_API_KEY: KEY,
      GEMINI_JOBS_ADMISSION: 'agents',
      GEMINI_JOBS_ADMISSION_CONCURRENCY: String(quota),
      GEMINI_JOBS_ADMISSION_RATE: '100000',
    };
    const newWorker = () =>
      new WorkerProcess({ config: { engine: 'run-worker', address: server.address, taskQueue, resultsDir, bundlePath, shutdownGraceMs: 5_000 }, env: workerEnv });
    const a = newWorker();
    const b = newWorker();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(a.alive ? a.pid : undefined), rssOf(b.alive ? b.pid : undefined))), 250);
    await a.start(120_000);

    const items: JobRequest[] = Array.from({ length: n }, (_, i) => ({ agent: DR_AGENT, input: `Company profile ${i + 1}: products, customers, competitors` }) as JobRequest);
    const actions0 = await scrapeActions(metricsPort);
    const t0 = Date.now();
    const { batchId } = await jobs.startBatch(items, { options: { window, continueAsNewEvery: canEvery, jobOptions: { followUpWindowMs: 0, heartbeatTimeoutMs: 10_000 } } });
    log(`batch ${batchId}: ${n} items, window ${window}, quota ${quota}, continue-as-new every ${canEvery}`);
    const done = async (): Promise<number> => {
      try {
        const s = await jobs.batchState(batchId);
        return s.counts.completed + s.counts.failed + s.counts.cancelled;
      } catch {
        return 0; // no worker to answer the query right now
      }
    };
    const until = async (fraction: number) => {
      for (;;) {
        const d = await done();
        if (d >= n * fraction) return d;
        await sleep(500);
      }
    };
    log(`kill 1 at ${await until(0.15)} done`);
    await a.kill9();
    await a.start(120_000);
    log(`kill 2 at ${await until(0.35)} done`);
    await a.kill9();
    await a.start(120_000);
    log(`rolling deploy at ${await until(0.55)} done`);
    await b.start(120_000);
    await a.stop();
    const state = (await client.workflow.getHandle(batchWorkflowId(batchId)).result()) as BatchState;
    const wallMs = Date.now() - t0;
    const batchActions = diffActions(await scrapeActions(metricsPort), actions0);
    log(`batch ${state.status} in ${(wallMs / 1000).toFixed(1)} s`);

    // Each item's report against the emulator's canonical report.
    const out = join(dir, 'out');
    const { entries } = await jobs.writeBatchResults(batchId, out);
    let reportsOk = 0;
    for (const e of entries) {
      if (e.report && e.interactionId && (await readFile(join(out, e.report), 'utf8')) === emulator.canonicalReport(e.interactionId)) reportsOk++;
    }
    // A create the key's quota refused (429) is listed too: it never ran, so it is no duplicate.
    const all = emulator.interactions();
    const refused = all.filter((i) => i.refused).length;
    const created = all.length - refused;
    const peak = Math.max(0, ...Object.values(emulator.counters().quota).map((q) => q.peakConcurrent));

    // The batch's history: every run (continue-as-new chain).
    let runs = 0;
    let events = 0;
    let bytes = 0;
    let maxRunEvents = 0;
    let maxRunBytes = 0;
    for await (const ex of client.workflow.list({ query: `WorkflowId = '${batchWorkflowId(batchId)}'` })) {
      const h = await client.workflow.getHandle(batchWorkflowId(batchId), ex.runId).fetchHistory();
      const e = h.events?.length ?? 0;
      // The history's protobuf size: what Temporal stores and counts against its limits.
      const size = temporal.api.history.v1.History.encode(h).finish().length;
      runs++;
      events += e;
      bytes += size;
      maxRunEvents = Math.max(maxRunEvents, e);
      maxRunBytes = Math.max(maxRunBytes, size);
    }

    // Single jobs on the same server, for actions per job.
    let perSingle = 0;
    if (singles > 0) {
      const s0 = await scrapeActions(metricsPort);
      const ids = await Promise.all(
        Array.from({ length: singles }, (_, i) =>
          jobs.start({ agent: DR_AGENT, input: `single job ${i + 1}` } as JobRequest, { options: { followUpWindowMs: 0, heartbeatTimeoutMs: 10_000 } }),
        ),
      );
      await Promise.all(ids.map((j) => client.workflow.getHandle(j.jobId).result()));
      perSingle = total(diffActions(await scrapeActions(metricsPort), s0)) / singles;
    }
    clearInterval(sampler);
    await b.stop();

    const rows = [
      ['items', String(n)],
      ['batch status', `${state.status} (completed ${state.counts.completed}, failed ${state.counts.failed}, cancelled ${state.counts.cancelled})`],
      ['items completed with the emulator report', `${reportsOk} / ${n}`],
      ['peak concurrent runs on the key (quota)', `${peak} (${quota})`],
      ['interactions run / duplicates / creates refused 429', `${created} / ${created - n} / ${refused}`],
      ['worker SIGKILLs, rolling deploys', `${a.kills}, 1`],
      ['wall time, s', (wallMs / 1000).toFixed(1)],
      ['worker peak RSS', mb(peakRss)],
      ['Temporal actions per item (batch incl. its own workflow)', (total(batchActions) / n).toFixed(1)],
      ['Temporal actions per single job', singles > 0 ? perSingle.toFixed(1) : 'not measured'],
      ['batch history: runs, events, bytes', `${runs}, ${events}, ${(bytes / 1024).toFixed(0)} KiB`],
      ['largest run: events, bytes', `${maxRunEvents}, ${(maxRunBytes / 1024).toFixed(0)} KiB`],
    ];
    process.stdout.write(`gemini-jobs batch: ${n} Deep Research items (${runSeconds} s runs), window ${window}, quota ${quota}, 2 SIGKILLs + a rolling deploy\n${table(rows)}\n`);
  } finally {
    await emulator.close();
    await connection.close().catch(() => undefined);
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runMain(main);
