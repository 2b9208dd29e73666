/**
 * The upstream status taxonomy (which interaction statuses are active, waiting, terminal),
 * re-exported so job code reads it from the contract; the classification itself is the wire
 * client's, in src/interactions/types.ts. Job-level statuses are `JobStatus` in ./job.
 */
import type { JobStatus } from './job';

export {
  ACTIVE_STATUSES,
  WAITING_STATUSES,
  TERMINAL_STATUSES,
  KNOWN_STATUSES,
  SETTLED_STATUSES,
  isKnownStatus,
  isTerminalStatus,
  isWaitingStatus,
  isSettledStatus,
  statusClass,
} from '../interactions/types';
export type { InteractionStatus, StatusClass, TerminalStatus, WaitingStatus, KnownStatus } from '../interactions/types';

/**
 * Every job status, in the order a job can pass through them, with what each means to a reader:
 * the one vocabulary the CLI, the HTTP API, the dashboard, the JSON Schemas and the Python client
 * show (the workflow publishes the status as the `GeminiJobStatus` search attribute).
 */
export const JOB_STATUS_MEANINGS: Readonly<Record<JobStatus, string>> = {
  pending: 'starting: the interaction is being created',
  queued: 'queued: waiting for a quota permit on its credential, or queued by the API',
  running: 'running',
  plan_ready: 'waiting for plan approval (approve or refine the plan)',
  requires_action: 'waiting for a follow-up: the run asks for client action (function results)',
  requires_continuation: 'waiting for a follow-up: the output was cut and can be continued',
  idle: 'waiting for a follow-up: the agent is idle',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  incomplete: 'incomplete: the run ended without a full answer (for example its token limit)',
  budget_exceeded: "stopped: the job's budget was used up",
  timed_out: 'stopped: the turn passed its deadline and its run was cancelled',
  unknown: 'ended with a status this version does not know (see upstreamStatus)',
};

/** Every job status (for filters, schemas and pickers). */
export const JOB_STATUSES = Object.keys(JOB_STATUS_MEANINGS) as JobStatus[];

/** Statuses in which a job waits for its caller: a follow-up or a plan approval continues it. */
export const WAITING_JOB_STATUSES: readonly JobStatus[] = ['plan_ready', 'requires_action', 'requires_continuation', 'idle'];

/** True for a status after which the job's current turn is over (terminal or waiting for the caller). */
export function isSettledJobStatus(status: string): boolean {
  return status !== 'pending' && status !== 'queued' && status !== 'running' && (JOB_STATUSES as string[]).includes(status);
}
