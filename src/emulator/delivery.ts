/**
 * Webhook delivery, the way the Interactions API does it (as far as it is known): when a run
 * settles, a signed POST goes to every `webhook_config.uris` entry of its create request
 * ("dynamic" webhooks, with its `user_metadata`) and to every enabled project-level subscription
 * of the event ("static" webhooks, from the `/webhooks` resource).
 *
 * Signing, as live deliveries show it (wire reference §0.3): Standard Webhooks headers
 * `webhook-id` (`msg_<uuid>`), `webhook-timestamp`, `webhook-signature`, the signature over
 * `<id>.<timestamp>.<raw body>`. Dynamic deliveries carry `v1a,<base64 Ed25519>` made with the
 * current key of the emulator's OKP JWKS (`GET /.well-known/jwks.json`, three keys like Google's;
 * `rotateKey()` brings in a new one), or HMAC `v1` with `dynamicSecret` when `dynamicSigning` is
 * `v1`. Static deliveries carry `v1,<base64 HMAC-SHA256>` (every live secret of the subscription,
 * for rotation). Only the events the SDKs list are delivered: a cancelled run announces nothing.
 *
 * At least once, unordered: a non-2xx answer or a network error is retried with backoff
 * (emulated time, or real time with `realTime`: a sender's retry schedule does not compress with a
 * time-scaled run). Faults: `duplicateProbability` (delivered again later with the same id),
 * `dropProbability` (never delivered, no attempt at all: a permanently lost webhook),
 * `lostAttemptProbability` (an attempt fails on the way and never reaches the receiver, as a reset
 * or a proxy's 5xx would: the sender retries it), `failProbability` (an attempt counts as failed
 * even if it arrived, so it is retried: the receiver sees it twice), `delayMs` (a random delay
 * before the first attempt in [min, max] ms: reordering).
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign as signBytes, type KeyObject } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { backoffMs, withJitter } from '../common/backoff';
import type { Rng } from './rng';
import type { Scheduler } from './scheduler';
import type { JsonRecord } from './wire';

export interface WebhookDeliveryOptions {
  /** How per-request deliveries are signed: `v1a` (Ed25519, default, as the live API does) or `v1` (HMAC with `dynamicSecret`). */
  dynamicSigning?: 'v1a' | 'v1';
  /** `whsec_…` secret for per-request deliveries signed `v1` (default: generated). */
  dynamicSecret?: string;
  duplicateProbability?: number;
  dropProbability?: number;
  failProbability?: number;
  /** Probability that an attempt never reaches the receiver (a network failure); it is retried like a 5xx. */
  lostAttemptProbability?: number;
  /** The first N attempts of every delivery never reach the receiver (a deterministic `lostAttemptProbability`). */
  loseFirstAttempts?: number;
  /**
   * Delays (`delayMs`, retries) in real ms instead of emulated ms. A real sender retries on its
   * own clock (Standard Webhooks senders: about 5 s, then minutes), whatever the run's time scale.
   */
  realTime?: boolean;
  /** Random delay before the first attempt, [min, max] in emulated ms (real ms with `realTime`; default [0, 0]). */
  delayMs?: [number, number];
  /** Attempts per delivery, the first included (default 8). */
  maxAttempts?: number;
  /** First retry delay in emulated ms, doubled per attempt (default 5 000; the API retries for up to a day). */
  retryInitialMs?: number;
  /** Per-attempt timeout in real ms (default 10 000). */
  timeoutMs?: number;
}

export interface DeliveryCounters {
  /** Deliveries started (one per event and target). */
  deliveries: number;
  /** HTTP attempts made. */
  attempts: number;
  /** Attempts answered 2xx. */
  delivered: number;
  /** Attempts answered non-2xx or failed on the network. */
  failedAttempts: number;
  /** Deliveries given up after `maxAttempts`. */
  abandoned: number;
  /** Faults fired. */
  dropped: number;
  duplicated: number;
  failedByFault: number;
  /** Attempts lost on the way (`lostAttemptProbability`): never reached the receiver. */
  lostAttempts: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
}

export interface SettledRun {
  id: string;
  status: string;
  request: JsonRecord;
}

export interface StaticTarget {
  uri: string;
  secrets: string[];
}

/**
 * The webhook event of a settled status, or undefined when none is sent: the SDKs list 7 events
 * (`WebhookSubscribedEvent`) and no `interaction.cancelled`, so a cancelled run announces nothing.
 */
export function eventTypeOf(status: string): string | undefined {
  switch (status) {
    case 'failed':
      return 'interaction.failed';
    case 'requires_action':
      return 'interaction.requires_action';
    case 'cancelled':
      return undefined;
    default:
      return 'interaction.completed';
  }
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonRecord;
}

function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = `emu-${randomBytes(6).toString('hex')}`;
  return { kid, privateKey, jwk: { ...(publicKey.export({ format: 'jwk' }) as JsonRecord), kid, use: 'sig', alg: 'EdDSA' } };
}

/** Keys published at once, like Google's set (the newest signs). */
const PUBLISHED_KEYS = 3;

type Signing = { v1a: true } | { secrets: string[] };

export class WebhookDelivery {
  readonly counters: DeliveryCounters = {
    deliveries: 0,
    attempts: 0,
    delivered: 0,
    failedAttempts: 0,
    abandoned: 0,
    dropped: 0,
    duplicated: 0,
    failedByFault: 0,
    lostAttempts: 0,
    statuses: {},
  };
  /** Published keys, oldest first; the last one signs. */
  private keys: SigningKey[];
  readonly dynamicSecret: string;
  private closed = false;

