/**
 * The job workflow: one durable Interactions API thread. Each turn is one interaction:
 * `createInteraction` (short, never repeated once the id is known) then `followInteraction` (the
 * one long activity: streams or polls, heartbeats its checkpoint, stores the report). Nothing per
 * stream event reaches the workflow, so its history has the same length for a 1-minute and a
 * 60-minute run; live progress is read from the pending activity's heartbeat (`describe()`).
 *
 * The thread's turns (`JobRecord.turns`) are the one mutable record; the `state` query and the
 * result are computed from it (workflows/job-state.ts). The steps of a turn live in
 * workflows/turn/: create, the follow race with the deadline and a cancel, the remote cancel,
 * webhook mode's wait. This module runs the thread: handlers, admission, the follow-up loop,
 * continue-as-new.
 *
 * Deterministic code only: no I/O, no Node APIs; activities are imported as types, and the
 * runtime imports are workflow modules and pure helpers of the contract and the wire types.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CreateInteractionInput } from '../activities/types';
import { validateCreateRequest } from '../src/interactions/validate';
import { isWaitingStatus } from '../src/interactions/types';
import { describeExceeded, exhaustedLimit, type JobBudget } from '../src/contract/budget';
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
  type JobPhase,
  type JobRequest,
  type JobResult,
  type JobState,
  type JobStatus,
  type TurnRecord,
} from './definitions';
import { WebhookInbox } from './webhook-inbox';
import { TurnDeadline } from './turn/deadline';
import { followAccounting, threadSpent, wallBudgetLeftMs } from './accounting';
import { ADMISSION_PATCH, AdmissionGate } from './admission-gate';
import {
  acceptsFollowUp,
  followUpInputProblem,
  followUpRequest,
  planApprovalInput,
  planTurnRequest,
  planWaitingAfter,
  resolveJobOptions,
  restingPhase,
  usesCollaborativePlanning,
  type ResolvedJobOptions,
} from './helpers';
import { chainHead, deriveJobState, jobResultOf, type JobFacts, type JobRecord } from './job-state';
import { checkActivities } from './turn/activities';
import { cancelRemote } from './turn/cancel';
import type { TurnContext } from './turn/context';
import { createInteraction } from './turn/create';
import { followTurn } from './turn/follow';
import { PATCH_WEBHOOK_MODE, recordCheck, waitForWebhook, type WebhookWait } from './turn/webhook-wait';

export { NON_RETRYABLE_TYPES } from './turn/activities';
export { PATCH_CANCELLABLE_CREATE } from './turn/create';
export { PATCH_CANCEL_REMOTE_AT_ONCE } from './turn/cancel';
export { PATCH_WEBHOOK_MODE } from './turn/webhook-wait';

/** Patch: a job cancelled through Temporal cancellation ends Temporal-cancelled (result in the memo), not completed. */
export const PATCH_CANCELLED_ENDS_CANCELLED = 'gemini-jobs-cancelled-ends-cancelled';

/** A follow-up waiting to become the next turn; its update handler waits for `accepted`. */
interface PendingTurn {
  request: JobRequest;
  kind: 'followUp' | 'approvePlan';
  accepted?: FollowUpAccepted;
  failure?: JobError;
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

class InteractionJob implements TurnContext {
  readonly jobId = workflowInfo().workflowId;
  readonly options: ResolvedJobOptions;
  readonly budget: JobBudget | undefined;
  readonly record: JobRecord;
  private readonly facts: JobFacts;
  /** Current settings of the thread (original request + overrides), input of the latest turn. */
  private request: JobRequest;
  /** True once Temporal cancellation (not only the cancel signal) was requested for this execution. */
  private temporalCancelRequested = false;
  private pending: PendingTurn | undefined;
  private draining = false;
  private readonly upsertStatus: boolean;
  private upsertedStatus: string | undefined;
  /** Verified webhook deliveries signalled by the receiver, de-duplicated by webhook id. */
  private readonly inbox = new WebhookInbox();
  /** While a webhook-mode turn waits: what `refreshProgress` reads. */
  private webhookWait: WebhookWait | undefined;
  private readonly admission = new AdmissionGate();

