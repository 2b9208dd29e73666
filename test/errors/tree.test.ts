/**
 * The one error tree (issue 11): every exported error class extends GeminiJobsError with a stable
 * code that belongs to one class (or to an ancestor it extends), the CLI and the HTTP server map
 * each code to the exit code and status docs/errors.md documents, classification never reads
 * messages, toJSON carries no secret, and stored job error codes of unknown shape read as `unknown`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as main from '../../src/index';
import * as interactions from '../../src/interactions';
import * as serve from '../../src/serve';
import * as webhooks from '../../src/webhooks';
import * as doctor from '../../src/doctor';
import * as worker from '../../src/worker';
import * as dev from '../../src/dev';
import * as cli from '../../src/cli';
import { GeminiJobsError } from '../../src/common/errors';
import { InlineReportError } from '../../src/jobs/history-report';
import { updateFailureReason } from '../../src/jobs/errors';
import { EXIT_CODE_OF } from '../../src/cli/exit-codes';
import { classifyError } from '../../src/cli/run';
import { STATUS_OF_CODE, errorResponse } from '../../src/serve/errors';
import { isJobErrorCode, normalizeJobError } from '../../src/contract/job-error-codes';
import { fakeApiKey } from '../helpers/fake-credentials';

type AnyClass = abstract new (...args: never[]) => Error;

const status = { status: 400, operation: 'POST /v1beta/interactions' };
const holder = { pid: 1, startedAt: '2026-01-01T00:00:00Z', host: 'h' };

/** One instance of every error class the package exports, and the code it must keep forever. */
const SAMPLES: Array<[AnyClass, Error, string]> = [
  [main.ConfigError, new main.ConfigError('GEMINI_X must be set'), 'invalid_config'],
  [interactions.APIStatusError, new interactions.APIStatusError('api_error', { ...status, status: 418 }), 'api_error'],
  [interactions.BadRequestError, new interactions.BadRequestError(status), 'bad_request'],
  [interactions.AuthenticationError, new interactions.AuthenticationError({ ...status, status: 401 }), 'unauthenticated'],
  [interactions.PermissionDeniedError, new interactions.PermissionDeniedError({ ...status, status: 403 }), 'permission_denied'],
  [interactions.NotFoundError, new interactions.NotFoundError({ ...status, status: 404 }), 'not_found'],
  [interactions.ConflictError, new interactions.ConflictError({ ...status, status: 409 }), 'conflict'],
  [interactions.UnprocessableEntityError, new interactions.UnprocessableEntityError({ ...status, status: 422 }), 'unprocessable'],
  [interactions.RateLimitError, new interactions.RateLimitError({ ...status, status: 429 }), 'rate_limited'],
  [interactions.InternalServerError, new interactions.InternalServerError({ ...status, status: 503 }), 'server_error'],
  [interactions.APIConnectionError, new interactions.APIConnectionError('connect ECONNREFUSED'), 'connection_error'],
  [interactions.APITimeoutError, new interactions.APITimeoutError('idle', 2_000), 'timeout'],
  [interactions.StreamProtocolError, new interactions.StreamProtocolError('stream ended without a terminal event'), 'stream_truncated'],
  [interactions.StreamErrorEvent, new interactions.StreamErrorEvent({ code: 503, status: 'UNAVAILABLE', message: 'try later' }), 'stream_error'],
  [interactions.RequestValidationError, new interactions.RequestValidationError('model', 'model is required', 'pass model or agent'), 'invalid_request'],
  [interactions.AbortError, new interactions.AbortError(), 'aborted'],
  [main.JobValidationError, new main.JobValidationError('options.deadlineMs', 'must be positive', 'Pass milliseconds.'), 'invalid_job'],
  [main.InvalidJobIdError, new main.InvalidJobIdError('jobId', 'must be a non-empty string'), 'invalid_job_id'],
  [main.InvalidThreadKeyError, new main.InvalidThreadKeyError('thread', 'must be a non-empty string'), 'invalid_thread'],
  [main.InvalidListFilterError, new main.InvalidListFilterError('list filter value "a\\"b" is refused'), 'invalid_list_filter'],
  [main.JobNotFoundError, new main.JobNotFoundError('job_1'), 'job_not_found'],
  [main.JobWaitTimeoutError, new main.JobWaitTimeoutError('job_1', 'Job job_1 did not finish'), 'wait_timeout'],
  [main.JobQueryError, new main.JobQueryError('job_1', 'q', 5_000, new Error('deadline')), 'query_failed'],
  [main.JobClosedError, new main.JobClosedError('job_1', 'completed'), 'job_closed'],
  [main.ScheduleNotFoundError, new main.ScheduleNotFoundError('weekly'), 'schedule_not_found'],
  [main.ScheduleExistsError, new main.ScheduleExistsError('weekly'), 'schedule_exists'],
  [main.BatchItemNotFoundError, new main.BatchItemNotFoundError('b1', 9, 3), 'batch_item_not_found'],
  [main.JobUpdateRejectedError, new main.JobUpdateRejectedError('followUp rejected: turn 1 is still running'), 'update_rejected'],
  [main.SearchAttributesMissingError, new main.SearchAttributesMissingError('default', 'unknown search attribute GeminiJobStatus'), 'search_attributes_missing'],
  [InlineReportError, new InlineReportError('inline report key "x" is not <runId>/<activityId>'), 'report_unreadable'],
  [main.MissingCredentialsError, new main.MissingCredentialsError(), 'missing_credentials'],
  [main.ResultStoreConfigError, new main.ResultStoreConfigError('GEMINI_JOBS_RESULTS_DIR must be absolute'), 'invalid_config'],
  [worker.WorkerConfigError, new worker.WorkerConfigError('--max-concurrent must be a number'), 'invalid_config'],
  [worker.VersioningConfigError, new worker.VersioningConfigError('GEMINI_JOBS_DEPLOYMENT_NAME is bad'), 'invalid_config'],
  [worker.QuotaConfigError, new worker.QuotaConfigError('GEMINI_JOBS_MAX_X must be a whole number'), 'invalid_config'],
  [worker.MetricsConfigError, new worker.MetricsConfigError('GEMINI_JOBS_METRICS_PORT is bad'), 'invalid_config'],
  [worker.TracingConfigError, new worker.TracingConfigError('GEMINI_JOBS_TRACING must be otlp or off'), 'invalid_config'],
  [serve.ServeConfigError, new serve.ServeConfigError('GEMINI_JOBS_SERVE_TOKENS: token #1 is short'), 'invalid_config'],
  [webhooks.WebhookConfigError, new webhooks.WebhookConfigError('GEMINI_WEBHOOK_SECRET must be whsec_'), 'invalid_config'],
  [doctor.DoctorConfigError, new doctor.DoctorConfigError("the worker's Gemini settings are unusable"), 'invalid_config'],
  [main.TemporalConnectionError, new main.TemporalConnectionError('Cannot reach Temporal at 127.0.0.1:1'), 'temporal_connection'],
  [dev.TemporalCliNotFoundError, new dev.TemporalCliNotFoundError('no temporal binary'), 'temporal_cli_not_found'],
  [dev.DataDirLockedError, new dev.DataDirLockedError('/tmp/x.lock', holder), 'dev_data_locked'],
  [dev.DevServerStartError, new dev.DevServerStartError('temporal server start-dev exited'), 'dev_server_failed'],
  [cli.UsageError, new cli.UsageError('unknown command "x"'), 'usage'],
];

