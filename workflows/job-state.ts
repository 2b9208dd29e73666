/**
 * The job's one mutable record and the pure functions that read it: `deriveJobState` (the `state`
 * query) and `jobResultOf` (the workflow result). The turns are the single source of truth; the
 * record adds only what they cannot tell (where the workflow is, the deadline it set, the cancel
 * reason, the follow-up window, the admission queue, the latest webhook-mode check). Pure: no I/O,
 * no clock (callers pass `nowMs`), so every phase/status combination is unit-tested without a
 * server.
 */
import type { Usage } from '../src/interactions/types';
import type { JobBudget } from '../src/contract/budget';
import { costSummary, threadSpent } from './accounting';
import type { JobMode, JobPhase, JobProgress, JobResult, JobState, JobStatus, TurnRecord } from '../src/contract/job';
import type { CheckInteractionResult } from '../activities/types';
import { sumUsage } from './helpers';

/** What a job knows from its input and never changes during a run. */
export interface JobFacts {
  jobId: string;
  /** When the thread started (ms since epoch; carried across continue-as-new). */
  startedAtMs: number;
  agent?: string;
  model?: string;
  thread?: string;
  budget?: JobBudget;
  /** Fairness key shown while queued for admission. */
  tenant?: string;
  /** The question (see src/contract/question.ts). */
  question?: string;
  mode?: JobMode;
  /** Each turn's deadline as resolved (ms). */
  turnDeadlineMs?: number;
}

/** The latest webhook-mode GET check: progress the turn records do not hold. */
export interface CheckSeen {
  /** The turn it was taken in. */
  turn: number;
  upstreamStatus: string;
  progress: JobProgress;
}

/** Usage reported by a check (kept apart: a later check without usage does not clear it). */
export interface CheckUsageSeen {
  turn: number;
  usage: Usage;
}

/** The job's mutable record: the turns, and the few facts the turns cannot tell. */
export interface JobRecord {
  turns: TurnRecord[];
  /** Where the workflow is (set at each step of a turn and of the follow-up loop). */
  phase: JobPhase;
  /** The current turn's deadline (ms); unset in a continued run until its first turn starts. */
  deadlineAtMs?: number;
  /** Set once a cancel was requested (signal or Temporal cancellation). */
  cancelReason?: string;
  /** While the follow-up window is open: when it closes (ms). */
  followUpUntilMs?: number;
  /** While the turn waits for an admission permit: the limiter key. */
  queuedOn?: string;
  lastCheck?: CheckSeen;
  lastCheckUsage?: CheckUsageSeen;
}

function isoAt(ms: number): string {
  return new Date(ms).toISOString();
}

/** The turn the next follow-up chains to: the last turn, skipping follow-ups that failed before creating anything. */
export function chainHead(turns: readonly TurnRecord[]): TurnRecord | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i]!;
    if (t.interactionId || i === 0 || t.status !== 'failed') return t;
  }
  return undefined;
}

/**
 * Top-level usage: while a webhook-mode turn runs, the latest usage its checks reported; else the
 * sum over the ended turns (a running turn's usage counts once it ends), else the last check's.
 */
function usageOf(record: JobRecord, ended: readonly TurnRecord[], running: TurnRecord | undefined): Usage | undefined {
  const seen = record.lastCheckUsage;
  if (running && seen?.turn === running.turn) return seen.usage;
  return sumUsage(ended.map((t) => t.usage)) ?? seen?.usage;
}

/**
 * The job status of a record: the last turn's status, named for what the job waits on when it
 * waits — `queued` for a quota permit, `plan_ready` for a plan's approval.
 */
export function jobStatusOf(record: Pick<JobRecord, 'turns' | 'phase'>): JobStatus {
  if (record.phase === 'queued') return 'queued';
  if (record.phase === 'plan-ready') return 'plan_ready';
  return record.turns[record.turns.length - 1]?.status ?? 'pending';
}

/** Keeps what a webhook-mode GET check (`refreshProgress`) saw: the turn records hold no live progress. */
export function recordCheck(record: JobRecord, turn: number, check: CheckInteractionResult): void {
  record.lastCheck = {
    turn,
    upstreamStatus: check.upstreamStatus,
    progress: { eventsApplied: 0, outputChars: check.outputChars, ...(check.latestThought ? { latestThought: check.latestThought } : {}) },
  };
  if (check.usage) record.lastCheckUsage = { turn, usage: check.usage };
}

