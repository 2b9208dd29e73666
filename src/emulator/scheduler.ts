/**
 * One timer for the whole emulator. Every timed thing (the next event of each run, a stream cut
 * after T seconds, a delayed response) is a task in one binary min-heap; a single `setTimeout` is
 * armed for the earliest task. 1,000 background runs therefore cost one timer, not 1,000.
 * Cancelled tasks are dropped lazily when they reach the top of the heap.
 */
import { performance } from 'node:perf_hooks';

/**
 * The scheduler's time source and its one timer. Real time by default; a test passes a manual
 * clock (moved by hand) to check a timing rule by advancing time instead of waiting for it.
 */
export interface EmulatorClock {
  /** Monotonic time in milliseconds. */
  now(): number;
  /** Calls `fn` once, `delayMs` milliseconds of this clock from now; returns a handle for `clearTimer`. */
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** `performance.now()` and `setTimeout`. */
export const realClock: EmulatorClock = {
  now: () => performance.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface Task {
  /** Due time on the scheduler's clock (`performance.now()` by default), in milliseconds. */
  readonly due: number;
  cancelled: boolean;
}

interface Entry extends Task {
  seq: number;
  fn: () => void;
}

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: unknown;
  private armedFor = Infinity;
  private closed = false;

  constructor(private readonly clock: EmulatorClock = realClock) {}

  /** The current time of the scheduler's clock, in milliseconds. */
  now(): number {
    return this.clock.now();
  }

  /** Runs `fn` at `due` (a {@link now} time in milliseconds) or as soon as possible after. */
  at(due: number, fn: () => void): Task {
    const entry: Entry = { due, fn, seq: this.seq++, cancelled: false };
    if (this.closed) {
      entry.cancelled = true;
      return entry;
    }
    this.push(entry);
    if (due < this.armedFor) this.arm();
    return entry;
  }

  /** Runs `fn` after `delayMs` real (clock) milliseconds. */
  after(delayMs: number, fn: () => void): Task {
    return this.at(this.clock.now() + Math.max(0, delayMs), fn);
  }

  /** Resolves after `delayMs` real (clock) milliseconds. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  cancel(task: Task | undefined): void {
    if (task) task.cancelled = true;
  }

  /** Number of queued tasks (including cancelled ones not yet dropped). */
  get size(): number {
    return this.heap.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    for (const e of this.heap) e.cancelled = true;
    this.heap = [];
  }

  private arm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const head = this.heap[0];
    if (!head) return;
    this.armedFor = head.due;
    const delay = Math.max(0, head.due - this.clock.now());
    this.timer = this.clock.setTimer(() => this.fire(), delay);
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    // Take everything due now (with half a millisecond of slack: setTimeout rounds to 1 ms).
    const now = this.clock.now() + 0.5;
    let ran = 0;
    while (this.heap.length > 0 && this.heap[0]!.due <= now) {
      const entry = this.pop()!;
      if (entry.cancelled) continue;
      entry.cancelled = true;
      try {
        entry.fn();
      } catch (err) {
        // A task must never take the scheduler down with it.
        process.emitWarning(`emulator task failed: ${(err as Error)?.stack ?? String(err)}`);
      }
      // Yield to I/O now and then so a burst of due tasks cannot starve sockets.
      if (++ran >= 5000) break;
    }
    if (!this.closed) this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
