/**
 * Errors that cross Temporal reach the caller as the package's real classes (issue 11): a
 * follow-up refused by the workflow's update validator is a `JobUpdateRejectedError` (instanceof,
 * code, no reason), the CLI exits 1 with its code, and a missing job is a `JobNotFoundError`.
 * Real Temporal dev server, emulator over HTTP, in-process worker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { GeminiJobsError } from '../../src/common/errors';
import { JobNotFoundError, JobUpdateRejectedError } from '../../src/jobs/jobs-client';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { DR_AGENT, FAST, runCli, serviceHarness, waitFor } from './harness';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;

before(async () => {
  h = await serviceHarness('errors');
  await h.startWorker();
});

after(async () => {
  await h?.close();
  await releaseTestEnv();
});

test('a follow-up the workflow refuses reaches the client and the CLI as JobUpdateRejectedError', async () => {
  const jobId = `job_errors_${randomUUID()}`;
  await h.jobs.start({ agent: DR_AGENT, input: `errors ${jobId}`, labels: { 'emulator-scenario': 'long' } } as JobRequest, {
    jobId,
    options: { ...FAST, followUpWindowMs: 60_000 },
  });
  // The turn is running once its interaction exists: the validator then refuses a follow-up.
  await waitFor(async () => (await h.jobs.state(jobId)).turns[0]?.interactionId !== undefined, 'turn 1 to be created', 60_000);

  const refused = await h.jobs.followUp(jobId, 'too early').then(
    () => assert.fail('the follow-up was accepted while turn 1 runs'),
    (err: unknown) => err,
  );
  assert.ok(refused instanceof JobUpdateRejectedError, `a JobUpdateRejectedError (got ${(refused as Error)?.constructor?.name})`);
  assert.ok(refused instanceof GeminiJobsError);
  assert.equal(refused.code, 'update_rejected');
  assert.equal(refused.reason, undefined, 'a validator refusal, not a failed turn');
  assert.match(refused.message, /turn 1 is still running/);
  assert.deepEqual(Object.keys(refused.toJSON()).sort(), ['code', 'message', 'name']);

  const plan = await h.jobs.approvePlan(jobId, { approve: true }).then(
    () => assert.fail('approvePlan was accepted on a job without collaborative planning'),
    (err: unknown) => err,
  );
  assert.ok(plan instanceof JobUpdateRejectedError);
  assert.equal(plan.code, 'update_rejected');

  const cli = await runCli(['follow-up', jobId, 'too early', '--json'], h.cliEnv());
  assert.equal(cli.code, 1, cli.stderr);
  const body = JSON.parse(cli.stderr.trim()) as { error: { code: string; exitCode: number; message: string } };
  assert.deepEqual([body.error.code, body.error.exitCode], ['update_rejected', 1]);
  assert.match(body.error.message, /still running/);

  await h.jobs.cancel(jobId, 'test done');
});

test('a job id no workflow has is JobNotFoundError in the client and job_not_found in the CLI', async () => {
  const jobId = `job_missing_${randomUUID()}`;
  const missing = await h.jobs.state(jobId).then(
    () => assert.fail('state of a missing job resolved'),
    (err: unknown) => err,
  );
  assert.ok(missing instanceof JobNotFoundError);
  assert.equal(missing.code, 'job_not_found');
  assert.equal(missing.jobId, jobId);
  const cli = await runCli(['status', jobId, '--json'], h.cliEnv());
  assert.equal(cli.code, 1);
  assert.equal((JSON.parse(cli.stderr.trim()) as { error: { code: string } }).error.code, 'job_not_found');

  const badId = await runCli(['status', 'has space', '--json'], h.cliEnv());
  assert.equal(badId.code, 2);
  assert.equal((JSON.parse(badId.stderr.trim()) as { error: { code: string } }).error.code, 'invalid_job_id');
});
