/**
 * Batches on the real dev server with the emulator: a JSONL batch of 60 items with a window of 4
 * and a continue-as-new every 10 completes with each item's emulator report, inside the key's
 * quota, with every run's history under a bound; cancel of one item and of the whole batch;
 * failed items retried on request; the results directory.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseTestEnv } from '../helpers/temporal';
import { JobsClient } from '../../src/jobs/jobs-client';
import { parseBatchFile } from '../../src/jobs/batch-file';
import { JobValidationError } from '../../src/jobs/validate-job';
import { admissionSettings } from '../../src/worker/quota-settings';
import { batchWorkflowId, type BatchState } from '../../workflows/batch-definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from './job-harness';

const AGENT = { agent: 'deep-research-preview-04-2026' };
const QUOTA = { maxConcurrent: 3, createsPerMinute: 30 };
let h: JobHarness;
let jobs: JobsClient;
before(async () => {
  h = await jobHarness('batch', {
    timeScale: 600,
    keyQuota: { maxConcurrent: QUOTA.maxConcurrent, createsPerWindow: QUOTA.createsPerMinute, windowMs: 60_000, retryAfterSeconds: 1 },
  });
  jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

function admission(key: string) {
  return admissionSettings({ maxConcurrent: QUOTA.maxConcurrent, maxPerWindow: QUOTA.createsPerMinute, windowMs: 1_000, orderGraceMs: 200, leaseCheckMs: 1_000 }, { key });
}

async function settled(batchId: string): Promise<BatchState> {
  return (await h.env.client.workflow.getHandle(batchWorkflowId(batchId)).result()) as BatchState;
}

test('a JSONL batch of 60 items (window 4, continue-as-new every 10) completes with every report, inside the quota, each run under 200 events', async () => {
  h.emulator.resetCounters();
  const lines = Array.from({ length: 60 }, (_, i) => (i % 2 ? JSON.stringify(`question ${i + 1}`) : JSON.stringify({ question: `question ${i + 1}` }))).join('\n');
  const items = parseBatchFile(lines, 'jsonl', AGENT);
  const worker = await h.newWorker({ admission: admission(`${h.taskQueue}-big`) });
  await worker.runUntil(async () => {
    const { batchId } = await jobs.startBatch(items, { batchId: `${h.taskQueue}-big`, options: { jobOptions: FAST, window: 4, continueAsNewEvery: 10 } });
    const state = await settled(batchId);
    assert.equal(state.status, 'completed');
    assert.deepEqual(state.counts, { total: 60, pending: 0, running: 0, completed: 60, failed: 0, cancelled: 0 });
    assert.ok(state.runs >= 6, `continued as new: ${state.runs} runs`);
    assert.ok(state.totalTokens > 0 && state.costUsd > 0, 'usage and cost summed');
    const q = h.emulator.counters().quota;
    const peak = Math.max(...Object.values(q).map((c) => c.peakConcurrent));
    assert.ok(peak <= QUOTA.maxConcurrent, `quota: peak ${peak} concurrent`);
    assert.equal(h.emulator.interactions().length, 60, 'one interaction per item, none duplicated');
    // Every run's history is bounded, however many items the batch has.
    const runs: number[] = [];
    for await (const ex of h.env.client.workflow.list({ query: `WorkflowId = '${batchWorkflowId(batchId)}'` })) {
      const hist = await h.env.client.workflow.getHandle(batchWorkflowId(batchId), ex.runId).fetchHistory();
      runs.push(hist.events?.length ?? 0);
    }
    assert.ok(runs.length >= 6 && Math.max(...runs) < 200, `events per run: ${runs.join(',')}`);
    // The results directory: a report per item and the index.
    const dir = await mkdtemp(join(tmpdir(), 'gj-batch-results-'));
    const { entries } = await jobs.writeBatchResults(batchId, dir);
    assert.equal(entries.length, 60);
    for (const e of entries) {
      assert.equal(e.status, 'completed');
      assert.equal(e.jobId, `${batchId}-${e.item}`);
      assert.equal(await readFile(join(dir, `${e.item}.md`), 'utf8'), h.emulator.canonicalReport(e.interactionId), `item ${e.item} report`);
    }
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { items: Array<{ item: number }>; counts: { completed: number } };
    assert.equal(index.counts.completed, 60);
    const csv = (await readFile(join(dir, 'index.csv'), 'utf8')).trim().split('\n');
    assert.equal(csv[0], 'item,jobId,status,attempt,totalTokens,costUsd,interactionId,report,error');
    assert.equal(csv.length, 61);
  });
});

test('cancel one item, then the whole batch: pending items never start, running ones are cancelled', async () => {
  const worker = await h.newWorker({ admission: admission(`${h.taskQueue}-cancel`) });
  await worker.runUntil(async () => {
    const items = parseBatchFile(Array.from({ length: 12 }, (_, i) => JSON.stringify(`cancel q${i}`)).join('\n'), 'jsonl', AGENT);
    const { batchId } = await jobs.startBatch(items, { batchId: `${h.taskQueue}-cancel`, options: { jobOptions: { ...FAST, deadlineMs: 60 * 60_000 }, window: 2 } });
    assert.equal(await jobs.cancelBatch(batchId, { item: 12 }), true);
    await waitFor(async () => ((await jobs.batchState(batchId)).counts.running > 0 ? true : undefined), 'an item running');
    assert.equal(await jobs.cancelBatch(batchId, { reason: 'enough' }), true);
    const state = await settled(batchId);
    assert.equal(state.status, 'cancelled');
    assert.equal(state.cancelReason, 'enough');
    assert.equal(state.items[11]!.status, 'cancelled', 'the item cancelled on its own never started');
    assert.equal(state.counts.pending + state.counts.running, 0);
    assert.ok(state.counts.cancelled >= 10, `cancelled: ${state.counts.cancelled}`);
    assert.equal(await jobs.cancelBatch(batchId), false, 'a closed batch');
  });
});

test('failed items are retried on request as new jobs <batchId>-<n>.2, and the batch then completes', async () => {
  const worker = await h.newWorker({ admission: admission(`${h.taskQueue}-retry`) });
  await worker.runUntil(async () => {
    const remove = h.emulator.addFault({ kind: 'fail_run', count: 2 });
    const items = parseBatchFile(['question,agent', 'retry a,', 'retry b,', '"retry, c",'].join('\n'), 'csv', AGENT);
    assert.equal(items[2]!.input, 'retry, c');
    const { batchId } = await jobs.startBatch(items, { batchId: `${h.taskQueue}-retry`, options: { jobOptions: FAST, window: 1 } });
    const first = await settled(batchId);
    remove();
    assert.equal(first.status, 'failed');
    assert.equal(first.counts.failed, 2);
    const failed = first.items.filter((i) => i.status === 'failed').map((i) => i.item);
    const { retried } = await jobs.retryBatch(batchId);
    assert.deepEqual(retried, failed);
    const second = await settled(batchId);
    assert.equal(second.status, 'completed');
    for (const n of failed) {
      assert.equal(second.items[n - 1]!.attempt, 2);
      assert.equal(second.items[n - 1]!.jobId, `${batchId}-${n}.2`);
    }
    await assert.rejects(jobs.retryBatch(batchId, { items: [1] }), /only failed or cancelled/);
  });
});

test('a bad item is refused before anything is enqueued, naming the item and field', async () => {
  assert.throws(
    () => JobsClient.validateBatch([{ agent: 'deep-research-preview-04-2026', input: 'ok' }, { input: 'no agent' } as never]),
    (err: unknown) => err instanceof JobValidationError && err.field.startsWith('items[1]'),
  );
  assert.throws(
    () => JobsClient.validateBatch([{ agent: 'deep-research-preview-04-2026', input: 'ok' }], { options: { window: 0 } }),
    (err: unknown) => err instanceof JobValidationError && err.field === 'options.window',
  );
  assert.throws(
    () => JobsClient.validateBatch([]),
    (err: unknown) => err instanceof JobValidationError && err.field === 'items',
  );
});
