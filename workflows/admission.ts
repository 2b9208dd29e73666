/**
 * The admission limiter: one durable workflow per credential key (`gemini-jobs-admission/<key>`)
 * that hands out create permits in FIFO order of the jobs' own start times, at most
 * `maxPerWindow` per sliding `windowMs`, at most `maxConcurrent` held at once (and
 * `maxConcurrentPerTenant` per tenant). Jobs ask with a signal (sent by the `requestAdmission`
 * activity with signal-with-start), are granted with a signal, and give the permit back with a
 * signal when their turn ends. A 429 with Retry-After on any create of the key pauses admission
 * for everyone. Holders that closed without giving their permit back (terminated, timed out)
 * are found by a liveness check and their permits reclaimed.
 *
 * Why a workflow rather than a task-queue rate limit (`maxTaskQueueActivitiesPerSecond`): a
 * task-queue limit bounds the rate only, knows neither concurrency nor tenants, cannot report a
 * job's position, cannot be slowed by a 429, and does not keep order across retries.
 *
 * Deterministic code only.
 */
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AdmissionActivities } from '../activities/admission-types';
import {
  acquireSignal,
  grantSignal,
  limiterStateQuery,
  positionQuery,
  releaseSignal,
  throttleSignal,
  type AdmissionLimiterInput,
  type AdmissionLimits,
  type Holder,
  type LimiterState,
  type Waiter,
} from './admission-definitions';
import { limiterContinuation, unpackWaiters } from './admission-pack';

const { admissionLiveness } = proxyActivities<AdmissionActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 3 },
});

/** Continue-as-new once the history is this long (signals are ~3 events per admitted turn). */
const CONTINUE_AS_NEW_EVENTS = 4_000;

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

class Limiter {
  private limits: AdmissionLimits;
  private readonly st: LimiterState;
  private dirty = true;
  /** Holders whose grant signal must be (re)sent. */
  private regrant = new Set<string>();
  private lastLeaseCheckMs = Date.now();
  /** Grant signals sent but not yet confirmed by the server. */
  private inFlightGrants = 0;

  constructor(private readonly input: AdmissionLimiterInput) {
    this.limits = input.limits;
    this.st = input.carried ?? { waiters: [], holders: [], recent: [], pausedUntilMs: 0, seq: 0, admitted: 0, throttles: 0, leaked: 0 };
    if (input.packedWaiters) this.st.waiters = unpackWaiters(input.packedWaiters);
  }

  private install(): void {
    setHandler(acquireSignal, (req) => {
      this.limits = req.limits;
      this.dirty = true;
      if (this.st.holders.some((h) => h.ticket === req.ticket)) {
        // Asked again after being admitted (a retried request): answer again, admit once.
        this.regrant.add(req.ticket);
        return;
      }
      if (this.st.waiters.some((w) => w.ticket === req.ticket)) return;
      const w: Waiter = { ticket: req.ticket, jobId: req.jobId, runId: req.runId, enqueuedAtMs: req.enqueuedAtMs, seq: ++this.st.seq };
      if (req.tenant !== undefined) w.tenant = req.tenant;
      // Insert in (enqueuedAtMs, seq) order: a job that asked first is admitted first.
      let at = this.st.waiters.length;
      while (at > 0 && this.st.waiters[at - 1]!.enqueuedAtMs > w.enqueuedAtMs) at--;
      this.st.waiters.splice(at, 0, w);
    });
    setHandler(releaseSignal, ({ ticket }) => {
      this.dirty = true;
      this.st.holders = this.st.holders.filter((h) => h.ticket !== ticket);
      this.st.waiters = this.st.waiters.filter((w) => w.ticket !== ticket);
      this.regrant.delete(ticket);
    });
    setHandler(throttleSignal, ({ retryAfterMs }) => {
      this.dirty = true;
      const until = Date.now() + Math.max(0, retryAfterMs);
      this.st.throttles++;
      if (until > this.st.pausedUntilMs) this.st.pausedUntilMs = until;
      // The refused create will be retried then: it takes a slot of the window at that time.
      this.st.recent.push(until);
    });
    setHandler(positionQuery, (ticket) => {
      const base = {
        waiting: this.st.waiters.length,
        holding: this.st.holders.length,
        ...(this.st.pausedUntilMs > Date.now() ? { pausedUntil: isoAt(this.st.pausedUntilMs) } : {}),
      };
      if (this.st.holders.some((h) => h.ticket === ticket)) return { position: 0, ...base };
      const i = this.st.waiters.findIndex((w) => w.ticket === ticket);
      return { position: i < 0 ? -1 : i + 1, ...base };
    });
    setHandler(limiterStateQuery, () => ({ key: this.input.key, limits: this.limits, ...(JSON.parse(JSON.stringify(this.st)) as LimiterState) }));
  }

  private tenantFull(tenant: string | undefined): boolean {
    if (tenant === undefined || !(this.limits.maxConcurrentPerTenant > 0)) return false;
    let n = 0;
    for (const h of this.st.holders) if (h.tenant === tenant) n++;
    return n >= this.limits.maxConcurrentPerTenant;
  }

