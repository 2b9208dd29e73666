/**
 * `gemini-jobs worker` processes: SIGTERM the worker following a Deep Research run; it shuts down
 * gracefully, a second worker on the same task queue resumes from the heartbeat checkpoint, and
 * the job completes with the right report from a single interaction.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { CLI, DR_AGENT, FAST, TEST_API_KEY, serviceHarness, waitFor } from './harness';
import type { ServiceHarness } from './harness';

let h: ServiceHarness;
const children: ChildProcessWithoutNullStreams[] = [];
before(async () => {
  h = await serviceHarness('shutdown', { scenarios: { medium: { deepResearchDurationMs: 60 * 60_000 } } });
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await h?.close();
  await releaseTestEnv();
});

interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  lines: () => Array<Record<string, unknown>>;
  raw: () => string;
  exit: Promise<number | null>;
}

function startWorkerProcess(name: string): WorkerProcess {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    // A fast checkpoint flush, so the run's progress shows early and the handover is mid-run.
    env: h.cliEnv({ GEMINI_JOBS_SHUTDOWN_GRACE_MS: '500', GEMINI_JOBS_MAX_ACTIVITIES: '20', GEMINI_JOBS_CHECKPOINT_FLUSH_MS: '300' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    raw: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => {
          try {
            return JSON.parse(l) as Record<string, unknown>;
          } catch {
            return { unparsable: l, name };
          }
        }),
    exit,
  };
}

const logged = (w: WorkerProcess, msg: string) => w.lines().some((l) => l['msg'] === msg);

test('SIGTERM mid-run: the worker drains, a second worker finishes the job from its checkpoint', { timeout: 300_000 }, async () => {
  const first = startWorkerProcess('A');
  await waitFor(() => logged(first, 'worker started'), 'worker A started', 60_000, 200);

  const question = `handover ${randomUUID()}`;
  const jobId = `job_handover_${randomUUID()}`;
  await h.jobs.start(
    { agent: DR_AGENT, input: question, agent_config: { type: 'deep-research', thinking_summaries: 'auto' }, labels: { 'emulator-scenario': 'medium' } } as JobRequest,
    { jobId, options: FAST },
  );
  const before = await waitFor(
    async () => {
      const s = await h.jobs.state(jobId);
      return s.progress && s.progress.eventsApplied > 3 ? s : undefined;
    },
    'the run streams on worker A',
    30_000,
    200,
  );
  assert.equal(before.status, 'running');

  const second = startWorkerProcess('B');
  await waitFor(() => logged(second, 'worker started'), 'worker B started', 60_000, 200);

  // A 60-minute emulated run (36 s here) outlasts a slow start of worker B on a loaded machine.
  assert.equal((await h.jobs.state(jobId)).status, 'running', 'the run is still going when worker A is stopped');
  first.child.kill('SIGTERM');
  assert.equal(await first.exit, 0, first.raw());
  assert.ok(logged(first, 'worker shutting down'), 'shutdown is logged');
  assert.ok(logged(first, 'worker stopped'), 'stop is logged');

  const outcome = await h.jobs.result(jobId, { wait: true, timeoutMs: 180_000 });
  assert.equal(outcome.status, 'completed');
  const interactions = h.emulator.interactions().filter((i) => i.request['input'] === question);
  assert.equal(interactions.length, 1, 'one interaction: the second worker resumed, it did not create again');
  assert.equal(outcome.report, h.emulator.canonicalReport(interactions[0]!.id));

  assert.ok(
    second.lines().some((l) => l['jobId'] === jobId && typeof l['attempt'] === 'number' && l['attempt'] >= 2),
    'worker B ran a retried attempt of the follow activity',
  );
  // Structured logs only, and never the API key.
  for (const w of [first, second]) {
    assert.ok(w.lines().length > 0);
    assert.ok(!w.raw().includes(TEST_API_KEY), 'no credential in the logs');
  }
  second.child.kill('SIGTERM');
  assert.equal(await second.exit, 0, second.raw());
});
