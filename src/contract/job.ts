/**
 * The job's shapes: what a service sends (request, options, follow-ups), what the workflow keeps
 * and answers (state, turns, result) and what the webhook receiver signals. Types only: imported
 * by workflows, activities, the jobs client, the faces and tests alike.
 *
 * Nothing in here may ever hold a credential: job input is written to Temporal history.
 */
import type { AgentCreateRequest, ModelCreateRequest, Usage } from '../interactions/types';
import type { BudgetExceeded, BudgetSpent, JobBudget } from './budget';
import type { JobErrorCode } from './job-error-codes';
import type { CallbackRecord, JobCallback } from './callback';

export type { BudgetExceeded, BudgetSpent, JobBudget } from './budget';

/**
 * The create request a job runs. The workflow itself sets `background: true`, `store: true`
 * and `previous_interaction_id`, and never `stream` on create, so those are not part of it.
 */
export type JobRequest = ModelJobRequest | AgentJobRequest;

/** Fields of the create request that the workflow owns. */
type WorkflowOwnedField = 'background' | 'store' | 'stream' | 'previous_interaction_id';
/** A model turn (`model` set). Named per union member so generated JSON Schemas keep both shapes. */
export type ModelJobRequest = Omit<ModelCreateRequest, WorkflowOwnedField>;
/** An agent run such as Deep Research (`agent` set). */
export type AgentJobRequest = Omit<AgentCreateRequest, WorkflowOwnedField>;

/** How a job follows its interaction, and its deadlines. Every duration is in milliseconds. */
export interface JobOptions {
  /**
   * `stream` (default): SSE with `last_event_id` resume, polling as a fallback. `poll`: GET only.
   * `webhook`: nothing is held while the run works: the interaction is created with
   * `webhook_config` (the worker's `GEMINI_JOBS_WEBHOOK_URL`), the job waits durably for the
   * webhook, and the worker's backstop sweeper (a GET of every waiting run every
   * `GEMINI_JOBS_WEBHOOK_SWEEP_MS`) catches a lost one.
   */
  mode?: JobMode;
  /** How long each turn's remote run may take, counted from its create's answer; on expiry the remote run is cancelled and the job ends `timed_out`. Default 70 min for agents (the API's 60-minute maximum plus 10; the workflow applies it, whoever starts the job), 10 min for models. */
  deadlineMs?: number;
  /**
   * A stream quiet for this long is checked with a plain GET while it stays open: a finished run is
   * collected, a run the stream fell behind is reconnected, a quiet gap is left alone. Default 60 s.
   */
  streamIdleTimeoutMs?: number;
  /** First and largest polling interval. Defaults 2 s and 30 s. */
  pollInitialIntervalMs?: number;
  pollMaxIntervalMs?: number;
  /** Heartbeat timeout of the follow activity: how fast a dead worker is noticed. Default 40 s. */
  heartbeatTimeoutMs?: number;
  /** 404/403 answers right after create are tolerated for this long. Default 60 s. */
  notFoundGraceMs?: number;
  /** How long the job stays open for follow-ups after a turn ends. Default 15 min; 0 closes at once. */
  followUpWindowMs?: number;
  /** Thread key for listing related jobs (search attribute GeminiJobThread). */
  thread?: string;
  /**
   * Fairness key: the worker's admission limiter caps concurrent runs per tenant
   * (`GEMINI_JOBS_ADMISSION_PER_TENANT`). Defaults to `thread` when unset. Never a credential.
   */
  tenant?: string;
  /** Limits over the whole thread; crossing one cancels the remote run and ends the job `budget_exceeded`. */
  budget?: JobBudget;
  /**
   * Continue-as-new before waiting for the next follow-up once the run's history has this many
   * events (or when Temporal suggests it). Default 2,000.
   */
  continueAsNewAfterEvents?: number;
  /**
   * Completion callbacks: a Standard Webhooks–signed POST to `url` for each of `events` (default
   * `['settled']`) as each turn ends, retried for up to a day (docs/callbacks.md).
   */
  callback?: JobCallback;
  /**
   * Set by a schedule's action with `--chain` (docs/schedules.md): the first turn continues the
   * thread of this schedule's latest run that has an interaction (`previous_interaction_id`).
   */
  chainSchedule?: string;
}

/** How a job follows its interaction (see `JobOptions.mode`). */
export type JobMode = 'stream' | 'poll' | 'webhook';

/** Workflow input. */
export interface JobInput {
  request: JobRequest;
  options?: JobOptions;
  /** Set only by continue-as-new: the thread carried into the next run. */
  carried?: CarriedThread;
}

/** What a continued-as-new run inherits from the previous run of the same job. */
export interface CarriedThread {
  turns: TurnRecord[];
  startedAt: string;
}

export type JobPhase =
  | 'queued'
  | 'creating'
  | 'running'
  | 'streaming'
  | 'polling'
  | 'reconnecting'
  | 'waiting-for-input'
  /** A collaborative-planning turn ended `completed` with a plan: approve or refine it (see `JobState.plan`). */
  | 'plan-ready'
  | 'cancelling'
  | 'done';

