/**
 * The worker's view of which jobs someone watches live: the running watch leases
 * (workflows/watch-lease-definitions.ts), read with ONE visibility list query per worker every
 * `refreshMs`, and only while at least one follow activity of this worker asks (subscribes). The
 * follow activity's flusher consults `has()` and is told of changes, so a watched job's checkpoint
 * is flushed at `watchedFlushMs` and falls back to the slow flush when the lease ends.
 *
 * A list query is not a billable Temporal action; it counts against the namespace's visibility
 * rate limit (one per worker per `refreshMs`).
 */
import type { Client } from '@temporalio/client';
import { RUNNING_WATCH_LEASES_QUERY, jobIdOfWatchLease } from '../../workflows/watch-lease-definitions';

export interface WatchedJobsOptions {
  /** The client to list with (created on first use). */
  client: () => Client;
  /** Milliseconds between two list queries while some follow activity runs. */
  refreshMs: number;
  /** Most leases read per refresh (pages of 1 000). Default 10 000. */
  maxLeases?: number;
  /** Called once per streak of failed list queries (the last answer stays in force meanwhile). */
  onError?: (err: unknown) => void;
}

export class WatchedJobs {
  private watched = new Set<string>();
  private readonly subscribers = new Map<string, Set<() => void>>();
  private subscriberCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;
  private failing = false;
  private closed = false;
  /** List queries sent (for the bench and tests). */
  lists = 0;

  constructor(private readonly options: WatchedJobsOptions) {}

  /** Whether someone watches `jobId` (as of the last list query). */
  has(jobId: string): boolean {
    return this.watched.has(jobId);
  }

  /** Asks for `jobId` while the returned function is not called; `onChange` runs when its answer changes. */
  subscribe(jobId: string, onChange: () => void): () => void {
    const set = this.subscribers.get(jobId) ?? new Set();
    set.add(onChange);
    this.subscribers.set(jobId, set);
    this.subscriberCount++;
    if (this.subscriberCount === 1 && !this.refreshing) this.schedule(0);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      set.delete(onChange);
      if (set.size === 0) this.subscribers.delete(jobId);
      this.subscriberCount--;
      if (this.subscriberCount === 0) {
        // Nobody asks: stop listing, and forget the answer rather than trust a stale one later.
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.watched = new Set();
      }
    };
  }

  /** Stops listing for good (worker shutdown). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One list query now; resolves once the answer is in force. */
  async refresh(): Promise<void> {
    this.lists++;
    const next = new Set<string>();
    const max = this.options.maxLeases ?? 10_000;
    for await (const info of this.options.client().workflow.list({ query: RUNNING_WATCH_LEASES_QUERY, pageSize: Math.min(1_000, max) })) {
      const jobId = jobIdOfWatchLease(info.workflowId);
      if (jobId !== undefined) next.add(jobId);
      if (next.size >= max) break;
    }
    const changed = [...next].filter((j) => !this.watched.has(j)).concat([...this.watched].filter((j) => !next.has(j)));
    this.watched = next;
    for (const jobId of changed) for (const fn of this.subscribers.get(jobId) ?? []) fn();
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.closed || this.subscriberCount === 0) return;
    this.refreshing = true;
    try {
      await this.refresh();
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.onError?.(err);
      this.failing = true;
    } finally {
      this.refreshing = false;
    }
    if (this.subscriberCount > 0) this.schedule(this.options.refreshMs);
  }
}
