#!/usr/bin/env node
// A real Temporal cluster on this machine, the same shape as docker-compose.yml without containers:
// Temporal server v<compose version> (built from the Go module proxy, scripts/temporal-server.mjs)
// on a private PostgreSQL cluster from Debian's packages, both on 127.0.0.1 and free ports.
//
//   node scripts/cluster.mjs up              start; prints the frontend address on stdout
//   node scripts/cluster.mjs status          what runs (from the state file), live connections
//   node scripts/cluster.mjs restart-server  SIGKILL the Temporal server and start it again (same ports, same data)
//   node scripts/cluster.mjs down            stop exactly the processes `up` recorded, delete the data
//
// State lives in $GEMINI_JOBS_CLUSTER_STATE (default .gemini-jobs/cluster/state.json, ignored).
// Setup steps mirror compose: temporal-sql-tool create / setup-schema / update-schema for
// `temporal` and `temporal_visibility`, then `operator namespace create` and the Keyword search
// attributes, retried while the new namespace is not yet in the frontend's cache.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, chownSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from './temporal-server.mjs';
import { ensureTemporalCli } from './temporal-cli.mjs';
import { SEARCH_ATTRIBUTES } from '../src/dev/dev-server-args.mjs';
import { freePort } from './lib.mjs';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultStateFile = join(packageRoot, '.gemini-jobs', 'cluster', 'state.json');
const stateFile = () => resolve(process.env.GEMINI_JOBS_CLUSTER_STATE ?? defaultStateFile);

const DB_USER = 'temporal';
const DB_PASSWORD = 'temporal';
const NAMESPACE = 'default';
// Same pool sizes as docker-compose.yml: 4 services x (10 + 5) = 60 connections, under
// PostgreSQL's default max_connections of 100 (the template's 20 + 10 per service add up to 120).
export const POOL_ENV = { SQL_MAX_CONNS: '10', SQL_MAX_IDLE_CONNS: '10', SQL_VIS_MAX_CONNS: '5', SQL_VIS_MAX_IDLE_CONNS: '5' };
// Every port the server binds (gRPC, HTTP, membership); all must be free, none fixed.
const PORT_VARS = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
  'INTERNAL_FRONTEND_GRPC_PORT',
  'INTERNAL_FRONTEND_HTTP_PORT',
  'INTERNAL_FRONTEND_MEMBERSHIP_PORT',
];

const log = (line) => process.stderr.write(`[cluster] ${line}\n`);

/** Distinct free ports (the OS could hand the same one out twice between close and reuse). */
async function freePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function portIsFree(port) {
  return new Promise((done) => {
    const srv = createServer();
    srv.once('error', () => done(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => done(true)));
  });
}

/**
 * Free ports below 32768: the SQL schema stores membership ports as `smallint` (the server dies
 * with "value … is out of range for type smallint" on Linux's ephemeral ports 32768-60999).
 */
async function freeSmallPorts(n, taken) {
  const ports = new Set();
  for (let tries = 0; ports.size < n; tries++) {
    if (tries > 1_000) throw new Error('no free ports below 32768 on 127.0.0.1');
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(port) && !taken.includes(port) && (await portIsFree(port))) ports.add(port);
  }
  return [...ports];
}

/** Debian installs PostgreSQL under /usr/lib/postgresql/<major>/bin; pick the newest. */
function postgresBinDir() {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const majors = readdirSync(base)
      .filter((d) => existsSync(join(base, d, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (majors.length) return join(base, majors[0], 'bin');
  }
  throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: install them with `apt-get install -y postgresql`.');
}

/** initdb and postgres refuse to run as root: run them as the `postgres` system user then. */
function postgresIdentity() {
  if (process.getuid?.() !== 0) return {};
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0) throw new Error("running as root but there is no `postgres` user (Debian's postgresql package creates it)");
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function run(cmd, args, opts = {}) {
  const out = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (out.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${out.status ?? out.signal}): ${(out.stderr || out.stdout || String(out.error ?? '')).trim().slice(-2000)}`);
  }
  return out.stdout;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  // A child of this process that exited but is not reaped yet still answers signal 0.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** The recorded pid still runs the program we started (not a reused pid). */
function isOurs(pid, program) {
  if (!pid || !alive(pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline[0] === program;
  } catch {
    return true; // no /proc: trust the pid
  }
}

async function waitUntil(what, check, timeoutMs, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms${last ? `: ${last.message}` : ''}`);
}

/** Starts a detached daemon with output to `logFile`; returns its pid. */
function daemon(cmd, args, { logFile, env, uid, gid }) {
  const fd = openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env, ...(uid !== undefined ? { uid, gid } : {}) });
  closeSync(fd);
  child.unref();
  return child.pid;
}

