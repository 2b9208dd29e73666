import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type Emulator } from '../../src/emulator';
import { http } from './helpers';

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
