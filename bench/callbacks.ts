/**
 * Completion callbacks while the receiver is down: N jobs end (each a `settled` callback) while
 * nothing listens on the callback URL; after `--down-minutes` the receiver comes up on the same
 * port and must receive every callback, each message id acknowledged once (duplicates counted).
 *
 *   node dist/bench/callbacks.js [--jobs 20] [--down-minutes 10] [--time-scale 60]
 *
 * Time-scaled: at `--time-scale S` one minute takes 60/S real seconds, for the outage and for the
 * retry pacing alike (the worker's GEMINI_JOBS_CALLBACK_RETRY_INITIAL_MS / _MAX_MS: 5 s and
 * 10 min divided by S), so the attempts made during the outage are those of the real policy.
 * `--time-scale 1` runs it in real time. The dev server (TEMPORAL_CLI_PATH), the emulator, the
 * worker and the receiver run in this process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Webhook } from 'standardwebhooks';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startEmulator } from '../src/emulator';
import { InteractionsClient } from '../src/interactions/client';
import { JobsClient } from '../src/jobs/jobs-client';
import { createJobsWorker } from '../src/worker/create-worker';
import { silentLogger } from '../activities';
import type { JobRequest } from '../workflows/definitions';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { sleep, table } from './lib/stats';
import { runMain } from './lib/run-main';

const KEY = 'callbacks-bench-key';

async function main(): Promise<void> {
  const f = parseFlags(
    { jobs: { type: 'string' }, 'down-minutes': { type: 'string' }, 'time-scale': { type: 'string' } },
    'Usage: node dist/bench/callbacks.js [--jobs 20] [--down-minutes 10] [--time-scale 60]',
  );
  const jobsN = numberFlag(f, 'jobs', 20, 1);
  const downMin = numberFlag(f, 'down-minutes', 10, 0);
  const scale = numberFlag(f, 'time-scale', 60, 1);
  const realMs = (scaledMs: number) => Math.max(1, Math.round(scaledMs / scale));
  Runtime.install({ logger: new DefaultLogger('ERROR') });

  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const env = await getTestEnv();
  const emulator = await startEmulator({ port: 0, timeScale: 100, apiKey: KEY });
  const taskQueue = uniqueTaskQueue('bench-callbacks');
  const worker = await createJobsWorker({
    connection: env.nativeConnection,
    taskQueue,
    client: new InteractionsClient({ baseUrl: emulator.url, apiKey: KEY, maxRetries: 0 }),
    resultStore: undefined,
    log: silentLogger,
    workflowBundle: await workflowBundle(),
    callbacks: { secret, retryInitialMs: realMs(5_000), retryMaxMs: realMs(600_000) },
  });
  const running = worker.run();
  const jobs = new JobsClient({ client: env.client, taskQueue });

  // Reserve a port, then leave it closed: the receiver is down (connection refused).
  const wh = new Webhook(secret);
  const acked = new Map<string, number>();
  let received = 0;
  let badSignatures = 0;
  let lastAt = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received++;
      try {
        wh.verify(body, req.headers as Record<string, string>);
      } catch {
        badSignatures++;
        res.writeHead(401).end();
        return;
      }
      const id = String(req.headers['webhook-id']);
      acked.set(id, (acked.get(id) ?? 0) + 1);
      lastAt = Date.now();
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  const url = `http://127.0.0.1:${port}/hooks`;

  const downAt = Date.now();
  const request = { model: 'gemini-3-flash-preview', input: 'Count from 1 to 5.' } as JobRequest;
  const started = await Promise.all(Array.from({ length: jobsN }, () => jobs.start(request, { options: { followUpWindowMs: 0, pollInitialIntervalMs: 100, callback: { url } } })));
  for (const s of started) await jobs.handle(s.jobId).result();
  const jobsDoneS = (Date.now() - downAt) / 1000;
  const downRealMs = realMs(downMin * 60_000);
  await sleep(Math.max(0, downAt + downRealMs - Date.now()));
  // Attempts made while down, from the delivery workflows (what `status` shows).
  let attemptsWhileDown = 0;
  for (const s of started) for (const c of (await jobs.state(s.jobId)).turns[0]?.callbacks ?? []) attemptsWhileDown += c.attempts ?? 0;

  const upAt = Date.now();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const ids = started.map((s) => `msg_${s.jobId}_1_settled`);
  while (!ids.every((id) => acked.has(id))) await sleep(100);
  // Let late duplicates (an attempt in flight when the receiver came up) arrive before counting.
  await sleep(Math.max(1_000, realMs(10 * 60_000)));
  const duplicates = [...acked.values()].reduce((n, v) => n + v - 1, 0);
  const delivered = [];
  for (const s of started) delivered.push(...((await jobs.state(s.jobId)).turns[0]?.callbacks ?? []));

  process.stdout.write(
    table([
      ['jobs', 'callbacks expected', 'received (verified, unique)', 'duplicates', 'bad signatures', 'attempts while down', 'delivered per status', 'last one after up'],
      [
        String(jobsN),
        String(ids.length),
        String(acked.size),
        String(duplicates),
        String(badSignatures),
        String(attemptsWhileDown),
        String(delivered.filter((c) => c.state === 'delivered').length),
        `${((lastAt - upAt) / 1000).toFixed(1)} s real (${(((lastAt - upAt) * scale) / 60_000).toFixed(1)} scaled min)`,
      ],
    ]) + '\n',
  );
  process.stdout.write(
    `down ${downMin} scaled min (${(downRealMs / 1000).toFixed(1)} s real, time scale ${scale}); jobs all ended ${jobsDoneS.toFixed(1)} s after the outage began, none waiting for its callback; ` +
      `${received} POSTs answered; ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}\n`,
  );
  worker.shutdown();
  await running;
  server.close();
  await emulator.close();
  await releaseTestEnv();
  if (acked.size !== ids.length || badSignatures > 0) process.exit(1);
}

runMain(main);
