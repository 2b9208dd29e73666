/**
 * `gemini-jobs dev` end to end: starts its own Temporal dev server (temp SQLite file, free
 * ports), the emulator (no credentials in the environment), an in-process worker, runs the sample
 * Deep Research job with progress, prints the report and stops everything (exit 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../src/dev/temporal-server';
import { temporalCliPath } from '../helpers/temporal';
import { CLI, runCli } from './harness';

/**
 * The environment of a `dev` child: a fresh HOME and PATH, and the Temporal CLI this test run
 * uses passed explicitly, so the test does not depend on how that CLI was found (PATH, .tools,
 * TEMPORAL_CLI_PATH).
 */
async function devEnv(home: string): Promise<NodeJS.ProcessEnv> {
  return { PATH: process.env.PATH, HOME: home, TEMPORAL_CLI_PATH: await temporalCliPath() };
}

/** Resolves once `child`'s stderr matches `pattern`; rejects with that stderr if the child exits first. */
function stderrMatches(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const onData = (d: Buffer) => {
      stderr += d.toString('utf8');
      if (pattern.test(stderr)) {
        child.off('exit', onExit);
        resolve(stderr);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`dev exited (code ${code}) before printing ${pattern}:\n${stderr}`));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

test('dev runs the sample job on the emulator, prints the report and stops cleanly', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gj-dev-'));
  try {
    const port = await freePort(undefined);
    const uiPort = await freePort(undefined);
    const env = await devEnv(dir);
    const run = await runCli(
      [
        'dev',
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--db-file',
        join(dir, 'state', 'temporal.sqlite'),
        '--time-scale',
        '600',
        '--question',
        'How do heat pumps work?',
      ],
      env,
      { cwd: dir, timeoutMs: 100_000 },
    );
    assert.equal(run.code, 0, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stderr, new RegExp(`Temporal dev server  127\\.0\\.0\\.1:${port}`));
    assert.match(run.stderr, new RegExp(`Temporal Web UI      http://127\\.0\\.0\\.1:${uiPort}`));
    assert.match(run.stderr, /EMULATOR MODE/);
    assert.match(run.stderr, /✔ turn 1 completed/);
    assert.match(run.stdout, /^# How do heat pumps work/);

    // The report travelled through Temporal: no result store was configured or written.
    assert.equal(existsSync(join(dir, '.gemini-jobs', 'results')), false);
    assert.equal(existsSync(join(dir, 'state', 'temporal.sqlite.lock')), false, 'the data lock is released');
    assert.ok(existsSync(join(dir, 'state', 'temporal.sqlite')));
    // Nothing left running: the dev server's ports are closed.
    assert.equal(await portOpen(port), false);
    assert.equal(await portOpen(uiPort), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a second dev stack on the same data directory is refused, naming the process that holds it', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gj-dev-lock-'));
  const db = join(dir, 'state', 'temporal.sqlite');
  const env = await devEnv(dir);
  const first = spawn(process.execPath, [CLI, 'dev', '--no-sample', '--port', String(await freePort(undefined)), '--ui-port', String(await freePort(undefined)), '--db-file', db], {
    env,
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
  try {
    // Waits for the stack to serve, or fails at once with its output if it exits instead.
    await stderrMatches(first, /Serving\./);
    const second = await runCli(['dev', '--no-sample', '--db-file', db], env, { cwd: dir, timeoutMs: 60_000 });
    assert.equal(second.code, 2, second.stderr);
    assert.match(second.stderr, new RegExp(`process ${first.pid}`));
    assert.match(second.stderr, /--db-file/);
  } finally {
    first.kill('SIGINT');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});
