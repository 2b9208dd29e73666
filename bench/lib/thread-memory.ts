/** Collects the `{"memory":…}` lines of bench/lib/memory-log.ts from a worker child, per thread. */
import { join } from 'node:path';
import { mb } from './stats';

/** The preload to pass as `--require` (with env GJ_WORKER_MEMORY_LOG_MS set). */
export const MEMORY_LOG_SCRIPT = join(__dirname, 'memory-log.js');

export interface ThreadMemorySample {
  thread: string;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export class ThreadMemory {
  private readonly latest = new Map<string, ThreadMemorySample>();
  private readonly peak = new Map<string, { heapUsed: number; heapTotal: number }>();

  note(sample: ThreadMemorySample): void {
    this.latest.set(sample.thread, sample);
    const p = this.peak.get(sample.thread) ?? { heapUsed: 0, heapTotal: 0 };
    this.peak.set(sample.thread, { heapUsed: Math.max(p.heapUsed, sample.heapUsed), heapTotal: Math.max(p.heapTotal, sample.heapTotal) });
  }

  /** `main 60/100 MB +12 MB external, thread-1 120/180 MB …` (MB used / total, and ArrayBuffers outside the heap), newest samples. */
  describe(): string {
    if (this.latest.size === 0) return 'n/a';
    return [...this.latest.values()]
      .map((m) => `${m.thread} ${mb(m.heapUsed).replace(' MB', '')}/${mb(m.heapTotal)}${m.thread === 'main' ? ` +${mb(m.external)} external` : ''}`)
      .join(', ');
  }

  describePeaks(): string {
    if (this.peak.size === 0) return 'n/a';
    return [...this.peak.entries()].map(([t, p]) => `${t} ${mb(p.heapUsed).replace(' MB', '')} / ${mb(p.heapTotal).replace(' MB', '')}`).join(', ');
  }

  peaks(): Record<string, { heapUsed: number; heapTotal: number }> {
    return Object.fromEntries(this.peak);
  }
}
