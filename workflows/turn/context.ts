/**
 * What the steps of a turn (create, follow race, remote cancel, webhook wait) need from the job:
 * its identity and options, the record they write to, and the two actions that have side effects
 * beyond the record (ending a turn upserts the status search attribute).
 */
import type { JobBudget } from '../../src/contract/budget';
import type { JobPhase, JobStatus, TurnRecord } from '../../src/contract/job';
import type { ResolvedJobOptions } from '../helpers';
import type { JobRecord } from '../job-state';

export interface TurnContext {
  readonly jobId: string;
  readonly options: ResolvedJobOptions;
  readonly budget: JobBudget | undefined;
  /** The job's one mutable record (its `turns` are the thread). */
  readonly record: JobRecord;
  /** True once a cancel was requested (signal or Temporal cancellation). */
  cancelRequested(): boolean;
  setPhase(phase: JobPhase): void;
  /** Ends `rec` with `status`: end time, resting phase, the status search attribute. */
  endTurn(rec: TurnRecord, status: JobStatus): void;
}
