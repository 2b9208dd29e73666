/**
 * A clock that moves only when the test says so. Passed to the emulator (`startEmulator({ clock })`),
 * it replaces both `performance.now()` and `setTimeout`, so a test checks a timing rule ("the stream
 * is cut after 30 emulated seconds") by advancing time to either side of the boundary and counting
 * what fired, never by measuring how long something took.
 */
import type { EmulatorClock } from '../../src/emulator';

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements EmulatorClock {
  private t = 0;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, delayMs: number): unknown {
    const seq = ++this.seq;
    this.timers.set(seq, { due: this.t + Math.max(0, delayMs), seq, fn });
    return seq;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers armed and not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms` milliseconds, firing every timer that falls due on the way, in due order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers.values()) if (timer.due <= target && (!next || timer.due < next.due || (timer.due === next.due && timer.seq < next.seq))) next = timer;
      if (!next) break;
      this.timers.delete(next.seq);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = target;
  }
}
