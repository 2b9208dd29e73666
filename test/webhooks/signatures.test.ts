/**
 * Each signature scheme the receiver accepts, with real keys and a JWKS served over HTTP:
 * `v1a` Ed25519 (per-request deliveries as the live API signs them), `v1` HMAC (project
 * subscriptions) and the JWT form of Google's docs. Rotation, an unknown key, a wrong key, a
 * tampered body, a stale timestamp, several signatures in one header, the key host down.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { bodyHash, createWebhookHandler, verifyDelivery, webhookVerifyOptionsFromEnv, type VerifyOptions } from '../../src/webhooks';
import { KeyServer, ed25519Key, jwtHeaders, rsaKey, v1aHeaders } from './key-server';

const body = (interactionId = 'v1_sig') =>
  JSON.stringify({ type: 'interaction.completed', data: { id: interactionId, status: 'completed', user_metadata: { gemini_jobs_job_id: 'job-sig', gemini_jobs_turn: '1' } } });
const buf = (s: string) => Buffer.from(s, 'utf8');

let keys: KeyServer;
before(async () => {
  keys = await new KeyServer().start();
});
after(() => keys.close());

/** A fresh JWKS cache per test (cooldown 0: an unknown key refetches at once). */
function opts(extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { jwksUrl: `${keys.url}?t=${randomBytes(4).toString('hex')}`, jwksCooldownMs: 0, ...extra };
}

describe('v1a (Ed25519 against the JWKS)', () => {
  test('a delivery signed by a published key verifies, and names the key that verified it', async () => {
    const a = ed25519Key();
    const b = ed25519Key();
    keys.keys = [b, a];
    const text = body();
    const r = await verifyDelivery(buf(text), v1aHeaders(text, [a]), opts());
    assert.deepEqual(r.ok && { scheme: r.scheme, keyId: r.keyId }, { scheme: 'v1a', keyId: a.kid });
  });

  test('a wrong key, a tampered body, a stale timestamp and a truncated signature are refused', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const o = opts();
    const text = body();
    const wrong = await verifyDelivery(buf(text), v1aHeaders(text, [ed25519Key()]), o);
    assert.equal(wrong.ok, false);
    assert.match(!wrong.ok ? wrong.reason : '', /no v1a signature matches/);
    const tampered = await verifyDelivery(buf(body('v1_other')), v1aHeaders(text, [a]), o);
    assert.equal(tampered.ok, false);
    const stale = await verifyDelivery(buf(text), v1aHeaders(text, [a], { at: new Date(Date.now() - 10 * 60_000) }), o);
    assert.match(!stale.ok ? stale.reason : '', /stale or replayed/);
    const h = v1aHeaders(text, [a]);
    const short = await verifyDelivery(buf(text), { ...h, 'webhook-signature': h['webhook-signature']!.slice(0, 40) }, o);
    assert.equal(short.ok, false);
  });

  test('several signatures in one header: one that verifies is enough', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const text = body();
    const headers = v1aHeaders(text, [ed25519Key(), a]);
    assert.equal(headers['webhook-signature']!.split(' ').length, 2);
    assert.equal((await verifyDelivery(buf(text), headers, opts())).ok, true);
  });

  test('rotation: a key published after the set was cached is found by one refetch', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const o = opts();
    const text = body();
    assert.equal((await verifyDelivery(buf(text), v1aHeaders(text, [a]), o)).ok, true);
    const fetched = keys.fetches;
    const b = ed25519Key();
    keys.keys = [a, b];
    const r = await verifyDelivery(buf(text), v1aHeaders(text, [b]), o);
    assert.equal(r.ok && r.keyId, b.kid);
    assert.equal(keys.fetches, fetched + 1, 'one refetch for the unknown key');
    assert.equal((await verifyDelivery(buf(text), v1aHeaders(text, [b]), o)).ok, true);
    assert.equal(keys.fetches, fetched + 1, 'the refetched set is cached');
  });

  test('within the cooldown an unknown key does not refetch the set (a forger cannot make the receiver hammer the key host)', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const o = opts({ jwksCooldownMs: 3_600_000 });
    const text = body();
    assert.equal((await verifyDelivery(buf(text), v1aHeaders(text, [a]), o)).ok, true);
    const fetched = keys.fetches;
    for (let i = 0; i < 5; i++) assert.equal((await verifyDelivery(buf(text), v1aHeaders(text, [ed25519Key()]), o)).ok, false);
    assert.equal(keys.fetches, fetched);
  });

  test('the key host down: the delivery cannot be judged (retryable), not forged', async () => {
    keys.keys = [ed25519Key()];
    keys.down = true;
    try {
      const text = body();
      const r = await verifyDelivery(buf(text), v1aHeaders(text, keys.keys), opts());
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.retryable, true);
    } finally {
      keys.down = false;
    }
  });

  test('v1a not accepted when the receiver is limited to other schemes', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const text = body();
    const r = await verifyDelivery(buf(text), v1aHeaders(text, [a]), opts({ schemes: ['v1'] }));
    assert.match(!r.ok ? r.reason : '', /v1a not accepted/);
  });
});

