/**
 * A turn's deadline: how long its remote run may take. Deterministic code only.
 *
 * It counts from the create's answer, the moment the remote run exists: time queued for a quota
 * permit, waiting for a worker slot or retrying a 429 is not run time, and a run that uses the
 * API's whole 60 minutes is not cut short by the minutes before it began. A legacy execution
 * (0.1.0) counted from the turn's start; its history replays against that.
 */
import type { JobRecord } from '../job-state';

export class TurnDeadline {
  /** The deadline is kept in the job record (`deadlineAtMs`), which the `state` query shows. */
  constructor(
    private readonly record: JobRecord,
    private readonly deadlineMs: number,
  ) {}

  /** Starts the clock at `atMs` (ms since epoch). */
  startAt(atMs: number): void {
    this.record.deadlineAtMs = atMs + this.deadlineMs;
  }

  /** Milliseconds left; zero or less once the deadline has passed (or before it started). */
  remainingMs(): number {
    return this.record.deadlineAtMs === undefined ? 0 : this.record.deadlineAtMs - Date.now();
  }
}
