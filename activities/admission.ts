/**
 * Admission activities: `requestAdmission` puts a turn in its credential's limiter queue
 * (signal-with-start of the limiter workflow, so the first job of a key starts it), and
 * `admissionLiveness` tells the limiter which permit holders have closed. Plus
 * `reportThrottle`, used by the create activity when the API answers 429 with Retry-After.
 */
import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { ADMISSION_WORKFLOW_TYPE, acquireSignal, admissionWorkflowId, throttleSignal, type AdmissionLimiterInput } from '../workflows/admission-definitions';
import type { ResolvedDeps } from './deps';
import type { AdmissionLivenessInput, AdmissionLivenessResult, RequestAdmissionInput, RequestAdmissionResult } from './admission-types';

/** The limiter key of this worker: the configured one, else the client's credential fingerprint. */
export function admissionKeyOf(deps: ResolvedDeps): string {
  return deps.admission?.key ?? deps.client().quotaKey();
}

export function makeRequestAdmission(deps: ResolvedDeps) {
  return async function requestAdmission(input: RequestAdmissionInput): Promise<RequestAdmissionResult> {
    const settings = deps.admission;
    if (!settings || (settings.appliesTo === 'agents' && !input.isAgent)) return { mode: 'off' };
    const key = admissionKeyOf(deps);
    const limiterId = admissionWorkflowId(key);
    const start: AdmissionLimiterInput = { key, limits: settings.limits };
    await getClient().workflow.signalWithStart(ADMISSION_WORKFLOW_TYPE, {
      workflowId: limiterId,
      taskQueue: activityInfo().taskQueue,
      args: [start],
      signal: acquireSignal,
      signalArgs: [
        {
          ticket: input.ticket,
          jobId: input.jobId,
          runId: input.runId,
          enqueuedAtMs: input.enqueuedAtMs,
          ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
          limits: settings.limits,
        },
      ],
      // An idle limiter ends; the next request starts a new run of the same id.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      // The Web UI lists it beside the jobs: say what it is.
      staticSummary: `gemini-jobs helper (not a job): admission limiter of credential key ${key}`,
    });
    deps.log.info('admission: queued', { jobId: input.jobId, ticket: input.ticket, key });
    return { mode: 'queued', key, limiterId };
  };
}

export function makeAdmissionLiveness() {
  return async function admissionLiveness(input: AdmissionLivenessInput): Promise<AdmissionLivenessResult> {
    const client = getClient();
    const closed: string[] = [];
    for (const h of input.holders) {
      try {
        const d = await client.workflow.getHandle(h.jobId, h.runId).describe();
        if (d.status.name !== 'RUNNING') closed.push(h.ticket);
      } catch (err) {
        if ((err as { name?: string }).name === 'WorkflowNotFoundError') closed.push(h.ticket);
        else throw err;
      }
    }
    return { closed };
  };
}

/** Tells the limiter that the API refused a create with 429 (best effort: never fails the caller). */
export async function reportThrottle(deps: ResolvedDeps, limiterId: string, ticket: string, retryAfterMs: number): Promise<void> {
  try {
    await getClient().workflow.getHandle(limiterId).signal(throttleSignal, { retryAfterMs, ticket });
    deps.log.info('admission: 429 reported to the limiter', { ticket, retryAfterMs });
  } catch (err) {
    deps.log.warn('admission: could not report a 429 to the limiter', { ticket, error: (err as Error).message });
  }
}
