/**
 * `webhook` mode's step 2: wait, holding nothing, for the notice that says the run settled — the
 * webhook the receiver verified and signalled, or the worker's backstop sweeper, which reads the
 * status of every waiting webhook-mode job with a GET and signals the settled ones whose webhook
 * was lost. One durable timer per wait: the turn's deadline. Deterministic code only.
 *
 * A turn whose create answer was lost may have two interactions (the API has no idempotency key),
 * and only a webhook names the second one. Whichever settles first with an answer is kept: when
 * the other interaction settles first, it becomes the turn's interaction and the one recorded so
 * far — still running — is cancelled, so it stops costing money.
 */
import { condition, log } from '@temporalio/workflow';
import type { WebhookNotice } from '../../src/contract/job';
import { noticeAnswered, type WebhookInbox } from '../webhook-inbox';
import { cancelActivities, jobErrorOf } from './activities';
import type { TurnContext } from './context';
import type { TurnDeadline } from './deadline';
import { duplicateOutcome, type TurnLedger } from './ledger';

/** The turn a webhook-mode wait is for: what `refreshProgress` checks. */
export interface WebhookWait {
  turn: number;
  interactionId: string;
  /** When the wait began (ISO): a 404 within the not-found grace of it is "not yet". */
  createdAt: string;
}

/** How the wait ended. */
export type WebhookWaitEnd = 'settled' | 'cancelled' | 'timed_out';

/**
 * Waits for the notice that the turn's interaction settled (see the module comment). `onWait` is
 * told the wait (and undefined when it ends).
 */
export async function waitForWebhook(
  ctx: TurnContext,
  inbox: WebhookInbox,
  ledger: TurnLedger,
  deadline: TurnDeadline,
  onWait: (wait: WebhookWait | undefined) => void,
): Promise<WebhookWaitEnd> {
  const rec = ledger.rec;
  onWait({ turn: rec.turn, interactionId: rec.interactionId!, createdAt: new Date(Date.now()).toISOString() });
  try {
    for (;;) {
      if (ctx.cancelRequested()) return 'cancelled';
      const own = inbox.settlingFor(rec.interactionId!);
      if (own) {
        ledger.settledBy(own.source === 'sweeper' ? 'backstop' : 'webhook');
        return 'settled';
      }
      const other = inbox.newOrphans(rec.turn, rec.interactionId!)[0];
      if (other) {
        await handleDuplicate(ctx, inbox, ledger, other);
        continue;
      }
      const remainingMs = deadline.remainingMs();
      if (remainingMs <= 0) return 'timed_out';
      const version = inbox.version;
      await condition(() => ctx.cancelRequested() || inbox.version !== version, remainingMs);
    }
  } finally {
    onWait(undefined);
  }
}

/**
 * A notice names this turn with another interaction: a duplicate of a create whose answer was
 * lost. If it settled with an answer while the turn's own run still works, keep it and cancel the
 * other; else cancel it (a no-op when it already ended) and keep waiting for the turn's own.
 */
export async function cancelLateDuplicate(ctx: TurnContext, ledger: TurnLedger, notice: WebhookNotice): Promise<void> {
  const found = { interactionId: notice.interactionId, foundAt: new Date(Date.now()).toISOString(), seenIn: notice.eventType };
  log.warn('duplicate create: a webhook names another interaction of an ended turn; cancelling it', { jobId: ctx.jobId, turn: ledger.rec.turn, duplicate: notice.interactionId });
  ledger.duplicate({ ...found, ...duplicateOutcome(await cancelDuplicate(ctx, notice.interactionId)) });
}

/**
 * A notice names this turn with another interaction while the turn waits (see waitForWebhook).
 */
async function handleDuplicate(ctx: TurnContext, inbox: WebhookInbox, ledger: TurnLedger, notice: WebhookNotice): Promise<void> {
  const nowMs = Date.now();
  if (noticeAnswered(notice)) {
    const replaced = ledger.adopt(notice.interactionId, notice.eventType, nowMs);
    inbox.markHandled(replaced.interactionId);
    log.warn('duplicate create: another interaction of this turn settled first; keeping it and cancelling the other', {
      jobId: ctx.jobId,
      turn: ledger.rec.turn,
      kept: notice.interactionId,
      cancelling: replaced.interactionId,
    });
    Object.assign(replaced, duplicateOutcome(await cancelDuplicate(ctx, replaced.interactionId)));
    return;
  }
  await cancelLateDuplicate(ctx, ledger, notice);
}

async function cancelDuplicate(ctx: TurnContext, interactionId: string) {
  try {
    return await cancelActivities.cancelInteraction({ jobId: ctx.jobId, interactionId, confirmTimeoutMs: 30_000 });
  } catch (err) {
    log.warn('duplicate create: cancel failed', { jobId: ctx.jobId, interactionId, error: jobErrorOf(err).message });
    return undefined;
  }
}
