/**
 * Inputs, results and heartbeat checkpoints of the job activities. Types only: the workflow
 * imports this module (type-only), so it must stay free of runtime code and Node APIs.
 */
import type { BudgetExceeded, BudgetSpent, JobBudget, JobError, JobRequest, ReportRef } from '../src/contract';
import type { TerminalStatus, WaitingStatus } from '../src/contract';
import type { Usage } from '../src/interactions/types';

export type { FollowCheckpoint, FollowMode, StreamProgress } from '../src/contract';

export interface CreateInteractionInput {
  jobId: string;
  turn: number;
  /** The full create body minus the fields the activity sets (background, store, stream). */
  request: JobRequest;
  previousInteractionId?: string;
  /**
   * `webhook` mode: add `webhook_config` (the worker's receiver URLs; `user_metadata` naming the
   * job and turn) so the API tells the receiver when the run ends.
   */
  webhook?: boolean;
  /** Set when the turn was admitted by a limiter: a 429 is reported back to it. */
  admission?: { limiterId: string; ticket: string };
}

export interface CreateInteractionResult {
  interactionId: string;
  /** Upstream status in the create response (normally `in_progress` or `queued`). */
  status: string;
  /** True when a retried attempt found the id in its heartbeat and did not POST again. */
  recovered: boolean;
  /**
   * True when an earlier attempt sent a create whose answer was lost (so a second interaction may
   * run for this turn: the API has no idempotency key).
   */
  ambiguous?: boolean;
}

/** Heartbeat of `createInteraction`: the instant its answer arrives (and every few seconds while a slow POST is in flight). */
export type CreateCheckpoint =
  | { phase: 'creating' }
  /** The last attempt failed provably before creating anything (connect failure, 4xx). */
  | { phase: 'not-created' }
  | { phase: 'created'; interactionId: string; status: string };

/** Follow settings resolved by the workflow from `JobOptions` (all durations in milliseconds). */
export interface FollowOptions {
  mode: 'stream' | 'poll';
  streamIdleTimeoutMs: number;
  pollInitialIntervalMs: number;
  pollMaxIntervalMs: number;
  notFoundGraceMs: number;
  /** Heartbeat while nothing arrives, so a quiet run still proves the worker alive. */
  keepaliveMs: number;
  /** Consecutive stream failures without progress before switching to polling. Default 3. */
  maxStreamFailures?: number;
  /**
   * A stream silent this long is reconnected whatever the quiet probes say (ms). Default
   * 10 × `streamIdleTimeoutMs` (the probe interval).
   */
  streamStallTimeoutMs?: number;
}

export interface FollowInteractionInput {
  jobId: string;
  turn: number;
  interactionId: string;
  options: FollowOptions;
  /** Model or agent name, for the cost estimate. */
  priceName?: string;
  /** Thread budget and what earlier turns spent: crossing a limit cancels the run. */
  budget?: { limits: JobBudget; spentBefore: BudgetSpent; turnStartedAtMs?: number };
}

export interface FollowInteractionResult {
  /** Terminal job-level status for the turn. */
  status: TerminalStatus | WaitingStatus | 'unknown';
  /** The raw upstream status read back by GET. */
  upstreamStatus: string;
  usage?: Usage;
  /** First ~280 characters of the report. */
  summary: string;
  outputChars: number;
  /** Where the report is: `temporal` (inline below), an external store, or `api` (too large, no store). */
  report: ReportRef;
  /** The report itself when it fits in Temporal (`report.store === 'temporal'`); lives in this result in history. */
  reportText?: string;
  /** The final interaction JSON, stored beside the report (external store only). */
  interactionRef?: ReportRef;
  eventsApplied: number;
  /** True when the run was streamed from its start and the streamed text matched the GET report. */
  streamVerified: boolean;
  /** Upstream errors of a failed interaction (from `errors` / a `model_output.error`). */
  error?: JobError;
  /** Tool calls of the turn (tool-call steps streamed, or grounding_tool_count if larger). */
  toolCalls?: number;
  /** Estimated cost in USD and the date of the price table used. */
  costUsd?: number;
  priceTable?: string;
  /** The budget limit the turn crossed; the remote run was cancelled. */
  budgetExceeded?: BudgetExceeded;
}

export interface CancelInteractionInput {
  jobId: string;
  interactionId: string;
  /** How long to keep reading the status back before giving up. Default 60 s. */
  confirmTimeoutMs?: number;
}

export interface CancelInteractionResult {
  /** Upstream status read back after the cancel (terminal unless `confirmed` is false). */
  upstreamStatus: string;
  confirmed: boolean;
  /**
   * What the cancel POST answered: `cancelled` (200, the run it returned is cancelled),
   * `already_finished` (200 with the run already completed/failed…, or 400/409/422), `accepted`
   * (200, the run still running in the answer), `not_supported` (404 on the cancel route),
   * `not_found` (neither the route nor the interaction exists).
   */
  cancelAnswer: 'cancelled' | 'accepted' | 'not_supported' | 'already_finished' | 'not_found';
  /**
   * What became of the run, from the status read back: `cancelled` (the cancel stopped it),
   * `already_finished` (it ended on its own before the cancel reached it; `upstreamStatus` says
   * how), `not_found`, or `unconfirmed` (still not settled when the confirmation time ran out).
   * Always set by this version; absent in results recorded in histories before it existed.
   */
  outcome?: 'cancelled' | 'already_finished' | 'not_found' | 'unconfirmed';
  usage?: Usage;
}

export interface CheckInteractionInput {
  jobId: string;
  interactionId: string;
  /** When the turn's interaction was created (ISO): a 404/403 within `notFoundGraceMs` of it is "not yet". */
  createdAt: string;
  notFoundGraceMs: number;
}

/** One GET of the interaction: the `webhook` mode's backstop check and its on-demand progress. */
export interface CheckInteractionResult {
  upstreamStatus: string;
  /** Terminal or `requires_action`: collect it now. */
  settled: boolean;
  /** Characters of report text produced so far, and steps produced so far (live progress). */
  outputChars: number;
  steps: number;
  latestThought?: string;
  usage?: Usage;
}

/** The activity interface the workflow proxies. */
export interface JobActivities {
  createInteraction(input: CreateInteractionInput): Promise<CreateInteractionResult>;
  followInteraction(input: FollowInteractionInput): Promise<FollowInteractionResult>;
  cancelInteraction(input: CancelInteractionInput): Promise<CancelInteractionResult>;
  checkInteraction(input: CheckInteractionInput): Promise<CheckInteractionResult>;
}
