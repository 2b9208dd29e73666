/**
 * `gemini-jobs schedule <create|list|describe|pause|resume|trigger|delete>`: recurring jobs on
 * Temporal Schedules (`JobsClient.schedules`, docs/schedules.md). `create` takes the same request
 * and job flags as `start`, plus the timing (`--cron` or `--every`) and `--chain`.
 */
import { parseDuration, requirePositionals, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, flag, printJson, println } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import type { JobScheduleSummary, ScheduleOverlap } from '../../jobs/schedules';
import { JobsClient } from '../../jobs/jobs-client';
import { JOB_COMMAND_OPTIONS, buildStartRequest, jobOptionsFromFlags } from './jobs';
import { didYouMean } from '../suggest';

const { wait: _wait, watch: _watch, timeout: _timeout, 'job-id': _jobId, ...START_FLAGS } = JOB_COMMAND_OPTIONS.start!;

export const SCHEDULE_COMMAND_OPTIONS: OptionSpec = {
  ...START_FLAGS,
  cron: { type: 'string' },
  every: { type: 'string' },
  chain: { type: 'boolean' },
  id: { type: 'string' },
  paused: { type: 'boolean' },
  note: { type: 'string' },
  overlap: { type: 'string' },
};

export const SCHEDULE_SUBCOMMANDS = ['create', 'list', 'describe', 'pause', 'resume', 'trigger', 'delete'] as const;

function when(s: JobScheduleSummary): string {
  if (s.cron) return `cron "${s.cron}" (UTC)`;
  if (s.everyMs !== undefined) return `every ${s.everyMs % 60_000 === 0 ? `${s.everyMs / 60_000}m` : `${s.everyMs / 1000}s`}`;
  return 'custom spec';
}

export async function scheduleCommand(ctx: CommandContext): Promise<ExitCode> {
  const [sub, ...rest] = ctx.positionals;
  if (!sub) throw new UsageError(`missing subcommand: ${SCHEDULE_SUBCOMMANDS.join(', ')}`, 'schedule');
  if (!(SCHEDULE_SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}.${didYouMean(sub, SCHEDULE_SUBCOMMANDS)} Use ${SCHEDULE_SUBCOMMANDS.join(', ')}.`, 'schedule');
  }
  if (sub === 'create') return createSchedule(ctx, rest);
  const jobs = await connectJobs(ctx);
  try {
    if (sub === 'list') {
      const all = await jobs.schedules.list();
      if (ctx.json) printJson(ctx, all);
      else if (all.length === 0) println(ctx, 'No schedules.');
      else
        for (const s of all) {
          println(ctx, `${s.scheduleId}  ${s.paused ? 'paused' : 'active'}  ${when(s)}${s.chain ? '  chained' : ''}  next: ${s.nextRuns[0] ?? '-'}  ${s.question ?? ''}`);
        }
      return EXIT.OK;
    }
    const [id] = requirePositionals(`schedule ${sub}`, rest, ['scheduleId']);
    const note = str(ctx.values, 'note');
    if (sub === 'describe') {
      const d = await jobs.schedules.describe(id!);
      if (ctx.json) printJson(ctx, d);
      else {
        println(ctx, `Schedule ${d.scheduleId}`);
        println(ctx, `  state:     ${d.paused ? 'paused' : 'active'}${d.note ? ` (${d.note})` : ''}`);
        println(ctx, `  when:      ${when(d)}, overlap ${d.overlap}${d.chain ? ', each run chained to the previous one' : ''}`);
        if (d.question) println(ctx, `  question:  ${d.question}`);
        println(ctx, `  runs:      ${d.runsTaken} taken, ${d.runsSkipped} skipped (overlap)${d.runningJobs.length ? `, running: ${d.runningJobs.join(', ')}` : ''}`);
        println(ctx, `  next runs: ${d.nextRuns.slice(0, 5).join(', ') || '-'}`);
        for (const r of d.recentRuns) println(ctx, `  - ${r.startedAt}  job ${r.jobId}`);
      }
      return EXIT.OK;
    }
    if (sub === 'pause') await jobs.schedules.pause(id!, note);
    else if (sub === 'resume') await jobs.schedules.resume(id!, note);
    else if (sub === 'trigger') await jobs.schedules.trigger(id!);
    else await jobs.schedules.delete(id!);
    const done = { pause: 'paused', resume: 'resumed', trigger: 'triggered (a run starts now)', delete: 'deleted (its jobs stay)' }[
      sub as 'pause' | 'resume' | 'trigger' | 'delete'
    ];
    if (ctx.json) printJson(ctx, { scheduleId: id, [sub]: true });
    else println(ctx, `Schedule ${id} ${done}.`);
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}

async function createSchedule(ctx: CommandContext, rest: string[]): Promise<ExitCode> {
  const v = ctx.values;
  const question = rest.length > 0 ? rest.join(' ') : undefined;
  const request = await buildStartRequest(ctx, question);
  const options = jobOptionsFromFlags(ctx);
  const thread = str(v, 'thread');
  if (thread !== undefined) options.thread = thread;
  const cron = str(v, 'cron');
  const every = str(v, 'every');
  if (cron !== undefined && every !== undefined) throw new UsageError('pass either --cron or --every, not both', 'schedule');
  if (cron === undefined && every === undefined) throw new UsageError('pass --cron "<min hour dom month dow>" (e.g. "0 8 * * MON") or --every <duration> (e.g. 1h)', 'schedule');
  const overlap = str(v, 'overlap');
  const opts = {
    request,
    options,
    ...(cron !== undefined ? { cron } : {}),
    ...(every !== undefined ? { everyMs: parseDuration(every, '--every') } : {}),
    ...(flag(ctx, 'chain') ? { chain: true } : {}),
    ...(flag(ctx, 'paused') ? { paused: true } : {}),
    ...(str(v, 'id') !== undefined ? { scheduleId: str(v, 'id')! } : {}),
    ...(str(v, 'note') !== undefined ? { note: str(v, 'note')! } : {}),
    ...(overlap !== undefined ? { overlap: overlap.replace(/-/g, '_') as ScheduleOverlap } : {}),
  };
  // Refused before connecting: the field and the fix.
  JobsClient.validateSchedule(opts);
  const jobs = await connectJobs(ctx);
  try {
    const { scheduleId } = await jobs.schedules.create(opts);
    const d = await jobs.schedules.describe(scheduleId);
    if (ctx.json) printJson(ctx, d);
    else {
      println(ctx, `Created schedule ${scheduleId}: ${when(d)}${d.chain ? ', chained' : ''}${d.paused ? ', paused' : ''}.`);
      println(ctx, `Next runs: ${d.nextRuns.slice(0, 3).join(', ') || '-'}`);
      println(ctx, `See it:    gemini-jobs schedule describe ${scheduleId}`);
    }
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}
