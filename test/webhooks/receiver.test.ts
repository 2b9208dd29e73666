/**
 * The webhook receiver on its own, over real HTTP: Standard Webhooks HMAC deliveries signed with
 * the `standardwebhooks` library, `v1a` deliveries signed by the emulator (as the live API signs
 * per-request deliveries) and checked against its JWKS, and every refusal (bad signature, stale
 * timestamp, replay, body tampered after signing, JSON parsed before the handler). `deliver`
 * records what would be signalled.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { createWebhookHandler, parseSignatures, webhookVerifyOptionsFromEnv, type WebhookHandler } from '../../src/webhooks';
import type { WebhookNotice } from '../../workflows/definitions';
import { startEmulator, type Emulator } from '../../src/emulator';
import { waitFor } from '../helpers/wait';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const delivered: Array<{ jobId: string; notice: WebhookNotice }> = [];
let handler: WebhookHandler;
let server: Server;
let url: string;

before(async () => {
  handler = createWebhookHandler({ secrets: [SECRET], deliver: async (jobId, notice) => (delivered.push({ jobId, notice }), 'delivered') });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function body(jobId: string, interactionId = 'v1_abc'): string {
  return JSON.stringify({
    type: 'interaction.completed',
    timestamp: new Date().toISOString(),
    data: { id: interactionId, status: 'completed', user_metadata: { gemini_jobs_job_id: jobId, gemini_jobs_turn: '2' } },
  });
}

function signed(id: string, text: string, at = new Date(), secret = SECRET): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new StandardWebhook(secret).sign(id, at, text),
    'content-type': 'application/json',
  };
}

async function post(text: string, headers: Record<string, string>): Promise<{ status: number; json: { result: string } }> {
  const res = await fetch(url, { method: 'POST', body: text, headers });
  return { status: res.status, json: (await res.json()) as { result: string } };
}

test('HMAC delivery: verified, the job is signalled with ids only; a re-delivery is a duplicate, a replay a 401', async () => {
  const text = body('job-1');
  const headers = signed('msg_1', text);
  const first = await post(text, headers);
  assert.equal(first.status, 202);
  assert.deepEqual(delivered.at(-1), { jobId: 'job-1', notice: { webhookId: 'msg_1', eventType: 'interaction.completed', interactionId: 'v1_abc', turn: 2, status: 'completed' } });
  const count = delivered.length;
  const replay = await post(text, headers);
  assert.equal(replay.status, 401, 'the identical signed request again is a replay');
  const again = await post(text, signed('msg_1', text, new Date(Date.now() + 1_000)));
  assert.equal(again.status, 200);
  assert.equal(again.json.result, 'duplicate');
  assert.equal(delivered.length, count, 'nothing signalled twice');
});

test('HMAC delivery: bad signature, other secret, stale timestamp, tampered body: 401, nothing signalled', async () => {
  const count = delivered.length;
  const text = body('job-2');
  assert.equal((await post(text, { ...signed('msg_2', text), 'webhook-signature': 'v1,AAAA' })).status, 401);
  assert.equal((await post(text, signed('msg_3', text, new Date(), `whsec_${randomBytes(24).toString('base64')}`))).status, 401);
  assert.equal((await post(text, signed('msg_4', text, new Date(Date.now() - 10 * 60_000)))).status, 401);
  assert.equal((await post(body('job-other'), signed('msg_5', text))).status, 401);
  assert.equal(delivered.length, count);
});

test('a verified delivery that names no job is acknowledged and ignored; a parsed body is refused', async () => {
  const text = JSON.stringify({ type: 'batch.succeeded', data: { id: 'batches/1' } });
  const res = await post(text, signed('msg_6', text));
  assert.equal(res.status, 200);
  assert.equal(res.json.result, 'ignored');
  const responses: number[] = [];
  const fake = { method: 'POST', headers: signed('msg_7', text), body: { already: 'parsed' }, on: () => undefined } as never;
  await handler(fake, { headersSent: false, writeHead: (s: number) => responses.push(s), end: () => undefined, setHeader: () => undefined } as never);
  assert.deepEqual(responses, [400]);
});

test('v1a delivery from the emulator: verified against its JWKS over HTTP; another body or another webhook id is refused', async () => {
  const emulator: Emulator = await startEmulator({ port: 0, timeScale: 600, deepResearchDurationMs: 60_000, modelTurnDurationMs: 50 });
  const captured: Array<{ headers: Record<string, string>; text: string }> = [];
  const sink = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      captured.push({ headers: req.headers as Record<string, string>, text });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  try {
    const target = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
    const res = await fetch(`${emulator.url}/v1beta/interactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({
        model: 'gemini-3-flash-preview',
        input: 'hi',
        background: true,
        webhook_config: { uris: [target], user_metadata: { gemini_jobs_job_id: 'job-jwt', gemini_jobs_turn: '1' } },
      }),
    });
    assert.equal(res.status, 200);
    await waitFor(() => captured.length > 0, 'the emulator delivered the webhook', 20_000, 25);
    assert.equal(captured.length, 1, 'one delivery');
    const got = captured[0]!;
    assert.deepEqual(
      parseSignatures(got.headers['webhook-signature']!).map((s) => s.scheme),
      ['v1a'],
      'per-request deliveries are signed v1a',
    );
    assert.match(got.headers['webhook-id']!, /^msg_[0-9a-f-]{36}$/);
    const notices: WebhookNotice[] = [];
    const v1aHandler = createWebhookHandler({ jwksUrl: `${emulator.url}/.well-known/jwks.json`, deliver: async (_j, n) => (notices.push(n), 'delivered') });
    const ok = await v1aHandler.process(Buffer.from(got.text), got.headers);
    assert.equal(ok.status, 202);
    assert.equal(notices[0]!.eventType, 'interaction.completed');
    const tampered = await v1aHandler.process(Buffer.from(got.text.replace('completed', 'failed')), got.headers);
    assert.equal(tampered.status, 401, 'the signature covers the body');
    const otherId = await v1aHandler.process(Buffer.from(got.text), { ...got.headers, 'webhook-id': 'msg_other' });
    assert.equal(otherId.status, 401, 'the signature covers the webhook id');
  } finally {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    await emulator.close();
  }
});

test('receiver settings come from the environment and bad ones are named', () => {
  const opts = webhookVerifyOptionsFromEnv({ GEMINI_WEBHOOK_SECRET: `${SECRET},${SECRET}`, GEMINI_WEBHOOK_TOLERANCE_SECONDS: '120' });
  assert.equal(opts.secrets?.length, 2);
  assert.equal(opts.toleranceSeconds, 120);
  assert.throws(() => webhookVerifyOptionsFromEnv({ GEMINI_WEBHOOK_SECRET: 'plain-text' }), /GEMINI_WEBHOOK_SECRET/);
  assert.throws(() => webhookVerifyOptionsFromEnv({ GEMINI_WEBHOOK_SCHEMES: 'hmac' }), /GEMINI_WEBHOOK_SCHEMES/);
  assert.throws(() => createWebhookHandler({ deliver: async () => 'delivered' }), /signing secret/);
});
