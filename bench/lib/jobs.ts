/**
 * What the load bench, the chaos run and the proof tests share: the job request they run, starting
 * many jobs, waiting for them, and checking every job against the emulator (report byte-identical
 * to `canonicalReport`, events applied exactly once, exactly one interaction per job).
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Emulator } from '../../src/emulator';
import type { JobsClient } from '../../src/jobs/jobs-client';
import type { ResultStore } from '../../src/results/result-store';
import type { JobOptions, JobRequest, JobResult } from '../../workflows/definitions';
import { mapLimit, sleep } from './stats';

export const DR_AGENT = 'deep-research-preview-04-2026';

export interface JobSpec {
  jobId: string;
  /** Unique input text: it is how the emulator's interactions are matched to jobs. */
  input: string;
}

const TOPICS = ['grid-scale batteries', 'coral reef recovery', 'urban heat islands', 'soil carbon', 'tidal power', 'mRNA vaccines', 'desalination', 'wildfire smoke'];

/** `n` jobs with unique ids and unique input texts under `tag`. */
export function jobSpecs(tag: string, n: number): JobSpec[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => ({
    jobId: `${tag}-${run}-${i}`,
    input: `[${tag} ${run} #${i}] Research the state of ${TOPICS[i % TOPICS.length]} in 2026.`,
  }));
}

/** A Deep Research job request with thinking summaries (the heaviest stream shape). */
export function researchRequest(input: string, labels?: Record<string, string>): JobRequest {
  return {
    agent: DR_AGENT,
    input,
    agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    ...(labels ? { labels } : {}),
  } as JobRequest;
}

/**
 * Starts every job (all at once unless `concurrency`), retrying a start that fails for a transient
 * reason (e.g. the server restarting) with the same job id: `start` is idempotent by id.
 */
export async function startJobs(
  jobs: JobsClient,
  specs: readonly JobSpec[],
  options: JobOptions,
  opts: { concurrency?: number; retryForMs?: number; request?: (spec: JobSpec) => JobRequest } = {},
): Promise<void> {
  const build = opts.request ?? ((s: JobSpec) => researchRequest(s.input));
  await mapLimit(specs, opts.concurrency ?? specs.length, async (spec) => startOne(jobs, spec, build(spec), options, opts.retryForMs ?? 60_000));
}

