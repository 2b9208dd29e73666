/**
 * When the follow activity sends its heartbeat. Every recorded heartbeat is one RPC to Temporal
 * and one billable action, so the checkpoint is flushed by the AGE OF ITS OLDEST UNSENT CHANGE,
 * not per event and not by the time since the last send:
 *
 * - a change waits at most `flushMs` from the moment it was made (the first `mark()` after a
 *   send); every later change rides along. The resume point is therefore at most `flushMs` behind
 *   the stream, and a burst after a quiet gap goes out as one heartbeat, not as "one at once, the
 *   rest `flushMs` later" (what a rule keyed to the last send does, for the same bound);
 * - nothing changed but `livenessMs` passed since the last send → send anyway, so the heartbeat
 *   timeout never fires on a healthy but quiet run. A pending change due after that liveness beat
 *   rides on it (piggyback) instead of costing a send of its own;
 * - `urgent` sends at once (phase changes a reader should see: streaming → polling…);
 * - while `watched()` says someone is looking, `watchedFlushMs` replaces `flushMs` (live progress);
 *   `watchChanged()` re-arms the timer when that answer changes.
 *
 * One timer per activity, armed for the next due moment. The SDK's own throttle
 * (`maxHeartbeatThrottleInterval`) must be at most `watchedFlushMs`, or it delays sends further.
 */

export interface FlushPolicy {
  /** Longest time a change waits before it is sent, counted from the change (ms). */
  flushMs: number;
  /** Longest time between two sends, changed or not (ms); below the heartbeat timeout. */
  livenessMs: number;
  /** `flushMs` while someone watches (ms). */
  watchedFlushMs: number;
}

/** The timer functions the flusher uses: the real ones, or a simulated clock's (bench/lib/flush-model.ts). */
export interface FlushTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: FlushTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class HeartbeatFlusher {
  private lastSentAt = -Infinity;
  /** When the oldest change not yet sent was made; undefined = nothing pending. */
  private dirtySince: number | undefined;
  private timer: unknown;
  private stopped = false;
  /** Heartbeats sent (for logs and tests). */
  sent = 0;

  constructor(
    private readonly policy: FlushPolicy,
    private readonly send: () => void,
    private readonly now: () => number = Date.now,
    private readonly watched: () => boolean = () => false,
    private readonly timers: FlushTimers = REAL_TIMERS,
  ) {}

  /** The checkpoint changed; `urgent` sends it now. */
  mark(urgent = false): void {
    if (this.stopped) return;
    const now = this.now();
    this.dirtySince ??= now;
    if (urgent || now >= this.due()) this.flush();
    else this.arm();
  }

  /** Sends now whatever the state (start, end, before a long wait). */
  flush(): void {
    if (this.stopped) return;
    this.dirtySince = undefined;
    this.lastSentAt = this.now();
    this.sent++;
    this.send();
    this.arm();
  }

  /** The watched answer may have changed: a pending change is re-timed (sent now if already due). */
  watchChanged(): void {
    if (this.stopped) return;
    if (this.dirtySince !== undefined && this.now() >= this.due()) this.flush();
    else this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private currentFlushMs(): number {
    return this.watched() ? Math.min(this.policy.watchedFlushMs, this.policy.flushMs) : this.policy.flushMs;
  }

  /** The next moment a send is owed: the pending change's deadline or the liveness beat, whichever is first. */
  private due(): number {
    const liveness = this.lastSentAt + this.policy.livenessMs;
    return this.dirtySince === undefined ? liveness : Math.min(this.dirtySince + this.currentFlushMs(), liveness);
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(0, this.due() - this.now()),
    );
  }
}