function readState() {
  const file = stateFile();
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeState(state) {
  mkdirSync(dirname(stateFile()), { recursive: true });
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

async function startPostgres(state) {
  const bin = postgresBinDir();
  const who = postgresIdentity();
  const pgData = join(state.dataDir, 'pg');
  mkdirSync(pgData, { recursive: true, mode: 0o700 });
  if (who.uid !== undefined) {
    chownSync(state.dataDir, who.uid, who.gid);
    chownSync(pgData, who.uid, who.gid);
  }
  const pwFile = join(state.dataDir, 'pw');
  writeFileSync(pwFile, `${DB_PASSWORD}\n`, { mode: 0o600 });
  if (who.uid !== undefined) chownSync(pwFile, who.uid, who.gid);
  // Like the postgres image with POSTGRES_USER/POSTGRES_PASSWORD: `temporal` is the superuser.
  run(join(bin, 'initdb'), ['-D', pgData, '-U', DB_USER, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8'], { ...who, cwd: state.dataDir });
  rmSync(pwFile, { force: true });
  const logFile = join(state.dataDir, 'postgres.log');
  writeFileSync(logFile, '');
  if (who.uid !== undefined) chownSync(logFile, who.uid, who.gid);
  state.postgres = {
    program: join(bin, 'postgres'),
    port: state.postgres?.port,
    dataDir: pgData,
    logFile,
  };
  state.postgres.pid = daemon(
    state.postgres.program,
    ['-D', pgData, '-c', 'listen_addresses=127.0.0.1', '-p', String(state.postgres.port), '-c', `unix_socket_directories=${pgData}`],
    {
      logFile,
      env: { PATH: process.env.PATH, LANG: 'C.UTF-8' },
      ...who,
    },
  );
  writeState(state);
  await waitUntil(
    'PostgreSQL',
    () => {
      if (!alive(state.postgres.pid)) throw new Error(`postgres exited; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-1500)}`);
      return spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(state.postgres.port)]).status === 0;
    },
    60_000,
  );
}

function sqlTool(state, args) {
  return run(join(state.toolsDir, 'sql'), ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(state.postgres.port), '-u', DB_USER, '--pw', DB_PASSWORD, ...args]);
}

/** The compose `temporal-schema` step: create and migrate both databases. */
function applySchema(state) {
  for (const [db, dir] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ]) {
    sqlTool(state, ['--db', db, 'create']);
    sqlTool(state, ['--db', db, 'setup-schema', '-v', '0.0']);
    sqlTool(state, ['--db', db, 'update-schema', '-d', join(state.toolsDir, 'schema', 'postgresql', 'v12', dir, 'versioned')]);
  }
}

function serverEnv(state) {
  const env = {
    PATH: process.env.PATH,
    DB: 'postgres12',
    DB_PORT: String(state.postgres.port),
    POSTGRES_SEEDS: '127.0.0.1',
    POSTGRES_USER: DB_USER,
    POSTGRES_PWD: DB_PASSWORD,
    BIND_ON_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: join(packageRoot, 'deploy', 'dynamicconfig', 'gemini-jobs.yaml'),
    TEMPORAL_ALLOW_NO_AUTH: 'true',
    PROMETHEUS_ENDPOINT: `127.0.0.1:${state.server.metricsPort}`,
    LOG_LEVEL: 'warn',
    ...POOL_ENV,
  };
  for (const [name, port] of Object.entries(state.server.ports)) env[name] = String(port);
  return env;
}

function startServerProcess(state) {
  state.server.pid = daemon(join(state.toolsDir, 'server'), ['start'], { logFile: state.server.logFile, env: serverEnv(state) });
  writeState(state);
}

