#!/usr/bin/env node
// `npm run test:cluster`: brings up the real Temporal cluster (scripts/cluster.mjs: Temporal server
// on PostgreSQL), runs the durability tests against it through scripts/run-tests.mjs --address, and
// stops the cluster again whatever happened. The cluster's state file is private to this run, so
// several runs on one machine do not meet.
//
// Usage: npm run test:cluster [-- <test files or dirs>]   (default: CLUSTER_TESTS below)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/** Jobs end to end, a worker SIGKILL, the server restarted mid-run, three workers sharing a queue. */
export const CLUSTER_TESTS = ['test/jobs/happy-path.test.ts', 'test/jobs/kill-resume.test.ts', 'test/proof/chaos.test.ts', 'test/cluster'];

function node(args, env) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const stateDir = mkdtempSync(join(tmpdir(), 'gemini-jobs-cluster-state-'));
const env = { ...process.env, GEMINI_JOBS_CLUSTER_STATE: join(stateDir, 'state.json') };
// Serial: a server restart in one file must not land in the middle of another file's assertions.
env.TEST_CONCURRENCY ??= '1';
let stopped = false;
async function stopCluster() {
  if (stopped) return;
  stopped = true;
  await node([join(root, 'scripts', 'cluster.mjs'), 'down'], env);
  rmSync(stateDir, { recursive: true, force: true });
}

async function main() {
  const files = process.argv.slice(2).length ? process.argv.slice(2) : CLUSTER_TESTS;
  const started = Date.now();
  let code = await node([join(root, 'scripts', 'cluster.mjs'), 'up'], env);
  const upMs = Date.now() - started;
  if (code !== 0) return code;
  process.env.GEMINI_JOBS_CLUSTER_STATE = env.GEMINI_JOBS_CLUSTER_STATE;
  const { status } = await import('./cluster.mjs');
  const testsStarted = Date.now();
  code = await node([join(root, 'scripts', 'run-tests.mjs'), '--address', status().address, ...files], env);
  const after = status();
  process.stderr.write(
    `[test-cluster] cluster up ${upMs} ms, tests ${Date.now() - testsStarted} ms; Temporal server restarts ${after.server?.restarts}; ` +
      `PostgreSQL connections ${after.postgres?.connections?.used}/${after.postgres?.connections?.max}\n`,
  );
  return code;
}

for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stopCluster().then(() => process.exit(130)));
main()
  .catch((err) => {
    process.stderr.write(`[test-cluster] ${err.stack ?? err}\n`);
    return 1;
  })
  .then(async (code) => {
    await stopCluster();
    process.exit(code);
  });
