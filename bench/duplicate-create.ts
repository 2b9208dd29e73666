/**
 * The duplicate of a lost create answer, in webhook mode: each of N Deep Research jobs has the
 * answer to its first create lost (the emulator creates and starts the run, then answers 503; the
 * create is retried and a second run starts). The job learns of the first run, the duplicate, only
 * from a webhook naming it. For every duplicate this prints how long it ran (real seconds and
 * emulated minutes), what it consumed (its usage, and a cost estimate from the built-in price
 * table), what the job recorded about it, and whether the job's cancel reached it before its end.
 *
 *   node dist/bench/duplicate-create.js [--jobs 10] [--run-seconds 60] [--spread 0.5]
 *
 * `--spread` varies each run's length by ±spread around 20 emulated minutes (the emulator's
 * deepResearchDurationSpread), so the run the job keeps and its duplicate end at different times.
 *
 * A real worker process, a sqlite-persisted dev server, the emulator signing v1a webhooks and the
 * gemini-jobs receiver (verifying them against the emulator's JWKS) in this process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_PRICE_TABLE, estimateCost } from '../activities/pricing';
import { startEmulator } from '../src/emulator';
import type { Usage } from '../src/interactions/types';
import { JobsClient } from '../src/jobs/jobs-client';
import { FileResultStore } from '../src/results/result-store';
import { createWebhookHandler } from '../src/webhooks';
import type { JobResult } from '../workflows/definitions';
import { workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { PersistedDevServer } from './lib/dev-server';
import { DR_AGENT, jobSpecs, researchRequest } from './lib/jobs';
import { median, sleep, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';

const KEY = 'duplicate-create-key';
const EMULATED_RUN_MS = 20 * 60_000;

interface Row {
  job: string;
  duplicate: string;
  /** What the duplicate did: `cancelled` (the cancel stopped it) or how it ended on its own. */
  status: string;
  ranRealS: number;
  ranEmulatedMin: number;
  tokens: number;
  usd: number | undefined;
  /** Real seconds from the duplicate's end to the cancel's arrival (negative: arrived before its end). */
  cancelAfterEndS: number | undefined;
  recorded: string;
}

