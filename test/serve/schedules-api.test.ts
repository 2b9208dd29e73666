/**
 * The schedule routes of `gemini-jobs serve` over real sockets, the real Temporal dev server and
 * the emulator: create (validated: 400 naming the field, nothing created), list with next runs,
 * describe, pause, resume, trigger (a run is a job), delete, 404 for an unknown id; and a job's
 * callback URL refused by name at start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { releaseTestEnv } from '../helpers/temporal';
import { FAST, serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';

let h: ServeHarness;
before(async () => {
  h = await serveHarness('schedules-api');
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const request = { model: 'gemini-3-flash-preview', input: 'What changed since last time?' };

async function errorOf(res: Response): Promise<{ status: number; code: string; field?: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; field?: string; message: string } };
  return { status: res.status, ...body.error };
}

test('bad schedules and callback URLs are refused with 400 naming the field; nothing is created', async () => {
  const id = `s_${randomUUID().slice(0, 8)}`;
  const cron = await errorOf(await h.call('/v1/schedules', { json: { scheduleId: id, cron: '0 25 * * *', request } }));
  assert.deepEqual([cron.status, cron.field], [400, 'cron']);
  assert.match(cron.message, /Five fields "minute hour day-of-month month day-of-week"/);
  const range = await errorOf(await h.call('/v1/schedules', { json: { scheduleId: id, cron: '0 8 * * MON-FRI', request } }));
  assert.deepEqual([range.status, range.field], [400, 'cron']);
  assert.match(range.message, /written as lists here \(MON,TUE,WED,THU,FRI\)/);
  const both = await errorOf(await h.call('/v1/schedules', { json: { scheduleId: id, cron: '@daily', everyMs: 60_000, request } }));
  assert.equal(both.status, 400);
  const short = await errorOf(await h.call('/v1/schedules', { json: { scheduleId: id, everyMs: 10, request } }));
  assert.deepEqual([short.status, short.field?.startsWith('everyMs') || short.message.includes('everyMs')], [400, true]);
  assert.equal((await h.call(`/v1/schedules/${id}`)).status, 404);
  const cb = await errorOf(await h.call('/v1/jobs', { json: { request, options: { callback: { url: 'ftp://example.com/hook' } } } }));
  assert.equal(cb.status, 400);
  assert.match(`${cb.field} ${cb.message}`, /options\.callback\.url/);
});

test('create, list (next runs), describe, pause, resume, trigger (a run is a job), delete', async () => {
  const scheduleId = `s_${randomUUID().slice(0, 8)}`;
  const created = await h.call('/v1/schedules', { json: { scheduleId, cron: '0 8 * * MON', request, options: FAST, chain: true, paused: true, note: 'test' } });
  assert.equal(created.status, 201);
  const d = (await created.json()) as { scheduleId: string; paused: boolean; cron: string; chain: boolean; nextRuns: string[] };
  assert.deepEqual([d.scheduleId, d.paused, d.cron, d.chain], [scheduleId, true, '0 8 * * MON', true]);
  assert.equal((await h.call('/v1/schedules', { json: { scheduleId, cron: '@daily', request } })).status, 409);
  assert.equal((await h.call(`/v1/schedules/${scheduleId}/resume`, { json: {} })).status, 200);
  // The list comes from visibility (eventually consistent): wait for it to show the resume.
  const mine = await waitFor(async () => {
    const list = (await (await h.call('/v1/schedules')).json()) as { schedules: Array<{ scheduleId: string; nextRuns: string[]; paused: boolean }> };
    return list.schedules.find((s) => s.scheduleId === scheduleId && !s.paused);
  }, 'the schedule in the list, resumed');
  assert.ok(new Date(mine.nextRuns[0]!).getUTCDay() === 1, 'the next run is a Monday');
  assert.equal((await h.call(`/v1/schedules/${scheduleId}/pause`, { json: { note: 'holiday' } })).status, 200);
  assert.equal((await h.call(`/v1/schedules/${scheduleId}/trigger`, { method: 'POST' })).status, 200);
  const run = await waitFor(async () => {
    const s = (await (await h.call(`/v1/schedules/${scheduleId}`)).json()) as { recentRuns: Array<{ jobId: string }>; note?: string };
    return s.recentRuns[0] ? { jobId: s.recentRuns[0].jobId, note: s.note } : undefined;
  }, 'the triggered run');
  assert.equal(run.note, 'holiday');
  assert.ok(run.jobId.startsWith(`${scheduleId}-`));
  const outcome = (await (await h.call(`/v1/jobs/${encodeURIComponent(run.jobId)}/result?wait=1&timeoutMs=60000`)).json()) as { status: string };
  assert.equal(outcome.status, 'completed');
  assert.equal((await h.call(`/v1/schedules/${scheduleId}`, { method: 'DELETE' })).status, 200);
  assert.equal((await errorOf(await h.call(`/v1/schedules/${scheduleId}`))).code, 'schedule_not_found');
});