describe('v1 (HMAC-SHA256, whsec_ secrets)', () => {
  const s1 = `whsec_${randomBytes(24).toString('base64')}`;
  const s2 = `whsec_${randomBytes(24).toString('base64')}`;
  const signed = (text: string, secrets: string[], at = new Date(), id = `msg_${randomBytes(6).toString('hex')}`) => ({
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new StandardWebhook(s).sign(id, at, text)).join(' '),
  });

  test('the current or the previous secret verifies (rotation); another secret, a tampered body or a stale timestamp do not', async () => {
    const text = body();
    assert.equal((await verifyDelivery(buf(text), signed(text, [s2]), { secrets: [s1, s2] })).ok, true);
    assert.equal((await verifyDelivery(buf(text), signed(text, [s1]), { secrets: [s1, s2] })).ok, true);
    const other = `whsec_${randomBytes(24).toString('base64')}`;
    assert.equal((await verifyDelivery(buf(text), signed(text, [other]), { secrets: [s1] })).ok, false);
    assert.equal((await verifyDelivery(buf(body('v1_x')), signed(text, [s1]), { secrets: [s1] })).ok, false);
    assert.equal((await verifyDelivery(buf(text), signed(text, [s1], new Date(Date.now() - 3600_000)), { secrets: [s1] })).ok, false);
  });

  test('a sender signing with both secrets during rotation: either verifies', async () => {
    const text = body();
    const r = await verifyDelivery(buf(text), signed(text, [other(), s2]), { secrets: [s2] });
    assert.equal(r.ok && r.scheme, 'v1');
    function other() {
      return `whsec_${randomBytes(24).toString('base64')}`;
    }
  });
});

describe('JWT (the form Google’s docs sample shows)', () => {
  test('an RS256 token naming its key verifies; an unknown kid refetches once; a wrong key, another body or another webhook id are refused', async () => {
    const k = rsaKey();
    keys.keys = [k];
    const o = opts();
    const text = body();
    const good = await jwtHeaders(k, { body_sha256: bodyHash(text) });
    const r = await verifyDelivery(buf(text), good, o);
    assert.deepEqual(r.ok && { scheme: r.scheme, keyId: r.keyId }, { scheme: 'jwt', keyId: k.kid });

    const rotated = rsaKey();
    keys.keys = [k, rotated];
    const fetched = keys.fetches;
    assert.equal((await verifyDelivery(buf(text), await jwtHeaders(rotated, { body_sha256: bodyHash(text) }), o)).ok, true);
    assert.equal(keys.fetches, fetched + 1);

    const forger = rsaKey(k.kid); // same kid, another key
    assert.equal((await verifyDelivery(buf(text), await jwtHeaders(forger, { body_sha256: bodyHash(text) }), o)).ok, false);
    const other = await verifyDelivery(buf(body('v1_moved')), good, o);
    assert.match(!other.ok ? other.reason : '', /body_sha256 does not match/);
    const renamed = await verifyDelivery(buf(text), { ...good, 'webhook-id': 'msg_other' }, o);
    assert.match(!renamed.ok ? renamed.reason : '', /another webhook-id/);
  });

  test('an EdDSA token is checked against the OKP keys; an expired token is refused', async () => {
    const ed = ed25519Key();
    keys.keys = [ed];
    const text = body();
    assert.equal((await verifyDelivery(buf(text), await jwtHeaders(ed, { body_sha256: bodyHash(text) }, { alg: 'EdDSA' }), opts())).ok, true);
    const old = await jwtHeaders(ed, { body_sha256: bodyHash(text) }, { alg: 'EdDSA', at: new Date(Date.now() - 20 * 60_000) });
    // A fresh webhook-timestamp around a token issued 20 minutes ago (expired 15 minutes ago).
    const r = await verifyDelivery(buf(text), { ...old, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, opts());
    assert.match(!r.ok ? r.reason : '', /JWT rejected: ERR_JWT_EXPIRED/);
  });
});

describe('the handler over HTTP', () => {
  test('a correctly signed body that is not JSON gets 400, not 401', async () => {
    const a = ed25519Key();
    keys.keys = [a];
    const handler = createWebhookHandler({ ...opts(), deliver: async () => 'delivered' });
    const text = 'this is <not> json';
    const r = await handler.process(buf(text), v1aHeaders(text, [a]));
    assert.equal(r.status, 400);
    assert.equal(r.body.result, 'bad_body');
    const forged = await handler.process(buf(text), v1aHeaders(text, [ed25519Key()]));
    assert.equal(forged.status, 401);
  });

  test('signing keys that cannot be fetched answer 503, so the sender delivers again later', async () => {
    keys.keys = [ed25519Key()];
    keys.down = true;
    try {
      const handler = createWebhookHandler({ ...opts(), deliver: async () => 'delivered' });
      const text = body();
      const r = await handler.process(buf(text), v1aHeaders(text, keys.keys));
      assert.equal(r.status, 503);
    } finally {
      keys.down = false;
    }
  });

  test('environment: GEMINI_WEBHOOK_SCHEMES names v1a, v1, jwt (standard is v1); anything else is refused by name', () => {
    assert.deepEqual(webhookVerifyOptionsFromEnv({ GEMINI_WEBHOOK_SCHEMES: 'v1a,standard' }).schemes, ['v1a', 'v1']);
    assert.throws(() => webhookVerifyOptionsFromEnv({ GEMINI_WEBHOOK_SCHEMES: 'v2' }), /GEMINI_WEBHOOK_SCHEMES: unknown scheme "v2" \(use v1a, v1, jwt\)/);
    assert.equal(webhookVerifyOptionsFromEnv({}).jwksUrl, 'https://generativelanguage.googleapis.com/.well-known/jwks.json');
  });
});