export async function startOne(jobs: JobsClient, spec: JobSpec, request: JobRequest, options: JobOptions, retryForMs = 60_000): Promise<void> {
  const deadline = Date.now() + retryForMs;
  for (;;) {
    try {
      await jobs.start(request, { jobId: spec.jobId, options });
      return;
    } catch (err) {
      if ((err as { code?: string }).code === 'invalid_job' || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

/** Running executions on `taskQueue` (visibility: eventually consistent, fine for waiting). */
export async function countRunning(client: Client, taskQueue: string): Promise<number> {
  // Jobs only: watch leases (and admission limiters) on the same queue are not part of a phase.
  const { count } = await client.workflow.count(`TaskQueue = "${taskQueue}" AND WorkflowType = "interactionJob" AND ExecutionStatus = "Running"`);
  return count;
}

/**
 * Waits until no execution on `taskQueue` is running (checked twice in a row, since visibility
 * lags), or `timeoutMs` passes. Calls `onTick(running)` on every check. Returns when it ended (ms).
 */
export async function waitAllClosed(
  client: Client,
  taskQueue: string,
  timeoutMs: number,
  onTick?: (running: number) => void,
  intervalMs = 1_000,
): Promise<{ endedAt: number; timedOut: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let zeroSince: number | undefined;
  for (;;) {
    let running: number | undefined;
    try {
      running = await countRunning(client, taskQueue);
    } catch {
      running = undefined; // server restarting: try again
    }
    if (running !== undefined) onTick?.(running);
    if (running === 0) {
      if (zeroSince !== undefined) return { endedAt: zeroSince, timedOut: false };
      zeroSince = Date.now();
    } else if (running !== undefined) {
      zeroSince = undefined;
    }
    if (Date.now() > deadline) return { endedAt: Date.now(), timedOut: true };
    await sleep(intervalMs);
  }
}

/** Interactions the emulator created, grouped by input text. */
export function interactionsByInput(emulator: Emulator): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const info of emulator.interactions()) {
    const input = typeof info.request['input'] === 'string' ? (info.request['input'] as string) : JSON.stringify(info.request['input']);
    const ids = out.get(input) ?? [];
    ids.push(info.id);
    out.set(input, ids);
  }
  return out;
}

export interface JobCheck {
  jobId: string;
  /** Temporal execution status, or `MISSING`. */
  execution: string;
  status?: string;
  interactionIds: string[];
  reportMatches: boolean;
  eventsApplied?: number;
  eventsEmitted?: number;
  streamVerified?: boolean;
  problems: string[];
}

export interface Verification {
  total: number;
  completed: number;
  /** Final job status → count (plus `not-finished` and `missing`). */
  byStatus: Record<string, number>;
  /** Jobs that did not end `completed` (not finished, missing, or another status). */
  lost: number;
  /** Completed jobs whose stored report differs from the emulator's canonical report. */
  reportMismatch: number;
  /** Jobs whose eventsApplied exceeds the events the emulator emitted (something applied twice). */
  eventsDuplicated: number;
  /** Jobs whose eventsApplied is below the events emitted (a gap, or a fallback to polling). */
  eventsMissing: number;
  /** Jobs whose every event was applied exactly once. */
  eventsExact: number;
  streamVerified: number;
  /** Extra interactions: creates beyond the first per job. */
  duplicateInteractions: number;
  /** Jobs with no interaction at all. */
  missingInteractions: number;
  /** Interactions whose input matches no job. */
  orphanInteractions: number;
  problems: string[];
  checks: JobCheck[];
}

/** Checks every job; never throws for a bad job (it is counted instead). */
export async function verifyJobs(ctx: {
  client: Client;
  store: ResultStore;
  emulator: Emulator;
  specs: readonly JobSpec[];
  /** Expected final job status (default `completed`). */
  expectStatus?: (spec: JobSpec) => string;
  /** False for poll-mode jobs: they apply no stream events, so that check is skipped. Default true. */
  streamed?: boolean;
  concurrency?: number;
}): Promise<Verification> {
  const byInput = interactionsByInput(ctx.emulator);
  const emitted = new Map(ctx.emulator.interactions().map((i) => [i.id, i.events]));
  const known = new Set(ctx.specs.map((s) => s.input));
  const v: Verification = {
    total: ctx.specs.length,
    completed: 0,
    byStatus: {},
    lost: 0,
    reportMismatch: 0,
    eventsDuplicated: 0,
    eventsMissing: 0,
    eventsExact: 0,
    streamVerified: 0,
    duplicateInteractions: 0,
    missingInteractions: 0,
    orphanInteractions: [...byInput.keys()].filter((input) => !known.has(input)).reduce((n, input) => n + byInput.get(input)!.length, 0),
    problems: [],
    checks: [],
  };
  const count = (key: string) => (v.byStatus[key] = (v.byStatus[key] ?? 0) + 1);

  v.checks = await mapLimit(ctx.specs, ctx.concurrency ?? 16, async (spec) => {
    const check: JobCheck = { jobId: spec.jobId, execution: 'MISSING', interactionIds: byInput.get(spec.input) ?? [], reportMatches: false, problems: [] };
    const expected = ctx.expectStatus?.(spec) ?? 'completed';
    if (check.interactionIds.length === 0) {
      v.missingInteractions++;
      check.problems.push('no interaction was created');
    } else if (check.interactionIds.length > 1) {
      v.duplicateInteractions += check.interactionIds.length - 1;
      check.problems.push(`${check.interactionIds.length} interactions were created (${check.interactionIds.join(', ')})`);
    }
    const handle = ctx.client.workflow.getHandle(spec.jobId);
    try {
      check.execution = (await handle.describe()).status.name;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    if (check.execution !== 'COMPLETED') {
      count(check.execution === 'RUNNING' ? 'not-finished' : check.execution === 'MISSING' ? 'missing' : `workflow-${check.execution.toLowerCase()}`);
      v.lost++;
      check.problems.push(`workflow execution ${check.execution}`);
      return check;
    }
    const result = (await handle.result()) as JobResult;
    check.status = result.status;
    count(result.status);
    if (result.status === 'completed') v.completed++;
    if (result.status !== expected) {
      v.lost++;
      check.problems.push(`status ${result.status}${result.error ? ` (${result.error.code}: ${result.error.message})` : ''}, expected ${expected}`);
    }
    const turn = result.turns[result.turns.length - 1];
    const interactionId = turn?.interactionId;
    if (interactionId && !check.interactionIds.includes(interactionId)) check.problems.push(`result names interaction ${interactionId}, not one made for this job`);
    if (result.status === 'completed' && turn?.report && interactionId) {
      const body = await ctx.store.get(turn.report);
      check.reportMatches = body !== undefined && body.toString('utf8') === ctx.emulator.canonicalReport(interactionId);
      if (!check.reportMatches) {
        v.reportMismatch++;
        check.problems.push(body === undefined ? 'report missing from the result store' : 'report differs from the canonical report');
      }
    } else if (result.status === 'completed') {
      v.reportMismatch++;
      check.problems.push('completed without a report or interaction id');
    }
    if (ctx.streamed !== false && turn && interactionId && turn.eventsApplied !== undefined) {
      check.eventsApplied = turn.eventsApplied;
      check.eventsEmitted = emitted.get(interactionId) ?? 0;
      check.streamVerified = turn.streamVerified ?? false;
      if (check.streamVerified) v.streamVerified++;
      if (check.eventsApplied > check.eventsEmitted) {
        v.eventsDuplicated++;
        check.problems.push(`eventsApplied ${check.eventsApplied} > ${check.eventsEmitted} emitted`);
      } else if (check.eventsApplied < check.eventsEmitted) {
        v.eventsMissing++;
        check.problems.push(`eventsApplied ${check.eventsApplied} < ${check.eventsEmitted} emitted${check.streamVerified ? '' : ' (not stream-verified: polled part of the run)'}`);
      } else {
        v.eventsExact++;
      }
    }
    return check;
  });
  for (const c of v.checks) for (const p of c.problems) v.problems.push(`${c.jobId}: ${p}`);
  if (v.orphanInteractions > 0) v.problems.push(`${v.orphanInteractions} interactions match no job`);
  return v;
}

export interface HistoryFacts {
  events: number;
  /** When the (last) followInteraction activity completed, ms since epoch. */
  followCompletedAt?: number;
  /** When the first followInteraction was scheduled (its start follows within the worker's pick-up time), ms since epoch. */
  followScheduledAt?: number;
  /** Attempts of each activity type that ran (the attempt of its last start; 1 = never retried). */
  attempts?: Record<string, number>;
  /**
   * Billable Temporal actions visible in history (workflow start, activities scheduled, timers,
   * search-attribute upserts, signals, accepted updates). Heartbeats are not in history: the
   * bench reads them from the server's `action` metric.
   */
  historyActions: number;
}

/** History event kinds Temporal bills as actions (heartbeats are counted from the server's metric). */
export const BILLABLE_EVENT_FIELDS = [
  'workflowExecutionStartedEventAttributes',
  'activityTaskScheduledEventAttributes',
  'timerStartedEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowExecutionSignaledEventAttributes',
  'workflowExecutionUpdateAcceptedEventAttributes',
] as const;

/** Length of a job's history and when its follow activity completed. */
export async function historyFacts(client: Client, jobId: string): Promise<HistoryFacts> {
  const history = await client.workflow.getHandle(jobId).fetchHistory();
  const events = history.events ?? [];
  const follows = new Set<string>();
  const typeOfScheduled = new Map<string, string>();
  const attempts: Record<string, number> = {};
  let followCompletedAt: number | undefined;
  let followScheduledAt: number | undefined;
  let historyActions = 0;
  for (const ev of events) {
    for (const field of BILLABLE_EVENT_FIELDS) if ((ev as Record<string, unknown>)[field]) historyActions++;
    const scheduled = ev.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'followInteraction') {
      follows.add(String(ev.eventId));
      followScheduledAt ??= tsToMs(ev.eventTime);
    }
    if (scheduled?.activityType?.name) typeOfScheduled.set(String(ev.eventId), scheduled.activityType.name);
    const started = ev.activityTaskStartedEventAttributes;
    const type = started ? typeOfScheduled.get(String(started.scheduledEventId)) : undefined;
    if (started && type) attempts[type] = Math.max(attempts[type] ?? 0, started.attempt ?? 1);
    const completed = ev.activityTaskCompletedEventAttributes;
    if (completed && follows.has(String(completed.scheduledEventId))) followCompletedAt = tsToMs(ev.eventTime);
  }
  return {
    events: events.length,
    historyActions,
    ...(followCompletedAt !== undefined ? { followCompletedAt } : {}),
    ...(followScheduledAt !== undefined ? { followScheduledAt } : {}),
    attempts,
  };
}
