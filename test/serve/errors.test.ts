/**
 * The JSON error mapping: package errors keep their stable code, status and field; unknown or
 * server-side errors become a fixed message, so nothing from inside the server leaks out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobValidationError } from '../../src/jobs/validate-job';
import { JobNotFoundError, JobUpdateRejectedError } from '../../src/jobs/jobs-client';
import { HttpError, errorResponse } from '../../src/serve/errors';

test('package errors map to their status with code and field; internals never reach the body', () => {
  const invalid = errorResponse(new JobValidationError('options.deadlineMs', 'must be positive', 'Pass milliseconds.'));
  assert.deepEqual({ status: invalid.status, code: invalid.body.error.code, field: invalid.body.error.field }, { status: 400, code: 'invalid_job', field: 'options.deadlineMs' });
  assert.equal(errorResponse(new JobNotFoundError('j1')).status, 404);
  const rejected = new JobUpdateRejectedError('followUp rejected: a turn is running');
  assert.deepEqual(errorResponse(rejected).body, { error: { code: 'update_rejected', message: 'followUp rejected: a turn is running' } });
  // The status follows from the code alone; a name without a code is not a package error.
  assert.equal(errorResponse(Object.assign(new Error('followUp rejected'), { name: 'JobUpdateRejectedError' })).status, 500);
  assert.equal(errorResponse(new HttpError('payload_too_large', 'too big')).status, 413);
  assert.equal(new HttpError('payload_too_large', 'too big').status, 413);
  assert.equal(errorResponse(new HttpError(413, 'payload_too_large', 'too big')).status, 413, 'the older (status, code, …) form still works');

  const leaky = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:7233 (api key sk-live-123)'), { code: 'temporal_connection' });
  const mapped = errorResponse(leaky);
  assert.equal(mapped.status, 503);
  assert.ok(!JSON.stringify(mapped.body).includes('10.0.0.7') && !JSON.stringify(mapped.body).includes('sk-live'));
  const unknown = errorResponse(new TypeError('Cannot read properties of undefined (reading /srv/app/secret)'));
  assert.deepEqual({ status: unknown.status, code: unknown.body.error.code }, { status: 500, code: 'internal' });
  assert.ok(!unknown.body.error.message.includes('/srv/app'));
  assert.equal(errorResponse('a string').status, 500);
});
