/**
 * The one writer of a turn's record (`TurnRecord`) and of the job record's per-turn fields (phase,
 * admission queue). The steps of a turn return outcomes; the turn runner hands each to a method
 * here. Deterministic code only; no commands are issued here except through `onStatus`, which the
 * job uses to publish the status (a search-attribute upsert).
 */
import type { CancelInteractionResult, CreateInteractionResult, FollowInteractionResult } from '../../activities/types';
import { isWaitingStatus } from '../../src/interactions/types';
import { describeExceeded, type BudgetExceeded, type JobBudget } from '../../src/contract/budget';
import type { DuplicateCreate, JobError, JobPhase, JobStatus, TurnRecord } from '../../src/contract/job';
import { SUMMARY_CHARS } from '../../src/contract/constants';
import { threadSpent } from '../accounting';
import type { JobRecord } from '../job-state';

/** Why a turn's remote run was stopped (also the status the turn ends with). */
export type StopReason = 'cancelled' | 'timed_out' | 'budget_exceeded';

/** How a turn ended, as its steps report it. */
export type TurnEnd =
  /** The run settled and was read back (after a cancel too, when it had finished first: `cancel`). */
  | { kind: 'result'; result: FollowInteractionResult; cancel?: CancelInteractionResult }
  /** A step failed for good (the create, the follow, a check). */
  | { kind: 'failed'; error: JobError }
  /** A cancel, the deadline or the budget stopped the run; `cancel` is what the remote cancel read back. */
  | { kind: 'stopped'; reason: StopReason; cancel?: CancelInteractionResult; cancelError?: JobError }
  /** Cancelled before anything was created remotely. */
  | { kind: 'not-created' };

export class TurnLedger {
  constructor(
    private readonly job: JobRecord,
    readonly rec: TurnRecord,
    private readonly limits: { deadlineMs: number; budget: JobBudget | undefined },
    /** Told each status the turn takes (`pending` excepted): the job publishes it. */
    private readonly onStatus: (status: JobStatus) => void,
  ) {}

  phase(phase: JobPhase): void {
    this.job.phase = phase;
  }

  /** The turn waits for a quota permit on limiter `key`. */
  queued(key: string): void {
    this.job.phase = 'queued';
    this.job.queuedOn = key;
    this.onStatus('queued');
  }

  /** The turn left the admission queue; `admittedAtMs` when it holds a permit. */
  admitted(admittedAtMs: number | undefined): void {
    delete this.job.queuedOn;
    if (admittedAtMs !== undefined) this.rec.admittedAt = new Date(admittedAtMs).toISOString();
    this.job.phase = 'creating';
  }

  /** The create answered: the run exists and is followed from now. */
  created(created: CreateInteractionResult): void {
    this.rec.upstreamStatus = created.status;
    this.rec.interactionId = created.interactionId;
    if (created.ambiguous) this.rec.createAmbiguous = true;
    this.rec.status = 'running';
    this.job.phase = 'running';
    this.onStatus('running');
  }

  /** Webhook mode: how the end of the run was learnt. */
  settledBy(by: 'webhook' | 'backstop'): void {
    this.rec.settledBy = by;
  }

  /** A second interaction of this turn, and what became of it. */
  duplicate(found: DuplicateCreate): void {
    (this.rec.duplicateCreates ??= []).push(found);
  }

  /**
   * Another interaction of this turn settled first: it becomes the turn's interaction, and the one
   * recorded so far becomes the duplicate (`outcome` filled in once its cancel is read back).
   */
  adopt(interactionId: string, seenIn: string, nowMs: number): DuplicateCreate {
    const replaced: DuplicateCreate = { interactionId: this.rec.interactionId!, foundAt: new Date(nowMs).toISOString(), seenIn, outcome: 'cancel_failed' };
    this.duplicate({ interactionId, foundAt: replaced.foundAt, seenIn, outcome: 'kept' });
    this.duplicate(replaced);
    this.rec.interactionId = interactionId;
    return replaced;
  }

