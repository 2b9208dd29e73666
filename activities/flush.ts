/**
 * When the follow activity sends its heartbeat. Every recorded heartbeat is one RPC to Temporal
 * and one billable action, so the checkpoint is flushed by time, not per event:
 *
 * - the checkpoint changed and `flushMs` passed since the last send → send (the resume point is at
 *   most `flushMs` behind the stream; a crash replays at most that much, idempotently by event id);
 * - nothing changed but `livenessMs` passed → send anyway, so the heartbeat timeout never fires on
 *   a healthy but quiet run;
 * - `urgent` sends at once (phase changes a reader should see: streaming → polling…);
 * - while `watched()` says someone is looking, `watchedFlushMs` replaces `flushMs` (live progress).
 *
 * One timer per activity, armed for the next due moment. The SDK's own throttle
 * (`maxHeartbeatThrottleInterval`) must be at most `watchedFlushMs`, or it delays sends further.
 */

export interface FlushPolicy {
  /** Longest time a changed checkpoint waits before it is sent (ms). */
  flushMs: number;
  /** Longest time between two sends, changed or not (ms); below the heartbeat timeout. */
  livenessMs: number;
  /** `flushMs` while someone watches (ms). */
  watchedFlushMs: number;
}

export class HeartbeatFlusher {
  private lastSentAt = -Infinity;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Heartbeats sent (for logs and tests). */
  sent = 0;

  constructor(
    private readonly policy: FlushPolicy,
    private readonly send: () => void,
    private readonly now: () => number = Date.now,
    private readonly watched: () => boolean = () => false,
  ) {}

  /** The checkpoint changed; `urgent` sends it now. */
  mark(urgent = false): void {
    if (this.stopped) return;
    this.dirty = true;
    if (urgent || this.now() - this.lastSentAt >= this.currentFlushMs()) this.flush();
    else this.arm();
  }

  /** Sends now whatever the state (start, end, before a long wait). */
  flush(): void {
    if (this.stopped) return;
    this.dirty = false;
    this.lastSentAt = this.now();
    this.sent++;
    this.send();
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private currentFlushMs(): number {
    return this.watched() ? Math.min(this.policy.watchedFlushMs, this.policy.flushMs) : this.policy.flushMs;
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const due = this.lastSentAt + (this.dirty ? Math.min(this.currentFlushMs(), this.policy.livenessMs) : this.policy.livenessMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.max(0, due - this.now()));
  }
}
