import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator } from '../../src/emulator';
import { verifyDelivery } from '../../src/webhooks';
import { waitFor } from '../helpers/wait';
import { GEMINI, http } from './helpers';

/** `WebhookSubscribedEvent` of both 3.6.1 SDKs: no `interaction.cancelled`, no `batch.cancelled`. */
const SDK_WEBHOOK_EVENTS = ['batch.succeeded', 'batch.expired', 'batch.failed', 'interaction.requires_action', 'interaction.completed', 'interaction.failed', 'video.generated'];

describe('emulator webhooks resource', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  test('create shows the signing secret once; list, get, patch, ping, rotate and delete work', async () => {
    const created = await http(emu, 'POST', '/v1beta/webhooks', { body: { uri: 'https://example.com/hook', subscribed_events: ['interaction.completed'] } });
    assert.equal(created.status, 200);
    assert.match(created.json.new_signing_secret, /^whsec_/);
    const id = created.json.id;
    const got = await http(emu, 'GET', `/v1beta/webhooks/${id}`);
    assert.equal(got.json.new_signing_secret, undefined);
    assert.equal(got.json.state, 'enabled');
    assert.equal((await http(emu, 'GET', '/v1beta/webhooks?page_size=10')).json.webhooks.length, 1);
    const patched = await http(emu, 'PATCH', `/v1beta/webhooks/${id}?update_mask=state`, { body: { state: 'disabled' } });
    assert.equal(patched.json.state, 'disabled');
    assert.deepEqual((await http(emu, 'POST', `/v1beta/webhooks/${id}:ping`, { body: {} })).json, {});
    const rotated = await http(emu, 'POST', `/v1beta/webhooks/${id}:rotateSigningSecret`, { body: {} });
    assert.match(rotated.json.secret, /^whsec_/);
    assert.equal((await http(emu, 'GET', `/v1beta/webhooks/${id}`)).json.signing_secrets.length, 2);
    assert.deepEqual((await http(emu, 'DELETE', `/v1beta/webhooks/${id}`)).json, {});
    assert.equal((await http(emu, 'GET', `/v1beta/webhooks/${id}`)).status, 404);
    assert.equal((await http(emu, 'POST', '/v1beta/webhooks', { body: { uri: 'https://x' } })).status, 400);
    assert.equal(emu.counters().requests['webhooks'], 10);
  });
});

describe('emulator webhook delivery, signed like the live API', () => {
  let emu: Emulator;
  let sink: Server;
  let target: string;
  const got: Array<{ headers: Record<string, string>; text: string }> = [];
  before(async () => {
    emu = await startEmulator({ timeScale: 600, deepResearchDurationMs: 60_000, modelTurnDurationMs: 50 });
    sink = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        got.push({ headers: req.headers as Record<string, string>, text });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    await emu.close();
  });

  const create = (extra: Record<string, unknown>) =>
    http(emu, 'POST', GEMINI, {
      body: { model: 'gemini-3-flash-preview', input: 'hook me', background: true, webhook_config: { uris: [target], user_metadata: { k: 'v' } }, ...extra },
    });

  test('per-request deliveries: v1a Ed25519 by the newest of three published OKP keys; a rotated key signs the next ones', async () => {
    const jwks = (await http(emu, 'GET', '/.well-known/jwks.json', { headers: {} })).json as { keys: Array<Record<string, string>> };
    assert.equal(jwks.keys.length, 3);
    assert.ok(jwks.keys.every((k) => k['kty'] === 'OKP' && k['crv'] === 'Ed25519' && !('d' in k)));
    const before = got.length;
    const first = await create({});
    await waitFor(() => got.length > before, 'the first delivery');
    const verify = { jwksUrl: `${emu.url}/.well-known/jwks.json`, jwksCooldownMs: 0 };
    const a = await verifyDelivery(Buffer.from(got.at(-1)!.text), got.at(-1)!.headers, verify);
    assert.equal(a.ok && a.scheme, 'v1a');
    assert.equal(a.ok && a.keyId, jwks.keys[2]!['kid']);
    assert.match(got.at(-1)!.text, new RegExp(first.json.id));

    const kid = emu.rotateWebhookKey();
    const rotated = (await http(emu, 'GET', '/.well-known/jwks.json', { headers: {} })).json as { keys: Array<Record<string, string>> };
    assert.deepEqual(
      rotated.keys.map((k) => k['kid']),
      [...jwks.keys.slice(1).map((k) => k['kid']), kid],
    );
    const n = got.length;
    await create({});
    await waitFor(() => got.length > n, 'the delivery after the rotation');
    const b = await verifyDelivery(Buffer.from(got.at(-1)!.text), got.at(-1)!.headers, verify);
    assert.equal(b.ok && b.keyId, kid, 'the receiver found the new key by refetching the set');
  });

  test('project subscriptions: v1 HMAC with the subscription secret; a cancelled run announces nothing', async () => {
    const sub = await http(emu, 'POST', '/v1/webhooks', { body: { uri: target, subscribed_events: ['interaction.completed', 'interaction.failed'] } });
    const secret = sub.json.new_signing_secret as string;
    const n = got.length;
    const done = await http(emu, 'POST', GEMINI, { body: { model: 'gemini-3-flash-preview', input: 'to a subscription', background: true } });
    await waitFor(() => got.length > n, 'the subscription delivery');
    const d = got.at(-1)!;
    assert.match(d.text, new RegExp(done.json.id));
    const v = await verifyDelivery(Buffer.from(d.text), d.headers, { secrets: [secret] });
    assert.equal(v.ok && v.scheme, 'v1');

    const quiet = got.length;
    const bg = await create({ agent: 'deep-research-preview-04-2026', model: undefined, labels: { 'emulator-scenario': 'zombie' } });
    assert.equal((await http(emu, 'POST', `${GEMINI}/${bg.json.id}/cancel`)).json.status, 'cancelled');
    // A later run's delivery arrives: the cancelled one, settled earlier, sent nothing before it.
    await create({});
    await waitFor(() => got.length > quiet, 'the next delivery');
    await new Promise((r) => setTimeout(r, 200));
    const types = got.slice(quiet).map((g) => JSON.parse(g.text) as { type: string; data: { id: string } });
    assert.ok(!types.some((t) => t.data.id === bg.json.id), `no delivery for the cancelled run (${JSON.stringify(types)})`);
    assert.ok(types.every((t) => SDK_WEBHOOK_EVENTS.includes(t.type)));
    assert.equal(emu.webhookCounters().deliveries, got.length);
  });
});
