/**
 * Links into the Temporal Web UI. The UI lists every workflow of a namespace, and gemini-jobs runs
 * helper workflows beside its jobs (watch leases, admission limiters, the webhook sweeper, each
 * with a "gemini-jobs helper (not a job)" summary); the jobs list link filters to jobs only.
 */
import { JOB_WORKFLOW_TYPE } from '../contract';

/** The visibility query that lists only jobs. */
export const JOBS_ONLY_QUERY = `WorkflowType = '${JOB_WORKFLOW_TYPE}'`;

/** The Web UI's workflow list of `namespace` filtered to jobs (a saved query in the address). */
export function jobsListUiUrl(uiUrl: string, namespace: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(JOBS_ONLY_QUERY)}`;
}
