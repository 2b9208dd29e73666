/**
 * A turn's deadline: how long its remote run may take. Deterministic code only.
 *
 * It is set at admission. Since `turn-deadline-from-create` it counts from the create's answer
 * instead, the moment the remote run exists: time a create spent waiting for a worker slot or
 * retrying a 429 is not run time (a burst of 10,000 starts queued creates for minutes in
 * bench/webhook-scale.ts), and a run that uses the API's whole 60 minutes is not cut short by the
 * minutes before it began. The patch is asked only once the admission-based deadline has passed,
 * so a turn that ends in time records no marker and pays no Temporal action for it.
 */
import { patched } from '@temporalio/workflow';
import type { JobRecord } from '../job-state';

/** Patch id: the turn deadline counts from the create's answer (see the module comment). */
export const PATCH_DEADLINE_FROM_CREATE = 'turn-deadline-from-create';

export class TurnDeadline {
  private createdAtMs: number | undefined;
  private rebaseAsked = false;

  /** `record.deadlineAtMs` is the admission-based deadline; a rebase moves it. */
  constructor(
    private readonly record: JobRecord,
    private readonly deadlineMs: number,
  ) {}

  /** The create answered: the remote run exists from now. */
  runCreated(atMs: number): void {
    this.createdAtMs = atMs;
  }

  /** Milliseconds left; zero or less once the deadline has passed. */
  remainingMs(): number {
    const left = this.record.deadlineAtMs! - Date.now();
    if (left > 0 || this.rebaseAsked || this.createdAtMs === undefined) return left;
    // Asked once, at the first moment the admission-based deadline is seen passed: histories made
    // before the patch took the old branch right here, and replay them unchanged.
    this.rebaseAsked = true;
    if (!patched(PATCH_DEADLINE_FROM_CREATE)) return left;
    this.record.deadlineAtMs = this.createdAtMs + this.deadlineMs;
    return this.record.deadlineAtMs - Date.now();
  }
}
