/**
 * Webhook ids that reached their job recently. A delivery whose id is here is either a
 * **duplicate** (the sender delivered again: new timestamp and signature; answered 200 so it
 * stops) or a **replay** (the very same signed request sent again, as an attacker would: answered
 * 401). An id is remembered only once its signal was accepted: a delivery that could not be
 * signalled must be processed again when the sender retries it.
 *
 * In memory, bounded and time-limited: several receiver replicas each keep their own, and the job
 * de-duplicates by webhook id again, so this saves Temporal actions; it is not the only guard.
 */
export type Seen = 'new' | 'duplicate' | 'replay';

export class RecentIds {
  private readonly seen = new Map<string, { at: number; fingerprints: Set<string> }>();

  /** @param ttlMs how long an id is remembered (ms). @param max most ids kept. */
  constructor(
    private readonly ttlMs = 24 * 3600_000,
    private readonly max = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Classifies `id` with the delivery's `fingerprint` (its timestamp and signature) without remembering it. */
  classify(id: string, fingerprint: string): Seen {
    const entry = this.seen.get(id);
    if (!entry || this.now() - entry.at >= this.ttlMs) return 'new';
    return entry.fingerprints.has(fingerprint) ? 'replay' : 'duplicate';
  }

  /** Remembers that `id` (with this fingerprint) reached its job. */
  remember(id: string, fingerprint: string): void {
    const t = this.now();
    const entry = this.seen.get(id);
    if (entry && t - entry.at < this.ttlMs) {
      entry.fingerprints.add(fingerprint);
      return;
    }
    this.seen.delete(id);
    this.seen.set(id, { at: t, fingerprints: new Set([fingerprint]) });
    // Map keeps insertion order: the first entries are the oldest.
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
  }

  /** `classify` then `remember`, in one step (for callers with nothing to wait for in between). */
  check(id: string, fingerprint: string): Seen {
    const seen = this.classify(id, fingerprint);
    this.remember(id, fingerprint);
    return seen;
  }

  /** Forgets `id`. */
  forget(id: string): void {
    this.seen.delete(id);
  }
}
