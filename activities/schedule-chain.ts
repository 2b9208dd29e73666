/**
 * `previousScheduledInteraction`: what a `--chain` schedule's run continues. A schedule's action
 * input is fixed, so the run looks up its predecessor here: the schedule's recent actions (newest
 * first, from `describe`, which is current at once, unlike visibility), skipping itself, and the
 * first of them whose job ended with an interaction gives its last interaction id.
 */
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { JOB_RESULT_MEMO, type JobResult } from '../src/contract';
import type { ScheduleChainActivities } from './callback-types';
import type { ResolvedDeps } from './deps';

/** Earlier runs looked at before giving up (a schedule keeps its 10 most recent actions). */
const LOOK_BACK = 10;

export function makePreviousScheduledInteraction(deps: ResolvedDeps): ScheduleChainActivities['previousScheduledInteraction'] {
  return async ({ scheduleId, jobId }) => {
    if (!deps.temporal) {
      throw ApplicationFailure.nonRetryable('this worker has no Temporal client for schedule lookups (createJobsWorker passes its connection)', 'schedule_chain_unavailable');
    }
    const client: Client = deps.temporal();
    let description;
    try {
      description = await client.schedule.getHandle(scheduleId).describe();
    } catch (err) {
      // Deleted since this run was taken (or a run started by hand): nothing to chain to.
      if (err instanceof ScheduleNotFoundError) return {};
      throw err;
    }
    const runs = [...description.info.recentActions]
      .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())
      .map((a) => a.action.workflow)
      .filter((w) => w.workflowId !== jobId)
      .slice(0, LOOK_BACK);
    for (const run of runs) {
      const handle = client.workflow.getHandle(run.workflowId);
      const desc = await handle.describe();
      if (desc.status.name === 'RUNNING') continue;
      let result: JobResult | undefined;
      if (desc.status.name === 'COMPLETED') result = (await handle.result()) as JobResult;
      else result = (desc.memo as Record<string, unknown> | undefined)?.[JOB_RESULT_MEMO] as JobResult | undefined;
      const last = result?.interactionIds?.[result.interactionIds.length - 1] ?? result?.interactionId;
      if (last) return { interactionId: last, jobId: run.workflowId };
    }
    return {};
  };
}
