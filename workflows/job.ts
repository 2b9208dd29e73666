/**
 * The job workflow: one durable Interactions API thread. Each turn is one interaction:
 * `createInteraction` (short, never repeated once the id is known) then `followInteraction` (the
 * one long activity: streams or polls, heartbeats its checkpoint, stores the report). Nothing per
 * stream event reaches the workflow, so its history has the same length for a 1-minute and a
 * 60-minute run; live progress is read from the pending activity's heartbeat (`describe()`).
 *
 * Deterministic code only: no I/O, no Node APIs; activities are imported as types.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CancelInteractionResult, CheckInteractionResult, CreateInteractionResult, FollowInteractionInput, FollowInteractionResult, JobActivities } from '../activities/types';
// Pure (no I/O, no Node APIs): safe in the workflow sandbox; rejects a bad follow-up before any create.
import { validateCreateRequest } from '../src/interactions/validate';
import { normalizeJobError } from '../src/contract/job-error-codes';
import { isWaitingStatus } from '../src/interactions/types';
import { NON_RETRYABLE_ERROR_TYPES } from '../src/contract/constants';
import {
  approvePlanUpdate,
  cancelSignal,
  refreshProgressUpdate,
  webhookSignal,
  followUpUpdate,
  JOB_RESULT_MEMO,
  jobStatusKey,
  stateQuery,
  type FollowUpAccepted,
  type JobError,
  type JobInput,
  type JobRequest,
  type JobResult,
  type JobState,
  type JobStatus,
  type OrphanInteraction,
  type TurnRecord,
} from './definitions';
import { WebhookInbox } from './webhook-inbox';
import { costSummary, threadSpent } from './accounting';
import { ADMISSION_PATCH, AdmissionGate } from './admission-gate';
import { describeExceeded, exhaustedLimit, type BudgetExceeded } from '../src/contract/budget';
import {
  SUMMARY_CHARS,
  acceptsFollowUp,
  followOptionsOf,
  followUpInputProblem,
  followUpRequest,
  planApprovalInput,
  planTurnRequest,
  planWaitingAfter,
  resolveJobOptions,
  restingPhase,
  sumUsage,
  usesCollaborativePlanning,
  type ResolvedJobOptions,
} from './helpers';

/** Failure types no activity retry may repeat (one list, in the pure contract module). */
export const NON_RETRYABLE_TYPES = [...NON_RETRYABLE_ERROR_TYPES];

const RETRY = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', nonRetryableErrorTypes: NON_RETRYABLE_TYPES };

/**
 * Retries of the follow activity. Its transient API errors are retried inside the attempt
 * (activities/transient.ts), so an attempt fails mostly because its worker died: then the next
 * attempt should start as soon as a worker can take it, not after a backoff grown to 60 s by a
 * crash loop. A retry-policy change is not a command-sequence change (replay compares activity
 * type and id, not options).
 */
const FOLLOW_RETRY = { ...RETRY, maximumInterval: '2s' };

/** The create POST itself is bounded by the client; these cover a stuck worker. */
const createActivities = proxyActivities<Pick<JobActivities, 'createInteraction'>>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  scheduleToCloseTimeout: '15m',
  retry: { ...RETRY, maximumAttempts: 20 },
});

/**
 * The same create, cancellable: a cancel during create retries (DNS down, wrong key retried, 429s)
 * takes effect at once between attempts, and within the activity's cancel grace during a POST,
 * whose answer is still awaited so a created interaction gets cancelled rather than leaked.
 */
const cancellableCreateActivities = proxyActivities<Pick<JobActivities, 'createInteraction'>>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '15s',
  scheduleToCloseTimeout: '15m',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { ...RETRY, maximumAttempts: 20 },
});

/** Patch: a job cancelled through Temporal cancellation ends Temporal-cancelled (result in the memo), not completed. */
export const PATCH_CANCELLED_ENDS_CANCELLED = 'gemini-jobs-cancelled-ends-cancelled';

/** Patch: the create runs in a cancellable scope (v0.1.0 waited for every create retry before cancelling). */
export const PATCH_CANCELLABLE_CREATE = 'gemini-jobs-cancellable-create';

const cancelActivities = proxyActivities<Pick<JobActivities, 'cancelInteraction'>>({
  startToCloseTimeout: '3m',
  heartbeatTimeout: '30s',
  scheduleToCloseTimeout: '10m',
  retry: { ...RETRY, maximumAttempts: 5 },
});

/**
 * Patch: a cancel or deadline during the follow activity sends the remote cancel at once, beside
 * the activity's own cancellation. v0.1.0 sent it only after the activity stopped, and an
 * activity learns of its cancellation only from a heartbeat's answer: with heartbeats flushed
 * every 28 s (for Temporal action cost) that delayed a cancel by up to half a minute. The remote
 * run's end now also ends the stream, so the activity stops within a round trip.
 */
