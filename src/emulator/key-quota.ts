/**
 * Per-credential create quota of the emulator (option `keyQuota`): a sliding window of creates
 * and a ceiling on runs in flight per credential, answered with 429 `RESOURCE_EXHAUSTED` and a
 * `Retry-After` like the Deep Research creation quota. Distinct from the `too_many_requests`
 * fault rule, which fires by probability or count; this one enforces a real limit and counts
 * what it saw, so tests can prove a client stayed inside it.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EmulatorHttpError } from './errors';

/** Limits per credential. Durations are emulated milliseconds (divided by the time scale). */
export interface KeyQuotaOptions {
  /** Creates accepted per sliding window (default: unlimited). */
  createsPerWindow?: number;
  /** Length of the window (emulated ms; default 60 000, "per minute"). */
  windowMs?: number;
  /** Runs in flight (created, not terminal) per credential (default: unlimited). */
  maxConcurrent?: number;
  /** `Retry-After` (real seconds) of a refusal for concurrency (default 1). Rate refusals say when the window frees a slot. */
  retryAfterSeconds?: number;
}

/** What the quota saw for one credential (keyed by a short hash, never the credential). */
export interface KeyQuotaCounters {
  admitted: number;
  refusedRate: number;
  refusedConcurrency: number;
  /** Most runs in flight at once. */
  peakConcurrent: number;
  /** Most creates inside one window. */
  peakInWindow: number;
}

interface KeyState {
  counters: KeyQuotaCounters;
  /** Real-time (performance.now) stamps of admitted creates still inside the window. */
  stamps: number[];
  inFlight: Set<{ terminal: boolean }>;
}

/** A short, non-reversible id of a credential for counters and logs. */
export function credentialId(credential: string): string {
  return `k-${createHash('sha256').update(credential).digest('hex').slice(0, 10)}`;
}

export class KeyQuota {
  private readonly keys = new Map<string, KeyState>();
  private readonly windowRealMs: number;

  constructor(
    private readonly options: KeyQuotaOptions,
    timeScale: number,
    /** Real-time clock in milliseconds (the emulator's scheduler clock). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.windowRealMs = (options.windowMs ?? 60_000) / timeScale;
  }

  private state(keyId: string): KeyState {
    let s = this.keys.get(keyId);
    if (!s) {
      s = { counters: { admitted: 0, refusedRate: 0, refusedConcurrency: 0, peakConcurrent: 0, peakInWindow: 0 }, stamps: [], inFlight: new Set() };
      this.keys.set(keyId, s);
    }
    return s;
  }

  /** Throws a 429 when the credential is over its quota; otherwise reserves a slot for the create. */
  check(keyId: string): void {
    const s = this.state(keyId);
    const now = this.now();
    while (s.stamps.length > 0 && s.stamps[0]! <= now - this.windowRealMs) s.stamps.shift();
    for (const run of s.inFlight) if (run.terminal) s.inFlight.delete(run);
    const { createsPerWindow, maxConcurrent } = this.options;
    if (maxConcurrent !== undefined && s.inFlight.size >= maxConcurrent) {
      s.counters.refusedConcurrency++;
      throw this.refusal(`${maxConcurrent} interactions are already running on this key`, this.options.retryAfterSeconds ?? 1);
    }
    if (createsPerWindow !== undefined && s.stamps.length >= createsPerWindow) {
      s.counters.refusedRate++;
      const freeInMs = s.stamps[0]! + this.windowRealMs - now;
      throw this.refusal(`more than ${createsPerWindow} creates per window`, Math.max(1, Math.ceil(freeInMs / 1000)));
    }
    s.stamps.push(now);
    s.counters.admitted++;
    s.counters.peakInWindow = Math.max(s.counters.peakInWindow, s.stamps.length);
  }

  /** Counts a created run against the credential's concurrency until it is terminal. */
  track(keyId: string, run: { terminal: boolean }): void {
    const s = this.state(keyId);
    s.inFlight.add(run);
    let live = 0;
    for (const r of s.inFlight) if (!r.terminal) live++;
    s.counters.peakConcurrent = Math.max(s.counters.peakConcurrent, live);
  }

  counters(): Record<string, KeyQuotaCounters> {
    const out: Record<string, KeyQuotaCounters> = {};
    for (const [k, s] of this.keys) out[k] = { ...s.counters };
    return out;
  }

  reset(): void {
    for (const s of this.keys.values()) s.counters = { admitted: 0, refusedRate: 0, refusedConcurrency: 0, peakConcurrent: 0, peakInWindow: 0 };
  }

  private refusal(why: string, retryAfterSeconds: number): EmulatorHttpError {
    return new EmulatorHttpError(429, `You do not have enough quota to create this interaction (${why}). Retry after ${retryAfterSeconds} s.`, 'RESOURCE_EXHAUSTED', {
      'retry-after': String(retryAfterSeconds),
    });
  }
}
