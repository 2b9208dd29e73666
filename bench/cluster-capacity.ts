/**
 * Capacity on the production shape: N webhook-mode Deep Research jobs at real time scale across K
 * worker processes on Temporal 1.30.1 + PostgreSQL (scripts/cluster.mjs), every job checked, and
 * what each job costs the server and the database.
 *
 *   node dist/bench/cluster-capacity.js [--jobs 10000] [--workers 3] [--run-minutes 20] [--address HOST:PORT]
 *
 * Without --address the bench starts the cluster itself (`scripts/cluster.mjs up`, state file
 * $GEMINI_JOBS_CLUSTER_STATE) and stops it at the end (`down`) unless --keep-cluster. With
 * --address it measures that server; the server pid, metrics port and PostgreSQL port are read
 * from the cluster state file when its address matches (otherwise those figures are skipped).
 *
 * The emulator (timeScale 1: a Deep Research run lasts --run-minutes of wall time) and the webhook
 * receiver run in this process; the workers are bench/lib/worker-child.ts processes with the
 * production worker's defaults (slots, cache, threads, flush intervals), sharing one task queue.
 *
 * Per job, measured from the first start to the last job closed:
 * - Temporal server CPU seconds (utime + stime of /proc/<server pid>/stat);
 * - PostgreSQL CPU (postmaster with reaped children + live backends, /proc), rows written
 *   (pg_stat_database tup_inserted + tup_updated + tup_deleted of `temporal` and `temporal_visibility`),
 *   commits, WAL bytes (pg_current_wal_lsn() difference) and database growth (pg_database_size),
 *   and the tables written most (pg_stat_user_tables, pg_total_relation_size);
 * - Temporal actions counted by the server (its Prometheus `action` counter, as webhook-scale reads it);
 * - worker RSS peak and CPU per process.
 * Prints a table; `--json-out FILE` writes every figure. Flags: --help.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmulator } from '../src/emulator';
import { JobsClient } from '../src/jobs/jobs-client';
import { FileResultStore } from '../src/results/result-store';
import { WORKER_DEFAULTS } from '../src/worker/run-worker';
import { createWebhookHandler, signalThroughClient } from '../src/webhooks';
import type { JobOptions } from '../workflows/definitions';
import { workflowBundle } from '../test/helpers/temporal';
import { diffActions, heartbeatActions, scrapeActions, type ActionCounts } from './lib/actions';
import { numberFlag, parseFlags } from './lib/args';
import { jobSpecs, researchRequest, startOne, verifyJobs, waitAllClosed } from './lib/jobs';
import { ProcSampler, readCpuSeconds, readRssBytes } from './lib/proc';
import { mapLimit, mb, sleep, table } from './lib/stats';
import { WorkerProcess } from './lib/worker-process';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/cluster-capacity.js [options]
  --jobs N               webhook-mode Deep Research jobs (default 10000)
  --workers K            worker processes sharing the task queue (default 3)
  --run-minutes M        length of one Deep Research run at the emulator, real time (default 20)
  --address HOST:PORT    measure a running server instead of starting one (scripts/cluster.mjs up)
  --state FILE           cluster state file (default $GEMINI_JOBS_CLUSTER_STATE or .gemini-jobs/cluster/state.json)
  --keep-cluster         leave the cluster this bench started running
  --start-concurrency C  job starts in flight (default 50)
  --start-connections S  client connections the starts are spread over (default 4)
  --start-rate R         at most R job starts per second (default: as fast as the starts in flight allow)
  --idle-seconds S       server CPU measured with the workers polling and no jobs, before the run (default 30)
  --seed N               emulator seed (default 1)
  --timeout-minutes T    give up waiting for the jobs after T minutes (default 2 x run + 30)
  --json-out FILE        also write every figure as JSON`;

const FLAGS = {
  jobs: { type: 'string' },
  workers: { type: 'string' },
  'run-minutes': { type: 'string' },
  address: { type: 'string' },
  state: { type: 'string' },
  'keep-cluster': { type: 'boolean' },
  'start-concurrency': { type: 'string' },
  'start-connections': { type: 'string' },
  'start-rate': { type: 'string' },
  'idle-seconds': { type: 'string' },
  seed: { type: 'string' },
  'timeout-minutes': { type: 'string' },
  'json-out': { type: 'string' },
} as const;

const BENCH_KEY = 'bench-emulator-key';
const DATABASES = ['temporal', 'temporal_visibility'] as const;
const PACKAGE_ROOT = resolve(__dirname, '..', '..');

function log(line: string): void {
  process.stderr.write(`[cluster-capacity ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** What scripts/cluster.mjs records (the fields this bench reads). */