/** Base classes that are not thrown as such with a code of their own, and HttpError (a response: many codes). */
const NOT_SAMPLED = new Set<unknown>([GeminiJobsError, interactions.InteractionsError, serve.HttpError]);

test('every error class any entry point exports extends GeminiJobsError and is sampled here', () => {
  const sampled = new Set<unknown>(SAMPLES.map(([cls]) => cls));
  for (const [entry, exports] of Object.entries({ main, interactions, serve, webhooks, doctor, worker, dev, cli })) {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
      assert.ok(value === GeminiJobsError || value.prototype instanceof GeminiJobsError, `${entry}.${name} extends GeminiJobsError`);
      assert.ok(sampled.has(value) || NOT_SAMPLED.has(value), `${entry}.${name} has a sample in this test`);
    }
  }
});

test('each class keeps its stable code, its name, and instanceof works up the tree', () => {
  for (const [cls, err, code] of SAMPLES) {
    assert.ok(err instanceof cls, `${cls.name}: instanceof its class`);
    assert.ok(err instanceof GeminiJobsError && err instanceof Error, `${cls.name}: instanceof GeminiJobsError and Error`);
    assert.equal((err as GeminiJobsError).code, code, `${cls.name}: code`);
    assert.equal(err.name, cls.name, `${cls.name}: name`);
  }
  assert.ok(new worker.WorkerConfigError('x') instanceof main.ConfigError);
  assert.ok(new interactions.RateLimitError({ status: 429 }) instanceof interactions.APIStatusError);
  assert.ok(new interactions.RateLimitError({ status: 429 }) instanceof interactions.InteractionsError);
  assert.ok(!(new main.JobNotFoundError('j') instanceof interactions.InteractionsError));
  assert.ok(!(new main.InvalidJobIdError('jobId', 'bad') instanceof interactions.RequestValidationError));
});

