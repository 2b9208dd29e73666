/**
 * Recurring research on Temporal Schedules (`jobs.schedules`): each run of a schedule is a job (the
 * schedule's action starts the job workflow; Temporal appends the run's time to the workflow id,
 * so every run has its own job id `<scheduleId>-<ISO time>`). With `chain`, each run continues the
 * thread of the schedule's latest earlier run (`previous_interaction_id`): the action's input is
 * fixed, so the job workflow looks its predecessor up itself (`options.chainSchedule`).
 *
 * Timing is validated before anything is created (./schedule-spec.ts). Overlap policy SKIP by
 * default: a run still going when the next is due makes that one skip. Scheduled jobs close at the
 * end of their turn (follow-up window 0) unless told otherwise, so the next run is not skipped.
 */
import { randomUUID } from 'node:crypto';
import { ScheduleNotFoundError as TemporalScheduleNotFound, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import { JOB_WORKFLOW_TYPE, questionOf, type JobInput, type JobOptions, type JobRequest } from '../contract';
import type { JobsContext } from './context';
import { ScheduleExistsError, ScheduleNotFoundError } from './errors';
import { assertJobId } from './job-id';
import { assertCron, assertInterval } from './schedule-spec';
import { startAttributes, validateStart } from './start-job';
import { JobValidationError } from './validate-job';

/** Memo key of a schedule: the spec as given (the server keeps a cron only as calendars) and the question. */
export const SCHEDULE_MEMO = 'geminiJobSchedule';
/** Longest schedule id: its runs' job ids add a 21-character time. */
export const MAX_SCHEDULE_ID_LENGTH = 150;

export type ScheduleOverlap = 'skip' | 'buffer_one' | 'buffer_all' | 'cancel_other' | 'allow_all';

/** `jobs.schedules.create`: when to run, and the job each run starts. Exactly one of `cron` or `everyMs`. */
export interface CreateScheduleOptions {
  /** Default `sched_<uuid>`. No whitespace; at most 150 characters. */
  scheduleId?: string;
  /** Five-field cron (UTC), e.g. `0 8 * * MON`, or `@daily`/`@hourly`/`@weekly`… */
  cron?: string;
  /** Time between runs in milliseconds (at least 1,000). */
  everyMs?: number;
  /** The create request every run sends. */
  request: JobRequest;
  /** Each run's job options (default `followUpWindowMs: 0`: a run closes when its turn ends). */
  options?: JobOptions;
  /** Each run continues the thread of the schedule's latest earlier run that has an interaction. */
  chain?: boolean;
  /** What happens when a run is due while the previous one still runs. Default `skip`. */
  overlap?: ScheduleOverlap;
  /** Create it paused. */
  paused?: boolean;
  /** A note shown by describe (e.g. why it exists). */
  note?: string;
}

/** A schedule as `list` and `describe` show it. Times are ISO strings. */
export interface JobScheduleSummary {
  scheduleId: string;
  paused: boolean;
  note?: string;
  cron?: string;
  everyMs?: number;
  question?: string;
  chain: boolean;
  /** The next few run times (none while paused). */
  nextRuns: string[];
  /** The most recent runs, oldest first: each a job. */
  recentRuns: Array<{ jobId: string; scheduledAt: string; startedAt: string }>;
}

export interface JobScheduleDescription extends JobScheduleSummary {
  overlap: string;
  runsTaken: number;
  runsSkipped: number;
  /** Jobs of this schedule still running. */
  runningJobs: string[];
  createdAt: string;
  /** The job every run starts. */
  input?: JobInput;
}

interface ScheduleMemo {
  cron?: string;
  everyMs?: number;
  question?: string;
  chain?: boolean;
}

const OVERLAP: Record<ScheduleOverlap, ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  buffer_all: ScheduleOverlapPolicy.BUFFER_ALL,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
};