async function temporal(state, args) {
  const out = spawnSync(state.cli, [...args, '--address', state.address, '--namespace', NAMESPACE], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error((out.stderr || out.stdout).trim().split('\n').slice(-3).join(' '));
  return out.stdout;
}

async function waitForFrontend(state, timeoutMs = 120_000) {
  await waitUntil(
    'Temporal frontend',
    async () => {
      if (!alive(state.server.pid)) throw new Error(`server exited; see ${state.server.logFile}:\n${readFileSync(state.server.logFile, 'utf8').slice(-2000)}`);
      await temporal(state, ['operator', 'cluster', 'health']);
      return true;
    },
    timeoutMs,
    500,
  );
}

/** The compose `temporal-setup` step, retrying while the namespace cache has not caught up. */
async function setupNamespace(state) {
  const exists = await temporal(state, ['operator', 'namespace', 'describe']).then(
    () => true,
    () => false,
  );
  if (!exists) await temporal(state, ['operator', 'namespace', 'create', '--retention', '7d']);
  let retries = 0;
  await waitUntil(
    `namespace ${NAMESPACE}`,
    async () => {
      try {
        return await temporal(state, ['operator', 'search-attribute', 'list']);
      } catch (err) {
        retries++;
        throw err;
      }
    },
    60_000,
    500,
  ).then(async (listed) => {
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      if (!new RegExp(`\\b${name}\\b`).test(listed)) await temporal(state, ['operator', 'search-attribute', 'create', '--name', name, '--type', type]);
    }
  });
  state.setup = { namespaceRetries: retries };
  // `list` reads the database; starts and queries resolve the names through the namespace cache,
  // which learns them on its next refresh. A visibility query naming all three proves they resolve.
  await waitUntil(
    'search attributes usable in queries',
    async () => {
      await temporal(state, [
        'workflow',
        'count',
        '--query',
        Object.keys(SEARCH_ATTRIBUTES)
          .map((name) => `${name} = 'probe'`)
          .join(' AND '),
      ]);
      return true;
    },
    60_000,
    500,
  );
}

/** Starts PostgreSQL and the Temporal server, applies schema and setup; returns the state. */
export async function up() {
  const existing = readState();
  if (existing && (isOurs(existing.server?.pid, existing.server?.program) || isOurs(existing.postgres?.pid, existing.postgres?.program))) {
    throw new Error(`a cluster from ${stateFile()} is still running (${existing.address}); run \`node scripts/cluster.mjs down\` first`);
  }
  const t0 = Date.now();
  const timings = {};
  const mark = (name, since) => (timings[name] = Date.now() - since);
  let t = Date.now();
  const [toolsDir, cli] = await Promise.all([ensureTemporalServer(), ensureTemporalCli()]);
  mark('toolsMs', t);
  const membershipVars = PORT_VARS.filter((name) => name.endsWith('_MEMBERSHIP_PORT'));
  const ports = await freePorts(PORT_VARS.length - membershipVars.length + 2);
  const membershipPorts = await freeSmallPorts(membershipVars.length, ports);
  const state = {
    version: TEMPORAL_SERVER_VERSION,
    startedAt: new Date().toISOString(),
    toolsDir,
    cli,
    dataDir: mkdtempSync(join(tmpdir(), 'gemini-jobs-cluster-')),
    postgres: { port: ports.pop() },
    server: { program: join(toolsDir, 'server'), ports: {}, metricsPort: ports.pop(), restarts: 0 },
  };
  for (const name of PORT_VARS) state.server.ports[name] = name.endsWith('_MEMBERSHIP_PORT') ? membershipPorts.pop() : ports.pop();
  state.address = `127.0.0.1:${state.server.ports.FRONTEND_GRPC_PORT}`;
  state.server.logFile = join(state.dataDir, 'temporal.log');
  writeState(state);
  try {
    t = Date.now();
    await startPostgres(state);
    mark('postgresMs', t);
    t = Date.now();
    applySchema(state);
    mark('schemaMs', t);
    t = Date.now();
    startServerProcess(state);
    await waitForFrontend(state);
    mark('serverMs', t);
    t = Date.now();
    await setupNamespace(state);
    mark('setupMs', t);
  } catch (err) {
    log(`up failed: ${err.message}`);
    await down();
    throw err;
  }
  state.timings = { ...timings, totalMs: Date.now() - t0 };
  writeState(state);
  log(
    `Temporal ${state.version} on PostgreSQL ready at ${state.address} in ${state.timings.totalMs} ms ` +
      `(tools ${timings.toolsMs}, postgres ${timings.postgresMs}, schema ${timings.schemaMs}, server ${timings.serverMs}, setup ${timings.setupMs} ms; namespace retries ${state.setup.namespaceRetries})`,
  );
  return state;
}

