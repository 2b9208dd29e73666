/**
 * Pure helpers of the job workflow: option defaults, request building for chained turns, usage
 * sums and status mapping. No I/O and no Node APIs: this module is bundled into the workflow
 * sandbox, and the jobs client / tests may import it too.
 */
import type { FollowOptions } from '../activities/types';
import type { Usage } from '../src/interactions/types';
import { sumUsage as sumAllUsage } from '../src/contract/usage';
import type { FollowUpRequest, JobMode, JobOptions, JobRequest, JobState, PlanApproval, TurnRecord } from './definitions';
import { isWaitingStatus } from '../src/interactions/types';
import { AGENT_TURN_DEADLINE_MS, DEFAULT_FOLLOW_UP_WINDOW_MS, DEFAULT_JOB_MODE, MODEL_TURN_DEADLINE_MS } from '../src/contract/constants';

export const MINUTE_MS = 60_000;

/**
 * Defaults of `JobOptions` (milliseconds), applied by the workflow itself: a job started by any
 * client (the jobs client, Python, `temporal workflow start`, the HTTP API) gets the same ones.
 * Clients validate and may override; they never supply a default.
 */
export const JOB_OPTION_DEFAULTS = {
  mode: DEFAULT_JOB_MODE,
  agentDeadlineMs: AGENT_TURN_DEADLINE_MS,
  modelDeadlineMs: MODEL_TURN_DEADLINE_MS,
  /** Silence after which the stream is checked with a GET (a quiet gap is not a stall; see activities/quiet-probe.ts). */
  streamIdleTimeoutMs: 60_000,
  pollInitialIntervalMs: 2_000,
  pollMaxIntervalMs: 30_000,
  /** 40 s: room for the 24 s checkpoint flush and the 32 s liveness beat (activities/flush.ts). */
  heartbeatTimeoutMs: 40_000,
  notFoundGraceMs: 60_000,
  followUpWindowMs: DEFAULT_FOLLOW_UP_WINDOW_MS,
};

/**
 * The agent deadline of executions whose history predates `PATCHES.admittedTurns` (0.1.0): frozen,
 * because those histories replay against it (a later deadline would turn a recorded `timed_out`
 * into a different branch).
 */
export const LEGACY_AGENT_DEADLINE_MS = 60 * MINUTE_MS;

/** Continue-as-new before the next follow-up wait once history is this long (events). */
export const CONTINUE_AS_NEW_HISTORY_LENGTH = 2_000;

/** Length of `TurnRecord.summary` (characters): src/contract/constants.ts. */
export { SUMMARY_CHARS } from '../src/contract/constants';

/** Options with every default filled in. */
export interface ResolvedJobOptions {
  mode: JobMode;
  deadlineMs: number;
  streamIdleTimeoutMs: number;
  pollInitialIntervalMs: number;
  pollMaxIntervalMs: number;
  heartbeatTimeoutMs: number;
  notFoundGraceMs: number;
  followUpWindowMs: number;
  continueAsNewAfterEvents: number;
  thread?: string;
}

/** True for agent jobs (`agent` set), false for model jobs. */
export function isAgentRequest(request: Pick<JobRequest, 'agent' | 'model'> | Record<string, unknown>): boolean {
  return typeof (request as { agent?: unknown }).agent === 'string';
}

/**
 * Fills in defaults. `deadlineMs` defaults to AGENT_TURN_DEADLINE_MS for agents (60 minutes for a
 * `legacy` execution, one whose history predates it) and MODEL_TURN_DEADLINE_MS for models.
 */
export function resolveJobOptions(request: JobRequest, options: JobOptions = {}, { legacy = false }: { legacy?: boolean } = {}): ResolvedJobOptions {
  const d = JOB_OPTION_DEFAULTS;
  const agentDeadlineMs = legacy ? LEGACY_AGENT_DEADLINE_MS : d.agentDeadlineMs;
  const resolved: ResolvedJobOptions = {
    mode: options.mode ?? d.mode,
    deadlineMs: options.deadlineMs ?? (isAgentRequest(request) ? agentDeadlineMs : d.modelDeadlineMs),
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? d.streamIdleTimeoutMs,
    pollInitialIntervalMs: options.pollInitialIntervalMs ?? d.pollInitialIntervalMs,
    pollMaxIntervalMs: options.pollMaxIntervalMs ?? Math.max(d.pollMaxIntervalMs, options.pollInitialIntervalMs ?? 0),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
    notFoundGraceMs: options.notFoundGraceMs ?? d.notFoundGraceMs,
    followUpWindowMs: options.followUpWindowMs ?? d.followUpWindowMs,
    continueAsNewAfterEvents: options.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_HISTORY_LENGTH,
  };
  if (options.thread !== undefined) resolved.thread = options.thread;
  return resolved;
}

/** What the follow activity needs from the resolved options. */
export function followOptionsOf(options: ResolvedJobOptions): FollowOptions {
  return {
    // In webhook mode the follow activity only collects a run already known to be over.
    mode: options.mode === 'stream' ? 'stream' : 'poll',
    streamIdleTimeoutMs: options.streamIdleTimeoutMs,
    pollInitialIntervalMs: options.pollInitialIntervalMs,
    pollMaxIntervalMs: options.pollMaxIntervalMs,
    notFoundGraceMs: options.notFoundGraceMs,
    // Well inside the heartbeat timeout, so a quiet but healthy run is never declared dead.
    keepaliveMs: Math.max(200, Math.min(10_000, Math.floor(options.heartbeatTimeoutMs / 3))),
  };
}

