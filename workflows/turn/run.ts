/**
 * One turn of a job, start to end: admission (a quota permit), the create, then following the run
 * (stream or poll) or waiting for its webhook, racing the deadline, the wall-time budget and a
 * cancel. Each step returns an outcome; the turn's ledger writes it into the record. Deterministic
 * code only.
 *
 * A legacy execution (0.1.0 history) takes exactly the steps 0.1.0 took: no admission, a
 * non-cancellable create, the deadline from the turn's start, no webhook mode, the remote cancel
 * only after the follow activity stopped.
 */
import type { CreateInteractionInput } from '../../activities/types';
import type { FollowUpAccepted, JobError, JobRequest, JobStatus, TurnRecord } from '../../src/contract/job';
import { followAccounting, wallBudgetLeftMs } from '../accounting';
import type { AdmissionGate } from '../admission-gate';
import { followOptionsOf } from '../helpers';
import type { JobRecord } from '../job-state';
import type { WebhookInbox } from '../webhook-inbox';
import { collectActivities, jobErrorOf } from './activities';
import { cancelRemote } from './cancel';
import type { TurnContext } from './context';
import { createInteraction } from './create';
import { TurnDeadline } from './deadline';
import { followTurn } from './follow';
import { TurnLedger, type StopReason, type TurnEnd } from './ledger';
import { cancelLateDuplicate, waitForWebhook, type WebhookWait } from './webhook-wait';

/** A follow-up or plan approval waiting for its turn; its update handler waits for `accepted`. */
export interface PendingTurn {
  request: JobRequest;
  kind: 'followUp' | 'approvePlan';
  accepted?: FollowUpAccepted;
  failure?: JobError;
}

/** What a turn needs from its job besides the context. */
export interface TurnHost {
  readonly ctx: TurnContext;
  readonly record: JobRecord;
  readonly admission: AdmissionGate;
  readonly inbox: WebhookInbox;
  /** The agent's or model's name (for prices), and whether it is an agent (admission counts them apart). */
  readonly priceName: string | undefined;
  readonly isAgent: boolean;
  /** True for the first turn of a job's first run (it queues by the job's enqueue time). */
  readonly firstOfRun: boolean;
  readonly tenant: string | undefined;
  /** Told every status a turn takes (and the request it runs): the job publishes it. */
  onStatus(rec: TurnRecord, status: JobStatus, request: JobRequest): void;
  /** Told the webhook-mode wait while it lasts (undefined when it ends): `refreshProgress` reads it. */
  onWebhookWait(wait: WebhookWait | undefined): void;
}

/** Runs one turn to its end, chained to `previousInteractionId`; `pending` is told when it is accepted or failed. */
export async function runTurn(host: TurnHost, request: JobRequest, previousInteractionId: string | undefined, pending: PendingTurn | undefined): Promise<void> {
  const { ctx, record } = host;
  const nowMs = Date.now();
  const rec: TurnRecord = { turn: record.turns.length + 1, status: 'pending', startedAt: new Date(nowMs).toISOString() };
  if (previousInteractionId) rec.previousInteractionId = previousInteractionId;
  record.turns.push(rec);
  const ledger = new TurnLedger(record, rec, { deadlineMs: ctx.options.deadlineMs, budget: ctx.budget }, (status) => host.onStatus(rec, status, request));
  const deadline = new TurnDeadline(record, ctx.options.deadlineMs);
  if (ctx.legacy) deadline.startAt(nowMs);
  else delete record.deadlineAtMs;
  ledger.phase('creating');
  host.onStatus(rec, 'pending', request);

  // Nothing was created: end without creating anything remotely.
  if (ctx.cancelRequested()) return ledger.end({ kind: 'not-created' }, Date.now());
  if (ctx.legacy) return createAndFollow(host, ledger, deadline, request, pending);
  // Admission control (credential quota): wait for a permit, hold it for the whole turn.
  const gate = await host.admission.admit(rec.turn, {
    isAgent: host.isAgent,
    firstOfRun: host.firstOfRun && rec.turn === 1,
    cancelled: () => ctx.cancelRequested(),
    onQueued: (key) => ledger.queued(key),
    ...(host.tenant !== undefined ? { tenant: host.tenant } : {}),
  });
  if (gate.outcome === 'cancelled') {
    ledger.admitted(undefined);
    if (pending) pending.failure = { code: 'cancelled', message: 'the job was cancelled while waiting for admission' };
    return ledger.end({ kind: 'not-created' }, Date.now());
  }
  try {
    ledger.admitted(gate.outcome === 'admitted' ? Date.now() : undefined);
    await createAndFollow(host, ledger, deadline, request, pending);
  } finally {
    await host.admission.release();
  }
}