/**
 * Job-level status: the one vocabulary every face shows (CLI, HTTP API, dashboard, the Temporal
 * UI's `GeminiJobStatus` column, the Python client). `pending` until the create answers; `queued`
 * while the turn waits for a quota permit (admission) or the API holds the run; `running`; the
 * waiting statuses name what they wait for: `plan_ready` (a plan awaits approval), and the
 * upstream ones after which the run stopped for the client (`requires_action`,
 * `requires_continuation`, `idle`: a follow-up continues it). Terminal: every upstream terminal
 * status 1:1, `timed_out` (the job's deadline), `unknown` (an upstream status this version does not
 * know; never success; the raw value is in `upstreamStatus`). A turn's own status (`TurnRecord`)
 * is never `plan_ready`: a plan turn completed upstream. src/contract/status.ts classifies them.
 */
export type JobStatus =
  | 'pending'
  | 'queued'
  | 'running'
  /** A collaborative-planning turn completed with a plan: it waits for `approvePlan` (see `JobState.plan`). */
  | 'plan_ready'
  | 'requires_action'
  | 'requires_continuation'
  | 'idle'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'incomplete'
  | 'budget_exceeded'
  | 'timed_out'
  | 'unknown';

/** A collaborative-planning plan waiting for approval or refinement. */
export interface PendingPlan {
  /** The turn that produced it. */
  turn: number;
  interactionId: string;
  /** The plan text (the workflow holds the turn summary; JobsClient.state fills in the full report). */
  text: string;
}

export interface JobError {
  /**
   * Stable code from the client's error tree (e.g. `bad_request`, `not_found`), the job
   * (`deadline_exceeded`) or the interaction (`upstream_failed`); see docs/errors.md. A code this
   * version does not know is read as `unknown`, with the original in `rawCode`.
   */
  code: JobErrorCode;
  message: string;
  retryable?: boolean;
  /** The stored code when `code` is `unknown` (written by another version of the worker). */
  rawCode?: string;
}

/** Live progress of a turn: cheap to compute, small, never the report itself. */
export interface JobProgress {
  eventsApplied: number;
  outputChars: number;
  latestThought?: string;
  lastEventId?: string;
  lastEventAt?: string;
}

/** Where the full report of a turn lives. */
export interface ReportRef {
  store: string;
  key: string;
  bytes: number;
  sha256: string;
}

/** One interaction of the job's thread. */
export interface TurnRecord {
  turn: number;
  interactionId?: string;
  previousInteractionId?: string;
  status: JobStatus;
  upstreamStatus?: string;
  usage?: Usage;
  summary?: string;
  outputChars?: number;
  report?: ReportRef;
  error?: JobError;
  /** Stream events applied for this turn (0 when it was only polled). */
  eventsApplied?: number;
  /** True when the whole run was streamed and the streamed text matched the stored report. */
  streamVerified?: boolean;
  /** `webhook` mode: how the end of the run was learnt (the webhook, or a backstop GET check). */
  settledBy?: 'webhook' | 'backstop';
  /**
   * The create's answer was lost and the create was sent again, so a second interaction may run
   * for this turn (the API has no idempotency key). In webhook mode its webhook reveals it: see
   * `duplicateCreates`.
   */
  createAmbiguous?: boolean;
  /**
   * Other interactions created for this turn (a create whose answer was lost, then retried). In
   * webhook mode the turn keeps whichever interaction settles first and cancels the other.
   */
  duplicateCreates?: DuplicateCreate[];
  /** Tool calls of the turn (tool-call steps streamed, or `grounding_tool_count` if larger). */
  toolCalls?: number;
  /** Estimated cost of the turn in USD, from the worker's price table of date `priceTable`. */
  costUsd?: number;
  priceTable?: string;
  /** Set when the turn ended `budget_exceeded`: the limit crossed and the thread's figures. */
  budgetExceeded?: BudgetExceeded;
  /** Completion callbacks this turn started (`JobOptions.callback`). */
  callbacks?: CallbackRecord[];
  /** When admission control let the turn create its interaction (ISO time). */
  admittedAt?: string;
  startedAt: string;
  endedAt?: string;
}

/** Where a job waits for admission (credential quota); `key` is a non-reversible id, never the credential. */
export interface AdmissionState {
  /** 1 = next to be admitted. Refreshed from the limiter by `JobsClient.state`. */
  position: number;
  /** Limiter key: `vertex:<project>/<location>` or `key-<short hash>`. */
  key?: string;
  tenant?: string;
  /** Jobs waiting on the same key (from the limiter). */
  waiting?: number;
  /** While a 429 paused admission on this key: until when (ISO). */
  pausedUntil?: string;
}

/** Estimated cost of a job or thread: sum of the turns' estimates, with the price table's date. */
export interface CostSummary {
  usd: number;
  priceTable?: string;
  /** Turns without an estimate (no usage, or no price for the model). */
  unpricedTurns?: number;
}

