/**
 * `gemini-jobs serve` as a process: with no token configured it binds loopback, prints a
 * dashboard link with a generated token, answers 401 without it and 200 with it, logs requests
 * without the token, and stops on SIGINT; a non-loopback host without a token exits 2.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI, runCli } from '../helpers/cli';
import { releaseTestEnv } from '../helpers/temporal';
import { serviceHarness } from '../service/harness';
import type { ServiceHarness } from '../service/harness';

let h: ServiceHarness;
before(async () => {
  h = await serviceHarness('cli-serve');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

test('serve on loopback without GEMINI_JOBS_SERVE_TOKENS generates a token and requires it', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: h.cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  try {
    const link = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no dashboard link: ${err}`)), 20_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const url = new URL(link);
    const token = decodeURIComponent(url.hash.slice('#token='.length));
    assert.ok(token.length >= 40);
    assert.equal((await fetch(`${url.origin}/v1/jobs`)).status, 401);
    const ok = await fetch(`${url.origin}/v1/jobs?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const page = await fetch(`${url.origin}/`);
    assert.match(await page.text(), /<script type="module" src="\/assets\/app\.mjs">/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(stdout, /"route":"GET \/v1\/jobs","status":200/);
    assert.ok(!stdout.includes(token), 'the request log never holds the token');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('serve --host 0.0.0.0 without a token refuses to start (exit 2) and binds nothing', async () => {
  const run = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], h.cliEnv());
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /refusing to listen on 0\.0\.0\.0 without a bearer token: set GEMINI_JOBS_SERVE_TOKENS/);
  const weak = await runCli(['serve', '--port', '0'], h.cliEnv({ GEMINI_JOBS_SERVE_TOKENS: 'short' }));
  assert.equal(weak.code, 2);
  assert.match(weak.stderr, /at least 16/);
  assert.ok(!weak.stderr.includes('short,') && !/token #1 is 5 characters.*short/.test(weak.stderr), 'the token value is not printed');
});