  constructor(private readonly input: JobInput) {
    this.request = input.request;
    this.options = resolveJobOptions(input.request, input.options);
    this.budget = input.options?.budget;
    const turns = input.carried?.turns.map((t) => ({ ...t })) ?? [];
    this.record = { turns, phase: restingPhase(turns[turns.length - 1], input.request) };
    this.facts = {
      jobId: this.jobId,
      startedAtMs: input.carried?.startedAt ? Date.parse(input.carried.startedAt) : Date.now(),
      agent: (input.request as { agent?: string }).agent || undefined,
      model: (input.request as { model?: string }).model || undefined,
      thread: this.options.thread,
      budget: this.budget,
      // Fairness key of the admission limiter: the tenant option, else the thread.
      tenant: input.options?.tenant ?? this.options.thread,
    };
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
      if (this.record.turns.length === 0) await this.runTurn(this.request, undefined, undefined);
      await this.followUpLoop();
      this.record.phase = 'done';
      return jobResultOf(this.jobId, this.record.turns, Date.now());
    });
    // A job cancelled through Temporal ends Temporal-cancelled, so the Web UI says Canceled, not
    // Completed. The execution then has no result: the same JobResult goes to the memo first.
    // Only when Temporal's cancel was requested (the SDK fails the workflow otherwise), and only
    // when the job really is cancelled (a cancel during the follow-up window keeps the last
    // turn's status, and the job completes).
    if (result.status === 'cancelled' && this.temporalCancelRequested && patched(PATCH_CANCELLED_ENDS_CANCELLED)) {
      upsertMemo({ [JOB_RESULT_MEMO]: result });
      throw new CancelledFailure(`job cancelled: ${this.record.cancelReason ?? 'cancel requested'}`);
    }
    return result;
  }

  /** The `state` query's answer now. */
  private state(): JobState {
    return deriveJobState(this.facts, this.record, Date.now());
  }

  cancelRequested(): boolean {
    return this.record.cancelReason !== undefined;
  }

  setPhase(phase: JobPhase): void {
    this.record.phase = phase;
  }

  // ---- handlers -------------------------------------------------------------------------------

  private installHandlers(): void {
    setHandler(stateQuery, () => this.state());
    setHandler(cancelSignal, (req) => this.requestCancel(req?.reason));
    // Recording a notice issues no command: a job that is not in webhook mode just keeps it.
    setHandler(webhookSignal, (notice) => void this.inbox.accept(notice));
    setHandler(refreshProgressUpdate, () => this.refreshProgress(), {
      validator: () => {
        if (!this.webhookWait)
          throw new Error('refreshProgress rejected: only a webhook-mode turn that is running has progress to fetch (stream mode reports it in its heartbeat)');
      },
    });
    this.admission.install();
    setHandler(followUpUpdate, (req) => this.enqueueTurn('followUp', followUpRequest(this.request, req)), {
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
    });
    setHandler(
      approvePlanUpdate,
      (req) => {
        // v0.1.0 answered a `requires_action` plan with the flag still true; Google documents
        // chained turns (execute with collaborative_planning: false, refine with it true).
        const request = patched('plan-approval-chained-turns') ? planTurnRequest(this.request, req ?? {}) : followUpRequest(this.request, { input: planApprovalInput(req ?? {}) });
        return this.enqueueTurn('approvePlan', request);
      },
      {
        validator: (req) => {
          this.assertAcceptingTurn();
          this.assertBudgetLeft('approvePlan');
          if (!usesCollaborativePlanning(this.request)) {
            throw new Error('approvePlan rejected: the job is not an agent run with agent_config.collaborative_planning: true; use followUp');
          }
          const last = chainHead(this.record.turns);
          if (!planWaitingAfter(last, this.request)) {
            throw new Error(
              `approvePlan rejected: no plan is waiting (the last turn is ${last?.status ?? 'missing'}); a plan waits after a collaborative-planning turn that completed`,
            );
          }
          if (req?.edit !== undefined && typeof req.edit !== 'string') throw new Error('approvePlan rejected: edit must be a string');
          if (req?.approve !== undefined && typeof req.approve !== 'boolean') throw new Error('approvePlan rejected: approve must be a boolean');
        },
      },
    );
  }

  private assertAcceptingTurn(): void {
    if (this.cancelRequested()) throw new Error('rejected: the job was cancelled');
    if (this.draining) throw new Error('rejected: the job is continuing as new; retry in a few seconds');
    if (this.pending) {
      // Accepted means its turn was created and is running now; otherwise it is being created.
      if (this.pending.accepted) {
        throw new Error(
          `rejected: turn ${this.pending.accepted.turn} (from an earlier ${this.pending.kind === 'approvePlan' ? 'plan approval' : 'follow-up'}) is still running; wait for it to end`,
        );
      }
      throw new Error('rejected: another follow-up is being started; wait for it to be accepted');
    }
    // Updates are accepted while the follow-up window is open, and only then.
    if (this.record.followUpUntilMs === undefined) {
      const last = this.record.turns[this.record.turns.length - 1];
      if (last && !last.endedAt) throw new Error(`rejected: turn ${last.turn} is still running; wait for it to end`);
      throw new Error('rejected: the job no longer accepts follow-ups (window closed or last turn cannot be continued)');
    }
  }

  /** A thread whose budget is used up takes no more turns (validators: no history cost). */
  private assertBudgetLeft(what: string): void {
    const spent = exhaustedLimit(this.budget, threadSpent(this.record.turns, Date.now()));
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
    if (this.cancelRequested()) return;
    this.record.cancelReason = reason ?? 'cancel requested';
  }

  /** `refreshProgress` update: one GET now, so a watcher pays for progress only when it asks. */
  private async refreshProgress(): Promise<JobState> {
    const wait = this.webhookWait!;
    const check = await checkActivities.checkInteraction({
      jobId: this.jobId,
      interactionId: wait.interactionId,
      createdAt: wait.createdAt,
      notFoundGraceMs: this.options.notFoundGraceMs,
    });
    recordCheck(this.record, wait.rec.turn, check);
    return this.state();
  }

  // ---- the thread -----------------------------------------------------------------------------

  private async followUpLoop(): Promise<void> {
    for (;;) {
      const last = chainHead(this.record.turns);
      if (this.cancelRequested() || !acceptsFollowUp(last) || this.options.followUpWindowMs <= 0) return;
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > this.options.continueAsNewAfterEvents) {
        this.draining = true;
        await condition(allHandlersFinished);
        const next: JobInput = {
          request: this.request,
          carried: { turns: this.record.turns, startedAt: isoAt(this.facts.startedAtMs) },
        };
        if (this.input.options) next.options = this.input.options;
        log.info('continuing as new', { jobId: this.jobId, historyLength: info.historyLength, turns: this.record.turns.length });
        await continueAsNew<typeof interactionJob>(next);
      }
      this.record.phase = restingPhase(last, this.request);
      this.record.followUpUntilMs = Date.now() + this.options.followUpWindowMs;
      this.describeForUi();
      const got = await condition(() => this.pending !== undefined || this.cancelRequested(), this.options.followUpWindowMs);
      delete this.record.followUpUntilMs;
      if (!got || this.cancelRequested() || !this.pending) {
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

  /** One turn: admission (since `gemini-jobs-admission-v1`), then create and follow. */
  private async runTurn(request: JobRequest, previousInteractionId: string | undefined, pending: PendingTurn | undefined): Promise<void> {
    const nowMs = Date.now();
    const rec: TurnRecord = { turn: this.record.turns.length + 1, status: 'pending', startedAt: isoAt(nowMs) };
    if (previousInteractionId) rec.previousInteractionId = previousInteractionId;
    this.record.turns.push(rec);
    this.record.deadlineAtMs = nowMs + this.options.deadlineMs;
    this.record.phase = 'creating';
    this.setStatus('pending');

    if (this.cancelRequested()) {
      // Nothing was created: end without creating anything remotely.
      return this.endTurn(rec, 'cancelled');
    }
    if (!patched(ADMISSION_PATCH)) return this.createAndFollow(rec, request, pending);
    // Admission control (credential quota): wait for a permit, hold it for the whole turn.
    const gate = await this.admission.admit(rec.turn, {
      isAgent: this.facts.agent !== undefined,
      firstOfRun: this.input.carried === undefined && rec.turn === 1,
      cancelled: () => this.cancelRequested(),
      onQueued: (key) => {
        this.record.phase = 'queued';
        this.record.queuedOn = key;
      },
      tenant: this.facts.tenant,
    });
    delete this.record.queuedOn;
    if (gate.outcome === 'cancelled') {
      if (pending) pending.failure = { code: 'cancelled', message: 'the job was cancelled while waiting for admission' };
      return this.endTurn(rec, 'cancelled');
    }
    try {
      // The deadline counts from admission: time in the queue is not run time.
      const admittedMs = Date.now();
      if (gate.outcome === 'admitted') rec.admittedAt = isoAt(admittedMs);
      this.record.phase = 'creating';
      this.record.deadlineAtMs = admittedMs + this.options.deadlineMs;
      await this.createAndFollow(rec, request, pending);
    } finally {
      await this.admission.release();
    }
  }

  /** Create, then follow (or, in webhook mode, wait for the webhook and collect), within the deadline set in `record.deadlineAtMs`. */
  private async createAndFollow(rec: TurnRecord, request: JobRequest, pending: PendingTurn | undefined): Promise<void> {
    const deadline = new TurnDeadline(this.record, this.options.deadlineMs);
    // Evaluated only for webhook-mode jobs, which v0.1.0 histories never are.
    const webhookMode = this.options.mode === 'webhook' && patched(PATCH_WEBHOOK_MODE);
    const created = await createInteraction(this, this.createInput(rec, request, webhookMode));
    if ('cancelled' in created) return this.endTurn(rec, 'cancelled');
    if ('failed' in created) {
      rec.error = created.failed;
      if (pending) pending.failure = rec.error;
      return this.endTurn(rec, 'failed');
    }
    deadline.runCreated(Date.now());
    rec.upstreamStatus = created.created.status;
    rec.interactionId = created.created.interactionId;
    rec.status = 'running';
    if (pending) pending.accepted = { turn: rec.turn, interactionId: rec.interactionId };
    this.record.phase = 'running';
    this.setStatus('running');

    if (this.cancelRequested()) return cancelRemote(this, rec, 'cancelled');
    if (webhookMode) {
      const waited = await waitForWebhook(this, this.inbox, rec, deadline, (wait) => (this.webhookWait = wait));
      if (waited === 'failed') return;
      if (waited !== 'settled') return cancelRemote(this, rec, waited);
      // Settled: the follow activity (poll mode) reads it back once and stores the report.
    }
    // A wall-time budget ends the turn like a deadline, but as budget_exceeded.
    const nowMs = Date.now();
    const wallLeftMs = wallBudgetLeftMs(this.budget, this.record.turns, rec, nowMs);
    const deadlineLeftMs = deadline.remainingMs();
    const overBudget = wallLeftMs !== undefined && wallLeftMs < deadlineLeftMs;
    const remainingMs = overBudget ? wallLeftMs : deadlineLeftMs;
    if (remainingMs <= 0) return cancelRemote(this, rec, overBudget ? 'budget_exceeded' : 'timed_out');
    const accounting = followAccounting(this.facts.agent ?? this.facts.model, this.budget, this.record.turns, rec, nowMs);
    return followTurn(this, rec, accounting, overBudget ? { budgetLeftMs: remainingMs } : { deadline });
  }

  private createInput(rec: TurnRecord, request: JobRequest, webhookMode: boolean): CreateInteractionInput {
    const input: CreateInteractionInput = { jobId: this.jobId, turn: rec.turn, request };
    if (rec.previousInteractionId) input.previousInteractionId = rec.previousInteractionId;
    if (webhookMode) input.webhook = true;
    const permit = this.admission.permit;
    if (permit) input.admission = permit;
    return input;
  }

  endTurn(rec: TurnRecord, status: JobStatus): void {
    rec.status = status;
    rec.endedAt = isoAt(Date.now());
    this.record.phase = isWaitingStatus(status) ? 'waiting-for-input' : 'done';
    this.setStatus(status);
  }

  /**
   * The Web UI's "current details" (served by a built-in query, so no history event): the job
   * status and, while the execution stays open after a turn, that it waits for a follow-up.
   */
  private describeForUi(): void {
    const s = this.state();
    const open = s.followUpUntil ? `; open for follow-ups until ${s.followUpUntil} (the execution stays Running until then)` : '';
    setCurrentDetails(`**Job status:** ${s.status} — turn ${s.turn}, ${s.phase}${open}${s.cancelReason ? `\n\nCancel reason: ${s.cancelReason}` : ''}`);
  }

  /** Publishes the status the last turn now has: the Web UI details and the status search attribute. */
  private setStatus(status: JobStatus): void {
    this.describeForUi();
    // `pending` lasts only until the create returns: not worth a history event per turn.
    if (this.upsertStatus && this.upsertedStatus !== status && status !== 'pending') {
      upsertSearchAttributes([{ key: jobStatusKey, value: status }]);
      this.upsertedStatus = status;
    }
  }
}

/** The job workflow (type name `interactionJob`, see JOB_WORKFLOW_TYPE). Workflow id = job id. */
export async function interactionJob(input: JobInput): Promise<JobResult> {
  return new InteractionJob(input).run();
}
