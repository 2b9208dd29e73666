/**
 * Resource use of another process, read from Linux /proc: resident memory (`VmRSS` of
 * /proc/<pid>/status) and CPU time (`utime` + `stime` of /proc/<pid>/stat, in clock ticks).
 * Sampling several pids in turn (a worker restarted after SIGKILL) sums their CPU.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (100 on every common Linux build). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Resident set size of `pid` in bytes, or undefined once the process is gone. */
export function readRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of `pid` in seconds, or undefined once the process is gone. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after the name.
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

export interface ProcUsage {
  peakRssBytes: number;
  /** CPU seconds summed over every pid sampled. */
  cpuSeconds: number;
  samples: number;
}

/** Samples the pids it is told about every `intervalMs` (default 500 ms). */
export class ProcSampler {
  private readonly cpuByPid = new Map<number, number>();
  private pids: number[] = [];
  private peakRss = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Every sample's summed RSS with its time (Date.now()), for the RSS of a stretch of the run. */
  readonly timeline: Array<{ atMs: number; rssBytes: number }> = [];

  constructor(private readonly intervalMs = 500) {}

  /** Median RSS (bytes) of the samples taken between `fromMs` and `toMs` (Date.now() times); NaN when none. */
  medianRssBetween(fromMs: number, toMs: number): number {
    const values = this.timeline.filter((s) => s.atMs >= fromMs && s.atMs <= toMs).map((s) => s.rssBytes);
    if (values.length === 0) return NaN;
    values.sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)]!;
  }

  /** Starts sampling `pid` (in addition to earlier ones that are still alive). */
  track(pid: number): void {
    if (!this.pids.includes(pid)) this.pids.push(pid);
    this.sample();
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now (also call it just before a pid is killed, to keep its last CPU figure). */
  sample(): void {
    this.samples++;
    let total = 0;
    for (const pid of this.pids) {
      const rss = readRssBytes(pid);
      const cpu = readCpuSeconds(pid);
      if (rss !== undefined) {
        this.peakRss = Math.max(this.peakRss, rss);
        total += rss;
      }
      if (cpu !== undefined) this.cpuByPid.set(pid, cpu);
    }
    if (total > 0) this.timeline.push({ atMs: Date.now(), rssBytes: total });
    this.pids = this.pids.filter((pid) => readRssBytes(pid) !== undefined);
  }

  usage(): ProcUsage {
    let cpu = 0;
    for (const v of this.cpuByPid.values()) cpu += v;
    return { peakRssBytes: this.peakRss, cpuSeconds: cpu, samples: this.samples };
  }

  stop(): ProcUsage {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.usage();
  }
}