async function stopPid(pid, program, signal, what, timeoutMs = 30_000) {
  if (!isOurs(pid, program)) return false;
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    log(`${what} (pid ${pid}) ignored ${signal} for ${timeoutMs} ms; SIGKILL`);
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
  }
  return true;
}

/** Kills the Temporal server (SIGKILL: no graceful shutdown) and starts it again on the same ports and database. */
export async function restartServer() {
  const state = readState();
  if (!state?.server?.pid) throw new Error(`no cluster state at ${stateFile()}`);
  const t = Date.now();
  await stopPid(state.server.pid, state.server.program, 'SIGKILL', 'Temporal server');
  startServerProcess(state);
  await waitForFrontend(state);
  await temporal(state, ['operator', 'namespace', 'describe']);
  state.server.restarts++;
  writeState(state);
  log(`Temporal server restarted in ${Date.now() - t} ms (pid ${state.server.pid})`);
  return state;
}

/** Stops the recorded server and PostgreSQL pids (nothing else) and deletes the data dir. */
export async function down() {
  const state = readState();
  if (!state) {
    log(`no cluster state at ${stateFile()}: nothing to stop`);
    return;
  }
  if (await stopPid(state.server?.pid, state.server?.program, 'SIGTERM', 'Temporal server', 15_000)) log(`stopped Temporal server pid ${state.server.pid}`);
  // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
  if (await stopPid(state.postgres?.pid, state.postgres?.program, 'SIGINT', 'PostgreSQL')) log(`stopped PostgreSQL pid ${state.postgres.pid}`);
  if (state.dataDir?.startsWith(join(tmpdir(), 'gemini-jobs-cluster-'))) rmSync(state.dataDir, { recursive: true, force: true });
  rmSync(stateFile(), { force: true });
}

/** Number of connections PostgreSQL serves now, and its max_connections. */
function connections(state) {
  const env = { ...process.env, PGPASSWORD: DB_PASSWORD };
  const q = (sql) => run('psql', ['-h', '127.0.0.1', '-p', String(state.postgres.port), '-U', DB_USER, '-d', 'postgres', '-Atc', sql], { env }).trim();
  return { used: Number(q("select count(*) from pg_stat_activity where backend_type = 'client backend'")), max: Number(q('show max_connections')) };
}

export function status() {
  const state = readState();
  if (!state) return { running: false, stateFile: stateFile() };
  const server = isOurs(state.server?.pid, state.server?.program);
  const postgres = isOurs(state.postgres?.pid, state.postgres?.program);
  return {
    running: server && postgres,
    stateFile: stateFile(),
    address: state.address,
    version: state.version,
    server: { pid: state.server.pid, alive: server, restarts: state.server.restarts, log: state.server.logFile, metrics: `http://127.0.0.1:${state.server.metricsPort}/metrics` },
    postgres: { pid: state.postgres.pid, alive: postgres, port: state.postgres.port, log: state.postgres.logFile, ...(postgres ? { connections: connections(state) } : {}) },
    timings: state.timings,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  const commands = {
    up: async () => process.stdout.write(`${(await up()).address}\n`),
    down,
    status: async () => process.stdout.write(`${JSON.stringify(status(), null, 2)}\n`),
    'restart-server': async () => process.stdout.write(`${(await restartServer()).address}\n`),
  };
  if (!commands[command]) {
    log(`usage: node scripts/cluster.mjs ${Object.keys(commands).join('|')}`);
    process.exit(2);
  }
  commands[command]().catch((err) => {
    log(err.message);
    process.exit(1);
  });
}
