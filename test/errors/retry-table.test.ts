/**
 * The one retry table: every code of the Interactions client's error tree has a row, and every
 * layer that decides a retry gives the table's answer for the same error — the error classes'
 * `retryable`, the client's attempt loop, the resumable stream, the in-attempt retries of reads,
 * the create activity's "nothing was created" and the mapping to Temporal failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import * as errors from '../../src/interactions/errors';
import { INTERACTIONS_ERROR_CODES, RETRY_TABLE, hadNoEffect, isRetryable, retryVerdict, tableCode } from '../../src/interactions/retry-table';
import { DEFAULT_RETRY_POLICY, shouldRetry } from '../../src/interactions/retry';
import { isReconnectable } from '../../src/interactions/stream';
import { KNOWN_JOB_ERROR_CODES } from '../../src/contract/job-error-codes';
import { createdNothing } from '../../activities/create';
import { toActivityFailure } from '../../activities/failure-mapping';
import { withTransientRetries } from '../../activities/transient';

const op = { operation: 'GET /v1/interactions/x' };

/** One or more instances of every error class of the client's tree, with the statuses that decide. */
const SAMPLES: errors.InteractionsError[] = [
  new errors.APIStatusError('api_error', { ...op, status: 405 }),
  new errors.APIStatusError('api_error', { ...op, status: 408 }),
  new errors.InteractionsError('api_error', 'response is not JSON (200, 12 chars)'),
  new errors.BadRequestError({ ...op, status: 400 }),
  new errors.AuthenticationError({ ...op, status: 401 }),
  new errors.PermissionDeniedError({ ...op, status: 403 }),
  new errors.NotFoundError({ ...op, status: 404 }),
  new errors.ConflictError({ ...op, status: 409 }),
  new errors.UnprocessableEntityError({ ...op, status: 422 }),
  new errors.RateLimitError({ ...op, status: 429, retryAfterMs: 1 }),
  new errors.InternalServerError({ ...op, status: 500 }),
  new errors.InternalServerError({ ...op, status: 503, googleStatus: 'UNAVAILABLE' }),
  new errors.APIConnectionError('connect ECONNREFUSED', { beforeSend: true }),
  new errors.APIConnectionError('socket hang up'),
  new errors.APITimeoutError('connect', 10),
  new errors.APITimeoutError('headers', 10),
  new errors.APITimeoutError('idle', 10),
  new errors.StreamProtocolError('stream ended without a terminal event'),
  new errors.StreamErrorEvent({ code: 503, status: 'UNAVAILABLE', message: 'cut' }),
  new errors.StreamErrorEvent({ code: 400, status: 'FAILED_PRECONDITION', message: 'blocked by safety filters' }),
  new errors.StreamErrorEvent({ code: 'unframed_json', message: 'unframed JSON in event stream' }),
  new errors.StreamErrorEvent({ code: 429, message: 'quota' }),
  new errors.RequestValidationError('model', 'model and agent both set', 'send only one'),
  new errors.AbortError(),
];

test('retry table: every code of the error tree has a row, and every exported error class is sampled', () => {
  const classes = Object.values(errors).filter((v): v is typeof errors.InteractionsError => typeof v === 'function' && v.prototype instanceof Error);
  for (const cls of classes)
    assert.ok(
      SAMPLES.some((e) => e.constructor === cls),
      `${cls.name} is sampled`,
    );
  for (const e of SAMPLES) assert.ok(Object.hasOwn(RETRY_TABLE, e.code), `${e.code} (${e.constructor.name}) has a row`);
  assert.deepEqual(new Set(SAMPLES.map((e) => e.code)), new Set(INTERACTIONS_ERROR_CODES), 'the samples cover every code');
  // The job contract's closed code list names every client code too.
  for (const code of INTERACTIONS_ERROR_CODES) assert.ok((KNOWN_JOB_ERROR_CODES as readonly string[]).includes(code), `${code} is a known job error code`);
});

test('retry table: the rows where the status decides', () => {
  const verdict = (e: unknown) => retryVerdict(e)!.retryable;
  assert.equal(verdict(new errors.APIStatusError('api_error', { ...op, status: 408 })), true);
  assert.equal(verdict(new errors.APIStatusError('api_error', { ...op, status: 405 })), false);
  assert.equal(verdict(new errors.ConflictError({ ...op, status: 409 })), true, "409 is retried, as Google's SDKs do");
  assert.equal(verdict(new errors.StreamErrorEvent({ code: 503, status: 'UNAVAILABLE' })), true);
  assert.equal(verdict(new errors.StreamErrorEvent({ code: 400, status: 'FAILED_PRECONDITION' })), false);
  assert.equal(verdict(new errors.StreamErrorEvent({ code: '500', message: 'internal' })), true, 'a numeric code sent as a string counts');
  assert.equal(tableCode(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'connection_error');
  assert.equal(tableCode(Object.assign(new Error('other'), { code: 'UND_ERR_SOCKET' })), 'connection_error');
  assert.equal(retryVerdict(new TypeError('x')), undefined, 'an error outside the tree has no row');
  assert.equal(isRetryable(new TypeError('x')), false);
});

test('retry table: every layer gives the same answer for the same error', async () => {
  const env = new MockActivityEnvironment();
  for (const e of SAMPLES) {
    const v = retryVerdict(e)!;
    const name = `${e.constructor.name} ${e.code} ${JSON.stringify({ status: (e as { status?: number }).status, phase: (e as { phase?: string }).phase })}`;
    assert.equal(e.retryable, v.retryable, `${name}: the class's retryable`);
    assert.equal(e.toJSON().retryable, v.retryable, `${name}: toJSON`);
    assert.equal(isReconnectable(e), v.retryable, `${name}: the resumable stream`);
    assert.equal(shouldRetry(e, 0, true, DEFAULT_RETRY_POLICY), v.retryable, `${name}: the client, idempotent call`);
    assert.equal(shouldRetry(e, 0, false, DEFAULT_RETRY_POLICY), v.retryable && v.noEffect, `${name}: the client, create`);
    assert.equal(shouldRetry(e, DEFAULT_RETRY_POLICY.maxRetries, true, DEFAULT_RETRY_POLICY), false, `${name}: attempts bounded`);
    assert.equal(createdNothing(e), hadNoEffect(e), `${name}: the create activity`);
    const failure = toActivityFailure(e) as ApplicationFailure;
    assert.equal(failure.type, e.code);
    assert.equal(failure.nonRetryable, !v.retryable, `${name}: the Temporal failure`);
    let calls = 0;
    await env
      .run(() =>
        withTransientRetries(
          async () => {
            if (++calls === 1) throw e;
            return 'ok';
          },
          { backoff: { initialMs: 0, maxMs: 0 }, maxRetryAfterMs: 0 },
        ),
      )
      .catch(() => undefined);
    assert.equal(calls, v.retryable ? 2 : 1, `${name}: the in-attempt retries of a read`);
  }
  // Outside the tree: the client and the reads never repeat it; Temporal does, within bounded attempts.
  const stray = new TypeError('boom');
  assert.equal(shouldRetry(stray, 0, true, DEFAULT_RETRY_POLICY), false);
  assert.equal(isReconnectable(stray), false);
  assert.equal((toActivityFailure(stray) as ApplicationFailure).nonRetryable, false);
});
