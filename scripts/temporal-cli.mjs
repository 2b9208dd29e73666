#!/usr/bin/env node
// Makes the Temporal CLI (which embeds the Temporal dev server) available offline and prints its
// path on stdout. Progress goes to stderr so `$(node scripts/temporal-cli.mjs)` captures the path.
//
// Order: $TEMPORAL_CLI_PATH, a `temporal` on PATH, the cached build in .tools/bin, else build it
// from the Go module proxy. The SDK's own download needs the internet, which CI machines lack;
// v1.5.1 is the newest release whose go.mod has no `replace` directive, so `go install` works.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isExecutable } from './lib.mjs';

export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const MIN_GO = [1, 25];

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cachedBinary = join(packageRoot, '.tools', 'bin', process.platform === 'win32' ? 'temporal.exe' : 'temporal');

const log = (line) => process.stderr.write(`[temporal-cli] ${line}\n`);

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function goVersion() {
  const out = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  const match = /go(\d+)\.(\d+)/.exec(out.stdout);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

async function buildWithGo() {
  const version = goVersion();
  if (!version) {
    throw new Error(
      'No Temporal CLI found and Go is not installed. Install Go 1.25+ (then re-run), put `temporal` on PATH, ' + 'or set TEMPORAL_CLI_PATH to an existing Temporal CLI binary.',
    );
  }
  if (version[0] < MIN_GO[0] || (version[0] === MIN_GO[0] && version[1] < MIN_GO[1])) {
    throw new Error(`Temporal CLI v${TEMPORAL_CLI_VERSION} needs Go ${MIN_GO.join('.')}+, found go${version.join('.')}.`);
  }
  mkdirSync(dirname(cachedBinary), { recursive: true });
  log(`building ${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION} with go${version.join('.')} into ${dirname(cachedBinary)}`);
  log('this compiles the whole Temporal server: expect 2-5 minutes on a cold Go cache');
  const started = Date.now();
  const child = spawn(
    'go',
    ['install', '-trimpath', '-ldflags', `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`, `${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`],
    { env: { ...process.env, GOBIN: dirname(cachedBinary), CGO_ENABLED: '0', GOFLAGS: process.env.GOFLAGS ?? '-buildvcs=false' }, stdio: ['ignore', 'inherit', 'pipe'] },
  );
  // go prints "go: downloading …" lines; pass them through and add a heartbeat while it compiles.
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  const ticker = setInterval(() => log(`still building… ${Math.round((Date.now() - started) / 1000)} s`), 15_000);
  const code = await new Promise((done) => child.on('close', done));
  clearInterval(ticker);
  if (code !== 0 || !isExecutable(cachedBinary)) throw new Error(`go install failed with exit code ${code}`);
  log(`built in ${Math.round((Date.now() - started) / 1000)} s`);
  return cachedBinary;
}

/** Resolves the Temporal CLI path, building it if needed. */
export async function ensureTemporalCli() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  const found = onPath('temporal');
  if (found) return found;
  if (isExecutable(cachedBinary)) return cachedBinary;
  return buildWithGo();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureTemporalCli().then(
    (path) => {
      if (!existsSync(path)) process.exit(1);
      process.stdout.write(`${path}\n`);
    },
    (err) => {
      log(err.message);
      process.exit(1);
    },
  );
}
