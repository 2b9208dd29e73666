/**
 * Histories the current workflow code writes replay on the same code: a job that ran to the end
 * (happy path), one cancelled mid-run and one that timed out are fetched and replayed with
 * `Worker.runReplayHistories`. A cache miss (worker restart, a new build taking over) replays a
 * live job exactly like this, so a patch or local activity that records in another order than the
 * code replays it fails here rather than in production.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { releaseTestEnv, workflowBundle } from '../helpers/temporal';
import { cancelSignal, type JobRequest } from '../../workflows/definitions';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from '../jobs/job-harness';

let h: JobHarness;
before(async () => {
  h = await jobHarness('replay-current');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (input: string): JobRequest => ({ agent: 'deep-research-preview-04-2026', input }) as JobRequest;

test('histories written by the current workflow code replay on it (completed, cancelled mid-run, timed out)', async () => {
  const worker = await h.newWorker();
  const ids: string[] = [];
  await worker.runUntil(async () => {
    const done = await h.start({ request: research('replay the current code'), options: FAST });
    const cancelled = await h.start({ request: research('replay a cancel'), options: FAST });
    const timedOut = await h.start({ request: research('replay a deadline'), options: { ...FAST, deadlineMs: 1_500 } });
    await waitFor(async () => (await stateOf(cancelled)).phase === 'running', 'running');
    await cancelled.signal(cancelSignal, { reason: 'replay test' });
    for (const handle of [done, cancelled, timedOut]) {
      await handle.result();
      ids.push(handle.workflowId);
    }
  });
  const histories = await Promise.all(ids.map(async (workflowId) => ({ workflowId, history: await h.env.client.workflow.getHandle(workflowId).fetchHistory() })));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: 'replay-current-code' }, histories)) {
    replayed++;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.name}: ${result.error.message}`);
  }
  assert.equal(replayed, histories.length);
  assert.deepEqual(failures, []);
});
