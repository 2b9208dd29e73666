/**
 * What the steps of a turn (create, follow race, remote cancel, webhook wait) read from the job:
 * its identity, options and budget, the thread so far, whether a cancel was asked, and whether
 * the execution is legacy. Read-only: steps return outcomes, and the turn's ledger
 * (./ledger.ts) is the one place that writes them into the record.
 */
import type { JobBudget } from '../../src/contract/budget';
import type { TurnRecord } from '../../src/contract/job';
import type { ResolvedJobOptions } from '../helpers';

export interface TurnContext {
  readonly jobId: string;
  readonly options: ResolvedJobOptions;
  readonly budget: JobBudget | undefined;
  /**
   * True for an execution whose history predates `PATCHES.admittedTurns` (made by 0.1.0): every
   * step takes the branch 0.1.0 took, so that history replays unchanged.
   */
  readonly legacy: boolean;
  /** The thread's turns so far, the running one last (for budget accounting). */
  readonly turns: readonly TurnRecord[];
  /** True once a cancel was requested (signal or Temporal cancellation). */
  cancelRequested(): boolean;
}