function assertScheduleId(id: unknown, field = 'scheduleId'): asserts id is string {
  assertJobId(id, field);
  if (id.length > MAX_SCHEDULE_ID_LENGTH) {
    throw new JobValidationError(field, `must be at most ${MAX_SCHEDULE_ID_LENGTH} characters`, 'Each run appends its time to the id to make its job id; pick a shorter one.');
  }
}

/**
 * Checks a schedule exactly as `create` does, without connecting: throws `JobValidationError`
 * (field, problem, fix). Returns the job input every run starts with.
 */
export function validateSchedule(opts: CreateScheduleOptions): { scheduleId: string; input: JobInput } {
  if (!opts || typeof opts !== 'object') throw new JobValidationError('schedule', 'must be an object', 'Pass { cron | everyMs, request, options? }.');
  const scheduleId = opts.scheduleId ?? `sched_${randomUUID()}`;
  assertScheduleId(scheduleId);
  if ((opts.cron === undefined) === (opts.everyMs === undefined)) {
    throw new JobValidationError(
      opts.cron === undefined ? 'cron' : 'everyMs',
      'exactly one of cron or everyMs is required',
      'Pass a cron expression such as "0 8 * * MON" (CLI --cron) or an interval such as 3600000 ms (CLI --every 1h).',
    );
  }
  if (opts.cron !== undefined) assertCron(opts.cron);
  if (opts.everyMs !== undefined) assertInterval(opts.everyMs);
  if (opts.overlap !== undefined && !(opts.overlap in OVERLAP)) {
    throw new JobValidationError('overlap', `must be one of ${Object.keys(OVERLAP).join(', ')}, got ${JSON.stringify(opts.overlap)}`, 'Leave it out for skip.');
  }
  if (opts.chain !== undefined && typeof opts.chain !== 'boolean') throw new JobValidationError('chain', 'must be a boolean', 'Pass true to chain each run to the previous one.');
  if (opts.note !== undefined && (typeof opts.note !== 'string' || opts.note.length > 1000))
    throw new JobValidationError('note', 'must be a string of at most 1000 characters', 'Shorten it.');
  const options: JobOptions = { followUpWindowMs: 0, ...opts.options };
  if (opts.chain) options.chainSchedule = scheduleId;
  else if (options.chainSchedule !== undefined) {
    throw new JobValidationError('options.chainSchedule', 'is set by the schedule', 'Remove it and pass chain: true (CLI --chain).');
  }
  const input = validateStart(opts.request, { options });
  return { scheduleId, input };
}

function iso(d: Date | undefined): string {
  return d ? d.toISOString() : '';
}

function summaryOf(
  scheduleId: string,
  memo: Record<string, unknown> | undefined,
  state: { paused: boolean; note?: string },
  info: Pick<ScheduleDescription['info'], 'nextActionTimes' | 'recentActions'>,
): JobScheduleSummary {
  const m = (memo?.[SCHEDULE_MEMO] ?? {}) as ScheduleMemo;
  return {
    scheduleId,
    paused: state.paused,
    ...(state.note ? { note: state.note } : {}),
    ...(m.cron !== undefined ? { cron: m.cron } : {}),
    ...(m.everyMs !== undefined ? { everyMs: m.everyMs } : {}),
    ...(m.question !== undefined ? { question: m.question } : {}),
    chain: m.chain === true,
    // The server keeps computing times while paused; none of them will run.
    nextRuns: state.paused ? [] : info.nextActionTimes.map((t) => iso(t)),
    recentRuns: info.recentActions.map((a) => ({ jobId: a.action.workflow.workflowId, scheduledAt: iso(a.scheduledAt), startedAt: iso(a.takenAt) })),
  };
}

/** `jobs.schedules`: create, list, describe, pause, resume, trigger, delete. */
export class JobSchedules {
  constructor(private readonly ctx: () => JobsContext) {}

