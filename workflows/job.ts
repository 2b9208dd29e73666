/**
 * The job workflow: one durable Interactions API thread. Each turn is one interaction:
 * `createInteraction` (short, never repeated once the id is known) then `followInteraction` (the
 * one long activity: streams or polls, heartbeats its checkpoint, stores the report). Nothing per
 * stream event reaches the workflow, so its history has the same length for a 1-minute and a
 * 60-minute run; live progress is read from the pending activity's heartbeat (`describe()`).
 *
 * The thread's turns (`JobRecord.turns`) are the one mutable record; the `state` query and the
 * result are computed from it (workflows/job-state.ts). A turn runs in workflows/turn/run.ts.
 * This module runs the thread: the defaults it owns, handlers, the follow-up loop,
 * continue-as-new, and what the job publishes (search attributes, the Web UI's details).
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
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { validateCreateRequest } from '../src/interactions/validate';
import { describeExceeded, exhaustedLimit, type JobBudget } from '../src/contract/budget';
import { jobVisibilityOf } from '../src/contract/visibility';
import {
  approvePlanUpdate,
  cancelSignal,
  refreshProgressUpdate,
  webhookSignal,
  followUpUpdate,
  JOB_RESULT_MEMO,
  stateQuery,
  type FollowUpAccepted,
  type JobInput,
  type JobRequest,
  type JobResult,
  type JobState,
  type JobStatus,
  type TurnRecord,
} from './definitions';
import { PATCHES } from './patches';
import { WebhookInbox } from './webhook-inbox';
import { threadSpent } from './accounting';
import { AdmissionGate } from './admission-gate';
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
import { chainHead, deriveJobState, jobResultOf, recordCheck, type JobFacts, type JobRecord } from './job-state';
import { checkActivities } from './turn/activities';
import type { TurnContext } from './turn/context';
import { runTurn, settleLateDuplicates, type PendingTurn, type TurnHost } from './turn/run';
import type { WebhookWait } from './turn/webhook-wait';
import { JobVisibilityPublisher } from './visibility';
import { jobCallback } from './callback';
import { DEFAULT_CALLBACK_EVENTS, callbackEventsOf, callbackMessageId, callbackWorkflowId, type CallbackDeliveryInput, type CallbackRecord } from '../src/contract/callback';
import type { ScheduleChainActivities } from '../activities/callback-types';

/** `chainSchedule`: one visibility-free lookup of the schedule's previous run (describe + result reads). */
const { previousScheduledInteraction } = proxyActivities<ScheduleChainActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '10m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: ['schedule_chain_unavailable'] },
});

export { NON_RETRYABLE_TYPES } from './turn/activities';

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

class InteractionJob {
  readonly jobId = workflowInfo().workflowId;
  /** Asked once, in the first workflow task (see workflows/patches.ts). */
  readonly legacy = !patched(PATCHES.admittedTurns.id);
  readonly options: ResolvedJobOptions;
  readonly budget: JobBudget | undefined;
  readonly record: JobRecord;
  private readonly admission = new AdmissionGate();
  /** Verified webhook deliveries signalled by the receiver (or the backstop sweeper), de-duplicated by id. */
  private readonly inbox = new WebhookInbox();
  /** What a turn reads from the job, and what it needs from it (workflows/turn/run.ts). */
  private readonly host: TurnHost;
  private readonly facts: JobFacts;
  private readonly visibility: JobVisibilityPublisher;
  /** Current settings of the thread (original request + overrides), input of the latest turn. */
  private request: JobRequest;
  /** True once Temporal cancellation (not only the cancel signal) was requested for this execution. */
  private temporalCancelRequested = false;
  private pending: PendingTurn | undefined;
  private draining = false;
  /** While a webhook-mode turn waits: what `refreshProgress` reads. */
  private webhookWait: WebhookWait | undefined;

  constructor(private readonly input: JobInput) {
    this.request = input.request;
    this.options = resolveJobOptions(input.request, input.options, { legacy: this.legacy });
    this.budget = input.options?.budget;
    const turns = input.carried?.turns.map((t) => ({ ...t })) ?? [];
    this.record = { turns, phase: restingPhase(turns[turns.length - 1], input.request) };
    const shown = jobVisibilityOf(input.request, input.options);
    this.facts = {
      jobId: this.jobId,
      startedAtMs: input.carried?.startedAt ? Date.parse(input.carried.startedAt) : Date.now(),
      agent: (input.request as { agent?: string }).agent || undefined,
      model: (input.request as { model?: string }).model || undefined,
      thread: this.options.thread,
      budget: this.budget,
      // Fairness key of the admission limiter: the tenant option, else the thread.
      tenant: input.options?.tenant ?? this.options.thread,
      ...(shown.question !== undefined ? { question: shown.question } : {}),
      mode: this.options.mode,
      turnDeadlineMs: this.options.deadlineMs,
    };
    this.visibility = new JobVisibilityPublisher(this.legacy);
    const ctx: TurnContext = {
      jobId: this.jobId,
      options: this.options,
      budget: this.budget,
      legacy: this.legacy,
      turns: this.record.turns,
      cancelRequested: () => this.cancelRequested(),
    };
    this.host = {
      ctx,
      record: this.record,
      admission: this.admission,
      inbox: this.inbox,
      priceName: this.facts.agent ?? this.facts.model,
      isAgent: this.facts.agent !== undefined,
      firstOfRun: input.carried === undefined,
      tenant: this.facts.tenant,
      onStatus: (rec, status, request) => this.onStatus(rec, status, request),
      onWebhookWait: (wait) => void (this.webhookWait = wait),
    };
  }

