/**
 * The schedule operations of the HTTP API (`/v1/schedules`), one route each, on top of
 * `JobsClient.schedules`. Bodies arrive validated against the OpenAPI document; the jobs client
 * then checks the timing and the job (`invalid_job`, naming the field) before creating anything.
 */
import type { JobsClient } from '../jobs/jobs-client';
import type { CreateScheduleBody, ScheduleActionAnswer, ScheduleNoteBody } from './api-types';
import { sendJson } from './job-routes';
import type { Route } from './routes';

export function scheduleRoutes(jobs: JobsClient): Route[] {
  const action = (verb: 'pause' | 'resume' | 'trigger' | 'delete', done: ScheduleActionAnswer['action']): Route => ({
    method: verb === 'delete' ? 'DELETE' : 'POST',
    path: verb === 'delete' ? '/v1/schedules/:scheduleId' : `/v1/schedules/:scheduleId/${verb}`,
    operationId: `${verb}Schedule`,
    async handle(ctx) {
      const id = ctx.params.scheduleId!;
      if (verb === 'pause' || verb === 'resume') {
        const body = (await ctx.body()) as ScheduleNoteBody;
        await jobs.schedules[verb](id, body.note);
      } else await jobs.schedules[verb](id);
      sendJson(ctx, 200, { scheduleId: id, action: done } satisfies ScheduleActionAnswer);
    },
  });
  return [
    {
      method: 'POST',
      path: '/v1/schedules',
      operationId: 'createSchedule',
      async handle(ctx) {
        const body = (await ctx.body()) as unknown as CreateScheduleBody;
        const { scheduleId } = await jobs.schedules.create(body);
        sendJson(ctx, 201, await jobs.schedules.describe(scheduleId));
      },
    },
    {
      method: 'GET',
      path: '/v1/schedules',
      operationId: 'listSchedules',
      async handle(ctx) {
        sendJson(ctx, 200, { schedules: await jobs.schedules.list() });
      },
    },
    {
      method: 'GET',
      path: '/v1/schedules/:scheduleId',
      operationId: 'getSchedule',
      async handle(ctx) {
        sendJson(ctx, 200, await jobs.schedules.describe(ctx.params.scheduleId!));
      },
    },
    action('pause', 'paused'),
    action('resume', 'resumed'),
    action('trigger', 'triggered'),
    action('delete', 'deleted'),
  ];
}