  /** Admits every waiter that may go now; returns the new holders. */
  private admitDue(now: number): Holder[] {
    const out: Holder[] = [];
    const L = this.limits;
    this.st.recent = this.st.recent.filter((t) => t > now - L.windowMs);
    while (now >= this.st.pausedUntilMs && this.st.holders.length < L.maxConcurrent && this.st.recent.length < L.maxPerWindow) {
      const i = this.st.waiters.findIndex((w) => !this.tenantFull(w.tenant));
      const w = i < 0 ? undefined : this.st.waiters[i]!;
      if (!w || w.enqueuedAtMs + L.orderGraceMs > now) break;
      this.st.waiters.splice(i, 1);
      const h: Holder = { ticket: w.ticket, jobId: w.jobId, runId: w.runId, grantedAtMs: now };
      if (w.tenant !== undefined) h.tenant = w.tenant;
      this.st.holders.push(h);
      this.st.recent.push(now);
      this.st.admitted++;
      out.push(h);
    }
    return out;
  }

  /** How long to sleep before something could be admitted without a new signal (ms), or undefined. */
  private nextWakeMs(now: number): number | undefined {
    if (this.st.waiters.length === 0) {
      return this.st.holders.length === 0 ? this.limits.idleExitMs : undefined;
    }
    const L = this.limits;
    const times: number[] = [this.lastLeaseCheckMs + L.leaseCheckMs];
    if (this.st.pausedUntilMs > now) times.push(this.st.pausedUntilMs);
    if (this.st.recent.length >= L.maxPerWindow) times.push(Math.min(...this.st.recent) + L.windowMs);
    const head = this.st.waiters.find((w) => !this.tenantFull(w.tenant));
    if (head && head.enqueuedAtMs + L.orderGraceMs > now) times.push(head.enqueuedAtMs + L.orderGraceMs);
    return Math.max(1, Math.min(...times) - now);
  }

  /**
   * Sends the grant signals without waiting for them: the loop goes on admitting while the
   * server delivers them. A grant that cannot be delivered returns its permit.
   */
  private grant(holders: Holder[]): void {
    for (const h of holders) {
      this.inFlightGrants++;
      getExternalWorkflowHandle(h.jobId, h.runId)
        .signal(grantSignal, { ticket: h.ticket, key: this.input.key })
        .finally(() => void this.inFlightGrants--)
        .catch((err: unknown) => {
          // The job run is gone (terminated, or continued as new before it was admitted).
          log.warn('admission: grant not delivered; permit returned', { ticket: h.ticket, error: (err as Error).message });
          this.st.holders = this.st.holders.filter((x) => x.ticket !== h.ticket);
          this.dirty = true;
        });
    }
  }

  /** Reclaims permits of holders whose runs closed without giving them back. */
  private async checkLeases(now: number): Promise<void> {
    this.lastLeaseCheckMs = now;
    if (this.st.holders.length === 0) return;
    try {
      const { closed } = await admissionLiveness({ holders: this.st.holders.map((h) => ({ ticket: h.ticket, jobId: h.jobId, runId: h.runId })) });
      // A holder may have released while the check ran: count only permits really reclaimed.
      const reclaimed = this.st.holders.filter((h) => closed.includes(h.ticket)).map((h) => h.ticket);
      if (reclaimed.length === 0) return;
      this.st.holders = this.st.holders.filter((h) => !reclaimed.includes(h.ticket));
      this.st.leaked += reclaimed.length;
      this.dirty = true;
      log.warn('admission: reclaimed permits of closed runs', { key: this.input.key, tickets: reclaimed });
    } catch (err) {
      log.warn('admission: liveness check failed; will retry', { error: (err as Error).message });
    }
  }

  async run(): Promise<void> {
    this.install();
    for (;;) {
      this.dirty = false;
      const now = Date.now();
      const admitted = this.admitDue(now);
      const again = this.st.holders.filter((h) => this.regrant.has(h.ticket));
      this.regrant.clear();
      if (admitted.length + again.length > 0) this.grant([...admitted, ...again]);
      if (this.st.waiters.length > 0 && now - this.lastLeaseCheckMs >= this.limits.leaseCheckMs) await this.checkLeases(now);
      if (this.dirty) continue;

      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > CONTINUE_AS_NEW_EVENTS) {
        await condition(() => allHandlersFinished() && this.inFlightGrants === 0);
        await continueAsNew<typeof admissionLimiter>(limiterContinuation(this.input.key, this.limits, this.st));
      }
      const wait = this.nextWakeMs(now);
      const woke = wait === undefined ? await condition(() => this.dirty).then(() => true) : await condition(() => this.dirty, wait);
      if (!woke && this.st.waiters.length === 0 && this.st.holders.length === 0) {
        log.info('admission: idle, limiter ends', { key: this.input.key, admitted: this.st.admitted });
        return;
      }
    }
  }
}

/** The admission limiter workflow of one credential key (see the module comment). */
export async function admissionLimiter(input: AdmissionLimiterInput): Promise<void> {
  return new Limiter(input).run();
}