export const PATCH_CANCEL_REMOTE_AT_ONCE = 'gemini-jobs-cancel-remote-at-once';

/** One GET of the interaction (webhook mode's backstop and on-demand progress); short. */
const checkActivities = proxyActivities<Pick<JobActivities, 'checkInteraction'>>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '5m',
  retry: { ...RETRY, maximumInterval: '10s', maximumAttempts: 5 },
});

/**
 * Patch id of the `webhook` follow mode: the create carries `webhook_config`, the turn waits for the
 * webhook signal with backstop GET checks on a growing durable timer, and orphans of the create
 * window that a webhook reveals are recorded and cancelled. Histories of v0.1.0 never reach it.
 */
export const PATCH_WEBHOOK_MODE = 'webhook-follow-mode';

/** A follow-up waiting to become the next turn; its update handler waits for `accepted`. */
interface PendingTurn {
  request: JobRequest;
  kind: 'followUp' | 'approvePlan';
  accepted?: FollowUpAccepted;
  failure?: JobError;
}

type FollowOutcome = { ok: FollowInteractionResult } | { err: unknown };

function jobErrorOf(err: unknown): JobError {
  let cause: unknown = err;
  if (err instanceof ActivityFailure && err.cause) cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    // A type this version does not know is kept as `rawCode` under `unknown` (a pure data change: no command depends on it).
    return normalizeJobError({ code: cause.type ?? 'activity_failed', message: cause.message, retryable: !cause.nonRetryable });
  }
  if (cause instanceof TimeoutFailure) return { code: 'timeout', message: `activity timed out (${cause.timeoutType})`, retryable: false };
  return { code: 'activity_failed', message: err instanceof Error ? err.message : String(err), retryable: false };
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

class InteractionJob {
  private readonly jobId = workflowInfo().workflowId;
  private readonly options: ResolvedJobOptions;
  /** Current settings of the thread (original request + overrides), input of the latest turn. */
  private request: JobRequest;
  private readonly turns: TurnRecord[];
  private readonly startedAtMs: number;
  private readonly state: JobState;
  private cancelRequested = false;
  /** True once Temporal cancellation (not only the cancel signal) was requested for this execution. */
  private temporalCancelRequested = false;
  private pending: PendingTurn | undefined;
  /** True only while waiting for a follow-up: updates are accepted then and only then. */
  private windowOpen = false;
  private draining = false;
  private readonly upsertStatus: boolean;
  private upsertedStatus: string | undefined;
  /** Verified webhook deliveries signalled by the receiver, de-duplicated by webhook id. */
  private readonly inbox = new WebhookInbox();
  /** While a webhook-mode turn waits: what `refreshProgress` reads. */
  private webhookWait: { rec: TurnRecord; interactionId: string; createdAt: string } | undefined;
  private readonly admission = new AdmissionGate();

  constructor(private readonly input: JobInput) {
    this.request = input.request;
    this.options = resolveJobOptions(input.request, input.options);
    this.turns = input.carried?.turns.map((t) => ({ ...t })) ?? [];
    this.startedAtMs = input.carried?.startedAt ? Date.parse(input.carried.startedAt) : Date.now();
    const last = this.turns[this.turns.length - 1];
    const agent = (input.request as { agent?: string }).agent;
    const model = (input.request as { model?: string }).model;
    this.state = {
      jobId: this.jobId,
      phase: restingPhase(last, input.request),
      status: last?.status ?? 'pending',
      turn: last?.turn ?? 0,
      turns: this.turns,
      startedAt: isoAt(this.startedAtMs),
      elapsedMs: 0,
    };
    if (agent) this.state.agent = agent;
    if (model) this.state.model = model;
    if (this.options.thread !== undefined) this.state.thread = this.options.thread;
    if (input.options?.budget) this.state.budget = input.options.budget;
    if (last) this.copyTurnToState(last);
    // Upsert only when the starter registered the attribute (the jobs client always does): an
    // upsert of an attribute the namespace lacks would fail every workflow task.
    const current = workflowInfo().typedSearchAttributes.get(jobStatusKey);
    this.upsertStatus = current !== undefined;
    this.upsertedStatus = current;
  }

