/**
 * Load bench of `gemini-jobs serve`: N concurrent event-stream watchers and M API clients on a set
 * of running Deep Research jobs, with `serve`, the worker and the Temporal dev server each in its
 * own process so their memory and CPU are measured apart.
 *
 *   node dist/bench/serve-load.js [--jobs 20] [--watchers 0,50,100,200,400] [--api-clients 8] [--step-seconds 30]
 *
 * Starts a dev server (in memory), the emulator (in this process), a worker child and `gemini-jobs
 * serve` as a child (the CLI, as deployed), starts the jobs through JobsClient (emulated runs long
 * enough to outlast the bench), then for each watcher count: opens watchers up to it (each an SSE
 * stream `until=close` on one of the jobs, read to the end of every event), lets them settle, and
 * measures two windows of `--step-seconds`: the watchers alone (what one watcher costs), then
 * with M API clients in a loop (job state, job list, result: the latency they see). Prints one row
 * per step and the cost of one watcher (the step minus the first step, divided by the watchers
 * added). Flags: --help.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Client, Connection } from '@temporalio/client';
import { startEmulator } from '../src/emulator';
import { JobsClient } from '../src/jobs/jobs-client';
import { generateToken } from '../src/serve/auth';
import { workflowBundle } from '../test/helpers/temporal';
import { numberFlag, parseFlags } from './lib/args';
import { PersistedDevServer } from './lib/dev-server';
import { jobSpecs, startJobs } from './lib/jobs';
import { readCpuSeconds, readRssBytes } from './lib/proc';
import { mb, percentile, sleep, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/serve-load.js [options]
  --jobs N            running Deep Research jobs the watchers and clients use (default 20)
  --watchers LIST     watcher counts, one step each, ascending (default 0,50,100,200,400)
  --api-clients M     concurrent API clients in every step (default 8)
  --step-seconds S    measured seconds per step (default 30)
  --settle-seconds S  seconds between opening watchers and measuring (default 5)`;

const KEY = 'serve-load-key';
const CLI = join(__dirname, '..', 'src', 'cli', 'main.js');

function log(msg: string): void {
  process.stderr.write(`[serve-load] ${msg}\n`);
}

/** `gemini-jobs serve` as a child process; resolves with its URL once it listens. */
async function startServe(env: Record<string, string>, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--json', '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = /"type":"serve","url":"([^"]+)"/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        // The request log is not read: drain it so serve never blocks on a full pipe.
        child.stdout!.resume();
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr.slice(-2000)}`)));
  });
  return { child, url };
}

/** One SSE watcher: reads its stream to the end, counting events; reconnects after the server ends it. */
class Watcher {
  events = 0;
  errors = 0;
  private readonly abort = new AbortController();
  constructor(url: string, token: string) {
    void (async () => {
      let lastId: string | undefined;
      while (!this.abort.signal.aborted) {
        try {
          const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...(lastId ? { 'last-event-id': lastId } : {}) }, signal: this.abort.signal });
          if (res.status !== 200) {
            this.errors++;
            await res.arrayBuffer();
            await sleep(1_000);
            continue;
          }
          const decoder = new TextDecoder();
          for await (const chunk of res.body!) {
            const text = decoder.decode(chunk as Uint8Array, { stream: true });
            for (const m of text.matchAll(/^id: (\d+)$/gm)) {
              this.events++;
              lastId = m[1];
            }
          }
        } catch {
          if (!this.abort.signal.aborted) this.errors++;
        }
      }
    })();
  }
  close(): void {
    this.abort.abort();
  }
}

interface ApiFigures {
  requests: number;
  /** Answers other than 200, by status (`fetch` for a failed request). */
  errors: Record<string, number>;
  latencies: number[];
}

/** M clients in a loop over state, list and result until `until`. */
async function apiClients(url: string, token: string, jobIds: readonly string[], m: number, until: number): Promise<ApiFigures> {
  const figures: ApiFigures = { requests: 0, errors: {}, latencies: [] };
  const error = (kind: string) => (figures.errors[kind] = (figures.errors[kind] ?? 0) + 1);
  const paths = (i: number) => {
    const job = encodeURIComponent(jobIds[i % jobIds.length]!);
    return [`/v1/jobs/${job}`, '/v1/jobs?limit=20', `/v1/jobs/${job}/result`];
  };
  await Promise.all(
    Array.from({ length: m }, async (_, c) => {
      for (let i = c; Date.now() < until; i++) {
        for (const path of paths(i)) {
          const started = performance.now();
          try {
            const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
            const body = await res.text();
            if (res.status !== 200) error(`${res.status} ${/"code":"(\w+)"/.exec(body)?.[1] ?? ''}`.trim());
          } catch {
            error('fetch');
          }
          figures.latencies.push(performance.now() - started);
          figures.requests++;
        }
      }
    }),
  );
  return figures;
}

interface Step {
  watchers: number;
  serveRss: number;
  /** CPU (cores) with the watchers alone. */
  serveCpu: number;
  workerCpu: number;
  temporalCpu: number;
  /** serve's CPU (cores) with the API clients too. */
  serveCpuWithApi: number;
  api: ApiFigures;
  eventsPerWatcherMin: number;
  watcherErrors: number;
  seconds: number;
}

function machine(): string {
  const model = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const f = parseFlags(
    {
      jobs: { type: 'string' },
      watchers: { type: 'string' },
      'api-clients': { type: 'string' },
      'step-seconds': { type: 'string' },
      'settle-seconds': { type: 'string' },
    },
    USAGE,
  );
  const nJobs = numberFlag(f, 'jobs', 20, 1);
  const steps = String(f.watchers ?? '0,50,100,200,400')
    .split(',')
    .map(Number);
  if (steps.some((n, i) => !Number.isInteger(n) || n < 0 || (i > 0 && n < steps[i - 1]!))) throw new Error('--watchers: ascending whole numbers');
  const m = numberFlag(f, 'api-clients', 8, 1);
  const stepSeconds = numberFlag(f, 'step-seconds', 30, 1);
  const settleSeconds = numberFlag(f, 'settle-seconds', 5, 0);
  const load0 = loadAverage();
  const started = new Date();

  // Emulated 60-minute runs stretched over the whole bench plus a margin: every job runs throughout.
  const benchSeconds = steps.length * (stepSeconds + settleSeconds + 5) + 120;
  const timeScale = (60 * 60) / benchSeconds;
  const dir = await mkdtemp(join(tmpdir(), 'gj-serve-load-'));
  const server = await PersistedDevServer.start(undefined);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const emulator = await startEmulator({ timeScale, deepResearchDurationMs: 60 * 60_000, apiKey: KEY });
  const taskQueue = `serve-load-${Date.now().toString(36)}`;
  const resultsDir = join(dir, 'results');
  const bundlePath = join(dir, 'workflows-bundle.js');
  await writeFile(bundlePath, (await workflowBundle()).code);
  const worker = new WorkerProcess({
    config: { engine: 'jobs-worker', address: server.address, taskQueue, resultsDir, bundlePath, maxActivities: nJobs + 20, shutdownGraceMs: 2_000 },
    env: { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: KEY },
  });
  const token = generateToken();
  let serve: { child: ChildProcess; url: string } | undefined;
  const watchers: Watcher[] = [];
  try {
    const workerPid = await worker.start();
    serve = await startServe(
      {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        GEMINI_JOBS_TASK_QUEUE: taskQueue,
        GEMINI_JOBS_RESULTS_DIR: resultsDir,
        GEMINI_JOBS_BASE_URL: emulator.url,
        GEMINI_API_KEY: KEY,
        GEMINI_JOBS_SERVE_TOKENS: token,
      },
      // Caps above the largest step: the bench measures the cost the caps are derived from.
      ['--max-streams', String(Math.max(...steps) + 10), '--max-connections', String(Math.max(...steps) * 2 + 200)],
    );
    const servePid = serve.child.pid!;
    log(`dev server ${server.address}, serve ${serve.url}, ${nJobs} jobs, steps ${steps.join(',')} watchers, ${m} API clients`);
    const jobs = new JobsClient({ client, taskQueue });
    const specs = jobSpecs('serve-load', nJobs);
    await startJobs(jobs, specs, { followUpWindowMs: 0, heartbeatTimeoutMs: 10_000 });
    const jobIds = specs.map((s) => s.jobId);
    for (const id of jobIds) {
      for (let i = 0; i < 600 && (await jobs.state(id)).phase !== 'streaming'; i++) await sleep(100);
    }
    log('every job streaming');

    const rows: Step[] = [];
    for (const n of steps) {
      while (watchers.length < n) {
        const id = encodeURIComponent(jobIds[watchers.length % jobIds.length]!);
        watchers.push(new Watcher(`${serve.url}/v1/jobs/${id}/events?until=close`, token));
      }
      await sleep(settleSeconds * 1000);
      const pids = [servePid, workerPid, server.pid ?? 0];
      const cpuNow = () => pids.map((pid) => (pid ? (readCpuSeconds(pid) ?? 0) : 0));
      // Window 1: the watchers alone.
      const events0 = watchers.reduce((a, w) => a + w.events, 0);
      const errors0 = watchers.reduce((a, w) => a + w.errors, 0);
      const cpu0 = cpuNow();
      const t0 = performance.now();
      await sleep(stepSeconds * 1000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = cpuNow();
      const rss = readRssBytes(servePid) ?? 0;
      const events = watchers.reduce((a, w) => a + w.events, 0) - events0;
      // Window 2: the same watchers and M API clients.
      const t1 = performance.now();
      const api = await apiClients(serve.url, token, jobIds, m, Date.now() + stepSeconds * 1000);
      const apiSeconds = (performance.now() - t1) / 1000;
      const cpu2 = cpuNow();
      rows.push({
        watchers: n,
        serveRss: Math.max(rss, readRssBytes(servePid) ?? 0),
        serveCpu: (cpu1[0]! - cpu0[0]!) / seconds,
        workerCpu: (cpu1[1]! - cpu0[1]!) / seconds,
        temporalCpu: (cpu1[2]! - cpu0[2]!) / seconds,
        serveCpuWithApi: (cpu2[0]! - cpu1[0]!) / apiSeconds,
        api,
        eventsPerWatcherMin: n > 0 ? (events / n / seconds) * 60 : 0,
        watcherErrors: watchers.reduce((a, w) => a + w.errors, 0) - errors0,
        seconds: apiSeconds,
      });
      log(`step ${n} watchers: serve ${mb(rows.at(-1)!.serveRss)}, ${(rows.at(-1)!.serveCpu * 100).toFixed(1)} % of a core`);
    }

    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    const base = rows[0]!;
    const out: string[] = [
      `serve-load: ${nJobs} running jobs, ${m} API clients, ${stepSeconds} s per step`,
      `command: node dist/bench/serve-load.js ${process.argv.slice(2).join(' ')}`,
      `machine: ${machine()}; started ${started.toISOString()}; load average ${load0} at start, ${loadAverage()} at end`,
      '',
      table([
        [
          'watchers',
          'serve RSS',
          'serve CPU',
          'worker CPU',
          'Temporal CPU',
          'serve CPU +API',
          'API req/s',
          'API p50',
          'API p99',
          'API errors',
          'events/watcher/min',
          'watcher errors',
        ],
        ...rows.map((r) => [
          String(r.watchers),
          mb(r.serveRss),
          pct(r.serveCpu),
          pct(r.workerCpu),
          pct(r.temporalCpu),
          pct(r.serveCpuWithApi),
          (r.api.requests / r.seconds).toFixed(0),
          `${percentile(r.api.latencies, 50).toFixed(0)} ms`,
          `${percentile(r.api.latencies, 99).toFixed(0)} ms`,
          Object.entries(r.api.errors)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || '0',
          r.eventsPerWatcherMin.toFixed(1),
          String(r.watcherErrors),
        ]),
      ]),
      '',
      'One watcher (watchers alone: step minus the first step, divided by the watchers added; CPU in % of one core):',
      table([
        ['watchers', 'serve RSS / watcher', 'serve CPU / watcher', 'worker CPU / watcher', 'Temporal CPU / watcher'],
        ...rows
          .filter((r) => r.watchers > base.watchers)
          .map((r) => {
            const k = r.watchers - base.watchers;
            return [
              String(r.watchers),
              `${((r.serveRss - base.serveRss) / k / 1024).toFixed(0)} KiB`,
              pct((r.serveCpu - base.serveCpu) / k),
              pct((r.workerCpu - base.workerCpu) / k),
              pct((r.temporalCpu - base.temporalCpu) / k),
            ];
          }),
      ]),
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const w of watchers) w.close();
    if (serve && serve.child.exitCode === null) {
      const exited = new Promise((r) => serve!.child.once('exit', r));
      serve.child.kill('SIGINT');
      await Promise.race([exited, sleep(5_000)]);
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }
    await worker.stop().catch(() => undefined);
    await emulator.close();
    await connection.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

runMain(main);
