/**
 * Pure helpers of the job workflow: option defaults, request building for chained turns, usage
 * sums and status mapping. No I/O and no Node APIs: this module is bundled into the workflow
 * sandbox, and the jobs client / tests may import it too.
 */
import type { FollowOptions } from '../activities/types';
import type { Usage } from '../src/interactions/types';
import type { FollowUpRequest, JobMode, JobOptions, JobRequest, JobStatus, PlanApproval, TurnRecord } from './definitions';

export const MINUTE_MS = 60_000;

/** Defaults of `JobOptions` (milliseconds). */
export const JOB_OPTION_DEFAULTS = {
  mode: 'stream' as const,
  agentDeadlineMs: 60 * MINUTE_MS,
  modelDeadlineMs: 10 * MINUTE_MS,
  /** Silence after which the stream is checked with a GET (a quiet gap is not a stall; see activities/quiet-probe.ts). */
  streamIdleTimeoutMs: 60_000,
  pollInitialIntervalMs: 2_000,
  pollMaxIntervalMs: 30_000,
  /** 40 s: room for the 28 s checkpoint flush and the 32 s liveness beat (activities/flush.ts). */
  heartbeatTimeoutMs: 40_000,
  notFoundGraceMs: 60_000,
  followUpWindowMs: 15 * MINUTE_MS,
  /** `webhook` mode backstop: GET checks after 1, 2, 4, 8, then every 10 minutes. */
  webhookBackstopInitialMs: MINUTE_MS,
  webhookBackstopMaxMs: 10 * MINUTE_MS,
};

/** Continue-as-new before the next follow-up wait once history is this long (events). */
export const CONTINUE_AS_NEW_HISTORY_LENGTH = 2_000;

/** Length of `TurnRecord.summary` (characters). */
export const SUMMARY_CHARS = 280;

/** Options with every default filled in. */
export interface ResolvedJobOptions {
  mode: JobMode;
  webhookBackstopInitialMs: number;
  webhookBackstopMaxMs: number;
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

/** Fills in defaults; `deadlineMs` defaults to 60 min for agents and 10 min for models. */
export function resolveJobOptions(request: JobRequest, options: JobOptions = {}): ResolvedJobOptions {
  const d = JOB_OPTION_DEFAULTS;
  const resolved: ResolvedJobOptions = {
    mode: options.mode ?? d.mode,
    deadlineMs: options.deadlineMs ?? (isAgentRequest(request) ? d.agentDeadlineMs : d.modelDeadlineMs),
    streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? d.streamIdleTimeoutMs,
    pollInitialIntervalMs: options.pollInitialIntervalMs ?? d.pollInitialIntervalMs,
    pollMaxIntervalMs: options.pollMaxIntervalMs ?? Math.max(d.pollMaxIntervalMs, options.pollInitialIntervalMs ?? 0),
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? d.heartbeatTimeoutMs,
    notFoundGraceMs: options.notFoundGraceMs ?? d.notFoundGraceMs,
    followUpWindowMs: options.followUpWindowMs ?? d.followUpWindowMs,
    continueAsNewAfterEvents: options.continueAsNewAfterEvents ?? CONTINUE_AS_NEW_HISTORY_LENGTH,
    webhookBackstopInitialMs: options.webhookBackstopInitialMs ?? d.webhookBackstopInitialMs,
    webhookBackstopMaxMs: options.webhookBackstopMaxMs ?? Math.max(d.webhookBackstopMaxMs, options.webhookBackstopInitialMs ?? 0),
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
 * The input that answers a proposed Deep Research plan: the word `approve` confirms it as is (the
 * plan text itself says: Reply "approve" to start the research, or send an edited plan); an edit
 * is sent verbatim as the edited plan / instructions.
 */
export function planApprovalInput(approval: PlanApproval): string {
  const edit = approval.edit?.trim();
  if (edit) return edit;
  if (approval.approve === false) return 'Please propose a different research plan.';
  return 'approve';
}

/** Why a follow-up input is unusable, or undefined when it is fine. */
export function followUpInputProblem(input: unknown): string | undefined {
  if (input === undefined || input === null) return 'input is required: a string, a content list or a step list';
  if (typeof input === 'string') return input.trim() === '' ? 'input is an empty string' : undefined;
  if (Array.isArray(input)) return input.length === 0 ? 'input is an empty list' : undefined;
  if (typeof input === 'object') return undefined;
  return `input must be a string, a content object or a list, not ${typeof input}`;
}

const NUMERIC_USAGE_KEYS = [
  'total_input_tokens',
  'total_output_tokens',
  'total_thought_tokens',
  'total_cached_tokens',
  'total_tool_use_tokens',
  'total_tokens',
] as const;

/** Sums the `total_*` counters of several usages (per-modality lists are per turn only). */
export function sumUsage(usages: Array<Usage | undefined>): Usage | undefined {
  let out: Usage | undefined;
  for (const usage of usages) {
    if (!usage) continue;
    out ??= {};
    for (const key of NUMERIC_USAGE_KEYS) {
      const v = usage[key];
      if (typeof v === 'number') out[key] = (out[key] ?? 0) + v;
    }
  }
  return out;
}

/** Upstream statuses a turn can end with, mapped to job statuses; anything else is `unknown`. */
export function jobStatusOfUpstream(upstream: string | undefined): JobStatus {
  switch (upstream) {
    case 'completed':
    case 'failed':
    case 'cancelled':
    case 'incomplete':
    case 'budget_exceeded':
    case 'requires_action':
      return upstream;
    default:
      return 'unknown';
  }
}

/** Can the thread go on after this turn? Not after a cancel, a deadline or a turn without an interaction. */
export function acceptsFollowUp(turn: TurnRecord | undefined): boolean {
  if (!turn || !turn.interactionId) return false;
  if (['completed', 'requires_action', 'incomplete', 'budget_exceeded'].includes(turn.status)) return true;
  // A run that failed upstream still exists and can be continued; an API error of ours cannot.
  return turn.status === 'failed' && turn.upstreamStatus === 'failed';
}