/** The `state` query's answer at `nowMs` (ms since epoch). */
export function deriveJobState(facts: JobFacts, record: JobRecord, nowMs: number): JobState {
  const { turns } = record;
  const last = turns[turns.length - 1];
  const running = last && !last.endedAt ? last : undefined;
  const ended = turns.filter((t) => t.endedAt !== undefined);
  const state: JobState = {
    jobId: facts.jobId,
    phase: record.phase,
    status: jobStatusOf(record),
    turn: last?.turn ?? 0,
    turns: turns.map((t) => ({ ...t })),
    startedAt: isoAt(facts.startedAtMs),
    elapsedMs: nowMs - facts.startedAtMs,
  };
  if (facts.question !== undefined) state.question = facts.question;
  if (facts.mode !== undefined) state.mode = facts.mode;
  if (facts.turnDeadlineMs !== undefined) state.turnDeadlineMs = facts.turnDeadlineMs;
  if (facts.agent) state.agent = facts.agent;
  if (facts.model) state.model = facts.model;
  if (facts.thread !== undefined) state.thread = facts.thread;
  if (facts.budget) state.budget = facts.budget;
  if (last) state.turnStartedAt = last.startedAt;
  if (record.deadlineAtMs !== undefined && running) state.deadlineAt = isoAt(record.deadlineAtMs);
  if (last?.interactionId) state.interactionId = last.interactionId;
  // While the turn runs, a webhook-mode check knows the upstream status better than the create did.
  const check = running && record.lastCheck?.turn === running.turn ? record.lastCheck : undefined;
  const upstreamStatus = check?.upstreamStatus ?? last?.upstreamStatus;
  if (upstreamStatus) state.upstreamStatus = upstreamStatus;
  // A turn's error is the job's error once the turn ended with it.
  if (last?.endedAt && last.error) state.error = last.error;
  if (record.lastCheck) state.progress = record.lastCheck.progress;
  const usage = usageOf(record, ended, running);
  if (usage) state.usage = usage;
  const cost = costSummary(turns);
  if (cost) state.cost = cost;
  if (facts.budget && ended.length > 0) state.spent = threadSpent(ended, nowMs);
  if (record.cancelReason !== undefined) state.cancelReason = record.cancelReason;
  if (record.followUpUntilMs !== undefined) {
    state.followUpUntil = isoAt(record.followUpUntilMs);
    const head = chainHead(turns);
    if (record.phase === 'plan-ready' && head) state.plan = { turn: head.turn, interactionId: head.interactionId!, text: head.summary ?? '' };
  }
  if (record.queuedOn !== undefined) state.admission = { position: 0, key: record.queuedOn, ...(facts.tenant !== undefined ? { tenant: facts.tenant } : {}) };
  return state;
}

/** The workflow's result at `nowMs`: the thread's turns and the last turn's outcome (and, given `facts`, what every face shows of the job). */
export function jobResultOf(jobId: string, turns: TurnRecord[], nowMs: number, facts?: Pick<JobFacts, 'question' | 'mode' | 'turnDeadlineMs'>): JobResult {
  const last = turns[turns.length - 1];
  const result: JobResult = {
    jobId,
    status: last?.status ?? 'pending',
    interactionIds: turns.flatMap((t) => (t.interactionId ? [t.interactionId] : [])),
    turns,
  };
  if (facts?.question !== undefined) result.question = facts.question;
  if (facts?.mode !== undefined) result.mode = facts.mode;
  if (facts?.turnDeadlineMs !== undefined) result.turnDeadlineMs = facts.turnDeadlineMs;
  if (last?.upstreamStatus) result.upstreamStatus = last.upstreamStatus;
  if (last?.interactionId) result.interactionId = last.interactionId;
  const usage = sumUsage(turns.map((t) => t.usage));
  if (usage) result.usage = usage;
  const cost = costSummary(turns);
  if (cost) result.cost = cost;
  if (turns.some((t) => t.usage || t.endedAt)) result.spent = threadSpent(turns, nowMs);
  if (last?.summary !== undefined) result.summary = last.summary;
  if (last?.report) result.report = last.report;
  if (last?.error) result.error = last.error;
  return result;
}
