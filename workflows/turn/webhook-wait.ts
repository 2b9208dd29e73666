/**
 * `webhook` mode's step 2: wait for the webhook that says the run settled, holding nothing (a
 * durable condition with a timeout), with backstop GET checks on a growing timer, and cancel the
 * orphans of the create window that webhooks reveal. Deterministic code only.
 */
import { condition, log } from '@temporalio/workflow';
import type { CheckInteractionResult } from '../../activities/types';
import type { OrphanInteraction, TurnRecord } from '../../src/contract/job';
import type { JobRecord } from '../job-state';
import type { WebhookInbox } from '../webhook-inbox';
import { cancelActivities, checkActivities, jobErrorOf } from './activities';
import type { TurnContext } from './context';
import type { TurnDeadline } from './deadline';

/**
 * Patch id of the `webhook` follow mode: the create carries `webhook_config`, the turn waits for the
 * webhook signal with backstop GET checks on a growing durable timer, and orphans of the create
 * window that a webhook reveals are recorded and cancelled. Histories of v0.1.0 never reach it.
 */
export const PATCH_WEBHOOK_MODE = 'webhook-follow-mode';

/** The turn a webhook-mode wait is for: what `refreshProgress` checks. */
export interface WebhookWait {
  rec: TurnRecord;
  interactionId: string;
  /** When the wait began (ISO): a 404 within the not-found grace of it is "not yet". */
  createdAt: string;
}

/** How the wait ended (`failed`: a backstop check failed for good, and the turn already ended). */
export type WebhookWaitEnd = 'settled' | 'cancelled' | 'timed_out' | 'failed';

/**
 * Waits for the webhook that says the turn's interaction settled. When the timer fires first (a
 * lost or late webhook), one GET check runs and the next timer doubles, up to
 * `webhookBackstopMaxMs`. A notice about the interaction that does not say it settled (an unknown
 * event type) prompts a check at once. `onWait` is told the wait (and undefined when it ends).
 */
export async function waitForWebhook(
  ctx: TurnContext,
  inbox: WebhookInbox,
  rec: TurnRecord,
  deadline: TurnDeadline,
  onWait: (wait: WebhookWait | undefined) => void,
): Promise<WebhookWaitEnd> {
  const interactionId = rec.interactionId!;
  const createdAt = new Date(Date.now()).toISOString();
  onWait({ rec, interactionId, createdAt });
  let backstopMs = ctx.options.webhookBackstopInitialMs;
  let cursor = 0;
  try {
    for (;;) {
      await cancelOrphans(ctx, inbox);
      if (inbox.settlingFor(interactionId)) {
        rec.settledBy = 'webhook';
        return 'settled';
      }
      const remainingMs = deadline.remainingMs();
      if (remainingMs <= 0) return 'timed_out';
      const version = inbox.version;
      const woke = await condition(() => ctx.cancelRequested() || inbox.version !== version, Math.min(backstopMs, remainingMs));
      if (ctx.cancelRequested()) return 'cancelled';
      const nudged = woke && inbox.anyFor(interactionId, cursor) !== undefined;
      cursor = inbox.size;
      if (woke && (!nudged || inbox.settlingFor(interactionId))) continue;
      if (!woke && deadline.remainingMs() <= 0) return 'timed_out';
      let check: CheckInteractionResult;
      try {
        check = await checkActivities.checkInteraction({ jobId: ctx.jobId, interactionId, createdAt, notFoundGraceMs: ctx.options.notFoundGraceMs });
      } catch (err) {
        const error = jobErrorOf(err);
        if (error.retryable) {
          // The API is unreachable for now: the next timer tries again.
          log.warn('webhook backstop check failed; waiting for the next one', { jobId: ctx.jobId, error: error.message });
          backstopMs = Math.min(ctx.options.webhookBackstopMaxMs, backstopMs * 2);
          continue;
        }
        rec.error = error;
        ctx.endTurn(rec, 'failed');
        return 'failed';
      }
      recordCheck(ctx.record, rec.turn, check);
      if (check.settled) {
        rec.settledBy = 'backstop';
        return 'settled';
      }
      if (!woke) backstopMs = Math.min(ctx.options.webhookBackstopMaxMs, backstopMs * 2);
    }
  } finally {
    onWait(undefined);
  }
}

/** Keeps what a GET check saw (the turn records hold no live progress). */
export function recordCheck(record: JobRecord, turn: number, check: CheckInteractionResult): void {
  record.lastCheck = {
    turn,
    upstreamStatus: check.upstreamStatus,
    progress: { eventsApplied: 0, outputChars: check.outputChars, ...(check.latestThought ? { latestThought: check.latestThought } : {}) },
  };
  if (check.usage) record.lastCheckUsage = { turn, usage: check.usage };
}

/**
 * Orphans of the create window: a webhook names this job and a turn, but another interaction
 * than the one recorded (the create whose answer was lost and was retried). Recorded on the turn
 * (`possibleDuplicateCreate`) and cancelled, so it stops costing money if it still runs.
 */
async function cancelOrphans(ctx: TurnContext, inbox: WebhookInbox): Promise<void> {
  for (const turn of ctx.record.turns) {
    if (!turn.interactionId || !inbox.hasOrphans(turn.turn, turn.interactionId)) continue;
    for (const notice of inbox.newOrphans(turn.turn, turn.interactionId)) {
      const orphan: OrphanInteraction = { interactionId: notice.interactionId, seenIn: notice.eventType };
      (turn.possibleDuplicateCreate ??= []).push(orphan);
      log.warn('possible duplicate create: a webhook names this job and turn with another interaction; cancelling it', {
        jobId: ctx.jobId,
        turn: turn.turn,
        recorded: turn.interactionId,
        orphan: notice.interactionId,
      });
      try {
        const cancelled = await cancelActivities.cancelInteraction({ jobId: ctx.jobId, interactionId: notice.interactionId, confirmTimeoutMs: 30_000 });
        orphan.cancel = cancelled.cancelAnswer;
      } catch (err) {
        orphan.cancel = `failed: ${jobErrorOf(err).code}`;
      }
    }
  }
}
