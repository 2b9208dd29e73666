/** The one redaction module: the union of the two former pattern sets, without false positives on prose. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSecretShape, redact, registerSecret } from '../../src/common/redact';
import { fakeApiKey } from '../helpers/fake-credentials';

test('redact: keys and tokens of every former pattern set are removed, the auth scheme kept', () => {
  const key = fakeApiKey('SyREDACTTEST_abcdefghijklmnopqrstu');
  const cut = key.slice(0, 26); // a cut key (AIza + 22): the old {35} pattern missed it
  assert.equal(redact(`bad key ${key}.`), 'bad key [REDACTED].');
  assert.equal(redact(`echo ${cut}`), 'echo [REDACTED]');
  assert.equal(redact('Authorization: Bearer tok-1-abcdef'), 'Authorization: Bearer [REDACTED]');
  assert.equal(redact('Bearer abcdefghijklmnopqrstuvwxyz'), 'Bearer [REDACTED]');
  assert.equal(redact('token ya29.a0AfH6SM'), 'token [REDACTED]');
  assert.equal(redact('GET /v1/x?key=abc123&alt=sse'), 'GET /v1/x?key=[REDACTED]&alt=sse');
  assert.equal(redact('{"x-goog-api-key":"whatever-value"}'), '{"x-goog-api-key":"[REDACTED]"}');
  assert.equal(redact('{"authorization":"Bearer abcd"}'), '{"authorization":"Bearer [REDACTED]"}');
  registerSecret('plain-secret-value');
  assert.equal(redact('the value plain-secret-value leaked'), 'the value [REDACTED] leaked');
});

test('redact: ordinary text is left alone, and is not taken for a credential', () => {
  for (const prose of [
    'Explain Bearer authentication and bearer tokens in OAuth 2.',
    'The bearer instrument is payable to whoever holds it.',
    'Compare AIza and other key prefixes.',
    'Summarise the 2024 report on skeleton keys.',
    'Use ?token= in the URL only for tests.',
  ]) {
    assert.equal(findSecretShape(prose), undefined, prose);
  }
  assert.equal(redact('{"temporalApiKey":"unset"}'), '{"temporalApiKey":"unset"}', 'a key name that only ends in ApiKey');
  for (const prose of ['Explain Bearer authentication and bearer tokens in OAuth 2.', 'The bearer instrument is payable.']) assert.equal(redact(prose), prose);
});