  /** Ends the turn with `end` at `nowMs`. */
  end(end: TurnEnd, nowMs: number): void {
    const status = this.apply(end, nowMs);
    this.rec.status = status;
    this.rec.endedAt = new Date(nowMs).toISOString();
    this.job.phase = isWaitingStatus(status) ? 'waiting-for-input' : 'done';
    this.onStatus(status);
  }

  /** Writes what `end` carries into the turn and returns the status it ends with. */
  private apply(end: TurnEnd, nowMs: number): JobStatus {
    switch (end.kind) {
      case 'not-created':
        return 'cancelled';
      case 'failed':
        this.rec.error = end.error;
        return 'failed';
      case 'result':
        if (end.cancel) this.cancelReadBack(end.cancel);
        this.followResult(end.result);
        return end.result.status;
      case 'stopped':
        return this.stopped(end, nowMs);
    }
  }

  private stopped(end: Extract<TurnEnd, { kind: 'stopped' }>, nowMs: number): JobStatus {
    if (end.cancelError) this.rec.error = { ...end.cancelError, message: `cancelling the remote run failed: ${end.cancelError.message}` };
    if (end.cancel) this.cancelReadBack(end.cancel);
    if (end.reason === 'timed_out') {
      this.rec.error = {
        code: 'deadline_exceeded',
        message: `turn ${this.rec.turn} passed its deadline of ${this.limits.deadlineMs} ms; the remote run was cancelled`,
        retryable: false,
      };
    }
    if (end.reason === 'budget_exceeded') {
      const spent = threadSpent(this.job.turns, nowMs);
      const exceeded: BudgetExceeded = { limit: 'maxWallTimeMs', max: this.limits.budget!.maxWallTimeMs!, used: spent.wallMs, spent };
      this.rec.budgetExceeded = exceeded;
      this.rec.error = { code: 'budget_exceeded', message: `${describeExceeded(exceeded)}; the remote run was cancelled`, retryable: false };
    }
    return end.reason;
  }

  private cancelReadBack(cancel: CancelInteractionResult): void {
    this.rec.upstreamStatus = cancel.upstreamStatus;
    if (cancel.usage) this.rec.usage = cancel.usage;
  }

  /** Copies a follow result into the turn (everything but the status, which `end` sets). */
  private followResult(r: FollowInteractionResult): void {
    const rec = this.rec;
    rec.upstreamStatus = r.upstreamStatus;
    if (r.usage) rec.usage = r.usage;
    if (r.toolCalls !== undefined) rec.toolCalls = r.toolCalls;
    if (r.costUsd !== undefined) rec.costUsd = r.costUsd;
    if (r.priceTable !== undefined) rec.priceTable = r.priceTable;
    if (r.budgetExceeded) rec.budgetExceeded = r.budgetExceeded;
    rec.summary = r.summary.slice(0, SUMMARY_CHARS);
    rec.outputChars = r.outputChars;
    rec.report = r.report;
    rec.eventsApplied = r.eventsApplied;
    rec.streamVerified = r.streamVerified;
    if (r.error) rec.error = r.error;
  }
}

/**
 * A follow that finished just before its cancel reached it keeps its result, unless it ended
 * `cancelled` after this job sent the remote cancel (then the cancel is the outcome).
 */
export function lateResultStands(late: FollowInteractionResult, remoteCancel: Promise<CancelInteractionResult> | undefined): boolean {
  return !(remoteCancel && late.upstreamStatus === 'cancelled');
}

/** What became of a duplicate whose cancel read back `cancel` (or failed: undefined). */
export function duplicateOutcome(cancel: CancelInteractionResult | undefined): Pick<DuplicateCreate, 'outcome' | 'finalStatus' | 'usage'> {
  if (!cancel || !cancel.confirmed) return { outcome: 'cancel_failed', ...(cancel ? { finalStatus: cancel.upstreamStatus } : {}) };
  const out: Pick<DuplicateCreate, 'outcome' | 'finalStatus' | 'usage'> = {
    outcome: cancel.upstreamStatus === 'cancelled' ? 'cancelled' : 'already_finished',
    finalStatus: cancel.upstreamStatus,
  };
  if (cancel.usage) out.usage = cancel.usage;
  return out;
}