  async run(): Promise<JobResult> {
    this.installHandlers();
    // Temporal cancellation of the workflow takes the same path as the cancel signal: the body
    // runs non-cancellable, and the remote run is cancelled explicitly (never leaked).
    CancellationScope.current().cancelRequested.catch(() => {
      this.temporalCancelRequested = true;
      this.requestCancel('workflow cancellation requested');
    });
    const result = await CancellationScope.nonCancellable(async () => {
      if (this.turns.length === 0) await this.runTurn(this.request, undefined, undefined);
      await this.followUpLoop();
      this.state.phase = 'done';
      this.state.elapsedMs = Date.now() - this.startedAtMs;
      return this.result();
    });
    // A job cancelled through Temporal ends Temporal-cancelled, so the Web UI says Canceled, not
    // Completed. The execution then has no result: the same JobResult goes to the memo first.
    // Only when Temporal's cancel was requested (the SDK fails the workflow otherwise), and only
    // when the job really is cancelled (a cancel during the follow-up window keeps the last
    // turn's status, and the job completes).
    if (result.status === 'cancelled' && this.temporalCancelRequested && patched(PATCH_CANCELLED_ENDS_CANCELLED)) {
      upsertMemo({ [JOB_RESULT_MEMO]: result });
      throw new CancelledFailure(`job cancelled: ${this.state.cancelReason ?? 'cancel requested'}`);
    }
    return result;
  }

  // ---- handlers -------------------------------------------------------------------------------

  private installHandlers(): void {
    setHandler(stateQuery, () => ({ ...this.state, turns: this.turns.map((t) => ({ ...t })), elapsedMs: Date.now() - this.startedAtMs }));
    setHandler(cancelSignal, (req) => this.requestCancel(req?.reason));
    // Recording a notice issues no command: a job that is not in webhook mode just keeps it.
    setHandler(webhookSignal, (notice) => void this.inbox.accept(notice));
    setHandler(refreshProgressUpdate, () => this.refreshProgress(), {
      validator: () => {
        if (!this.webhookWait) throw new Error('refreshProgress rejected: only a webhook-mode turn that is running has progress to fetch (stream mode reports it in its heartbeat)');
      },
    });
    this.admission.install();
    setHandler(
      followUpUpdate,
      (req) => this.enqueueTurn('followUp', followUpRequest(this.request, req)),
      {
        validator: (req) => {
          this.assertAcceptingTurn();
          this.assertBudgetLeft('followUp');
          const problem = followUpInputProblem(req?.input);
          if (problem) throw new Error(`followUp rejected: ${problem}`);
          if (req.overrides !== undefined && (typeof req.overrides !== 'object' || req.overrides === null || Array.isArray(req.overrides))) {
            throw new Error('followUp rejected: overrides must be an object of request fields');
          }
          try {
            validateCreateRequest({ ...followUpRequest(this.request, req), background: true, store: true, previous_interaction_id: 'check' });
          } catch (err) {
            throw new Error(`followUp rejected: ${(err as Error).message}`);
          }
        },
      },
    );
    setHandler(
      approvePlanUpdate,
      (req) => {
        // v0.1.0 answered a `requires_action` plan with the flag still true; Google documents
        // chained turns (execute with collaborative_planning: false, refine with it true).
        const request = patched('plan-approval-chained-turns')
          ? planTurnRequest(this.request, req ?? {})
          : followUpRequest(this.request, { input: planApprovalInput(req ?? {}) });
        return this.enqueueTurn('approvePlan', request);
      },
      {
        validator: (req) => {
          this.assertAcceptingTurn();
          this.assertBudgetLeft('approvePlan');
          if (!usesCollaborativePlanning(this.request)) {
            throw new Error('approvePlan rejected: the job is not an agent run with agent_config.collaborative_planning: true; use followUp');
          }
          const last = this.chainHead();
          if (!planWaitingAfter(last, this.request)) {
            throw new Error(`approvePlan rejected: no plan is waiting (the last turn is ${last?.status ?? 'missing'}); a plan waits after a collaborative-planning turn that completed`);
          }
          if (req?.edit !== undefined && typeof req.edit !== 'string') throw new Error('approvePlan rejected: edit must be a string');
          if (req?.approve !== undefined && typeof req.approve !== 'boolean') throw new Error('approvePlan rejected: approve must be a boolean');
        },
      },
    );
  }

  /**
   * The turn the next follow-up chains to: the last turn, or, when the last follow-up failed before
   * creating anything (its update already returned that error), the turn before it.
   */
  private chainHead(): TurnRecord | undefined {
    for (let i = this.turns.length - 1; i >= 0; i--) {
      const t = this.turns[i]!;
      if (t.interactionId || i === 0 || t.status !== 'failed') return t;
    }
    return undefined;
  }

  private assertAcceptingTurn(): void {
    if (this.cancelRequested) throw new Error('rejected: the job was cancelled');
    if (this.draining) throw new Error('rejected: the job is continuing as new; retry in a few seconds');
    if (this.pending) {
      // Accepted means its turn was created and is running now; otherwise it is being created.
      if (this.pending.accepted) {
        throw new Error(`rejected: turn ${this.pending.accepted.turn} (from an earlier ${this.pending.kind === 'approvePlan' ? 'plan approval' : 'follow-up'}) is still running; wait for it to end`);
      }
      throw new Error('rejected: another follow-up is being started; wait for it to be accepted');
    }
    if (!this.windowOpen) {
      const last = this.turns[this.turns.length - 1];
      if (last && !last.endedAt) throw new Error(`rejected: turn ${last.turn} is still running; wait for it to end`);
      throw new Error('rejected: the job no longer accepts follow-ups (window closed or last turn cannot be continued)');
    }
  }

