/** The sweeper's activity interface (types only: the sweeper workflow imports it). */
import type { SweepResult, SweepWebhookJobsInput } from '../workflows/sweeper-definitions';

export interface SweeperActivities {
  /** Reads every waiting webhook-mode job's run once and signals the settled ones. */
  sweepWebhookJobs(input: SweepWebhookJobsInput): Promise<SweepResult>;
}