  /** Validates, then creates the schedule; returns its id. Throws `ScheduleExistsError` for a taken id. */
  async create(opts: CreateScheduleOptions): Promise<{ scheduleId: string }> {
    const { scheduleId, input } = validateSchedule(opts);
    const ctx = this.ctx();
    const memo: ScheduleMemo = {
      ...(opts.cron !== undefined ? { cron: opts.cron.trim() } : {}),
      ...(opts.everyMs !== undefined ? { everyMs: opts.everyMs } : {}),
      ...(questionOf(input.request) !== undefined ? { question: questionOf(input.request) } : {}),
      chain: opts.chain === true,
    };
    try {
      await ctx.client.schedule.create({
        scheduleId,
        spec: opts.cron !== undefined ? { cronExpressions: [opts.cron.trim()] } : { intervals: [{ every: opts.everyMs! }] },
        action: {
          type: 'startWorkflow',
          workflowType: JOB_WORKFLOW_TYPE,
          // Temporal appends the run's time: each run is a job of its own.
          workflowId: scheduleId,
          taskQueue: ctx.taskQueue,
          args: [input],
          typedSearchAttributes: startAttributes(input.request, input.options ?? {}, []),
        },
        policies: { overlap: OVERLAP[opts.overlap ?? 'skip'] },
        state: { paused: opts.paused === true, ...(opts.note ? { note: opts.note } : {}) },
        memo: { [SCHEDULE_MEMO]: memo },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new ScheduleExistsError(scheduleId, { cause: err });
      throw err;
    }
    return { scheduleId };
  }

  /** Every job schedule of the namespace (schedules of other workflow types are left out), with next runs. */
  async list(): Promise<JobScheduleSummary[]> {
    const out: JobScheduleSummary[] = [];
    for await (const s of this.ctx().client.schedule.list()) {
      if (s.action?.workflowType !== JOB_WORKFLOW_TYPE) continue;
      out.push(summaryOf(s.scheduleId, s.memo, s.state, s.info));
    }
    return out.sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  }

  /** One schedule: its timing, next and recent runs, counts, and the job every run starts. */
  async describe(scheduleId: string): Promise<JobScheduleDescription> {
    const d = await this.call(scheduleId, (h) => h.describe());
    const action = d.action as { type: string; args?: unknown[] };
    return {
      ...summaryOf(scheduleId, d.memo, d.state, d.info),
      overlap: String(d.policies.overlap).toLowerCase(),
      runsTaken: d.info.numActionsTaken,
      runsSkipped: d.info.numActionsSkippedOverlap,
      runningJobs: d.info.runningActions.map((a) => a.workflow.workflowId),
      createdAt: iso(d.info.createdAt),
      ...(action.type === 'startWorkflow' && action.args?.[0] ? { input: action.args[0] as JobInput } : {}),
    };
  }

  /** Stops further runs (a run going on is not touched). */
  pause(scheduleId: string, note?: string): Promise<void> {
    return this.call(scheduleId, (h) => h.pause(note));
  }

  resume(scheduleId: string, note?: string): Promise<void> {
    return this.call(scheduleId, (h) => h.unpause(note));
  }

  /** Starts a run now (also while paused), under the schedule's overlap policy. */
  trigger(scheduleId: string): Promise<void> {
    return this.call(scheduleId, (h) => h.trigger());
  }

  /** Deletes the schedule; its jobs (running or not) stay. */
  delete(scheduleId: string): Promise<void> {
    return this.call(scheduleId, (h) => h.delete());
  }

  private async call<T>(scheduleId: string, op: (h: ReturnType<JobsContext['client']['schedule']['getHandle']>) => Promise<T>): Promise<T> {
    assertScheduleId(scheduleId);
    try {
      return await op(this.ctx().client.schedule.getHandle(scheduleId));
    } catch (err) {
      if (err instanceof TemporalScheduleNotFound) throw new ScheduleNotFoundError(scheduleId, { cause: err });
      throw err;
    }
  }
}
