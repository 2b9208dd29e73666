/**
 * Recurring jobs on Temporal Schedules, on the real dev server and the emulator: a chained schedule
 * every 2 s runs three jobs, each continuing the previous one's interaction; a paused schedule has
 * no next run and takes no run but the one triggered by hand; bad timing is refused before anything
 * is created.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import { JobsClient } from '../../src/jobs/jobs-client';
import { validateSchedule } from '../../src/jobs/schedules';
import type { JobRequest, JobResult } from '../../workflows/definitions';
import { FAST, jobHarness, waitFor, type JobHarness } from './job-harness';

const MODEL: JobRequest = { model: 'gemini-3-flash-preview', input: 'What changed in heat pump prices since last time?' } as JobRequest;

let h: JobHarness;
let jobs: JobsClient;
before(async () => {
  h = await jobHarness('schedules');
  jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

test('bad timing is refused before anything is created, naming the field and the fix', () => {
  assert.throws(() => validateSchedule({ cron: '0 8 * MON', request: MODEL }), /cron: has 4 fields, not 5\. Use five fields/);
  assert.throws(() => validateSchedule({ cron: '0 25 * * *', request: MODEL }), /cron: hour "25" is outside 0–23/);
  assert.throws(() => validateSchedule({ cron: '0 8 * * FUNDAY', request: MODEL }), /day of week "FUNDAY"/);
  assert.throws(() => validateSchedule({ everyMs: 10, request: MODEL }), /everyMs: must be a whole number of milliseconds from 1000/);
  assert.throws(() => validateSchedule({ request: MODEL }), /exactly one of cron or everyMs/);
  assert.throws(() => validateSchedule({ cron: '@daily', everyMs: 60_000, request: MODEL }), /exactly one of cron or everyMs/);
  assert.throws(() => validateSchedule({ cron: '@daily', request: { model: 'm' } as JobRequest }), /request\.input/);
  const ok = validateSchedule({ scheduleId: 's1', cron: '0 8 * * MON-FRI', request: MODEL, chain: true });
  assert.deepEqual(ok.input.options, { followUpWindowMs: 0, chainSchedule: 's1' });
  validateSchedule({ cron: '*/15 0-6,22-23 1 JAN,jul 0', request: MODEL });
});

/** The schedule's runs that have ended, oldest first, with their results. */
async function endedRuns(scheduleId: string): Promise<Array<{ jobId: string; result: JobResult }>> {
  const d = await jobs.schedules.describe(scheduleId);
  const out: Array<{ jobId: string; result: JobResult }> = [];
  for (const run of d.recentRuns) {
    const handle = h.env.client.workflow.getHandle(run.jobId);
    const desc = await handle.describe();
    if (desc.status.name !== 'COMPLETED') continue;
    out.push({ jobId: run.jobId, result: (await handle.result()) as JobResult });
  }
  return out;
}

test('a chained schedule every 2 s runs three jobs, each continuing the previous run’s interaction; pause stops the runs, trigger still runs one', async () => {
  const scheduleId = `${h.taskQueue}-chain`;
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    await jobs.schedules.create({ scheduleId, everyMs: 2_000, request: MODEL, options: FAST, chain: true });
    try {
      const listed = (await jobs.schedules.list()).find((s) => s.scheduleId === scheduleId);
      assert.ok(listed, 'list shows the schedule');
      assert.equal(listed.everyMs, 2_000);
      assert.equal(listed.chain, true);
      assert.ok(listed.nextRuns.length > 0, 'list shows next runs');

      const runs = await waitFor(
        async () => {
          const ended = await endedRuns(scheduleId);
          return ended.length >= 3 ? ended : undefined;
        },
        'three ended runs',
        120_000,
        500,
      );
      await jobs.schedules.pause(scheduleId, 'test');
      const interactions = h.emulator.interactions();
      for (let i = 0; i < 3; i++) {
        const { jobId, result } = runs[i]!;
        assert.ok(jobId.startsWith(`${scheduleId}-`), 'each run is a job of its own id');
        assert.equal(result.status, 'completed');
        const created = interactions.find((x) => x.id === result.interactionId)!;
        assert.ok(created, 'the run created an interaction on the emulator');
        assert.equal(created.previousInteractionId, i === 0 ? undefined : runs[i - 1]!.result.interactionId, `run ${i + 1} continues run ${i}`);
      }

      // Paused: no next run. A run that had already been taken when the pause landed may still end.
      const pausedAt = Date.now();
      const paused = await jobs.schedules.describe(scheduleId);
      assert.equal(paused.paused, true);
      assert.deepEqual(paused.nextRuns, []);
      await waitFor(async () => ((await jobs.schedules.describe(scheduleId)).runningJobs.length === 0 ? true : undefined), 'no run going on');
      const taken = (await jobs.schedules.describe(scheduleId)).runsTaken;
      // Let two due times pass (a condition on the clock, not a bound on how fast anything is)…
      await waitFor(() => (Date.now() > pausedAt + 2 * 2_000 + 500 ? true : undefined), 'two due times passed while paused', 30_000, 100);
      // …then the control: a triggered run still runs, and it is the only run taken while paused.
      await jobs.schedules.trigger(scheduleId);
      const triggered = await waitFor(
        async () => {
          const d = await jobs.schedules.describe(scheduleId);
          return d.runsTaken > taken && d.runningJobs.length === 0 ? d : undefined;
        },
        'the triggered run',
        60_000,
        200,
      );
      assert.equal(triggered.runsTaken, taken + 1, 'only the triggered run was taken while paused');
      const last = triggered.recentRuns[triggered.recentRuns.length - 1]!;
      const lastResult = (await h.env.client.workflow.getHandle(last.jobId).result()) as JobResult;
      const previous = (await endedRuns(scheduleId)).filter((r) => r.jobId !== last.jobId).pop()!;
      assert.equal(
        h.emulator.interactions().find((x) => x.id === lastResult.interactionId)?.previousInteractionId,
        previous.result.interactionId,
        'the triggered run is chained too',
      );
    } finally {
      await jobs.schedules.delete(scheduleId);
    }
    await assert.rejects(() => jobs.schedules.describe(scheduleId), { code: 'schedule_not_found' });
  });
});