  /** A thread whose budget is used up takes no more turns (validators: no history cost). */
  private assertBudgetLeft(what: string): void {
    const spent = exhaustedLimit(this.input.options?.budget, threadSpent(this.turns, Date.now()));
    if (spent) throw new Error(`${what} rejected: the thread's budget is used up (${describeExceeded(spent).replace(' exceeded', ' reached')})`);
  }

  private async enqueueTurn(kind: PendingTurn['kind'], request: JobRequest): Promise<FollowUpAccepted> {
    const pending: PendingTurn = { kind, request };
    this.pending = pending;
    await condition(() => pending.accepted !== undefined || pending.failure !== undefined);
    if (pending.failure) {
      throw ApplicationFailure.create({ type: pending.failure.code, message: pending.failure.message, nonRetryable: true });
    }
    return pending.accepted!;
  }

  private requestCancel(reason: string | undefined): void {
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.state.cancelReason = reason ?? 'cancel requested';
  }

  // ---- turns ----------------------------------------------------------------------------------

  private async followUpLoop(): Promise<void> {
    for (;;) {
      const last = this.chainHead();
      if (this.cancelRequested || !acceptsFollowUp(last) || this.options.followUpWindowMs <= 0) return;
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > this.options.continueAsNewAfterEvents) {
        this.draining = true;
        await condition(allHandlersFinished);
        const next: JobInput = {
          request: this.request,
          carried: { turns: this.turns, startedAt: this.state.startedAt },
        };
        if (this.input.options) next.options = this.input.options;
        log.info('continuing as new', { jobId: this.jobId, historyLength: info.historyLength, turns: this.turns.length });
        await continueAsNew<typeof interactionJob>(next);
      }
      this.state.phase = restingPhase(last, this.request);
      if (this.state.phase === 'plan-ready') this.state.plan = { turn: last!.turn, interactionId: last!.interactionId!, text: last!.summary ?? '' };
      this.windowOpen = true;
      this.state.followUpUntil = isoAt(Date.now() + this.options.followUpWindowMs);
      this.describeForUi();
      const got = await condition(() => this.pending !== undefined || this.cancelRequested, this.options.followUpWindowMs);
      this.windowOpen = false;
      delete this.state.followUpUntil;
      delete this.state.plan;
      if (!got || this.cancelRequested || !this.pending) {
        // A cancel here ends the job but leaves the finished turn's status as it was.
        if (this.pending) this.pending.failure = { code: 'cancelled', message: 'the job was cancelled' };
        return;
      }
      const pending = this.pending;
      await this.runTurn(pending.request, last!.interactionId, pending);
      // Overrides stick only once a turn was created with them.
      if (pending.accepted) this.request = pending.request;
      this.pending = undefined;
    }
  }

  private async runTurn(request: JobRequest, previousInteractionId: string | undefined, pending: PendingTurn | undefined): Promise<void> {
    const nowMs = Date.now();
    const rec: TurnRecord = { turn: this.turns.length + 1, status: 'pending', startedAt: isoAt(nowMs) };
    if (previousInteractionId) rec.previousInteractionId = previousInteractionId;
    this.turns.push(rec);
    const deadlineAtMs = nowMs + this.options.deadlineMs;
    Object.assign(this.state, { turn: rec.turn, turnStartedAt: rec.startedAt, deadlineAt: isoAt(deadlineAtMs), phase: 'creating' });
    delete this.state.interactionId;
    delete this.state.upstreamStatus;
    delete this.state.error;
    this.setStatus('pending');

    if (this.cancelRequested) {
      // Nothing was created: end without creating anything remotely.
      return this.endTurn(rec, 'cancelled');
    }
    if (!patched(ADMISSION_PATCH)) return this.createAndFollow(rec, request, previousInteractionId, pending, deadlineAtMs);
    // Admission control (credential quota): wait for a permit, hold it for the whole turn.
    const gate = await this.admission.admit(rec.turn, {
      isAgent: this.state.agent !== undefined,
      firstOfRun: this.input.carried === undefined && rec.turn === 1,
      cancelled: () => this.cancelRequested,
      onQueued: (key) => {
        this.state.phase = 'queued';
        this.state.admission = { position: 0, key, ...(this.tenant !== undefined ? { tenant: this.tenant } : {}) };
      },
      ...(this.tenant !== undefined ? { tenant: this.tenant } : {}),
    });
    delete this.state.admission;
    if (gate.outcome === 'cancelled') {
      if (pending) pending.failure = { code: 'cancelled', message: 'the job was cancelled while waiting for admission' };
      return this.endTurn(rec, 'cancelled');
    }
    try {
      // The deadline counts from admission: time in the queue is not run time.
      const admittedMs = Date.now();
      if (gate.outcome === 'admitted') rec.admittedAt = isoAt(admittedMs);
      this.state.phase = 'creating';
      this.state.deadlineAt = isoAt(admittedMs + this.options.deadlineMs);
      await this.createAndFollow(rec, request, previousInteractionId, pending, admittedMs + this.options.deadlineMs);
    } finally {
      await this.admission.release();
    }
  }

  /** Fairness key of the admission limiter: the tenant option, else the thread. */
  private get tenant(): string | undefined {
    return this.input.options?.tenant ?? this.options.thread;
  }

  private async createAndFollow(
    rec: TurnRecord,
    request: JobRequest,
    previousInteractionId: string | undefined,
    pending: PendingTurn | undefined,
    deadlineAtMs: number,
  ): Promise<void> {

    // Evaluated only for webhook-mode jobs, which v0.1.0 histories never are.
    const webhookMode = this.options.mode === 'webhook' && patched(PATCH_WEBHOOK_MODE);
    let interactionId: string;
    try {
      const permit = this.admission.permit;
      const createInput = {
        jobId: this.jobId,
        turn: rec.turn,
        request,
        ...(previousInteractionId ? { previousInteractionId } : {}),
        ...(webhookMode ? { webhook: true } : {}),
        ...(permit ? { admission: permit } : {}),
      };
      // v0.1.0 histories: non-cancellable (the whole body is), a cancel waited for every retry.
      const created = patched(PATCH_CANCELLABLE_CREATE) ? await this.createUnlessCancelled(createInput) : await createActivities.createInteraction(createInput);
      if (created === undefined) return this.endTurn(rec, 'cancelled');
      interactionId = created.interactionId;
      rec.upstreamStatus = created.status;
    } catch (err) {
      rec.error = jobErrorOf(err);
      if (pending) pending.failure = rec.error;
      return this.endTurn(rec, 'failed');
    }
    rec.interactionId = interactionId;
    rec.status = 'running';
    this.state.interactionId = interactionId;
    this.state.upstreamStatus = rec.upstreamStatus;
    if (pending) pending.accepted = { turn: rec.turn, interactionId };
    this.state.phase = 'running';
    this.setStatus('running');

    if (this.cancelRequested) return this.cancelRemote(rec, 'cancelled');
    if (webhookMode) {
      const waited = await this.waitForWebhook(rec, interactionId, deadlineAtMs);
      if (waited === 'failed') return;
      if (waited !== 'settled') return this.cancelRemote(rec, waited);
      // Settled: the follow activity (poll mode) reads it back once and stores the report.
    }
    // A wall-time budget ends the turn like a deadline, but as budget_exceeded.
    const wallLeftMs = this.wallBudgetLeftMs(rec);
    const overBudget = wallLeftMs !== undefined && wallLeftMs < deadlineAtMs - Date.now();
    const remainingMs = overBudget ? wallLeftMs : deadlineAtMs - Date.now();
    const expired: 'timed_out' | 'budget_exceeded' = overBudget ? 'budget_exceeded' : 'timed_out';
    if (remainingMs <= 0) return this.cancelRemote(rec, expired);

    const follow = proxyActivities<Pick<JobActivities, 'followInteraction'>>({
      // One attempt may follow the whole run; the workflow's deadline timer is what bounds it.
      startToCloseTimeout: this.options.deadlineMs + 10 * 60_000,
      scheduleToCloseTimeout: this.options.deadlineMs + 15 * 60_000,
      heartbeatTimeout: this.options.heartbeatTimeoutMs,
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      retry: FOLLOW_RETRY,
    });
    const scope = new CancellationScope();
    let outcome: FollowOutcome | undefined;
    const followed = scope
      .run(() => follow.followInteraction({ jobId: this.jobId, turn: rec.turn, interactionId, options: followOptionsOf(this.options), ...this.followAccounting(rec) }))
      .then(
        (ok) => void (outcome = { ok }),
        (err) => void (outcome = { err }),
      );
    const settled = await condition(() => outcome !== undefined || this.cancelRequested, remainingMs);
    if (outcome === undefined) {
      scope.cancel();
      const remoteCancel = patched(PATCH_CANCEL_REMOTE_AT_ONCE) ? this.sendRemoteCancel(rec) : undefined;
      await followed; // WAIT_CANCELLATION_COMPLETED: the activity has stopped touching the run.
      // It may have finished just before the cancel reached it: then the turn keeps its result
      // (a run that ended `cancelled` ended so because of this cancel: that is the path below).
      const late = outcome as FollowOutcome | undefined;
      if (late && 'ok' in late && !(remoteCancel && late.ok.upstreamStatus === 'cancelled')) {
        await remoteCancel?.catch(() => undefined); // a no-op on a finished run; never left dangling
        return this.applyFollow(rec, late.ok);
      }
      return this.cancelRemote(rec, settled ? 'cancelled' : expired, remoteCancel);
    }
    const done: FollowOutcome = outcome;
    if ('ok' in done) return this.applyFollow(rec, done.ok);
    rec.error = jobErrorOf(done.err);
    return this.endTurn(rec, 'failed');
  }

  // ---- webhook mode ---------------------------------------------------------------------------

  /**
   * Waits for the webhook that says the turn's interaction settled, holding nothing: a durable
   * condition with a timeout. When the timer fires first (a lost or late webhook), one GET check
   * runs and the next timer doubles, up to `webhookBackstopMaxMs`. A notice about the interaction
   * that does not say it settled (an unknown event type) prompts a check at once.
   */
  private async waitForWebhook(rec: TurnRecord, interactionId: string, deadlineAtMs: number): Promise<'settled' | 'cancelled' | 'timed_out' | 'failed'> {
    const createdAt = isoAt(Date.now());
    this.webhookWait = { rec, interactionId, createdAt };
    let backstopMs = this.options.webhookBackstopInitialMs;
    let cursor = 0;
    try {
      for (;;) {
        await this.handleOrphans();
        if (this.inbox.settlingFor(interactionId)) {
          rec.settledBy = 'webhook';
          return 'settled';
        }
        const remainingMs = deadlineAtMs - Date.now();
        if (remainingMs <= 0) return 'timed_out';
        const version = this.inbox.version;
        const woke = await condition(() => this.cancelRequested || this.inbox.version !== version, Math.min(backstopMs, remainingMs));
        if (this.cancelRequested) return 'cancelled';
        const nudged = woke && this.inbox.anyFor(interactionId, cursor) !== undefined;
        cursor = this.inbox.size;
        if (woke && (!nudged || this.inbox.settlingFor(interactionId))) continue;
        if (!woke && Date.now() >= deadlineAtMs) return 'timed_out';
        let check: CheckInteractionResult;
        try {
          check = await checkActivities.checkInteraction({ jobId: this.jobId, interactionId, createdAt, notFoundGraceMs: this.options.notFoundGraceMs });
        } catch (err) {
          const error = jobErrorOf(err);
          if (error.retryable) {
            // The API is unreachable for now: the next timer tries again.
            log.warn('webhook backstop check failed; waiting for the next one', { jobId: this.jobId, error: error.message });
            backstopMs = Math.min(this.options.webhookBackstopMaxMs, backstopMs * 2);
            continue;
          }
          rec.error = error;
          this.endTurn(rec, 'failed');
          return 'failed';
        }
        this.applyCheck(check);
        if (check.settled) {
          rec.settledBy = 'backstop';
          return 'settled';
        }
        if (!woke) backstopMs = Math.min(this.options.webhookBackstopMaxMs, backstopMs * 2);
      }
    } finally {
      this.webhookWait = undefined;
    }
  }

  private applyCheck(check: CheckInteractionResult): void {
    this.state.upstreamStatus = check.upstreamStatus;
    this.state.progress = { eventsApplied: 0, outputChars: check.outputChars, ...(check.latestThought ? { latestThought: check.latestThought } : {}) };
    if (check.usage) this.state.usage = check.usage;
  }

  /** `refreshProgress` update: one GET now, so a watcher pays for progress only when it asks. */
  private async refreshProgress(): Promise<JobState> {
    const wait = this.webhookWait!;
    const check = await checkActivities.checkInteraction({ jobId: this.jobId, interactionId: wait.interactionId, createdAt: wait.createdAt, notFoundGraceMs: this.options.notFoundGraceMs });
    this.applyCheck(check);
    return { ...this.state, turns: this.turns.map((t) => ({ ...t })), elapsedMs: Date.now() - this.startedAtMs };
  }

  /**
   * Orphans of the create window: a webhook names this job and a turn, but another interaction
   * than the one recorded (the create whose answer was lost and was retried). Recorded on the turn
   * (`possibleDuplicateCreate`) and cancelled, so it stops costing money if it still runs.
   */
  private async handleOrphans(): Promise<void> {
    for (const turn of this.turns) {
      if (!turn.interactionId || !this.inbox.hasOrphans(turn.turn, turn.interactionId)) continue;
      for (const notice of this.inbox.newOrphans(turn.turn, turn.interactionId)) {
        const orphan: OrphanInteraction = { interactionId: notice.interactionId, seenIn: notice.eventType };
        (turn.possibleDuplicateCreate ??= []).push(orphan);
        log.warn('possible duplicate create: a webhook names this job and turn with another interaction; cancelling it', {
          jobId: this.jobId,
          turn: turn.turn,
          recorded: turn.interactionId,
          orphan: notice.interactionId,
        });
        try {
          const cancelled = await cancelActivities.cancelInteraction({ jobId: this.jobId, interactionId: notice.interactionId, confirmTimeoutMs: 30_000 });
          orphan.cancel = cancelled.cancelAnswer;
        } catch (err) {
          orphan.cancel = `failed: ${jobErrorOf(err).code}`;
        }
      }
    }
  }

  /** Milliseconds of the thread's wall-time budget left for this turn, or undefined without one. */
  private wallBudgetLeftMs(rec: TurnRecord): number | undefined {
    const max = this.input.options?.budget?.maxWallTimeMs;
    if (max === undefined) return undefined;
    const before = threadSpent(this.turns.filter((t) => t !== rec), Date.now()).wallMs;
    const since = Date.parse(rec.admittedAt ?? rec.startedAt);
    return max - before - (Date.now() - since);
  }

  /** What the follow activity needs for the cost estimate and the budget check. */
  private followAccounting(rec: TurnRecord): { priceName?: string; budget?: FollowInteractionInput['budget'] } {
    const out: { priceName?: string; budget?: FollowInteractionInput['budget'] } = {};
    const name = this.state.agent ?? this.state.model;
    if (name) out.priceName = name;
    const limits = this.input.options?.budget;
    if (limits) {
      out.budget = {
        limits,
        spentBefore: threadSpent(this.turns.filter((t) => t !== rec), Date.now()),
        turnStartedAtMs: Date.parse(rec.admittedAt ?? rec.startedAt),
      };
    }
    return out;
  }

  /**
   * Runs the create in its own cancellation scope and cancels it when the job is cancelled.
   * Resolves undefined when the cancel won (nothing was created, or the attempt was abandoned
   * between retries); a create that answered anyway returns its id, which the caller then cancels.
   */
  private async createUnlessCancelled(input: Parameters<JobActivities['createInteraction']>[0]): Promise<CreateInteractionResult | undefined> {
    const scope = new CancellationScope();
    let outcome: { ok: CreateInteractionResult } | { err: unknown } | undefined;
    const done = scope
      .run(() => cancellableCreateActivities.createInteraction(input))
      .then(
        (ok) => void (outcome = { ok }),
        (err) => void (outcome = { err }),
      );
    await condition(() => outcome !== undefined || this.cancelRequested);
    if (outcome === undefined) {
      scope.cancel();
      await done; // WAIT_CANCELLATION_COMPLETED: the activity has stopped (or answered).
    }
    const settled = outcome as { ok: CreateInteractionResult } | { err: unknown };
    if ('ok' in settled) return settled.ok;
    if (this.cancelRequested && isCancellation(settled.err)) return undefined;
    throw settled.err;
  }

  private applyFollow(rec: TurnRecord, r: FollowInteractionResult): void {
    rec.upstreamStatus = r.upstreamStatus;
    if (r.usage) rec.usage = r.usage;
    if (r.toolCalls !== undefined) rec.toolCalls = r.toolCalls;
    if (r.costUsd !== undefined) rec.costUsd = r.costUsd;
    if (r.priceTable !== undefined) rec.priceTable = r.priceTable;
    if (r.budgetExceeded) rec.budgetExceeded = r.budgetExceeded;
    rec.summary = r.summary.slice(0, SUMMARY_CHARS);
    rec.outputChars = r.outputChars;
    rec.report = r.report;
    rec.eventsApplied = r.eventsApplied;
    rec.streamVerified = r.streamVerified;
    if (r.error) rec.error = r.error;
    this.endTurn(rec, r.status);
  }

  /** Starts the remote cancel (cancel POST, then the status read back until terminal). */
  private sendRemoteCancel(rec: TurnRecord): Promise<CancelInteractionResult> {
    this.state.phase = 'cancelling';
    return cancelActivities.cancelInteraction({ jobId: this.jobId, interactionId: rec.interactionId! });
  }

  /**
   * Cancels the remote run (cancel POST, then read the status back until terminal), or awaits the
   * cancel already `sent`. If the run had already finished on its own, the turn keeps its real
   * outcome and its report is collected.
   */
  private async cancelRemote(rec: TurnRecord, reason: 'cancelled' | 'timed_out' | 'budget_exceeded', sent?: Promise<CancelInteractionResult>): Promise<void> {
    this.state.phase = 'cancelling';
    let cancelled: CancelInteractionResult | undefined;
    try {
      cancelled = await (sent ?? this.sendRemoteCancel(rec));
    } catch (err) {
      rec.error = { ...jobErrorOf(err), message: `cancelling the remote run failed: ${jobErrorOf(err).message}` };
    }
    if (cancelled) {
      rec.upstreamStatus = cancelled.upstreamStatus;
      if (cancelled.usage) rec.usage = cancelled.usage;
      if (cancelled.confirmed && cancelled.upstreamStatus !== 'cancelled') {
        // It finished before the cancel landed: collect the real result (a plain GET, no waiting).
        try {
          const follow = proxyActivities<Pick<JobActivities, 'followInteraction'>>({
            startToCloseTimeout: '5m',
            heartbeatTimeout: '30s',
            retry: { ...RETRY, maximumAttempts: 5 },
          });
          const r = await follow.followInteraction({
            jobId: this.jobId,
            turn: rec.turn,
            interactionId: rec.interactionId!,
            options: { ...followOptionsOf(this.options), mode: 'poll' },
          });
          if (!isWaitingStatus(r.status)) return this.applyFollow(rec, r);
        } catch (err) {
          log.warn('collecting a finished run after cancel failed', { jobId: this.jobId, error: jobErrorOf(err).message });
        }
      }
    }
    if (reason === 'timed_out') {
      rec.error = { code: 'deadline_exceeded', message: `turn ${rec.turn} passed its deadline of ${this.options.deadlineMs} ms; the remote run was cancelled`, retryable: false };
    }
    if (reason === 'budget_exceeded') {
      const spent = threadSpent(this.turns, Date.now());
      const exceeded: BudgetExceeded = { limit: 'maxWallTimeMs', max: this.input.options!.budget!.maxWallTimeMs!, used: spent.wallMs, spent };
      rec.budgetExceeded = exceeded;
      rec.error = { code: 'budget_exceeded', message: `${describeExceeded(exceeded)}; the remote run was cancelled`, retryable: false };
    }
    this.endTurn(rec, reason);
  }

  private endTurn(rec: TurnRecord, status: JobStatus): void {
    rec.status = status;
    rec.endedAt = isoAt(Date.now());
    this.copyTurnToState(rec);
    this.state.phase = isWaitingStatus(status) ? 'waiting-for-input' : 'done';
    this.setStatus(status);
  }

  private copyTurnToState(rec: TurnRecord): void {
    this.state.turn = rec.turn;
    this.state.turnStartedAt = rec.startedAt;
    if (rec.interactionId) this.state.interactionId = rec.interactionId;
    if (rec.upstreamStatus) this.state.upstreamStatus = rec.upstreamStatus;
    if (rec.error) this.state.error = rec.error;
    else delete this.state.error;
    const usage = sumUsage(this.turns.map((t) => t.usage));
    if (usage) this.state.usage = usage;
    const cost = costSummary(this.turns);
    if (cost) this.state.cost = cost;
    if (this.input.options?.budget) this.state.spent = threadSpent(this.turns, Date.now());
  }

  /**
   * The Web UI's "current details" (served by a built-in query, so no history event): the job
   * status and, while the execution stays open after a turn, that it waits for a follow-up.
   */
  private describeForUi(): void {
    const s = this.state;
    const open = this.windowOpen && s.followUpUntil ? `; open for follow-ups until ${s.followUpUntil} (the execution stays Running until then)` : '';
    setCurrentDetails(`**Job status:** ${s.status} — turn ${s.turn}, ${s.phase}${open}${s.cancelReason ? `\n\nCancel reason: ${s.cancelReason}` : ''}`);
  }

  private setStatus(status: JobStatus): void {
    this.state.status = status;
    this.describeForUi();
    // `pending` lasts only until the create returns: not worth a history event per turn.
    if (this.upsertStatus && this.upsertedStatus !== status && status !== 'pending') {
      upsertSearchAttributes([{ key: jobStatusKey, value: status }]);
      this.upsertedStatus = status;
    }
  }

  private result(): JobResult {
    const last = this.turns[this.turns.length - 1];
    const result: JobResult = {
      jobId: this.jobId,
      status: this.state.status,
      interactionIds: this.turns.flatMap((t) => (t.interactionId ? [t.interactionId] : [])),
      turns: this.turns,
    };
    if (last?.upstreamStatus) result.upstreamStatus = last.upstreamStatus;
    if (last?.interactionId) result.interactionId = last.interactionId;
    const usage = sumUsage(this.turns.map((t) => t.usage));
    if (usage) result.usage = usage;
    const cost = costSummary(this.turns);
    if (cost) result.cost = cost;
    if (this.turns.some((t) => t.usage || t.endedAt)) result.spent = threadSpent(this.turns, Date.now());
    if (last?.summary !== undefined) result.summary = last.summary;
    if (last?.report) result.report = last.report;
    if (last?.error) result.error = last.error;
    return result;
  }
}

/** The job workflow (type name `interactionJob`, see JOB_WORKFLOW_TYPE). Workflow id = job id. */
export async function interactionJob(input: JobInput): Promise<JobResult> {
  return new InteractionJob(input).run();
}
