#!/usr/bin/env node
// Makes the real Temporal server (the version docker-compose.yml pins) and its SQL tool available
// offline and prints the directory holding `server`, `sql` and `schema/` on stdout. Progress goes to
// stderr so `$(node scripts/temporal-server.mjs)` captures the path.
//
// Built once from the Go module proxy into .tools/temporal-server-v<version>/ (like the CLI in
// scripts/temporal-cli.mjs); the SQL schemas are copied next to the binaries so the cluster does
// not depend on Go's module cache surviving.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable } from './lib.mjs';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The server version docker-compose.yml runs (`temporalio/server:<version>`). */
export function composeServerVersion() {
  const compose = readFileSync(join(packageRoot, 'docker-compose.yml'), 'utf8');
  const match = /image:\s*temporalio\/server:(\d+\.\d+\.\d+)/.exec(compose);
  if (!match) throw new Error('docker-compose.yml has no `image: temporalio/server:<x.y.z>` line');
  return match[1];
}

export const TEMPORAL_SERVER_VERSION = composeServerVersion();
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
export const serverToolsDir = join(packageRoot, '.tools', `temporal-server-v${TEMPORAL_SERVER_VERSION}`);

const log = (line) => process.stderr.write(`[temporal-server] ${line}\n`);

/** True when the cached build is complete (both binaries and both schema trees). */
export function serverToolsReady(dir = serverToolsDir) {
  return (
    isExecutable(join(dir, 'server')) &&
    isExecutable(join(dir, 'sql')) &&
    existsSync(join(dir, 'schema', 'postgresql', 'v12', 'temporal', 'versioned')) &&
    existsSync(join(dir, 'schema', 'postgresql', 'v12', 'visibility', 'versioned'))
  );
}

async function build() {
  const go = spawnSync('go', ['env', 'GOVERSION', 'GOMODCACHE'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error('Go is not installed: install Go 1.25+ to build the Temporal server, then re-run.');
  const [goVersion, modCache] = go.stdout.trim().split('\n');
  // Build into a scratch dir and rename at the end, so an interrupted build never looks complete.
  const scratch = `${serverToolsDir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const modules = [`${TEMPORAL_SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`];
  log(`building ${modules.join(' ')} with ${goVersion} (minutes on a cold cache)`);
  const started = Date.now();
  const child = spawn('go', ['install', '-trimpath', '-ldflags', '-s -w', ...modules], {
    env: { ...process.env, GOBIN: scratch, CGO_ENABLED: '0', GOFLAGS: process.env.GOFLAGS ?? '-buildvcs=false' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  const code = await new Promise((done) => child.on('close', done));
  clearInterval(ticker);
  if (code !== 0) throw new Error(`go install failed with exit code ${code}`);
  const schema = join(modCache, `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql');
  if (!existsSync(schema)) throw new Error(`schema not found in the module cache at ${schema}`);
  cpSync(schema, join(scratch, 'schema', 'postgresql'), { recursive: true });
  rmSync(serverToolsDir, { recursive: true, force: true });
  renameSync(scratch, serverToolsDir);
  log(`built in ${Math.round((Date.now() - started) / 1000)} s into ${serverToolsDir}`);
}

/** Resolves the directory with `server`, `sql` and `schema/`, building it when not cached. */
export async function ensureTemporalServer() {
  if (!serverToolsReady()) await build();
  if (!serverToolsReady()) throw new Error(`incomplete Temporal server build in ${serverToolsDir}`);
  return serverToolsDir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureTemporalServer().then(
    (dir) => process.stdout.write(`${dir}\n`),
    (err) => {
      log(err.message);
      process.exit(1);
    },
  );
}
