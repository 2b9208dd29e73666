/**
 * The heartbeat channel of one attempt: the checkpoint goes out through the flusher (flush.ts:
 * by the age of its oldest unsent change, a liveness beat when nothing changed, at once on a mode
 * change), faster while someone watches the job (docs/watch-lease.md).
 */
import { HeartbeatFlusher, type FlushPolicy, type FlushTimers } from '../flush';
import type { FollowCheckpoint, FollowMode } from '../types';
import type { FollowState } from './state';

/** What the channel needs from the attempt (a subset of the step context, so this module does not import it). */
export interface CheckpointEnv {
  jobId: string;
  policy: FlushPolicy;
  clock: { now(): number; setTimer(fn: () => void, delayMs: number): unknown; clearTimer(handle: unknown): void };
  heartbeat(details: FollowCheckpoint): void;
  watched(jobId: string): boolean;
  onWatchedChange(jobId: string, onChange: () => void): () => void;
}

export class Checkpoints {
  private readonly flusher: HeartbeatFlusher;
  private readonly unwatch: () => void;

  constructor(
    private readonly env: CheckpointEnv,
    private readonly st: FollowState,
  ) {
    const { clock, jobId } = env;
    const timers: FlushTimers = { setTimeout: (fn, ms) => clock.setTimer(fn, ms), clearTimeout: (handle) => clock.clearTimer(handle) };
    this.flusher = new HeartbeatFlusher(
      env.policy,
      () => this.send(),
      () => clock.now(),
      () => env.watched(jobId),
      timers,
    );
    // A watch lease starting or ending re-times a pending change.
    this.unwatch = env.onWatchedChange(jobId, () => this.flusher.watchChanged());
  }

  /** Heartbeats sent by this attempt. */
  get sent(): number {
    return this.flusher.sent;
  }

  /** Sends the checkpoint now (the attempt's start, readers see its phase at once; a crossed budget). */
  sendNow(): void {
    this.flusher.flush();
  }

  /** The checkpoint changed; a new `mode` is sent at once (readers show it as the job's phase). */
  beat(mode?: FollowMode): void {
    const changedMode = mode !== undefined && mode !== this.st.cp.mode;
    if (mode) this.st.cp.mode = mode;
    this.flusher.mark(changedMode);
  }

  stop(): void {
    this.unwatch();
    this.flusher.stop();
  }

  private send(): void {
    const { cp, committed } = this.st;
    cp.progress = committed;
    if (committed.usage) cp.usage = committed.usage;
    cp.at = new Date(this.env.clock.now()).toISOString();
    this.env.heartbeat(cp);
  }
}
