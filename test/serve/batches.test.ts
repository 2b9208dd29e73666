/**
 * Batches through the faces: `gemini-jobs batch start/status/results/list` as a child process and
 * `POST /v1/batches`, `GET /v1/batches/{id}`, `POST /v1/batches/{id}/cancel` on `serve`, against
 * the real dev server, the emulator and an in-process worker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseTestEnv } from '../helpers/temporal';
import { runCli } from '../helpers/cli';
import { batchWorkflowId, type BatchState } from '../../workflows/batch-definitions';
import { DR_AGENT, FAST, serveHarness, waitFor, type ServeHarness } from './harness';

let h: ServeHarness;
let env: NodeJS.ProcessEnv;
before(async () => {
  h = await serveHarness('batches');
  env = h.cliEnv();
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

test('CLI: batch start questions.csv, status, results --out writes every report and the index', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gj-cli-batch-'));
  const file = join(dir, 'questions.csv');
  await writeFile(file, 'question\nFirst company\n"Second, with a comma"\nThird company\n');
  const batchId = `${h.taskQueue}-cli`;
  const start = await runCli(['batch', 'start', file, '--batch-id', batchId, '--window', '2', '--json'], env);
  assert.equal(start.code, 0, start.stderr);
  assert.deepEqual(JSON.parse(start.stdout), { batchId, runId: JSON.parse(start.stdout).runId, existing: false, items: 3 });
  const state = (await h.env.client.workflow.getHandle(batchWorkflowId(batchId)).result()) as BatchState;
  assert.equal(state.status, 'completed');
  const status = await runCli(['batch', 'status', batchId], env);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /completed 3, failed 0/);
  const out = join(dir, 'results');
  const results = await runCli(['batch', 'results', batchId, '--out', out], env);
  assert.equal(results.code, 0, results.stderr);
  const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { items: Array<{ item: number; interactionId: string; report: string }> };
  assert.equal(index.items.length, 3);
  for (const it of index.items) assert.equal(await readFile(join(out, it.report), 'utf8'), h.emulator.canonicalReport(it.interactionId));
  assert.equal((await readFile(join(out, 'index.csv'), 'utf8')).trim().split('\n').length, 4);
  const list = await runCli(['batch', 'list', '--json'], env);
  assert.ok((JSON.parse(list.stdout) as Array<{ batchId: string }>).some((b) => b.batchId === batchId) || list.code === 0);
  const bad = await runCli(['batch', 'frob'], env);
  assert.equal(bad.code, 2, 'a usage error');
});

test('HTTP: POST /v1/batches starts it, GET reads its progress, cancel of one item and of the batch', async () => {
  const batchId = `${h.taskQueue}-http`;
  const items = Array.from({ length: 6 }, (_, i) => ({ agent: DR_AGENT, input: `http item ${i + 1}` }));
  const res = await h.call('/v1/batches', { json: { batchId, items, options: { window: 1, jobOptions: { ...FAST, deadlineMs: 3_600_000 } } } });
  assert.equal(res.status, 202, await res.clone().text());
  assert.equal(((await res.json()) as { batchId: string }).batchId, batchId);
  const again = await h.call('/v1/batches', { json: { batchId, items } });
  assert.equal(again.status, 200, 'same batchId: nothing enqueued');
  const cancelOne = await h.call(`/v1/batches/${batchId}/cancel`, { json: { item: 6 } });
  assert.equal(cancelOne.status, 202);
  const beyond = await h.call(`/v1/batches/${batchId}/cancel`, { json: { item: 60 } });
  assert.equal(beyond.status, 409, 'no item 60: the batch exists, the item does not');
  const refused = (await beyond.json()) as { error: { code: string; message: string } };
  assert.equal(refused.error.code, 'batch_item_not_found');
  assert.match(refused.error.message, /from 1 to \d+/, 'names the items there are');
  await waitFor(async () => {
    const s = (await (await h.call(`/v1/batches/${batchId}`)).json()) as BatchState;
    return s.counts.completed >= 1 ? s : undefined;
  }, 'an item completed');
  const cancel = await h.call(`/v1/batches/${batchId}/cancel`, { json: { reason: 'stop' } });
  assert.equal(cancel.status, 202);
  await waitFor(async () => {
    const s = (await (await h.call(`/v1/batches/${batchId}`)).json()) as BatchState;
    return s.status === 'cancelled' ? s : undefined;
  }, 'the batch cancelled');
  const s = (await (await h.call(`/v1/batches/${batchId}`)).json()) as BatchState;
  assert.equal(s.items[5]!.status, 'cancelled');
  assert.equal(s.counts.pending + s.counts.running, 0);
  assert.equal(s.cancelReason, 'stop');
});

test('HTTP: a bad batch is refused with 400 naming the field; an unknown batch is 404', async () => {
  const cases: Array<[unknown, string]> = [
    [{ items: [] }, 'items'],
    [{ items: [{ input: 'no agent or model' }] }, 'items'],
    [{ items: [{ agent: DR_AGENT, input: 'x' }], options: { window: 0 } }, 'options'],
    [{ items: [{ agent: DR_AGENT, input: 'x' }], options: { frob: 1 } }, 'options'],
  ];
  for (const [body, field] of cases) {
    const res = await h.call('/v1/batches', { json: body });
    assert.equal(res.status, 400, JSON.stringify(body));
    const err = ((await res.json()) as { error: { field?: string } }).error;
    assert.ok(err.field?.includes(field), `${JSON.stringify(body)} → field ${err.field}`);
  }
  assert.equal((await h.call('/v1/batches/no-such-batch')).status, 404);
});
