/**
 * Webhook ids seen recently. A delivery whose id was seen is either a **duplicate** (the sender
 * delivered again: new timestamp and signature; answered 200 so it stops) or a **replay** (the very
 * same signed request sent again, as an attacker would: answered 401). Nothing is signalled twice.
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

  /** Classifies `id` with the delivery's `fingerprint` (its timestamp and signature) and remembers it. */
  check(id: string, fingerprint: string): Seen {
    const t = this.now();
    const entry = this.seen.get(id);
    if (entry && t - entry.at < this.ttlMs) {
      if (entry.fingerprints.has(fingerprint)) return 'replay';
      entry.fingerprints.add(fingerprint);
      return 'duplicate';
    }
    this.seen.delete(id);
    this.seen.set(id, { at: t, fingerprints: new Set([fingerprint]) });
    // Map keeps insertion order: the first entries are the oldest.
    while (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value as string);
    return 'new';
  }

  /** Forgets `id` (its signal failed: the sender's retry must be processed again). */
  forget(id: string): void {
    this.seen.delete(id);
  }
}