test('a code belongs to one class: classes sharing it extend the one that owns it', () => {
  const byCode = new Map<string, AnyClass[]>();
  for (const [cls, , code] of SAMPLES) byCode.set(code, [...(byCode.get(code) ?? []), cls]);
  for (const [code, classes] of byCode) {
    const owner = classes.find((candidate) => classes.every((c) => c === candidate || c.prototype instanceof candidate));
    assert.ok(owner, `${code} is shared by ${classes.map((c) => c.name).join(', ')} with no common owner among them`);
  }
  assert.deepEqual(byCode.get('invalid_request'), [interactions.RequestValidationError], 'the job id error no longer borrows invalid_request');
});

test('the CLI and the HTTP server map every code; docs/errors.md documents the same exit codes and statuses', () => {
  const codes = new Set(SAMPLES.map(([, , code]) => code));
  assert.deepEqual([...codes].sort(), Object.keys(EXIT_CODE_OF).sort(), 'EXIT_CODE_OF covers exactly the codes of the tree');
  for (const code of codes) assert.ok(Object.hasOwn(STATUS_OF_CODE, code), `STATUS_OF_CODE has ${code}`);

  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Codes of thrown errors'), doc.indexOf('### HTTP-only codes'));
  const rows = [...section.matchAll(/^\| `([a-z_]+)` \| [^|]+ \| (\d) \| (\d{3}) \|/gm)].map((m) => ({ code: m[1]!, exit: Number(m[2]), http: Number(m[3]) }));
  assert.deepEqual(rows.map((r) => r.code).sort(), [...codes].sort(), 'docs/errors.md lists every code once');
  for (const row of rows) {
    assert.equal(EXIT_CODE_OF[row.code as keyof typeof EXIT_CODE_OF], row.exit, `exit code of ${row.code}`);
    assert.equal(STATUS_OF_CODE[row.code as keyof typeof STATUS_OF_CODE], row.http, `HTTP status of ${row.code}`);
  }
  for (const [cls, err, code] of SAMPLES) {
    assert.equal(classifyError(err).exit, EXIT_CODE_OF[code as keyof typeof EXIT_CODE_OF], `${cls.name} exits as documented`);
    assert.equal(classifyError(err).code, code);
    assert.equal(errorResponse(err).status, STATUS_OF_CODE[code as keyof typeof STATUS_OF_CODE], `${cls.name} answers as documented`);
  }
});

