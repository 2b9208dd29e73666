/**
 * `gemini-jobs webhooks` as a process: it listens, answers 401 to an unsigned delivery and 404 off
 * its path, signals a running job for a signed one, and stops on SIGTERM.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { CLI } from '../helpers/cli';
import { getTestEnv, releaseTestEnv } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';

after(async () => {
  await releaseTestEnv();
});

test('gemini-jobs webhooks: 401 unsigned, 404 elsewhere, a signed delivery for a missing job is acknowledged, SIGTERM stops it', async () => {
  const env = await getTestEnv();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const child = spawn(process.execPath, [CLI, 'webhooks', '--port', '0', '--json'], {
    env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: env.address, GEMINI_WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await waitFor(() => /"url":"([^"]+)"/.exec(out)?.[1], 'the receiver prints its URL', 30_000, 50);
    assert.match(url, /\/webhooks\/gemini$/);
    assert.equal((await fetch(url, { method: 'POST', body: '{}' })).status, 401);
    assert.equal((await fetch(url.replace('/webhooks/gemini', '/other'), { method: 'POST', body: '{}' })).status, 404);
    const body = JSON.stringify({
      type: 'interaction.completed',
      data: { id: 'v1_gone', status: 'completed', user_metadata: { gemini_jobs_job_id: `job_missing_${randomBytes(4).toString('hex')}`, gemini_jobs_turn: '1' } },
    });
    const at = new Date();
    const res = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'webhook-id': 'msg_cli',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new StandardWebhook(secret).sign('msg_cli', at, body),
      },
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { result: string }).result, 'job_not_found');
    assert.ok(!out.includes(secret), 'the secret never reaches the output');
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, out);
});