/** Create, then follow (or, in webhook mode, wait for the webhook and collect), within the turn's deadline. */
async function createAndFollow(host: TurnHost, ledger: TurnLedger, deadline: TurnDeadline, request: JobRequest, pending: PendingTurn | undefined): Promise<void> {
  const { ctx } = host;
  const rec = ledger.rec;
  const webhookMode = !ctx.legacy && ctx.options.mode === 'webhook';
  const created = await createInteraction(ctx, createInput(host, rec, request, webhookMode));
  if ('cancelled' in created) return ledger.end({ kind: 'not-created' }, Date.now());
  if ('failed' in created) {
    if (pending) pending.failure = created.failed;
    return ledger.end({ kind: 'failed', error: created.failed }, Date.now());
  }
  if (!ctx.legacy) deadline.startAt(Date.now());
  ledger.created(created.created);
  if (pending) pending.accepted = { turn: rec.turn, interactionId: rec.interactionId! };
  ledger.end(await followCreated(host, ledger, deadline, webhookMode), Date.now());
}

/** The run exists: how its turn ends. */
async function followCreated(host: TurnHost, ledger: TurnLedger, deadline: TurnDeadline, webhookMode: boolean): Promise<TurnEnd> {
  const { ctx } = host;
  const rec = ledger.rec;
  const stop = (reason: StopReason): Promise<TurnEnd> => {
    ledger.phase('cancelling');
    return cancelRemote(ctx, rec, reason);
  };
  if (ctx.cancelRequested()) return stop('cancelled');
  if (webhookMode) {
    const waited = await waitForWebhook(ctx, host.inbox, ledger, deadline, (wait) => host.onWebhookWait(wait));
    return waited === 'settled' ? collectSettled(ctx, rec) : stop(waited);
  }
  // A wall-time budget ends the turn like a deadline, but as budget_exceeded.
  const nowMs = Date.now();
  const wallLeftMs = wallBudgetLeftMs(ctx.budget, ctx.turns, rec, nowMs);
  const deadlineLeftMs = deadline.remainingMs();
  const overBudget = wallLeftMs !== undefined && wallLeftMs < deadlineLeftMs;
  const remainingMs = overBudget ? wallLeftMs : deadlineLeftMs;
  if (remainingMs <= 0) return stop(overBudget ? 'budget_exceeded' : 'timed_out');
  const accounting = followAccounting(host.priceName, ctx.budget, ctx.turns, rec, nowMs);
  return followTurn(ctx, rec, accounting, overBudget ? { budgetLeftMs: remainingMs } : { deadline }, () => ledger.phase('cancelling'));
}

/** A run known to be over (webhook mode): read it back once and store its report. No timer races it. */
async function collectSettled(ctx: TurnContext, rec: TurnRecord): Promise<TurnEnd> {
  try {
    const result = await collectActivities.followInteraction({ jobId: ctx.jobId, turn: rec.turn, interactionId: rec.interactionId!, options: followOptionsOf(ctx.options) });
    return { kind: 'result', result };
  } catch (err) {
    return { kind: 'failed', error: jobErrorOf(err) };
  }
}

function createInput(host: TurnHost, rec: TurnRecord, request: JobRequest, webhookMode: boolean): CreateInteractionInput {
  const input: CreateInteractionInput = { jobId: host.ctx.jobId, turn: rec.turn, request };
  if (rec.previousInteractionId) input.previousInteractionId = rec.previousInteractionId;
  if (webhookMode) input.webhook = true;
  const permit = host.admission.permit;
  if (permit) input.admission = permit;
  return input;
}

/**
 * Duplicates of ended turns that webhooks revealed since (a run that settled after its twin was
 * kept): cancel each (a no-op once it ended) and record what became of it.
 */
export async function settleLateDuplicates(host: TurnHost): Promise<void> {
  for (const rec of host.record.turns) {
    if (!rec.interactionId || !rec.endedAt || !host.inbox.hasOrphans(rec.turn, rec.interactionId)) continue;
    const ledger = new TurnLedger(host.record, rec, { deadlineMs: host.ctx.options.deadlineMs, budget: host.ctx.budget }, () => undefined);
    for (const notice of host.inbox.newOrphans(rec.turn, rec.interactionId)) await cancelLateDuplicate(host.ctx, ledger, notice);
  }
}
