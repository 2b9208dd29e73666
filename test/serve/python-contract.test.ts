/**
 * The job contract from another language: test/python/contract_test.py, a Python service using
 * only `temporalio` from PyPI and the checked-in JSON Schemas, starts a job, queries its state,
 * reads its result and report, and cancels a second job, against the real Temporal dev server, an
 * in-process gemini-jobs worker and the emulator. Node then reads the same jobs through JobsClient.
 * Skipped, saying how to install it, when the virtualenv (.tools/venv, made by .ci/run) is absent.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, releaseTestEnv } from '../helpers/temporal';
import { serviceHarness } from '../service/harness';
import type { ServiceHarness } from '../service/harness';

const python = process.env.GEMINI_JOBS_PYTHON ?? join(packageRoot, '.tools', 'venv', 'bin', 'python');
const skip = existsSync(python)
  ? false
  : 'no Python virtualenv with temporalio: `python3 -m venv .tools/venv && .tools/venv/bin/pip install -r test/python/requirements.txt` (.ci/run does this); the Python contract test is skipped';

let h: ServiceHarness;
before(async () => {
  if (skip) return;
  h = await serviceHarness('python');
  await h.startWorker();
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

function runPython(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(packageRoot, 'test', 'python', 'contract_test.py')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a Python temporalio client starts, queries, reads and cancels jobs through the JSON-Schema contract', { skip }, async (t) => {
  const run = await runPython({ ...h.cliEnv(), GEMINI_JOBS_SCHEMAS: join(packageRoot, 'schemas') });
  assert.equal(run.code, 0, run.stderr);
  t.diagnostic(`python saw: ${run.stdout.trim()}`);
  const seen = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    liveState: { phase: string; status: string; turn: number };
    completed: { jobId: string; status: string; interactionId: string; reportChars: number; reportStart: string };
    cancelled: { jobId: string; status: string };
  };
  assert.equal(seen.liveState.turn, 1);
  assert.equal(seen.completed.status, 'completed');
  assert.ok(seen.completed.reportChars > 500, 'Python read the full report from the result store');
  assert.equal(seen.cancelled.status, 'cancelled');

  // The Node side sees the same jobs: one contract, two languages.
  const outcome = await h.jobs.result(seen.completed.jobId);
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.report!.length, seen.completed.reportChars);
  assert.ok(outcome.report!.startsWith(seen.completed.reportStart));
  assert.equal(outcome.turn!.interactionId, seen.completed.interactionId);
  assert.equal((await h.jobs.state(seen.cancelled.jobId)).status, 'cancelled');
  assert.equal(h.emulator.interactions().filter((i) => i.request['input'] === 'How do heat pumps work? (python)').length, 1);
});