/** Fields never carried from one turn to the next (per-create, or set by the workflow). */
const PER_TURN_FIELDS = ['input', 'continuation_token', 'background', 'store', 'stream', 'previous_interaction_id'] as const;

/**
 * Interaction-scoped settings of a request (tools, system_instruction, generation_config /
 * agent_config, response_format…): everything but the input. `previous_interaction_id` carries
 * only the conversation, so these are resent on every turn.
 */
export function settingsOf(request: JobRequest): Omit<JobRequest, 'input'> {
  const copy: Record<string, unknown> = { ...(request as unknown as Record<string, unknown>) };
  for (const key of PER_TURN_FIELDS) delete copy[key];
  return copy as Omit<JobRequest, 'input'>;
}

/**
 * The request of a follow-up turn: the current settings with the overrides applied (shallow: an
 * override replaces the whole field; `null` removes it) and the new input. `model`/`agent` never change.
 */
export function followUpRequest(current: JobRequest, followUp: FollowUpRequest): JobRequest {
  const next: Record<string, unknown> = { ...(settingsOf(current) as Record<string, unknown>) };
  for (const [key, value] of Object.entries(followUp.overrides ?? {})) {
    if (key === 'model' || key === 'agent' || (PER_TURN_FIELDS as readonly string[]).includes(key)) continue;
    if (value === null || value === undefined) delete next[key];
    else next[key] = value;
  }
  next.input = followUp.input;
  return next as unknown as JobRequest;
}

/** True when an agent request asked for collaborative planning (Deep Research). */
export function usesCollaborativePlanning(request: JobRequest): boolean {
  const config = (request as { agent_config?: { collaborative_planning?: unknown } }).agent_config;
  return isAgentRequest(request) && config?.collaborative_planning === true;
}

/**
 * The input that answered a proposed plan in v0.1.0 (the plan ended `requires_action` then):
 * `approve`, or the edit verbatim. Kept for executions that started before the
 * `plan-approval-chained-turns` patch.
 */
export function planApprovalInput(approval: PlanApproval): string {
  const edit = approval.edit?.trim();
  if (edit) return edit;
  if (approval.approve === false) return 'Please propose a different research plan.';
  return 'approve';
}

/** Does this approval refine the plan (flag stays true) rather than execute it? */
export function isPlanRefinement(approval: PlanApproval): boolean {
  return !!approval.edit?.trim() || approval.approve === false;
}

/**
 * The turn that answers a plan, as Google documents collaborative planning: execute with
 * `agent_config.collaborative_planning: false`, or refine with the flag still true; both chain
 * with `previous_interaction_id` (set by the workflow).
 */
export function planTurnRequest(current: JobRequest, approval: PlanApproval): JobRequest {
  const refine = isPlanRefinement(approval);
  const input = refine ? approval.edit?.trim() || 'Please propose a different research plan.' : 'Approve the plan: start the research.';
  const next = followUpRequest(current, { input }) as JobRequest & { agent_config?: Record<string, unknown> };
  if (!refine) next.agent_config = { ...(next.agent_config ?? { type: 'deep-research' }), collaborative_planning: false };
  return next;
}

/** Why a follow-up input is unusable, or undefined when it is fine. */
export function followUpInputProblem(input: unknown): string | undefined {
  if (input === undefined || input === null) return 'input is required: a string, a content list or a step list';
  if (typeof input === 'string') return input.trim() === '' ? 'input is an empty string' : undefined;
  if (Array.isArray(input)) return input.length === 0 ? 'input is an empty list' : undefined;
  if (typeof input === 'object') return undefined;
  return `input must be a string, a content object or a list, not ${typeof input}`;
}

/** Sums every usage field over turns (totals, per-modality lists, grounding counts): see src/contract/usage.ts. */
export function sumUsage(usages: Array<Usage | undefined>): Usage | undefined {
  return sumAllUsage(usages);
}

/** Can the thread go on after this turn? Not after a cancel, a deadline or a turn without an interaction. */
export function acceptsFollowUp(turn: TurnRecord | undefined): boolean {
  if (!turn || !turn.interactionId) return false;
  if (turn.status === 'completed' || turn.status === 'incomplete' || turn.status === 'budget_exceeded') return true;
  // Stopped and waiting for the client (function results, a continuation, the next input).
  if (isWaitingStatus(turn.status)) return true;
  // A run that failed upstream still exists and can be continued; an API error of ours cannot.
  return turn.status === 'failed' && turn.upstreamStatus === 'failed';
}

/** The phase a job rests in after `turn` ended (see JobPhase). */
export function restingPhase(turn: TurnRecord | undefined, request: JobRequest): JobState['phase'] {
  if (!turn) return 'creating';
  if (planWaitingAfter(turn, request)) return 'plan-ready';
  return isWaitingStatus(turn.status) ? 'waiting-for-input' : 'done';
}

/**
 * Does `turn` hold a plan waiting for approval? Google's collaborative planning: the turn ran with
 * `collaborative_planning: true` (still set on the thread's request) and ended `completed` with
 * the plan as its output. A v0.1.0-era plan that ended `requires_action` counts too.
 */
export function planWaitingAfter(turn: TurnRecord | undefined, request: JobRequest): boolean {
  if (!turn?.interactionId || !usesCollaborativePlanning(request)) return false;
  return turn.status === 'completed' || turn.status === 'requires_action';
}