interface ClusterState {
  address: string;
  version?: string;
  postgres?: { port: number; pid?: number; program?: string };
  server?: { pid?: number; metricsPort?: number };
}

function readState(file: string): ClusterState | undefined {
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

function clusterCommand(command: 'up' | 'down', stateFile: string): string {
  const out = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'scripts', 'cluster.mjs'), command], {
    encoding: 'utf8',
    env: { ...process.env, GEMINI_JOBS_CLUSTER_STATE: stateFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`scripts/cluster.mjs ${command} failed (${out.status ?? out.signal})`);
  return out.stdout.trim();
}

/** One query against the cluster's PostgreSQL through Debian's psql; rows of `|`-separated cells. */
function psql(port: number, db: string, sql: string): string[][] {
  const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'temporal', '-d', db, '-At', '-F', '|', '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGPASSWORD: 'temporal' },
  });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('|'));
}

interface TableStat {
  db: string;
  table: string;
  /** n_tup_ins + n_tup_upd + n_tup_del */
  writes: number;
  inserts: number;
  bytes: number;
}

interface PgSnapshot {
  atMs: number;
  walLsn: string;
  /** Per database: rows inserted / updated / deleted, commits, size in bytes. */
  db: Record<string, { ins: number; upd: number; del: number; commits: number; bytes: number }>;
  tables: TableStat[];
}

function pgSnapshot(port: number): PgSnapshot {
  // Statistics reach pg_stat_* at transaction end and are flushed at most once a second (PostgreSQL 15).
  const snap: PgSnapshot = { atMs: Date.now(), walLsn: psql(port, 'temporal', 'select pg_current_wal_lsn()')[0]![0]!, db: {}, tables: [] };
  for (const db of DATABASES) {
    const [row] = psql(port, db, `select tup_inserted, tup_updated, tup_deleted, xact_commit, pg_database_size(datname) from pg_stat_database where datname = '${db}'`);
    const [ins, upd, del, commits, bytes] = row!.map(Number) as [number, number, number, number, number];
    snap.db[db] = { ins, upd, del, commits, bytes };
    for (const [table, ins2, upd2, del2, size] of psql(port, db, `select relname, n_tup_ins, n_tup_upd, n_tup_del, pg_total_relation_size(relid) from pg_stat_user_tables`)) {
      snap.tables.push({ db, table: table!, inserts: Number(ins2), writes: Number(ins2) + Number(upd2) + Number(del2), bytes: Number(size) });
    }
  }
  return snap;
}

function walBytes(port: number, from: string, to: string): number {
  return Number(psql(port, 'temporal', `select pg_wal_lsn_diff('${to}', '${from}')`)[0]![0]);
}