test('the CLI keeps its exit codes and decides from codes, never from message text', () => {
  assert.equal(classifyError(new cli.UsageError('x')).exit, 2);
  assert.equal(classifyError(new main.JobValidationError('request', 'bad', 'fix')).exit, 2);
  assert.equal(classifyError(new main.InvalidJobIdError('jobId', 'bad')).exit, 2);
  assert.equal(classifyError(new main.MissingCredentialsError()).exit, 2);
  assert.equal(classifyError(new main.TemporalConnectionError('x')).exit, 3);
  assert.equal(classifyError(new main.JobNotFoundError('j')).exit, 1);
  // Errors from outside the tree: gRPC UNAVAILABLE (on the error or its cause) and socket codes are Temporal out of reach.
  const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
  assert.deepEqual(classifyError(new Error('Failed to query workflow', { cause: grpc })).exit, 3);
  assert.equal(classifyError(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' })).exit, 3);
  assert.equal(classifyError(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ENOTFOUND' }) })).code, 'temporal_connection');
  // The words alone decide nothing (the old classifier matched them).
  assert.equal(classifyError(new Error('UNAVAILABLE ECONNREFUSED Failed to connect, connection refused')).exit, 1);
  assert.equal(classifyError(new TypeError('boom')).code, 'TypeError');
  // A known code on a plain object (another copy of the package, or decoded JSON) maps like the class.
  assert.equal(classifyError(Object.assign(new Error('x'), { code: 'invalid_job' })).exit, 2);
});

test('toJSON gives name, code, message and safe fields; never cause, stack or bodies', () => {
  const key = fakeApiKey('ErrorsTreeTestKey0123456789abcdefgh');
  const api = new interactions.BadRequestError({ status: 400, requestId: 'req-1', body: { error: { message: `bad key ${key}` } }, cause: new Error(`with ${key}`) });
  const json = JSON.parse(JSON.stringify(api)) as Record<string, unknown>;
  assert.equal(json.code, 'bad_request');
  assert.equal(json.name, 'BadRequestError');
  assert.equal(json.status, 400);
  assert.equal(json.requestId, 'req-1');
  assert.equal(json.retryable, false);
  assert.ok(!('cause' in json) && !('stack' in json) && !('body' in json));
  assert.ok(!JSON.stringify(api).includes(key));

  const wrapped = new main.JobQueryError('job_1', 'q', 5_000, new Error(`token ${key}`));
  assert.deepEqual(Object.keys(wrapped.toJSON()).sort(), ['code', 'jobId', 'message', 'name', 'taskQueue']);
  const invalid = new main.JobValidationError('options.deadlineMs', 'must be positive', 'Pass milliseconds.').toJSON();
  assert.deepEqual({ field: invalid.field, problem: invalid.problem, fix: invalid.fix }, { field: 'options.deadlineMs', problem: 'must be positive', fix: 'Pass milliseconds.' });
  assert.equal(new main.JobUpdateRejectedError('no', { reason: 'cancelled' }).toJSON().reason, 'cancelled');
});

test('stored job error codes: known ones pass unchanged, others read as unknown with rawCode', () => {
  for (const code of ['bad_request', 'deadline_exceeded', 'budget_exceeded', 'upstream_failed', 'upstream_some_future_status', 'workflow_terminated', 'internal']) {
    assert.ok(isJobErrorCode(code), code);
    const stored = { code, message: 'm', retryable: false };
    assert.equal(normalizeJobError(stored), stored, `${code} is returned as is`);
  }
  assert.deepEqual(normalizeJobError({ code: 'TypeError', message: 'm' }), { code: 'unknown', rawCode: 'TypeError', message: 'm' });
  assert.deepEqual(normalizeJobError({ code: 'upstream_', message: 'm' }), { code: 'unknown', rawCode: 'upstream_', message: 'm' });
  assert.equal(normalizeJobError({ code: 42 as unknown as string, message: 'm' }).rawCode, '42');
  assert.equal(isJobErrorCode(undefined), false);
});

test('update failures crossing Temporal: validator refusals have no reason, failed turns keep their code', () => {
  assert.equal(updateFailureReason('Error'), undefined);
  assert.equal(updateFailureReason(undefined), undefined);
  assert.equal(updateFailureReason('update_rejected'), undefined);
  assert.equal(updateFailureReason('cancelled'), 'cancelled');
  assert.equal(updateFailureReason('bad_request'), 'bad_request');
  assert.equal(updateFailureReason('SomethingNew'), 'unknown');
});
