/**
 * The job workflow's side of admission control: ask the credential's limiter for a permit
 * (through the `requestAdmission` activity), wait for the grant signal — showing phase
 * `queued` meanwhile — and give the permit back when the turn ends, whatever its outcome.
 * Deterministic code only.
 */
import { condition, getExternalWorkflowHandle, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AdmissionActivities } from '../activities/admission-types';
import { grantSignal, releaseSignal } from './admission-definitions';

// A regular activity, not a local one: a local activity's marker followed in the same workflow
// task by the create's patch marker made a mid-run replay (a query or a new build on a cold cache)
// fail with TMPRL1100 "patch marker … no corresponding change command" (seen on server 1.30.1 and
// on a Worker Versioning transition). Three history events per turn buy a replay that matches.
const { requestAdmission } = proxyActivities<Pick<AdmissionActivities, 'requestAdmission'>>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

export interface Admitted {
  /** `admitted`: holds a permit; `off`: the worker does not limit this job; `cancelled`: gave up while queued. */
  outcome: 'admitted' | 'off' | 'cancelled';
  key?: string;
}

export class AdmissionGate {
  private readonly granted = new Set<string>();
  private held: { ticket: string; limiterId: string } | undefined;

  /** Installs the grant signal handler (call once, with the other handlers). */
  install(): void {
    setHandler(grantSignal, ({ ticket }) => void this.granted.add(ticket));
  }

  /**
   * Waits for a permit for `turn`. `onQueued` is told the limiter key when the wait starts;
   * `cancelled` is polled (a cancel while queued leaves the queue and creates nothing).
   */
  async admit(turn: number, opts: { tenant?: string; isAgent: boolean; firstOfRun: boolean; cancelled: () => boolean; onQueued: (key: string) => void }): Promise<Admitted> {
    const info = workflowInfo();
    const ticket = `${info.workflowId}#${turn}`;
    const asked = await requestAdmission({
      ticket,
      jobId: info.workflowId,
      runId: info.runId,
      // A run's first turn queues by the server's start time (the order jobs were enqueued in),
      // not by when its first workflow task happened to run; a follow-up by when it was asked.
      enqueuedAtMs: opts.firstOfRun ? info.runStartTime.getTime() : Date.now(),
      isAgent: opts.isAgent,
      ...(opts.tenant !== undefined ? { tenant: opts.tenant } : {}),
    });
    if (asked.mode === 'off') return { outcome: 'off' };
    this.held = { ticket, limiterId: asked.limiterId };
    opts.onQueued(asked.key);
    await condition(() => this.granted.has(ticket) || opts.cancelled());
    if (!this.granted.has(ticket)) {
      await this.release();
      return { outcome: 'cancelled', key: asked.key };
    }
    return { outcome: 'admitted', key: asked.key };
  }

  /** The limiter and ticket of the permit held, for the create activity's 429 report. */
  get permit(): { limiterId: string; ticket: string } | undefined {
    return this.held ? { ...this.held } : undefined;
  }

  /** Gives the permit (or the place in the queue) back. Never throws. */
  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    this.granted.delete(held.ticket);
    try {
      await getExternalWorkflowHandle(held.limiterId).signal(releaseSignal, { ticket: held.ticket });
    } catch (err) {
      // The limiter's liveness check reclaims it once this run has closed.
      log.warn('admission: release not delivered', { ticket: held.ticket, error: (err as Error).message });
    }
  }
}