async function main(): Promise<void> {
  const f = parseFlags(
    { jobs: { type: 'string' }, 'run-seconds': { type: 'string' }, spread: { type: 'string' } },
    'Usage: node dist/bench/duplicate-create.js [--jobs 10] [--run-seconds 60] [--spread 0.5]',
  );
  const spread = numberFlag(f, 'spread', 0, 0);
  const n = Math.round(numberFlag(f, 'jobs', 10, 1));
  const runSeconds = numberFlag(f, 'run-seconds', 60, 5);
  const timeScale = EMULATED_RUN_MS / (runSeconds * 1000);
  const scaled = (ms: number) => Math.max(100, Math.round(ms / timeScale));
  const log = (line: string) => process.stderr.write(`[duplicate-create ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const load0 = loadavg();

  const dir = await mkdtemp(join(tmpdir(), 'gj-dup-'));
  const server = await PersistedDevServer.start(join(dir, 'temporal.sqlite'));
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const cancelArrivals = new Map<string, number>();
  const emulator = await startEmulator({
    timeScale,
    deepResearchDurationMs: EMULATED_RUN_MS,
    deepResearchDurationSpread: spread,
    apiKey: KEY,
    log: (line) => {
      const m = /^POST \S*\/interactions\/([^/\s]+)\/cancel /.exec(line);
      if (m && !cancelArrivals.has(m[1]!)) cancelArrivals.set(m[1]!, Date.now());
    },
  });
  const handler = createWebhookHandler({ client, jwksUrl: `${emulator.url}/.well-known/jwks.json` });
  const receiver = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/gemini`;
  let worker: WorkerProcess | undefined;
  const rows: Row[] = [];
  try {
    const bundlePath = join(dir, 'bundle.js');
    await writeFile(bundlePath, (await workflowBundle()).code);
    const taskQueue = `dup-${Date.now().toString(36)}`;
    const resultsDir = join(dir, 'results');
    worker = new WorkerProcess({
      config: { engine: 'jobs-worker', address: server.address, taskQueue, resultsDir, bundlePath, shutdownGraceMs: 500 },
      env: {
        GEMINI_JOBS_BASE_URL: emulator.url,
        GEMINI_API_KEY: KEY,
        GEMINI_JOBS_WEBHOOK_URL: receiverUrl,
        GEMINI_JOBS_WEBHOOK_SWEEP_MS: String(Math.max(1_000, scaled(5 * 60_000))),
      },
    });
    await worker.start();
    const jobs = new JobsClient({ client, taskQueue, resultStore: new FileResultStore(resultsDir) });
    // The production defaults, compressed by the run's time scale (deadline 70 min; the worker's sweeper likewise).
    const options = { mode: 'webhook' as const, followUpWindowMs: 0, deadlineMs: scaled(70 * 60_000) };
    const specs = jobSpecs('dup', n);
    for (const spec of specs) {
      // One lost answer per job: the fault fires once, on this job's first create; the next job
      // starts once this one's retried create made the second run (so no retry meets the fault).
      const remove = emulator.addFault({ kind: 'http_error', route: 'create', status: 503, afterCreate: true, count: 1 });
      await jobs.start(researchRequest(spec.input), { jobId: spec.jobId, options });
      while (emulator.interactions().filter((i) => i.request['input'] === spec.input).length < 2) await sleep(20);
      remove();
    }
    log(`${n} jobs started, each with one lost create answer; waiting for them`);
    for (const spec of specs) {
      const result = (await client.workflow.getHandle(spec.jobId).result()) as JobResult;
      const runs = emulator.interactions().filter((i) => i.request['input'] === spec.input);
      const duplicate = runs.find((i) => i.id !== result.interactionId);
      if (!duplicate) throw new Error(`${spec.jobId}: no duplicate run (runs: ${runs.length})`);
      const usage = emulator.snapshot(duplicate.id)?.usage as Usage | undefined;
      const created = Date.parse(duplicate.created);
      const end = duplicate.settledAtMs ?? Date.now();
      const cancelAt = cancelArrivals.get(duplicate.id);
      const recordedEntry = result.turns[0]?.duplicateCreates?.find((o) => o.interactionId === duplicate.id);
      rows.push({
        job: spec.jobId.replace(/^dup-[0-9a-f]+-/, '#'),
        duplicate: duplicate.id,
        status: duplicate.status,
        ranRealS: (end - created) / 1000,
        ranEmulatedMin: ((end - created) * timeScale) / 60_000,
        tokens: usage?.total_tokens ?? 0,
        usd: estimateCost(usage, DR_AGENT, DEFAULT_PRICE_TABLE)?.usd,
        cancelAfterEndS: cancelAt === undefined ? undefined : (cancelAt - end) / 1000,
        recorded: recordedEntry ? `${recordedEntry.outcome} (found via ${recordedEntry.seenIn})` : 'not recorded',
      });
    }
  } finally {
    await worker?.kill9();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await emulator.close();
    await connection.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const s = (x: number | undefined, d = 1) => (x === undefined ? '-' : x.toFixed(d));
  const out = [['job', 'duplicate ended', 'ran (real s)', 'ran (emulated min)', 'tokens', 'USD est.', 'cancel after its end (s)', 'job recorded']];
  for (const r of rows) out.push([r.job, r.status, s(r.ranRealS), s(r.ranEmulatedMin), String(r.tokens), s(r.usd, 2), s(r.cancelAfterEndS, 2), r.recorded]);
  process.stdout.write(`duplicate of a lost create answer, webhook mode, ${n} jobs, 20-minute runs in ${runSeconds} s (time scale ${timeScale.toFixed(0)})\n${table(out)}\n`);
  const before = rows.filter((r) => r.cancelAfterEndS !== undefined && r.cancelAfterEndS < 0).length;
  const lags = rows.flatMap((r) => (r.cancelAfterEndS !== undefined && r.cancelAfterEndS >= 0 ? [r.cancelAfterEndS] : []));
  process.stdout.write(
    `summary: duplicates ran p50 ${median(rows.map((r) => r.ranEmulatedMin)).toFixed(1)} emulated min; consumed p50 ${median(rows.map((r) => r.tokens))} tokens ` +
      `(${rows.reduce((a, r) => a + (r.usd ?? 0), 0).toFixed(2)} USD in all); cancel reached a running duplicate ${before} / ${rows.length} times` +
      (lags.length ? `, else arrived p50 ${median(lags).toFixed(2)} s after its end` : '') +
      `; no cancel sent ${rows.filter((r) => r.cancelAfterEndS === undefined).length}\n`,
  );
  process.stdout.write(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}\n`,
  );
}

runMain(main);