  constructor(
    private readonly opts: WebhookDeliveryOptions,
    private readonly host: { scheduler: Scheduler; timeScale: number; rng: Rng },
  ) {
    this.keys = Array.from({ length: PUBLISHED_KEYS }, newSigningKey);
    this.dynamicSecret = opts.dynamicSecret ?? `whsec_${randomBytes(24).toString('base64')}`;
  }

  /** The public keys of `v1a` deliveries, as `GET /.well-known/jwks.json` serves them. */
  jwks(): { keys: JsonRecord[] } {
    return { keys: this.keys.map((k) => k.jwk) };
  }

  /** Publishes a new signing key (the oldest leaves the set) and signs with it from now on; returns its kid. */
  rotateKey(): string {
    const key = newSigningKey();
    this.keys = [...this.keys, key].slice(-PUBLISHED_KEYS);
    return key.kid;
  }

  close(): void {
    this.closed = true;
  }

  /** A run settled: deliver to its `webhook_config.uris` and to the static subscriptions of the event. */
  onSettled(run: SettledRun, statics: StaticTarget[]): void {
    const eventType = eventTypeOf(run.status);
    if (!eventType) return;
    const config = run.request['webhook_config'] as { uris?: unknown; user_metadata?: unknown } | undefined;
    const dynamicUris = Array.isArray(config?.uris) ? config!.uris.filter((u): u is string => typeof u === 'string') : [];
    const data: JsonRecord = { id: run.id, status: run.status };
    const base = { type: eventType, timestamp: new Date().toISOString() };
    if (dynamicUris.length > 0) {
      const withMeta = { ...base, data: { ...data, ...(config?.user_metadata && typeof config.user_metadata === 'object' ? { user_metadata: config.user_metadata } : {}) } };
      for (const uri of dynamicUris) this.start(uri, JSON.stringify(withMeta), this.opts.dynamicSigning === 'v1' ? { secrets: [this.dynamicSecret] } : { v1a: true });
    }
    for (const target of statics) this.start(target.uri, JSON.stringify({ ...base, data }), { secrets: target.secrets });
  }

  private chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.host.rng() < p;
  }

  private emulatedDelay(ms: number): number {
    return this.opts.realTime ? ms : ms / this.host.timeScale;
  }

  /** A second attempt of the same delivery comes at least a second later in real time, re-signed with a new timestamp, as a real sender's would. */
  private resendDelay(ms: number): number {
    return Math.max(1_000, this.emulatedDelay(ms));
  }

  private start(uri: string, body: string, signing: Signing): void {
    this.counters.deliveries++;
    if (this.chance(this.opts.dropProbability)) {
      this.counters.dropped++;
      return;
    }
    const id = `msg_${randomUUID()}`;
    const [lo, hi] = this.opts.delayMs ?? [0, 0];
    const first = lo + (hi - lo) * this.host.rng();
    this.host.scheduler.after(this.emulatedDelay(first), () => void this.attempt(uri, id, body, signing, 1));
    if (this.chance(this.opts.duplicateProbability)) {
      this.counters.duplicated++;
      const later = first + (hi - lo + 2_000) * this.host.rng();
      this.host.scheduler.after(this.emulatedDelay(first) + this.resendDelay(later - first), () => void this.attempt(uri, id, body, signing, 1));
    }
  }

  private headers(id: string, body: string, signing: Signing): Record<string, string> {
    const now = new Date();
    const ts = Math.floor(now.getTime() / 1000);
    let signature: string;
    if ('v1a' in signing) {
      const key = this.keys[this.keys.length - 1]!;
      signature = `v1a,${signBytes(null, Buffer.from(`${id}.${ts}.${body}`, 'utf8'), key.privateKey).toString('base64')}`;
    } else {
      signature = signing.secrets.map((s) => new StandardWebhook(s).sign(id, now, body)).join(' ');
    }
    return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature, 'user-agent': 'gemini-jobs-emulator-webhooks' };
  }

  private async attempt(uri: string, id: string, body: string, signing: Signing, n: number): Promise<void> {
    if (this.closed) return;
    this.counters.attempts++;
    let ok = false;
    if (n <= (this.opts.loseFirstAttempts ?? 0) || this.chance(this.opts.lostAttemptProbability)) {
      this.counters.lostAttempts++;
      return this.retryOrAbandon(uri, id, body, signing, n);
    }
    try {
      const res = await fetch(uri, { method: 'POST', headers: this.headers(id, body, signing), body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      await res.arrayBuffer().catch(() => undefined);
      this.counters.statuses[String(res.status)] = (this.counters.statuses[String(res.status)] ?? 0) + 1;
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    }
    if (ok && this.chance(this.opts.failProbability)) {
      this.counters.failedByFault++;
      ok = false;
    }
    if (ok) {
      this.counters.delivered++;
      return;
    }
    return this.retryOrAbandon(uri, id, body, signing, n);
  }

  /** Attempt `n` failed: schedules the next one (backoff from `retryInitialMs`, doubling, ±25 %), or gives up. */
  private retryOrAbandon(uri: string, id: string, body: string, signing: Signing, n: number): void {
    this.counters.failedAttempts++;
    if (n >= (this.opts.maxAttempts ?? 8) || this.closed) {
      this.counters.abandoned++;
      return;
    }
    const delay = withJitter(backoffMs(n - 1, this.opts.retryInitialMs ?? 5_000, Infinity), 0.25, 'both', () => this.host.rng());
    this.host.scheduler.after(this.resendDelay(delay), () => void this.attempt(uri, id, body, signing, n + 1));
  }
}
