/**
 * Quota burst bench: N Deep Research jobs enqueued at once on a credential whose create quota
 * (emulator `keyQuota`: runs in flight and creates per minute) is far below N. Two phases in one
 * run, same emulator settings: `no admission` (every job creates at once; 429s are retried by
 * Temporal with Retry-After) and `admission` (the per-key limiter workflow). Prints creates
 * refused, 429s, time to start the last job, and how well enqueue order was kept.
 *
 *   node dist/bench/quota-burst.js [--jobs 60] [--concurrency 5] [--rate 10] [--run-ms 500]
 *
 * Times are wall-clock on a shared machine: compare the two columns, not absolute values.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../activities';
import { startEmulator } from '../src/emulator';
import { InteractionsClient } from '../src/interactions/client';
import { JobsClient } from '../src/jobs/jobs-client';
import { FileResultStore } from '../src/results/result-store';
import { createJobsWorker } from '../src/worker/create-worker';
import { admissionSettings } from '../src/worker/quota-settings';
import type { JobRequest } from '../workflows/definitions';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { table } from './lib/stats';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/quota-burst.js [options]
  --jobs N          jobs enqueued at once (default 60)
  --concurrency C   emulator quota: runs in flight per key (default 5)
  --rate R          emulator quota: creates per emulated minute per key (default 10)
  --run-ms MS       wall duration of one emulated 5-minute Deep Research run (default 500)`;

interface PhaseFigures {
  completed: number;
  creates: number;
  refused: number;
  http429: number;
  createAttempts: number;
  lastStartMs: number;
  allDoneMs: number;
  inversions: number;
  maxDisplacement: number;
  peakConcurrent: number;
}

async function phase(admission: boolean, n: number, concurrency: number, rate: number, runMs: number): Promise<PhaseFigures> {
  const timeScale = (5 * 60_000) / runMs;
  const emulator = await startEmulator({
    timeScale,
    deepResearchDurationMs: 5 * 60_000,
    keyQuota: { maxConcurrent: concurrency, createsPerWindow: rate, windowMs: 60_000, retryAfterSeconds: 1 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'gj-quota-bench-'));
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue(admission ? 'quota-on' : 'quota-off');
  const store = new FileResultStore(dir);
  const client = new InteractionsClient({ baseUrl: emulator.url, apiKey: 'bench-key', maxRetries: 0 });
  const worker = await createJobsWorker({
    connection: env.nativeConnection,
    taskQueue,
    client,
    resultStore: store,
    log: silentLogger,
    workflowBundle: await workflowBundle(),
    ...(admission
      ? {
          admission: admissionSettings(
            { maxConcurrent: concurrency, maxPerWindow: rate, windowMs: Math.ceil(60_000 / timeScale) + 50, orderGraceMs: 1_000, leaseCheckMs: 5_000 },
            { key: taskQueue },
          ),
        }
      : {}),
  });
  const jobs = new JobsClient({ client: env.client, taskQueue, resultStore: store });
  const options = { heartbeatTimeoutMs: 5_000, pollInitialIntervalMs: 100, pollMaxIntervalMs: 500, streamIdleTimeoutMs: 5_000, followUpWindowMs: 0, deadlineMs: 3_600_000 };
  try {
    return await worker.runUntil(async () => {
      const t0 = Date.now();
      const ids: string[] = [];
      for (let i = 1; i <= n; i++) {
        ids.push((await jobs.start({ agent: 'deep-research-preview-04-2026', input: `burst ${i}` } as JobRequest, { jobId: `${taskQueue}-${i}`, options })).jobId);
      }
      const results = await Promise.all(ids.map((id) => env.client.workflow.getHandle(id).result()));
      const allDoneMs = Date.now() - t0;
      const created = emulator.interactions();
      const order = created.map((c) => Number(/burst (\d+)/.exec(String(c.request['input']))![1]));
      let inversions = 0;
      for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (order[i]! > order[j]!) inversions++;
      const c = emulator.counters();
      const q = Object.values(c.quota)[0]!;
      return {
        completed: results.filter((r) => r.status === 'completed').length,
        creates: c.creates,
        refused: q.refusedConcurrency + q.refusedRate,
        http429: c.statuses['429'] ?? 0,
        createAttempts: c.requests['create'] ?? 0,
        lastStartMs: Math.max(...created.map((x) => Date.parse(x.created))) - t0,
        allDoneMs,
        inversions,
        maxDisplacement: Math.max(...order.map((job, at) => Math.abs(job - 1 - at))),
        peakConcurrent: q.peakConcurrent,
      };
    });
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const flags = parseFlags({ jobs: { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' }, 'run-ms': { type: 'string' } }, USAGE);
  const n = numberFlag(flags, 'jobs', 60, 1);
  const concurrency = numberFlag(flags, 'concurrency', 5, 1);
  const rate = numberFlag(flags, 'rate', 10, 1);
  const runMs = numberFlag(flags, 'run-ms', 500, 50);
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const off = await phase(false, n, concurrency, rate, runMs);
  const on = await phase(true, n, concurrency, rate, runMs);
  await releaseTestEnv();
  const pairs: Array<[string, (f: PhaseFigures) => string]> = [
    ['jobs completed', (f) => `${f.completed}/${n}`],
    ['interactions created', (f) => String(f.creates)],
    ['create requests sent', (f) => String(f.createAttempts)],
    ['creates refused (429)', (f) => String(f.refused)],
    ['peak runs in flight', (f) => `${f.peakConcurrent} (quota ${concurrency})`],
    ['time to start the last job', (f) => `${(f.lastStartMs / 1000).toFixed(1)} s`],
    ['time to finish all', (f) => `${(f.allDoneMs / 1000).toFixed(1)} s`],
    ['order: inversions / max displacement', (f) => `${f.inversions} / ${f.maxDisplacement}`],
  ];
  console.log(`quota burst: ${n} jobs, quota ${concurrency} in flight and ${rate} creates/min per key, one run = ${runMs} ms wall`);
  console.log(table([['', 'no admission', 'admission'], ...pairs.map(([label, f]) => [label, f(off), f(on)])]));
  console.log(
    `last start, admission vs none: ${(on.lastStartMs / Math.max(1, off.lastStartMs)).toFixed(2)}x; create requests: ${(on.createAttempts / Math.max(1, off.createAttempts)).toFixed(2)}x`,
  );
}

runMain(main);
