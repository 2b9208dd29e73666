/**
 * The Python client's batches (`start_batch`, `batch_status`, `cancel_batch`) against the real dev
 * server, the emulator and a TypeScript worker: a batch started from Python completes with each
 * item's emulator report (read by the TypeScript client), and a bad item is refused in Python,
 * naming the item, before anything is enqueued.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import { batchWorkflowId } from '../../workflows/batch-definitions';
import { serviceHarness, type ServiceHarness } from '../service/harness';
import { noVenv, pythonEnv, runProgram, venvPython } from './python-env';

let h: ServiceHarness;
before(async () => {
  if (noVenv) return;
  h = await serviceHarness('pybatch');
  await h.startWorker();
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const SCRIPT = `
import asyncio, json, sys
from gemini_jobs import JobsClient
from gemini_jobs.errors import JobValidationError

async def main():
    jobs = await JobsClient.connect()
    try:
        await jobs.start_batch([{"agent": "deep-research-preview-04-2026", "input": "ok"}, {"input": "no agent"}], batch_id=sys.argv[1] + "-bad")
        refused = None
    except JobValidationError as err:
        refused = err.field
    started = await jobs.start_batch(
        [{"agent": "deep-research-preview-04-2026", "input": f"python item {i}"} for i in range(1, 4)],
        batch_id=sys.argv[1],
        options={"window": 2, "jobOptions": {"followUpWindowMs": 0, "pollInitialIntervalMs": 100, "pollMaxIntervalMs": 500}},
    )
    while True:
        state = await jobs.batch_status(started["batchId"])
        if state["status"] != "running":
            break
        await asyncio.sleep(0.3)
    print(json.dumps({"refused": refused, "started": started, "state": state}))

asyncio.run(main())
`;

test('a batch started from Python completes with every report; a bad item is refused naming it', { skip: noVenv }, async () => {
  const batchId = `${h.taskQueue}-py`;
  const run = await runProgram(venvPython!, ['-c', SCRIPT, batchId], { env: pythonEnv(h.cliEnv()), timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
    refused: string;
    started: { batchId: string; existing: boolean; items: number };
    state: { status: string; counts: { completed: number }; items: Array<{ jobId: string; interactionId: string }> };
  };
  assert.ok(out.refused.startsWith('items[1]'), `refused field: ${out.refused}`);
  assert.deepEqual([out.started.batchId, out.started.existing, out.started.items], [batchId, false, 3]);
  assert.equal(out.state.status, 'completed');
  assert.equal(out.state.counts.completed, 3);
  for (const item of out.state.items) {
    const outcome = await h.jobs.result(item.jobId);
    assert.equal(outcome.report, h.emulator.canonicalReport(item.interactionId));
  }
  await assert.rejects(h.env.client.workflow.getHandle(batchWorkflowId(`${batchId}-bad`)).describe(), 'nothing enqueued for the refused batch');
});
