#!/usr/bin/env node
// `npm test`: runs every compiled test file with node's test runner against ONE real Temporal dev
// server started here (search attributes registered, updates enabled), so test files share a
// server instead of each paying for its own. Test files isolate themselves by task queue.
//
// Usage: npm test [-- <test file or dir under test/> ...]   (paths may name .ts sources)
//        node scripts/run-tests.mjs --address 127.0.0.1:7233 [files...]
//   --address (or TEMPORAL_TEST_ADDRESS) uses a server that is already running (e.g. the cluster of
//   scripts/cluster.mjs) instead of starting a dev server; the server must already have namespace
//   `default` and the search attributes (src/dev/dev-server-args.mjs SEARCH_ATTRIBUTES).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ensureTemporalCli } from './temporal-cli.mjs';
import { devServerArgs } from '../src/dev/dev-server-args.mjs';
import { freePort } from './lib.mjs';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const distTest = join(root, 'dist', 'test');

function collectTests(path, out = []) {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) collectTests(join(path, name), out);
  } else if (path.endsWith('.test.js')) {
    out.push(path);
  }
  return out;
}

/** Maps `test/foo.test.ts` or `dist/test/foo.test.js` or `test/dir` to compiled paths. */
function resolveSelection(args) {
  if (args.length === 0) return collectTests(distTest);
  return args.flatMap((arg) => {
    let p = resolve(root, arg);
    if (!p.startsWith(join(root, 'dist'))) p = join(root, 'dist', relative(root, p));
    p = p.replace(/\.ts$/, '.js');
    if (!existsSync(p)) throw new Error(`no compiled test at ${relative(root, p)} (did the build run?)`);
    return collectTests(p);
  });
}

async function waitForServer(cli, address, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal server exited with code ${child.exitCode}`);
    const ok = await new Promise((done) => {
      const probe = spawn(cli, ['operator', 'namespace', 'describe', 'default', '--address', address], { stdio: 'ignore' });
      probe.on('close', (code) => done(code === 0));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Temporal server ${address} not ready within ${timeoutMs} ms`);
}

/** Splits `--address <host:port>` / `--address=<host:port>` off the file arguments. */
function parseArgs(argv) {
  const files = [];
  let address = process.env.TEMPORAL_TEST_ADDRESS || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--address') address = argv[++i];
    else if (arg.startsWith('--address=')) address = arg.slice('--address='.length);
    else files.push(arg);
  }
  if (address !== undefined && !/^[\w.-]+:\d+$/.test(address)) throw new Error(`--address must be host:port, got ${JSON.stringify(address)}`);
  return { files, address };
}

function runNodeTests(files, address, cli) {
  const concurrency = process.env.TEST_CONCURRENCY ?? '2';
  // TAP on stdout as before; where the time went on stderr (scripts/test-file-timings.mjs).
  const reporters = [
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'test-file-timings.mjs')}`,
    '--test-reporter-destination=stderr',
  ];
  const runner = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...reporters, ...files], {
    stdio: 'inherit',
    env: { ...process.env, TEMPORAL_TEST_ADDRESS: address, TEMPORAL_CLI_PATH: cli, GEMINI_JOBS_TEST_RUN: '1' },
  });
  return new Promise((done) => runner.on('close', (c, sig) => done(c ?? (sig ? 1 : 0))));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const files = resolveSelection(args.files);
  if (files.length === 0) throw new Error('no test files found under dist/test (run `npm run build`)');

  const cli = await ensureTemporalCli();
  if (args.address) {
    await waitForServer(cli, args.address, { exitCode: null }, 60_000);
    process.stderr.write(`[run-tests] existing Temporal server ${args.address}; ${files.length} test files\n`);
    process.exit(await runNodeTests(files, args.address, cli));
  }
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gemini-jobs-test-'));
  const started = Date.now();
  const server = spawn(cli, devServerArgs({ port, dbFile: join(dataDir, 'temporal.sqlite') }), {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stopServer = () => {
    if (server.exitCode === null) server.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', stopServer);
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

  await waitForServer(cli, address, server, 60_000);
  process.stderr.write(`[run-tests] Temporal dev server ${address} ready in ${Date.now() - started} ms; ${files.length} test files\n`);

  const code = await runNodeTests(files, address, cli);
  stopServer();
  process.exit(code);
}

main().catch((err) => {
  process.stderr.write(`[run-tests] ${err.stack ?? err}\n`);
  process.exit(1);
});
