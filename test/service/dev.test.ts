/**
 * `gemini-jobs dev` end to end: starts its own Temporal dev server (temp SQLite file, free
 * ports), the emulator (no credentials in the environment), an in-process worker, runs the sample
 * Deep Research job with progress, prints the report and stops everything (exit 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/dev/temporal-server';
import { runCli } from './harness';

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
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir };
    const run = await runCli(
      ['dev', '--port', String(port), '--ui-port', String(uiPort), '--db-file', join(dir, 'state', 'temporal.sqlite'), '--time-scale', '600', '--question', 'How do heat pumps work?'],
      env,
      { cwd: dir, timeoutMs: 100_000 },
    );
    assert.equal(run.code, 0, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stderr, new RegExp(`Temporal dev server  127\\.0\\.0\\.1:${port}`));
    assert.match(run.stderr, new RegExp(`Temporal Web UI      http://127\\.0\\.0\\.1:${uiPort}`));
    assert.match(run.stderr, /EMULATOR MODE/);
    assert.match(run.stderr, /✔ turn 1 completed/);
    assert.match(run.stdout, /^# How do heat pumps work/);

    // The printed report is the one the worker stored, and the server's state is persisted.
    const resultsDir = join(dir, '.gemini-jobs', 'results');
    const [jobDir] = await readdir(resultsDir);
    const files = (await readdir(join(resultsDir, jobDir!))).filter((f) => f.endsWith('.md'));
    assert.equal(files.length, 1);
    assert.equal(run.stdout.trimEnd(), (await readFile(join(resultsDir, jobDir!, files[0]!), 'utf8')).trimEnd());
    assert.ok(existsSync(join(dir, 'state', 'temporal.sqlite')));
    // Nothing left running: the dev server's ports are closed.
    assert.equal(await portOpen(port), false);
    assert.equal(await portOpen(uiPort), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
