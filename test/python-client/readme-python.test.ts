/**
 * The Python guide's snippet (docs/python-and-http.md), exactly as printed: the fenced ```python block under the
 * `python-example` marker runs in a fresh virtualenv that installed the package from the
 * repository (`pip install ./python`, temporalio from PyPI), from a directory outside the
 * repository, against the real Temporal dev server, the emulator and a worker with default
 * settings (reports inline in history). It must print the emulator's report of its job.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createJobsWorker } from '../../src/worker/create-worker';
import { packageRoot, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';
import { serviceHarness, type ServiceHarness } from '../service/harness';
import { PYTHON_PACKAGE_DIR, runProgram } from './python-env';

const python3 = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? 'python3';
let h: ServiceHarness;
let dir: string;
let worker: { worker: Worker; running: Promise<void> } | undefined;
const taskQueue = uniqueTaskQueue('py-readme');

/** The code block under `<!-- python-example` in the Python guide, exactly as printed. */
const PYTHON_GUIDE = join('docs', 'python-and-http.md');

async function readmePythonSnippet(): Promise<string> {
  const readme = await readFile(join(packageRoot, PYTHON_GUIDE), 'utf8');
  const marker = readme.indexOf('<!-- python-example');
  assert.ok(marker >= 0, `${PYTHON_GUIDE} has the python-example marker`);
  const fence = readme.indexOf('```python\n', marker);
  assert.ok(fence > marker && !readme.slice(marker, fence).includes('```'), 'the marker sits right above a ```python block');
  const start = fence + '```python\n'.length;
  return readme.slice(start, readme.indexOf('\n```', start) + 1);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gj-readme-py-'));
  h = await serviceHarness('readme-py');
  const w = await createJobsWorker({
    connection: h.env.nativeConnection,
    taskQueue,
    client: h.interactions,
    resultStore: undefined, // the default deployment: reports inline in history
    log: { info: () => undefined, warn: () => undefined },
    workflowBundle: await workflowBundle(),
    maxHeartbeatThrottleInterval: '300ms',
    checkpointFlushMs: 300,
    watchedFlushMs: 300,
    shutdownGraceTime: '1s',
  });
  worker = { worker: w, running: w.run() };
});
after(async () => {
  if (worker) {
    worker.worker.shutdown();
    await worker.running.catch(() => undefined);
  }
  await h?.close();
  await rm(dir, { recursive: true, force: true });
  await releaseTestEnv();
});

test("the Python guide's snippet runs as printed in a fresh virtualenv with the package installed from the repository", async (t) => {
  const venv = join(dir, 'venv');
  const made = await runProgram(python3, ['-m', 'venv', venv]);
  assert.equal(made.code, 0, `python3 -m venv failed: ${made.stderr}`);
  const pip = await runProgram(join(venv, 'bin', 'pip'), ['install', '-q', '--disable-pip-version-check', PYTHON_PACKAGE_DIR], { cwd: dir, timeoutMs: 600_000 });
  assert.equal(pip.code, 0, `pip install ./python failed (PyPI reachable?):\n${pip.stdout}\n${pip.stderr}`);

  const snippet = await readmePythonSnippet();
  await writeFile(join(dir, 'service.py'), snippet);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TEMPORAL_ADDRESS: h.env.address, GEMINI_JOBS_TASK_QUEUE: taskQueue };
  const run = await runProgram(join(venv, 'bin', 'python'), ['service.py'], { cwd: dir, env, timeoutMs: 300_000 });
  assert.equal(run.code, 0, `the snippet failed:\n${run.stderr}`);

  const created = h.emulator.interactions().filter((i) => i.request['input'] === 'How do heat pumps work?');
  assert.equal(created.length, 1, 'one job, one interaction');
  const report = h.emulator.canonicalReport(created[0]!.id);
  assert.ok(run.stdout.endsWith(report + '\n'), 'it printed the whole report last');
  const progress = run.stdout
    .slice(0, run.stdout.length - report.length - 1)
    .trim()
    .split('\n');
  t.diagnostic(`the snippet printed ${progress.length} state lines before the report: ${[...new Set(progress.map((l) => l.split(' ').slice(0, 2).join(' ')))].join(', ')}`);
  assert.match(progress.at(-1)!, /^completed done/, 'the last state is the settled turn');
  assert.ok(
    progress.some((l) => l.startsWith('running streaming')),
    'the live phase from the heartbeat showed',
  );
});
