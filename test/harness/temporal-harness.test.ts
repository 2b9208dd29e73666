import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import * as activities from '../fixtures/harness-activities';
import { addSignal, sumThenDouble, totalQuery } from '../fixtures/harness-workflows';

let env: TestWorkflowEnvironment;
before(async () => {
  env = await getTestEnv();
});
after(releaseTestEnv);

test('a workflow on the real dev server takes signals, answers a query and runs an activity', async () => {
  const taskQueue = uniqueTaskQueue('harness');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(join(__dirname, '..', 'fixtures', 'harness-workflows.js')),
    activities,
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start(sumThenDouble, { args: [2], taskQueue, workflowId: `harness-${taskQueue}` });
    await handle.signal(addSignal, 20);
    // The query is answered by the worker from workflow state: wait until the first signal is applied.
    let seen = 0;
    for (let i = 0; i < 100 && seen !== 20; i++) {
      seen = await handle.query(totalQuery);
      if (seen !== 20) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(seen, 20);
    await handle.signal(addSignal, 1);
    assert.deepEqual(await handle.result(), { sum: 21, doubled: 42 });
    const history = await handle.fetchHistory();
    const kinds = (history.events ?? []).map((e) => e.eventType);
    assert.ok(kinds.length > 0);
    const description = await handle.describe();
    assert.equal(description.status.name, 'COMPLETED');
  });
});
