/**
 * The job activities. Every Interactions API call of a job happens here (workflows only decide).
 * Build them with `createActivities({ client, resultStore })`: they close over their dependencies,
 * and credentials live only inside the client (from the worker's environment), never in job input.
 */
import { makeAdmissionLiveness, makeRequestAdmission } from './admission';
import type { AdmissionActivities } from './admission-types';
import { makeCancelInteraction } from './cancel';
import { makeCheckInteraction } from './check';
import { makeCreateInteraction } from './create';
import { resolveDeps, type ActivityDeps } from './deps';
import { makeFollowInteraction } from './follow';
import { makeSweepWebhookJobs } from './sweep';
import type { SweeperActivities } from './sweep-types';
import type { JobActivities } from './types';
import { makeDeliverCallback } from './callback';
import { makePreviousScheduledInteraction } from './schedule-chain';
import type { CallbackActivities, ScheduleChainActivities } from './callback-types';

export type { ActivityDeps, JobLogger, WebhookDeliverySettings } from './deps';
export { INLINE_REPORT_MAX_BYTES, jsonLogger, silentLogger } from './deps';
export * from './types';
export * from './admission-types';
export type { SweeperActivities } from './sweep-types';
export type { CallbackActivities, CallbackSettings, ScheduleChainActivities } from './callback-types';

/** The activities registered by the worker: the Interactions calls, the two admission ones and the webhook sweep. */
export function createActivities(deps: ActivityDeps): JobActivities & AdmissionActivities & SweeperActivities & CallbackActivities & ScheduleChainActivities {
  const resolved = resolveDeps(deps);
  return {
    createInteraction: makeCreateInteraction(resolved),
    followInteraction: makeFollowInteraction(resolved),
    cancelInteraction: makeCancelInteraction(resolved),
    checkInteraction: makeCheckInteraction(resolved),
    requestAdmission: makeRequestAdmission(resolved),
    admissionLiveness: makeAdmissionLiveness(),
    sweepWebhookJobs: makeSweepWebhookJobs(resolved),
    deliverCallback: makeDeliverCallback(resolved),
    previousScheduledInteraction: makePreviousScheduledInteraction(resolved),
  };
}