  async run(): Promise<JobResult> {
    this.installHandlers();
    const last = this.record.turns[this.record.turns.length - 1];
    this.visibility.start({
      ...jobVisibilityOf(this.input.request, this.input.options),
      status: this.state().status,
      ...(last?.interactionId ? { interaction: last.interactionId } : {}),
    });
    this.describeForUi();
    // Temporal cancellation of the workflow takes the same path as the cancel signal: the body
    // runs non-cancellable, and the remote run is cancelled explicitly (never leaked).
    CancellationScope.current().cancelRequested.catch(() => {
      this.temporalCancelRequested = true;
      this.requestCancel('workflow cancellation requested');
    });
    const result = await CancellationScope.nonCancellable(async () => {
      if (this.record.turns.length === 0) {
        // Commands only for a job that asks for them (no patch: other jobs' histories are unchanged).
        const previous = this.input.options?.chainSchedule ? await this.previousScheduledRun(this.input.options.chainSchedule) : undefined;
        const before = this.record.turns.length;
        await runTurn(this.host, this.request, previous, undefined);
        await this.startCallbacks(before, this.request);
      }
      await this.followUpLoop();
      this.record.phase = 'done';
      return jobResultOf(this.jobId, this.record.turns, Date.now(), this.facts);
    });
    // A plan nobody approved in time: the plan turn completed, and so did the job.
    if (this.visibility.shownStatus === 'plan_ready') this.visibility.status(result.status);
    // A job cancelled through Temporal ends Temporal-cancelled, so the Web UI says Canceled, not
    // Completed. The execution then has no result: the same JobResult goes to the memo first.
    // Only when Temporal's cancel was requested (the SDK fails the workflow otherwise), and only
    // when the job really is cancelled (a cancel during the follow-up window keeps the last
    // turn's status, and the job completes).
    if (result.status === 'cancelled' && this.temporalCancelRequested && !this.legacy) {
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
        // 0.1.0 answered a `requires_action` plan with the flag still true; Google documents
        // chained turns (execute with collaborative_planning: false, refine with it true).
        const request = this.legacy ? followUpRequest(this.request, { input: planApprovalInput(req ?? {}) }) : planTurnRequest(this.request, req ?? {});
        return this.enqueueTurn('approvePlan', request);
      },
      {
        validator: (req) => {
          this.assertAcceptingTurn();
          this.assertBudgetLeft('approvePlan');
          if (!usesCollaborativePlanning(this.request)) {
            throw new Error('approvePlan rejected: the job is not an agent run with agent_config.collaborative_planning: true; send a follow-up instead');
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
    recordCheck(this.record, wait.turn, check);
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
      const got = await this.waitForFollowUp();
      delete this.record.followUpUntilMs;
      if (!got || this.cancelRequested() || !this.pending) {
        // A cancel here ends the job but leaves the finished turn's status as it was.
        if (this.pending) this.pending.failure = { code: 'cancelled', message: 'the job was cancelled' };
        return;
      }
      const pending = this.pending;
      const before = this.record.turns.length;
      await runTurn(this.host, pending.request, last!.interactionId, pending);
      await this.startCallbacks(before, pending.request);
      // Overrides stick only once a turn was created with them.
      if (pending.accepted) this.request = pending.request;
      this.pending = undefined;
    }
  }

  /**
   * The follow-up window: true when a follow-up (or plan approval) arrived, false when the window
   * closed. Meanwhile a webhook that reveals a duplicate of an ended turn gets that duplicate
   * cancelled and recorded (never in a legacy execution, which had no webhook mode).
   */
  private async waitForFollowUp(): Promise<boolean> {
    const until = this.record.followUpUntilMs!;
    const arrived = () => this.pending !== undefined || this.cancelRequested();
    if (this.legacy) return condition(arrived, this.options.followUpWindowMs);
    for (;;) {
      const duplicates = () => this.record.turns.some((t) => t.interactionId !== undefined && this.inbox.hasOrphans(t.turn, t.interactionId));
      const woke = await condition(() => arrived() || duplicates(), Math.max(0, until - Date.now()));
      if (!woke || arrived()) return woke;
      await settleLateDuplicates(this.host);
    }
  }

  /** The previous run of the schedule this job belongs to: its last interaction, to chain to. */
  private async previousScheduledRun(scheduleId: string): Promise<string | undefined> {
    try {
      const found = await previousScheduledInteraction({ scheduleId, jobId: this.jobId });
      if (found.interactionId) log.info('chaining to the previous scheduled run', { jobId: this.jobId, scheduleId, previousJobId: found.jobId });
      return found.interactionId;
    } catch (err) {
      // The run still runs, as a fresh thread: a lookup that failed must not cost the research.
      log.warn('previous scheduled run not found; starting a new thread', { jobId: this.jobId, scheduleId, error: (err as Error).message });
      return undefined;
    }
  }

  /**
   * Completion callbacks of the turns that ended since `before` (index in `record.turns`): one
   * delivery workflow per event, started and left running (ABANDON), so a receiver that is down
   * delays neither this job's next step nor its close. Nothing for a job without `callback`.
   */
  private async startCallbacks(before: number, request: JobRequest): Promise<void> {
    const callback = this.input.options?.callback;
    if (!callback) return;
    const wanted = callback.events ?? DEFAULT_CALLBACK_EVENTS;
    for (const rec of this.record.turns.slice(before)) {
      if (!rec.endedAt || rec.callbacks) continue;
      const planReady = this.awaitsPlanApproval(rec, rec.status, request);
      const status = planReady ? 'plan_ready' : rec.status;
      const events = callbackEventsOf(rec.status, planReady).filter((e) => wanted.includes(e));
      const records: CallbackRecord[] = [];
      for (const event of events) {
        const input: CallbackDeliveryInput = {
          messageId: callbackMessageId(this.jobId, rec.turn, event),
          url: callback.url,
          payload: {
            type: `job.${event}`,
            timestamp: rec.endedAt,
            data: {
              job_id: this.jobId,
              event,
              turn: rec.turn,
              status,
              ...(rec.interactionId ? { interaction_id: rec.interactionId } : {}),
              ...(rec.usage ? { usage: rec.usage } : {}),
              ...(rec.summary ? { summary: rec.summary } : {}),
              ...(rec.error ? { error: { code: rec.error.code, message: rec.error.message } } : {}),
            },
          },
        };
        try {
          await startChild(jobCallback, {
            workflowId: callbackWorkflowId(this.jobId, rec.turn, event),
            args: [input],
            parentClosePolicy: ParentClosePolicy.ABANDON,
            staticSummary: `callback ${event} of ${this.jobId} turn ${rec.turn}`,
          });
        } catch (err) {
          // Already started (the id is per job, turn and event): that delivery stands.
          log.warn('callback delivery not started', { jobId: this.jobId, turn: rec.turn, event, error: (err as Error).message });
        }
        records.push({ event, id: input.messageId });
      }
      rec.callbacks = records;
    }
  }

  // ---- what the job publishes ---------------------------------------------------------------

  /** Every status a turn takes: the search attributes (a plan awaiting approval as `plan_ready`) and the Web UI's details. */
  private onStatus(rec: TurnRecord, status: JobStatus, request: JobRequest): void {
    const shown = !this.legacy && this.awaitsPlanApproval(rec, status, request) ? 'plan_ready' : status;
    this.visibility.status(shown, rec.interactionId);
    this.describeForUi();
  }

  /** Will the job wait for this turn's plan (run with `request`) to be approved? */
  private awaitsPlanApproval(rec: TurnRecord, status: JobStatus, request: JobRequest): boolean {
    return status === 'completed' && rec.endedAt !== undefined && this.options.followUpWindowMs > 0 && !this.cancelRequested() && planWaitingAfter(rec, request);
  }

  /**
   * The Web UI's "current details" (served by a built-in query, so no history event): the
   * question, the status and, while the execution stays open after a turn, what it waits for.
   */
  private describeForUi(): void {
    const s = this.state();
    const open = s.followUpUntil ? `; open for ${s.plan ? 'plan approval' : 'follow-ups'} until ${s.followUpUntil} (the execution stays Running until then)` : '';
    const question = s.question ? `**Question:** ${s.question}\n\n` : '';
    setCurrentDetails(`${question}**Job status:** ${s.status} — turn ${s.turn}, ${s.phase}${open}${s.cancelReason ? `\n\nCancel reason: ${s.cancelReason}` : ''}`);
  }
}

/** The job workflow (type name `interactionJob`, see JOB_WORKFLOW_TYPE). Workflow id = job id. */
export async function interactionJob(input: JobInput): Promise<JobResult> {
  return new InteractionJob(input).run();
}
