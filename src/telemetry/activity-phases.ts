/**
 * Counts jobs by phase for `gemini_jobs_running` with an activity interceptor, so the activities
 * themselves stay untouched: each job activity in flight is one job in that phase on this worker.
 * A job waiting for a follow-up holds no activity and is not counted (list it with
 * `JobsClient.list`).
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { enterPhase, type ActivePhase } from './metrics';

/** Activity type → the job phase it stands for. */
export const PHASE_OF_ACTIVITY: Readonly<Record<string, ActivePhase>> = {
  createInteraction: 'creating',
  followInteraction: 'running',
  cancelInteraction: 'cancelling',
};

/** The interceptor factory for `interceptors.activity`. */
export const activityPhaseMetrics: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    execute: async (input, next) => {
      const phase = PHASE_OF_ACTIVITY[ctx.info.activityType];
      const release = phase ? enterPhase(phase) : undefined;
      try {
        return await next(input);
      } finally {
        release?.();
      }
    },
  },
});
