/**
 * The versioning policy of workflows/README.md, proved on a fixture job with four versions:
 * a v1 history (recorded on the real server) replays against the patched v2 and fails against an
 * unguarded v2; a fresh v2 run takes the new branch and records the patch marker; after
 * `deprecatePatch` (v3) v2 histories still replay while v1 histories no longer do, which is why
 * a patch is deprecated only once no v1 execution can be open.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import * as activities from '../fixtures/versioning/activities';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { historyFromJson, historyToJson } from './history-json';
import { patchIds } from '../helpers/patch-markers';

type History = temporal.api.history.v1.IHistory;
type Variant = 'v1' | 'v2-unguarded' | 'v2-patched' | 'v3-deprecated';

const PATCH_ID = 'fixture-audit-before-greet';
const bundleOf = (variant: Variant) => workflowBundle(join(__dirname, '..', 'fixtures', 'versioning', `${variant}.js`));

let env: TestWorkflowEnvironment;
before(async () => {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed already
  }
  env = await getTestEnv();
});
after(releaseTestEnv);

/** Runs `variant` on the real server for one execution and returns its result and history (through JSON, like the corpus). */
async function runOn(variant: Variant, workflowId: string): Promise<{ result: string[]; history: History }> {
  const taskQueue = uniqueTaskQueue(`patch-${variant}`);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleOf(variant), activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('versionedJob', { taskQueue, workflowId, args: ['ada'] });
    const result = (await handle.result()) as string[];
    return { result, history: historyFromJson(historyToJson(await handle.fetchHistory())) };
  });
}

async function replay(variant: Variant, history: History, workflowId: string): Promise<unknown> {
  try {
    await Worker.runReplayHistory({ workflowBundle: await bundleOf(variant), replayName: `patch-${variant}` }, history, workflowId);
    return undefined;
  } catch (err) {
    return err;
  }
}

function markers(history: History): string[] {
  return (history.events ?? []).flatMap((e) => (e.markerRecordedEventAttributes?.markerName ? [e.markerRecordedEventAttributes.markerName] : []));
}

function activityTypes(history: History): string[] {
  return (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
}

let v1: { result: string[]; history: History };
let v2: { result: string[]; history: History };

test('v1 runs on the server; its history replays against v1 itself', async () => {
  v1 = await runOn('v1', `patch-v1-${uniqueTaskQueue('id')}`);
  assert.deepEqual(v1.result, ['hello ada']);
  assert.deepEqual(activityTypes(v1.history), ['greet']);
  assert.equal(await replay('v1', v1.history, 'v1'), undefined);
});

test('an unguarded change breaks the v1 history (what the corpus test catches)', async () => {
  const err = await replay('v2-unguarded', v1.history, 'v1');
  assert.ok(err instanceof DeterminismViolationError, `expected a DeterminismViolationError, got ${String(err)}`);
});

test('the patched change replays the v1 history: old executions keep the old branch', async () => {
  assert.equal(await replay('v2-patched', v1.history, 'v1'), undefined);
});

test('a fresh execution of the patched change takes the new branch and records the patch marker', async () => {
  v2 = await runOn('v2-patched', `patch-v2-${uniqueTaskQueue('id')}`);
  assert.deepEqual(v2.result, ['audited ada', 'hello ada']);
  assert.deepEqual(activityTypes(v2.history), ['audit', 'greet']);
  assert.deepEqual(markers(v2.history), ['core_patch']);
  assert.ok(patchIds(v2.history).includes(PATCH_ID), `marker names ${PATCH_ID}`);
  assert.equal(await replay('v2-patched', v2.history, 'v2'), undefined);
});

test('deprecatePatch (v3) replays v2 histories but not v1 ones: deprecate only after v1 executions are gone', async () => {
  assert.equal(await replay('v3-deprecated', v2.history, 'v2'), undefined);
  const err = await replay('v3-deprecated', v1.history, 'v1');
  assert.ok(err instanceof DeterminismViolationError, `expected a DeterminismViolationError, got ${String(err)}`);
});