/** Returned by the `state` query. Live stream details come from heartbeats (see JobsClient.state). */
export interface JobState {
  jobId: string;
  phase: JobPhase;
  status: JobStatus;
  /** The question (the first text of the first turn's input, shortened), as every face lists it. */
  question?: string;
  /** How the job follows its runs (the resolved `JobOptions.mode`). */
  mode?: JobMode;
  /** Each turn's deadline in ms, as the workflow resolved it (counted from the create's answer). */
  turnDeadlineMs?: number;
  upstreamStatus?: string;
  interactionId?: string;
  turn: number;
  turns: TurnRecord[];
  agent?: string;
  model?: string;
  thread?: string;
  startedAt: string;
  turnStartedAt?: string;
  deadlineAt?: string;
  elapsedMs: number;
  progress?: JobProgress;
  attempt?: number;
  usage?: Usage;
  error?: JobError;
  cancelReason?: string;
  /** While the job waits for a follow-up after a turn: when the window closes (ISO time). */
  followUpUntil?: string;
  /** While phase is `queued`: the place in the admission queue. */
  admission?: AdmissionState;
  cost?: CostSummary;
  budget?: JobBudget;
  /** What the thread used so far, against `budget`. */
  spent?: BudgetSpent;
  /**
   * Filled by JobsClient (from describe(), never by the workflow): the step being retried and its
   * last failure (redacted), while an activity is between attempts or on attempt > 1.
   */
  retrying?: RetryingStep;
  /** Filled by JobsClient: milliseconds since the current turn started (or its duration once over), by the reader's clock. */
  turnElapsedMs?: number;
  /** Present while a plan waits (phase `plan-ready`): approve it with `approvePlan`, refine it with `refinePlan`. */
  plan?: PendingPlan;
}

/** A job step (activity) that failed and is being retried by Temporal. */
export interface RetryingStep {
  /** `createInteraction`, `followInteraction`, `cancelInteraction`, or a future activity name. */
  activity: string;
  attempt: number;
  /** Last failure message, credentials redacted. */
  lastFailure: string;
  /** Stable failure type when the activity set one (e.g. `connection_error`, `rate_limited`). */
  lastFailureType?: string;
  /** When the next attempt is due (ISO), when the server knows it. */
  nextAttemptAt?: string;
}

/** The workflow's result: small by design; the report is read from the result store or the API. */
export interface JobResult {
  jobId: string;
  status: JobStatus;
  /** The question, how the job followed its runs and each turn's deadline (ms), as in `JobState`. */
  question?: string;
  mode?: JobMode;
  turnDeadlineMs?: number;
  upstreamStatus?: string;
  interactionId?: string;
  interactionIds: string[];
  turns: TurnRecord[];
  usage?: Usage;
  cost?: CostSummary;
  spent?: BudgetSpent;
  summary?: string;
  report?: ReportRef;
  error?: JobError;
}

export interface CancelRequest {
  reason?: string;
}

export interface FollowUpRequest {
  /** The next user input (string, content or steps). */
  input: JobRequest['input'];
  /** Interaction-scoped settings to change for this and later turns (tools, system_instruction, configs). */
  overrides?: Partial<Omit<JobRequest, 'input' | 'model' | 'agent'>>;
}

/**
 * The `approvePlan` update's argument. Collaborative planning is chained turns (Google's docs):
 * approving executes the plan in a turn with `collaborative_planning: false`; `edit` (or
 * `approve: false`) refines it in a turn with the flag still true, and the refined plan becomes
 * the new `JobState.plan`.
 */
export interface PlanApproval {
  /** `false` asks for a different plan (a refinement turn). Default: approve. */
  approve?: boolean;
  /** Instructions or an edited plan: refines instead of executing. */
  edit?: string;
}

export interface FollowUpAccepted {
  turn: number;
  interactionId: string;
}

/**
 * A second interaction of one turn (a lost create answer, then a retried create), and what became
 * of it. Found by a webhook that names this job and turn with another interaction id.
 */
export interface DuplicateCreate {
  interactionId: string;
  /** When the job learnt of it (ISO). */
  foundAt: string;
  /** What revealed it: the event type of the webhook (or sweeper check) that named it. */
  seenIn: string;
  /**
   * `kept`: it settled first and became the turn's interaction (the other one was cancelled);
   * `cancelled`: it was still running and was cancelled; `already_finished`: it had ended before
   * the cancel reached it; `cancel_failed`: the cancel could not be confirmed.
   */
  outcome: 'kept' | 'cancelled' | 'already_finished' | 'cancel_failed';
  /** Its status as last read back. */
  finalStatus?: string;
  /** What it consumed, as last read back. */
  usage?: Usage;
}

/**
 * What the webhook receiver signals after verifying a delivery (never the raw body: only ids and
 * the status, so nothing unverified or large reaches history).
 */
export interface WebhookNotice {
  /** `webhook-id` header: the same delivery retried or duplicated carries the same id. */
  webhookId: string;
  /** `interaction.completed`, `interaction.failed`, `interaction.requires_action`, … (open). */
  eventType: string;
  interactionId: string;
  /** The turn named in `user_metadata` (undefined when absent). */
  turn?: number;
  status?: string;
  /** Who sent it: the webhook receiver (default) or the worker's backstop sweeper, which read the status with a GET. */
  source?: 'webhook' | 'sweeper';
}
