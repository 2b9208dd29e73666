/**
 * The doctor's route and quota-project lines on the Vertex families, and its webhook round trip,
 * over real HTTP against the emulator. The delivery is posted by the test (acting as the API's
 * delivery service) to the URL the doctor registered in `webhook_config`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { ProbeContext } from '../../src/doctor/context';
import { modelTurnProbes } from '../../src/doctor/model-probe';
import { quotaProjectCheck, routeCheck, credentialsCheck } from '../../src/doctor/route-probe';
import { WireRecorder } from '../../src/doctor/wire';
import type { DoctorReport } from '../../src/doctor';
import { runCli } from '../helpers/cli';
import { fakeAccessToken, fakeApiKey } from '../helpers/fake-credentials';
import { waitFor } from '../helpers/wait';

const KEY = fakeApiKey('SyDoctorRouteKey_0123456789abcdefghij');
const TOKEN = fakeAccessToken('doctor-route-test-token-0123456789');
let emu: Emulator;

before(async () => {
  emu = await startEmulator({ timeScale: 10, modelTurnDurationMs: 3_000, apiKey: KEY, accessToken: TOKEN });
});
after(async () => {
  await emu?.close();
});

const settings = { model: 'gemini-3-flash-preview', agent: 'deep-research-preview-04-2026', maxTokens: 20_000, turnTimeoutMs: 30_000, planTimeoutMs: 30_000, pollIntervalMs: 100 };

test('Vertex OAuth: route is the project/location path, the bearer header and the quota project are read off the wire', async () => {
  const wire = new WireRecorder(false);
  const client = new InteractionsClient({
    vertexai: true,
    project: 'doctor-proj',
    location: 'us-central1',
    accessToken: TOKEN,
    userProject: 'billing-proj',
    baseUrl: emu.url,
    dispatcher: wire.dispatcher,
  });
  const ctx = new ProbeContext(client, wire, settings);
  try {
    await modelTurnProbes(ctx);
    const env = { GOOGLE_CLOUD_LOCATION: 'us-central1', GOOGLE_CLOUD_QUOTA_PROJECT: 'billing-proj' };
    const route = routeCheck(ctx, env);
    assert.equal(route.result, 'ok', route.detail);
    assert.match(route.detail, /vertex .*\/v1beta1\/projects\/doctor-proj\/locations\/us-central1/);
    const creds = credentialsCheck(ctx, env, undefined);
    assert.equal(creds.result, 'ok', creds.detail);
    assert.match(creds.detail, /Authorization: Bearer/);
    assert.ok(!creds.detail.includes(TOKEN));
    assert.equal(quotaProjectCheck(ctx, env).result, 'ok');
    // A configured quota project that is not what goes on the wire is a differs naming both.
    const wrong = quotaProjectCheck(ctx, { GOOGLE_GENAI_USER_PROJECT: 'other-proj' });
    assert.equal(wrong.result, 'differs');
    assert.match(wrong.detail, /billing-proj/);
    assert.match(wrong.expected ?? '', /other-proj/);
    assert.deepEqual(emu.userProjects(), ['billing-proj']);
  } finally {
    await ctx.cleanup();
    await client.close();
    await wire.close();
  }
});

test('Vertex express (API key, no project): the doctor CLI reports the /v1beta1 route ok', async () => {
  const env = { PATH: process.env.PATH, GEMINI_JOBS_BASE_URL: emu.url, GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: KEY };
  const run = await runCli(['doctor', '--json'], env, { timeoutMs: 120_000 });
  const report = JSON.parse(run.stdout) as DoctorReport;
  const route = report.checks.find((c) => c.id === 'route')!;
  assert.equal(route.result, 'ok', route.detail);
  assert.equal(report.target.family, 'express');
  assert.equal(report.target.prefix, '/v1beta1');
  assert.equal(run.code, 0, JSON.stringify(report.checks.filter((c) => c.result !== 'ok' && c.result !== 'skipped')));
});

test('webhook round trip: the delivery to the registered URL is checked; callers without the run token get 401', async () => {
  const env = { PATH: process.env.PATH, GEMINI_JOBS_BASE_URL: emu.url, GEMINI_API_KEY: KEY };
  const before = emu.interactions().length;
  const record = await mkdtemp(join(tmpdir(), 'doctor-webhook-'));
  const cli = runCli(['doctor', '--json', '--record', record, '--webhook-url', 'http://127.0.0.1:0/hook', '--webhook-wait', '60s'], env, { timeoutMs: 120_000 });
  const created = await waitFor(
    () =>
      emu
        .interactions()
        .slice(before)
        .find((i) => (i.request['webhook_config'] as { uris?: string[] } | undefined)?.uris),
    'the doctor to create its webhook turn',
    60_000,
  );
  const config = created.request['webhook_config'] as { uris: string[]; user_metadata: Record<string, string> };
  const uri = new URL(config.uris[0]!);
  assert.equal(uri.hostname, '127.0.0.1');
  assert.notEqual(uri.port, '0', 'port 0 was replaced by the port the doctor listens on');
  assert.ok(uri.searchParams.get('doctor_token'));
  assert.ok(config.user_metadata['gemini-jobs-doctor']);

  const body = JSON.stringify({ type: 'interaction.completed', data: { id: created.id, user_metadata: config.user_metadata } });
  const headers = {
    'content-type': 'application/json',
    'webhook-id': 'msg_doctor_1',
    'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
    'webhook-signature': 'v1,ZmFrZS1zaWduYXR1cmU=',
  };
  const stranger = new URL(uri);
  stranger.searchParams.delete('doctor_token');
  const refused = await request(stranger, { method: 'POST', headers, body });
  await refused.body.dump();
  assert.equal(refused.statusCode, 401);
  const wrong = new URL(uri);
  wrong.searchParams.set('doctor_token', 'x'.repeat(uri.searchParams.get('doctor_token')!.length));
  const refused2 = await request(wrong, { method: 'POST', headers, body });
  await refused2.body.dump();
  assert.equal(refused2.statusCode, 401);
  const accepted = await request(uri, { method: 'POST', headers, body });
  await accepted.body.dump();
  assert.equal(accepted.statusCode, 204);

  const run = await cli;
  const report = JSON.parse(run.stdout) as DoctorReport;
  const line = report.checks.find((c) => c.id === 'webhook')!;
  assert.equal(line.result, 'ok', line.detail);
  // The test's own delivery carries a made-up v1 signature, which the receiver would refuse; the
  // emulator's own delivery is signed v1a like the live API and verifies against its JWKS.
  assert.match(line.detail, /type interaction\.completed.*signature v1a \(Ed25519\), verified \(key emu-[0-9a-f]+\)/);
  assert.match(line.detail, /user_metadata echoed/);
  assert.ok(emu.interactions().find((i) => i.id === created.id)?.deleted, 'the webhook turn was deleted');
  // The run's listener token is a credential of sorts: it never reaches the transcripts.
  const token = uri.searchParams.get('doctor_token')!;
  for (const f of await readdir(record)) assert.ok(!(await readFile(join(record, f), 'utf8')).includes(token), f);
  assert.ok(!run.stdout.includes(token));
  await rm(record, { recursive: true, force: true });
});
