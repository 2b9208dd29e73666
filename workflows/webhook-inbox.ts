/**
 * Webhook notices received by a job (the `interactionWebhook` signal), de-duplicated by webhook id.
 * Pure and deterministic: bundled into the workflow sandbox.
 *
 * Deliveries are at least once and unordered, so a notice may arrive twice, late, before the
 * create returned the id, or for an interaction that is not the turn's recorded one (an orphan of
 * the create window). The inbox keeps them all, and the turn asks what concerns it.
 */
import type { WebhookNotice } from './definitions';

/** Event types after which the run is over (or waits for input): collect it. */
const SETTLING_EVENTS = new Set(['interaction.completed', 'interaction.failed', 'interaction.requires_action', 'interaction.cancelled']);
const SETTLED_STATUSES = new Set(['completed', 'failed', 'cancelled', 'incomplete', 'budget_exceeded', 'requires_action', 'requires_continuation', 'idle']);
/** Event types and statuses of a run that settled with an answer (not a failure or a cancel). */
const ANSWERED_EVENTS = new Set(['interaction.completed', 'interaction.requires_action']);
const ANSWERED_STATUSES = new Set(['completed', 'requires_action', 'requires_continuation', 'idle']);
/** Most notices and ids kept (a job gets a handful; this bounds a misbehaving sender). */
const MAX_KEPT = 500;

/** True when a notice says the run it names is over. Unknown event types say so only through `status`. */
export function noticeSettles(n: WebhookNotice): boolean {
  return SETTLING_EVENTS.has(n.eventType) || (n.status !== undefined && SETTLED_STATUSES.has(n.status));
}

/** True when a notice says its run settled with an answer (completed, or waiting for the client). */
export function noticeAnswered(n: WebhookNotice): boolean {
  return n.status !== undefined ? ANSWERED_STATUSES.has(n.status) : ANSWERED_EVENTS.has(n.eventType);
}

/** Why a signalled notice is unusable, or undefined (signals are not validated by Temporal). */
export function noticeProblem(n: unknown): string | undefined {
  if (!n || typeof n !== 'object') return 'not an object';
  const x = n as Partial<WebhookNotice>;
  if (typeof x.webhookId !== 'string' || x.webhookId === '') return 'webhookId missing';
  if (typeof x.eventType !== 'string' || x.eventType === '') return 'eventType missing';
  if (typeof x.interactionId !== 'string' || x.interactionId === '') return 'interactionId missing';
  if (x.turn !== undefined && (!Number.isInteger(x.turn) || x.turn < 1)) return 'turn must be a positive integer';
  return undefined;
}

export class WebhookInbox {
  private readonly ids = new Set<string>();
  private readonly notices: WebhookNotice[] = [];
  /** Interaction ids already handled as orphans. */
  private readonly orphanIds = new Set<string>();
  /** Bumped on every accepted notice (conditions wait on it). */
  version = 0;
  duplicates = 0;

  /** Keeps a notice unless its webhook id was seen; returns whether it was new. */
  accept(notice: WebhookNotice): boolean {
    if (noticeProblem(notice) !== undefined) return false;
    if (this.ids.has(notice.webhookId)) {
      this.duplicates++;
      return false;
    }
    if (this.ids.size >= MAX_KEPT) return false;
    this.ids.add(notice.webhookId);
    this.notices.push({ ...notice });
    this.version++;
    return true;
  }

  /** A notice saying the turn's own interaction settled. */
  settlingFor(interactionId: string): WebhookNotice | undefined {
    return this.notices.find((n) => n.interactionId === interactionId && noticeSettles(n));
  }

  /** Any notice about the turn's own interaction (a non-settling one prompts a GET check). */
  anyFor(interactionId: string, after = 0): WebhookNotice | undefined {
    return this.notices.slice(after).find((n) => n.interactionId === interactionId);
  }

  /** Notices count so far (a cursor for `anyFor`). */
  get size(): number {
    return this.notices.length;
  }

  /** Orphans not yet handled: same turn, another interaction id than the recorded one. */
  newOrphans(turn: number, interactionId: string): WebhookNotice[] {
    const out: WebhookNotice[] = [];
    for (const n of this.notices) {
      if (n.turn !== turn || n.interactionId === interactionId || this.orphanIds.has(n.interactionId)) continue;
      this.orphanIds.add(n.interactionId);
      out.push(n);
    }
    return out;
  }

  /** Treats `interactionId` as handled: no later notice naming it is a new orphan. */
  markHandled(interactionId: string): void {
    this.orphanIds.add(interactionId);
  }

  /** True when a notice of `turn` names another interaction than `interactionId` and is unhandled. */
  hasOrphans(turn: number, interactionId: string): boolean {
    return this.notices.some((n) => n.turn === turn && n.interactionId !== interactionId && !this.orphanIds.has(n.interactionId));
  }
}