/** CPU seconds of the PostgreSQL cluster: the postmaster with its reaped children, plus every live child. */
function postgresCpuSeconds(postmasterPid: number): number | undefined {
  const ticks = 100; // CLK_TCK; readCpuSeconds covers utime+stime, the reaped children need cutime+cstime
  let total = 0;
  try {
    const stat = readFileSync(`/proc/${postmasterPid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / ticks;
  } catch {
    return undefined;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === postmasterPid) total += readCpuSeconds(Number(entry)) ?? 0;
    } catch {
      // gone
    }
  }
  return total;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const f = parseFlags(FLAGS, USAGE);
  const n = Math.round(numberFlag(f, 'jobs', 10_000, 1));
  const k = Math.round(numberFlag(f, 'workers', 3, 1));
  const runMinutes = numberFlag(f, 'run-minutes', 20, 0.1);
  const startConcurrency = Math.round(numberFlag(f, 'start-concurrency', 50, 1));
  const startConnections = Math.round(numberFlag(f, 'start-connections', 4, 1));
  const startRate = numberFlag(f, 'start-rate', Infinity, 0.01);
  const idleSeconds = numberFlag(f, 'idle-seconds', 30, 0);
  const seed = Math.round(numberFlag(f, 'seed', 1));
  const timeoutMs = numberFlag(f, 'timeout-minutes', 2 * runMinutes + 30, 0.1) * 60_000;
  const stateFile = resolve(typeof f.state === 'string' ? f.state : (process.env.GEMINI_JOBS_CLUSTER_STATE ?? join(PACKAGE_ROOT, '.gemini-jobs', 'cluster', 'state.json')));

  let address = typeof f.address === 'string' ? f.address : undefined;
  let startedCluster = false;
  if (!address) {
    log(`starting the cluster (scripts/cluster.mjs up, state ${stateFile})`);
    address = clusterCommand('up', stateFile);
    startedCluster = true;
  }
  const state = readState(stateFile);
  const known = state && state.address === address ? state : undefined;
  if (!known) log(`no cluster state for ${address} in ${stateFile}: server CPU, PostgreSQL and action figures are skipped`);
  const serverPid = known?.server?.pid;
  const metricsPort = known?.server?.metricsPort;
  const pgPort = known?.postgres?.port;
  const pgPid = known?.postgres?.pid;

  const dir = await mkdtemp(join(tmpdir(), 'gj-cluster-capacity-'));
  const connect = () => Connection.connect({ address });
  const observer = new Client({ connection: await connect(), namespace: 'default' });
  const receiverClient = new Client({ connection: await connect(), namespace: 'default' });
  const starters = await Promise.all(Array.from({ length: startConnections }, async () => new Client({ connection: await connect(), namespace: 'default' })));
  const connections = [observer, receiverClient, ...starters].map((c) => c.connection);

  const runMs = runMinutes * 60_000;
  const emulator = await startEmulator({ timeScale: 1, deepResearchDurationMs: runMs, apiKey: BENCH_KEY, seed, webhooks: { realTime: true } });
  const handler = createWebhookHandler({ jwksUrl: `${emulator.url}/.well-known/jwks.json`, deliver: signalThroughClient(receiverClient) });
  const http = createServer((req, res) => void handler(req, res));
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const receiverUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/webhooks/gemini`;

  const taskQueue = `cluster-capacity-${Date.now().toString(36)}`;
  const resultsDir = join(dir, 'results');
  const store = new FileResultStore(resultsDir);
  const bundlePath = join(dir, 'workflows-bundle.js');
  await writeFile(bundlePath, (await workflowBundle()).code);
  const workers = Array.from(
    { length: k },
    () =>
      new WorkerProcess({
        config: {
          engine: 'jobs-worker',
          address,
          taskQueue,
          resultsDir,
          bundlePath,
          // The production worker's defaults (runWorker's slots; cache, threads and flushes are createJobsWorker's).
          maxActivities: WORKER_DEFAULTS.maxActivities,
          maxWorkflowTasks: WORKER_DEFAULTS.maxWorkflowTasks,
          shutdownGraceMs: 2_000,
        },
        env: { GEMINI_JOBS_BASE_URL: emulator.url, GEMINI_API_KEY: BENCH_KEY, GEMINI_JOBS_WEBHOOK_URL: receiverUrl },
        onLine: (line, stream) => {
          if (stream === 'stderr' && /ERROR|panic|fatal/i.test(line)) log(`worker: ${line.slice(0, 300)}`);
        },
      }),
  );
  const samplers: ProcSampler[] = [];
  const loads: number[][] = [loadavg()];
  let exitCode = 1;
  try {
    const pids = await Promise.all(workers.map((w) => w.start()));
    for (const pid of pids) {
      const s = new ProcSampler(2_000);
      s.track(pid);
      samplers.push(s);
    }
    await sleep(2_000);
    const idleRss = pids.map((pid) => readRssBytes(pid) ?? 0);

    // The fixed cost: the server with K workers polling and nothing to do.
    let idleServerCores: number | undefined;
    if (serverPid && idleSeconds > 0) {
      const c0 = readCpuSeconds(serverPid) ?? 0;
      await sleep(idleSeconds * 1000);
      idleServerCores = ((readCpuSeconds(serverPid) ?? 0) - c0) / idleSeconds;
    }

    const pg0 = pgPort ? pgSnapshot(pgPort) : undefined;
    const pgCpu0 = pgPid ? postgresCpuSeconds(pgPid) : undefined;
    const serverCpu0 = serverPid ? readCpuSeconds(serverPid) : undefined;
    const actions0: ActionCounts | undefined = metricsPort ? await scrapeActions(metricsPort) : undefined;

    const options: JobOptions = { mode: 'webhook', followUpWindowMs: 0 };
    const specs = jobSpecs('cluster-capacity', n);
    const jobsClients = starters.map((client) => new JobsClient({ client, taskQueue, resultStore: store }));
    log(
      `${n} jobs, ${k} workers (pids ${pids.join(', ')}; idle RSS ${idleRss.map(mb).join(', ')}), ${runMinutes}-minute runs at real time, ${startConcurrency} starts in flight over ${startConnections} connections${Number.isFinite(startRate) ? ` at most ${startRate}/s` : ''}; server ${address}; load ${load()}`,
    );
    let started = 0;
    let peakWaiting = 0;
    const rssAtPeakWaiting = pids.map(() => 0);
    const t0 = Date.now();
    const tick = setInterval(() => {
      loads.push(loadavg());
      let waiting = 0;
      let settled = 0;
      for (const i of emulator.interactions()) {
        if (i.status === 'in_progress') waiting++;
        else settled++;
      }
      const rss = pids.map((pid) => readRssBytes(pid) ?? 0);
      if (waiting >= peakWaiting) {
        peakWaiting = waiting;
        rss.forEach((r, i) => (rssAtPeakWaiting[i] = Math.max(rssAtPeakWaiting[i]!, r)));
      }
      const cpu = serverPid !== undefined && serverCpu0 !== undefined ? ` server CPU ${((readCpuSeconds(serverPid) ?? 0) - serverCpu0).toFixed(0)} s,` : '';
      log(
        `${((Date.now() - t0) / 1000).toFixed(0)} s: started ${started}/${n}, waiting at the emulator ${waiting}, settled ${settled}, worker RSS ${rss.map(mb).join(' / ')},${cpu} receiver ${JSON.stringify(handler.stats)}, load ${load()}`,
      );
    }, 30_000);
    tick.unref();
    await mapLimit(specs, startConcurrency, async (spec, i) => {
      // Paced starts: job i starts no earlier than i / rate seconds after the first.
      if (Number.isFinite(startRate)) await sleep(Math.max(0, t0 + (i * 1000) / startRate - Date.now()));
      await startOne(jobsClients[i % jobsClients.length]!, spec, researchRequest(spec.input), options, 300_000);
      started++;
    });
    const startMs = Date.now() - t0;
    log(`all ${n} started in ${(startMs / 1000).toFixed(1)} s (${((n * 1000) / startMs).toFixed(1)} starts/s)`);
    const waited = await waitAllClosed(observer, taskQueue, timeoutMs, undefined, 5_000);
    clearInterval(tick);
    loads.push(loadavg());
    const wallMs = waited.endedAt - t0;
    // Statistics of the last transactions reach pg_stat_* within a second.
    await sleep(2_000);
    const serverCpu = serverPid !== undefined && serverCpu0 !== undefined ? (readCpuSeconds(serverPid) ?? 0) - serverCpu0 : undefined;
    const pgCpu = pgPid && pgCpu0 !== undefined ? (postgresCpuSeconds(pgPid) ?? 0) - pgCpu0 : undefined;
    const pg1 = pgPort ? pgSnapshot(pgPort) : undefined;
    const actions = metricsPort && actions0 ? diffActions(await scrapeActions(metricsPort), actions0) : undefined;
    const usage = samplers.map((s) => s.stop());
    log(`${waited.timedOut ? 'TIMED OUT' : 'all closed'} after ${(wallMs / 1000).toFixed(1)} s; load ${load()}; verifying ${n} jobs`);
    await Promise.all(workers.map((w) => w.stop(10_000).catch(() => undefined)));

    const verification = await verifyJobs({ client: observer, store, emulator, specs, streamed: false, concurrency: 32 });
    const creates = emulator.counters().creates;

    const per = (x: number) => x / n;
    const summary: Array<[string, string]> = [
      [
        'jobs completed / report == canonicalReport / duplicate interactions / lost',
        `${verification.completed} / ${verification.completed - verification.reportMismatch} / ${verification.duplicateInteractions} / ${verification.lost}`,
      ],
      ['interactions created at the emulator', String(creates)],
      ['time to start all jobs, s (starts/s)', `${(startMs / 1000).toFixed(1)} (${((n * 1000) / startMs).toFixed(1)})`],
      ['peak runs waiting at once (emulator in_progress)', String(peakWaiting)],
      ['wall time, first start to all closed, s', (wallMs / 1000).toFixed(1)],
      [
        'load average at start / max 1-min during run / at end',
        `${loads[0]!.map((x) => x.toFixed(2)).join(' ')} / ${Math.max(...loads.map((l) => l[0]!)).toFixed(2)} / ${loads[loads.length - 1]!.map((x) => x.toFixed(2)).join(' ')}`,
      ],
    ];
    pids.forEach((pid, i) => {
      summary.push([
        `worker ${i + 1} (pid ${pid}) RSS idle / at peak waiting / peak, MB; CPU s`,
        `${(idleRss[i]! / 1048576).toFixed(0)} / ${(rssAtPeakWaiting[i]! / 1048576).toFixed(0)} / ${(usage[i]!.peakRssBytes / 1048576).toFixed(0)}; ${usage[i]!.cpuSeconds.toFixed(1)}`,
      ]);
    });
    const workerCpu = usage.reduce((a, u) => a + u.cpuSeconds, 0);
    const rssAbove = usage.reduce((a, u, i) => a + u.peakRssBytes - idleRss[i]!, 0);
    summary.push(['worker RSS peak above idle per waiting job (all workers), KB', ((rssAbove / 1024) * (1 / Math.max(1, peakWaiting))).toFixed(1)]);
    summary.push(['worker CPU per job (all workers), ms', ((workerCpu * 1000) / n).toFixed(1)]);
    if (idleServerCores !== undefined) summary.push([`Temporal server CPU idle with ${k} workers polling, % of a core`, (idleServerCores * 100).toFixed(1)]);
    if (serverCpu !== undefined) summary.push(['Temporal server CPU per job, ms (total s)', `${((serverCpu * 1000) / n).toFixed(1)} (${serverCpu.toFixed(0)})`]);
    if (pgCpu !== undefined) summary.push(['PostgreSQL CPU per job, ms (total s)', `${((pgCpu * 1000) / n).toFixed(1)} (${pgCpu.toFixed(0)})`]);
    let pgJson: Record<string, unknown> | undefined;
    let tableRows: string[][] = [];
    if (pg0 && pg1 && pgPort) {
      const wal = walBytes(pgPort, pg0.walLsn, pg1.walLsn);
      const d = (db: string) => {
        const a = pg0.db[db]!;
        const b = pg1.db[db]!;
        return { ins: b.ins - a.ins, upd: b.upd - a.upd, del: b.del - a.del, commits: b.commits - a.commits, bytes: b.bytes - a.bytes };
      };
      const core = d('temporal');
      const vis = d('temporal_visibility');
      const rows = (x: ReturnType<typeof d>) => x.ins + x.upd + x.del;
      summary.push(['PostgreSQL rows written per job (ins+upd+del): temporal / visibility', `${per(rows(core)).toFixed(1)} / ${per(rows(vis)).toFixed(1)}`]);
      summary.push([
        '  of which inserts / updates / deletes (both databases)',
        `${per(core.ins + vis.ins).toFixed(1)} / ${per(core.upd + vis.upd).toFixed(1)} / ${per(core.del + vis.del).toFixed(1)}`,
      ]);
      summary.push(['PostgreSQL commits per job (both databases)', per(core.commits + vis.commits).toFixed(1)]);
      summary.push(['WAL bytes per job, KB', (per(wal) / 1024).toFixed(1)]);
      summary.push(['database growth per job (pg_database_size): temporal / visibility, KB', `${(per(core.bytes) / 1024).toFixed(1)} / ${(per(vis.bytes) / 1024).toFixed(1)}`]);
      const wallS = wallMs / 1000;
      summary.push(['rows written / s and WAL MB / s over the run (average)', `${((rows(core) + rows(vis)) / wallS).toFixed(0)} / ${(wal / 1048576 / wallS).toFixed(2)}`]);
      const before = new Map(pg0.tables.map((t) => [`${t.db}.${t.table}`, t]));
      const tables = pg1.tables
        .map((t) => {
          const b = before.get(`${t.db}.${t.table}`);
          return {
            name: `${t.db === 'temporal' ? '' : `${t.db}.`}${t.table}`,
            writes: t.writes - (b?.writes ?? 0),
            inserts: t.inserts - (b?.inserts ?? 0),
            bytes: t.bytes - (b?.bytes ?? 0),
          };
        })
        .filter((t) => t.writes > 0 || t.bytes > 0)
        .sort((a, b) => b.writes - a.writes);
      tableRows = tables.slice(0, 10).map((t) => [t.name, per(t.writes).toFixed(1), per(t.inserts).toFixed(1), (per(t.bytes) / 1024).toFixed(1)]);
      pgJson = { walBytes: wal, temporal: core, visibility: vis, tables };
    }
    let billable: number | undefined;
    if (actions) {
      billable = Object.entries(actions)
        .filter(
          ([key]) => !/Poll|RespondWorkflowTask|GetSystemInfo|DescribeNamespace|DescribeWorkflow|GetWorkflowExecutionHistory|CountWorkflow|ListWorkflow|QueryWorkflow/.test(key),
        )
        .reduce((a, [, v]) => a + v, 0);
      summary.push(['Temporal actions per job (server count) / of which heartbeats', `${per(billable).toFixed(2)} / ${per(heartbeatActions(actions)).toFixed(2)}`]);
      summary.push([`Temporal actions per job-hour (x ${(60 / runMinutes).toFixed(2)})`, ((per(billable) * 60) / runMinutes).toFixed(1)]);
    }
    const out: string[] = [
      `gemini-jobs cluster-capacity: ${n} webhook-mode Deep Research jobs, ${runMinutes}-minute runs at real time, ${k} worker processes, Temporal ${known?.version ?? '?'} + PostgreSQL at ${address}; ${cpus().length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 16)} UTC`,
      table([['figure', 'value'], ...summary]),
    ];
    if (tableRows.length > 0) out.push('PostgreSQL tables written most, per job:', table([['table', 'rows written', 'of which inserted', 'growth, KB'], ...tableRows]));
    if (actions) out.push(`server actions by type per job ${JSON.stringify(Object.fromEntries(Object.entries(actions).map(([key, v]) => [key, +per(v).toFixed(3)])))}`);
    for (const p of verification.problems.slice(0, 10)) out.push(`problem: ${p}`);
    const ok = !waited.timedOut && verification.completed === n && verification.lost === 0 && verification.reportMismatch === 0 && verification.duplicateInteractions === 0;
    out.push(`Every job completed with its canonical report, one interaction each: ${ok ? 'YES' : 'NO'}`);
    process.stdout.write(out.join('\n') + '\n');
    if (typeof f['json-out'] === 'string') {
      await writeFile(
        f['json-out'],
        JSON.stringify(
          {
            n,
            workers: k,
            runMinutes,
            address,
            version: known?.version,
            startMs,
            wallMs,
            peakWaiting,
            loads,
            idleRss,
            rssAtPeakWaiting,
            workerUsage: usage,
            idleServerCores,
            serverCpu,
            pgCpu,
            pg: pgJson,
            actions,
            billable,
            verification: { ...verification, checks: undefined },
            creates,
            summary: Object.fromEntries(summary),
          },
          null,
          2,
        ),
      );
    }
    exitCode = ok ? 0 : 1;
  } finally {
    await Promise.all(workers.map((w) => w.stop(5_000).catch(() => undefined)));
    await new Promise<void>((done) => http.close(() => done()));
    await emulator.close();
    for (const c of connections) await c.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    if (startedCluster && f['keep-cluster'] !== true) {
      log('stopping the cluster (scripts/cluster.mjs down)');
      clusterCommand('down', stateFile);
    }
  }
  process.exitCode = exitCode;
}

runMain(main);
