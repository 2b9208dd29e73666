/** Job commands: start, status, watch, result, cancel, follow-up, approve-plan, list. */
import { readFile, writeFile } from 'node:fs/promises';
import type { JobOptions, JobRequest, JobState } from '../../contract';
import { JobQueryError, JobsClient } from '../../jobs/jobs-client';
import { turnStartPosition } from '../../jobs/watch';
import type { JobEvent, WatchOptions } from '../../jobs/watch';
import { parseDuration, parseInteger, requirePositionals, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, flag, info, printJson, println, readStdin } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError, exitCodeForStatus } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { formatDuration, phaseLabel } from '../../view/render';
import { noWorkerWarning, watchAndRender } from '../../view/watch-and-render';

/** Agent used by `start` when neither --agent, --model nor --request is given. */
export const DEFAULT_AGENT = 'deep-research-preview-04-2026';

const FOLLOW_FLAGS: OptionSpec = {
  wait: { type: 'boolean' },
  watch: { type: 'boolean' },
  timeout: { type: 'string' },
};

export const JOB_COMMAND_OPTIONS: Record<string, OptionSpec> = {
  start: {
    agent: { type: 'string' },
    model: { type: 'string' },
    request: { type: 'string' },
    system: { type: 'string' },
    'thinking-summaries': { type: 'string' },
    'collaborative-planning': { type: 'boolean' },
    'job-id': { type: 'string' },
    thread: { type: 'string' },
    mode: { type: 'string' },
    deadline: { type: 'string' },
    'follow-up-window': { type: 'string' },
    ...FOLLOW_FLAGS,
  },
  status: {},
  watch: {
    from: { type: 'string' },
    until: { type: 'string' },
    'poll-interval': { type: 'string' },
  },
  result: { out: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
  cancel: { reason: { type: 'string' } },
  'follow-up': { ...FOLLOW_FLAGS },
  'approve-plan': { edit: { type: 'string' }, ...FOLLOW_FLAGS },
  'refine-plan': { ...FOLLOW_FLAGS },
  list: {
    status: { type: 'string', multiple: true },
    agent: { type: 'string', multiple: true },
    thread: { type: 'string', multiple: true },
    limit: { type: 'string' },
    usage: { type: 'boolean' },
  },
};

/**
 * Values `GeminiJobStatus` takes (`JobStatus`, including statuses newer workflows add). A value
 * outside the list is a typo: refused instead of answering "No jobs.".
 */
export const KNOWN_LIST_STATUSES = [
  'pending',
  'queued',
  'running',
  'requires_action',
  'requires_continuation',
  'idle',
  'completed',
  'failed',
  'cancelled',
  'incomplete',
  'budget_exceeded',
  'timed_out',
  'unknown',
];

async function questionArg(ctx: CommandContext, parts: string[]): Promise<string | undefined> {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0] === '-') return (await readStdin(ctx)).trim();
  return parts.join(' ');
}

/** Builds the create request of `start` from its flags. */
export async function buildStartRequest(ctx: CommandContext, question: string | undefined): Promise<JobRequest> {
  const v = ctx.values;
  const agent = str(v, 'agent');
  const model = str(v, 'model');
  const summaries = str(v, 'thinking-summaries');
  const planning = flag(ctx, 'collaborative-planning');
  const system = str(v, 'system');
  if (agent && model) throw new UsageError('pass either --agent or --model, not both', 'start');
  if (summaries !== undefined && summaries !== 'auto' && summaries !== 'none') {
    throw new UsageError('--thinking-summaries must be auto or none', 'start');
  }
  let request: Record<string, unknown>;
  const requestFile = str(v, 'request');
  if (requestFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(requestFile, 'utf8'));
    } catch (err) {
      throw new UsageError(`--request ${requestFile}: ${(err as Error).message}`, 'start');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--request must hold a JSON object', 'start');
    request = parsed as Record<string, unknown>;
    if (agent) request.agent = agent;
    if (model) request.model = model;
  } else if (model) {
    if (planning) throw new UsageError('--collaborative-planning applies to Deep Research agents, not to --model', 'start');
    request = { model };
    if (summaries) request.generation_config = { thinking_summaries: summaries };
  } else {
    request = { agent: agent ?? DEFAULT_AGENT };
  }
  // Deep Research from the flags shows its thinking by default (the live view is nearly empty
  // without it); --thinking-summaries none opts out. A --request file is sent as written.
  const defaultSummaries = !requestFile && summaries === undefined && typeof request.agent === 'string' && request.agent.startsWith('deep-research');
  if (typeof request.agent === 'string' && (summaries || planning || defaultSummaries)) {
    const config = { ...((request.agent_config as Record<string, unknown> | undefined) ?? { type: 'deep-research' }) };
    if (summaries) config.thinking_summaries = summaries;
    else if (defaultSummaries) config.thinking_summaries = 'auto';
    if (planning) config.collaborative_planning = true;
    request.agent_config = config;
  }
  if (system) request.system_instruction = system;
  if (question !== undefined) request.input = question;
  if (request.input === undefined || request.input === '') {
    throw new UsageError('missing <question> (or an "input" in --request)', 'start');
  }
  return request as unknown as JobRequest;
}

function jobOptionsFromFlags(ctx: CommandContext): JobOptions {
  const v = ctx.values;
  const options: JobOptions = {};
  const mode = str(v, 'mode');
  if (mode !== undefined) {
    if (mode !== 'stream' && mode !== 'poll' && mode !== 'webhook') throw new UsageError('--mode must be stream, poll or webhook', 'start');
    options.mode = mode;
  }
  const deadline = str(v, 'deadline');
  if (deadline !== undefined) options.deadlineMs = parseDuration(deadline, '--deadline');
  const window = str(v, 'follow-up-window');
  if (window !== undefined) options.followUpWindowMs = /^0+(ms|s|m|h)?$/.test(window.trim()) ? 0 : parseDuration(window, '--follow-up-window');
  return options;
}

/** `--wait` / `--watch` after start, follow-up or approve-plan. */
async function followAfter(ctx: CommandContext, jobs: JobsClient, jobId: string, turn: number | undefined): Promise<ExitCode> {
  if (flag(ctx, 'watch')) {
    const { status } = await watchAndRender(ctx, jobs, jobId, turn !== undefined ? { from: turnStartPosition(turn) } : {});
    return status === 'unknown' ? EXIT.OK : exitCodeForStatus(status);
  }
  const timeout = str(ctx.values, 'timeout');
  const outcome = await jobs.result(jobId, { wait: true, ...(timeout ? { timeoutMs: parseDuration(timeout, '--timeout') } : {}) });
  if (ctx.json) {
    printJson(ctx, outcomeJson(outcome));
  } else {
    if (outcome.report !== undefined) writeReport(ctx, outcome.report);
    info(ctx, `Job ${jobId} turn ${outcome.turn?.turn ?? '?'}: ${outcome.status}${outcome.turn?.error ? ` (${outcome.turn.error.code}: ${outcome.turn.error.message})` : ''}`);
    if (outcome.state.plan && outcome.state.plan.turn === outcome.turn?.turn) for (const line of planHint(jobId)) info(ctx, line);
  }
  return exitCodeForStatus(outcome.status);
}

function writeReport(ctx: CommandContext, text: string): void {
  ctx.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

function outcomeJson(outcome: Awaited<ReturnType<JobsClient['result']>>): Record<string, unknown> {
  const { state, ...rest } = outcome;
  return { ...rest, phase: state.phase, turnNumber: state.turn };
}

export async function startCommand(ctx: CommandContext): Promise<ExitCode> {
  const question = await questionArg(ctx, ctx.positionals);
  const request = await buildStartRequest(ctx, question);
  const options = jobOptionsFromFlags(ctx);
  if (flag(ctx, 'wait') && flag(ctx, 'watch')) throw new UsageError('pass --wait or --watch, not both', 'start');
  const jobId = str(ctx.values, 'job-id');
  const thread = str(ctx.values, 'thread');
  const startOptions = {
    // An explicitly empty --job-id / --thread is passed on so validation refuses it by name.
    ...(jobId !== undefined ? { jobId } : {}),
    ...(thread !== undefined ? { thread } : {}),
    ...(Object.keys(options).length ? { options } : {}),
  };
  // Validation first: a refused job is a usage error (exit 2) even when Temporal is down.
  JobsClient.validateStart(request, startOptions);
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const started = await jobs.start(request, startOptions);
    if (ctx.json && !flag(ctx, 'wait') && !flag(ctx, 'watch')) {
      printJson(ctx, started);
      return EXIT.OK;
    }
    if (!ctx.json) {
      const line = started.existing
        ? `Job ${started.jobId} already exists (run ${started.runId}); nothing new was enqueued.`
        : `Started job ${started.jobId} (run ${started.runId}).`;
      if (flag(ctx, 'wait') || flag(ctx, 'watch')) info(ctx, line);
      else {
        println(ctx, line);
        println(ctx, `Follow it:  gemini-jobs watch ${started.jobId}`);
      }
    }
    if (!flag(ctx, 'wait') && !flag(ctx, 'watch')) return EXIT.OK;
    return await followAfter(ctx, jobs, started.jobId, undefined);
  } finally {
    await jobs.close();
  }
}

/** Human lines of `status`; `closed` tells an ended job from one open for follow-ups. */
export function describeState(state: JobState, closed?: boolean): string[] {
  const lines = [`Job ${state.jobId}`];
  const status = state.phase === 'done' ? state.status : phaseLabel(state.phase, state.status, state.admission);
  lines.push(`  status:       ${status}${state.upstreamStatus ? `  [upstream ${state.upstreamStatus}]` : ''}`);
  if (state.agent || state.model) lines.push(`  ${state.agent ? 'agent' : 'model'}:        ${state.agent ?? state.model}`);
  if (state.thread) lines.push(`  thread:       ${state.thread}`);
  if (state.usage)
    lines.push(`  usage:        ${state.usage.total_tokens ?? 0} tokens${state.cost ? `, est. $${state.cost.usd.toFixed(4)} (prices of ${state.cost.priceTable ?? '?'})` : ''}`);
  if (state.budget && state.spent) lines.push(`  budget:       ${JSON.stringify(state.budget)} spent ${JSON.stringify(state.spent)}`);
  const current = state.turns.find((t) => t.turn === state.turn);
  const turnTime = state.turnElapsedMs !== undefined ? `, ${current?.endedAt ? 'took' : 'running for'} ${formatDuration(state.turnElapsedMs)}` : '';
  const deadline = state.deadlineAt && !current?.endedAt ? `, deadline ${state.deadlineAt}` : '';
  lines.push(`  turn:         ${state.turn} of ${state.turns.length}${turnTime}${deadline}`);
  lines.push(`  job:          started ${state.startedAt}, ${closed ? 'ran for' : 'elapsed'} ${formatDuration(state.elapsedMs)}`);
  if (closed === true) lines.push('  open:         no (the job has ended; start a new job to ask more)');
  else if (state.followUpUntil) lines.push(`  open:         waiting for a follow-up until ${state.followUpUntil} (Temporal shows the execution as Running until then)`);
  if (state.interactionId) lines.push(`  interaction:  ${state.interactionId}`);
  if (state.attempt && state.attempt > 1) lines.push(`  attempt:      ${state.attempt}`);
  if (state.retrying) {
    const r = state.retrying;
    lines.push(`  retrying:     ${r.activity} attempt ${r.attempt}${r.nextAttemptAt ? `, next at ${r.nextAttemptAt}` : ''}`);
    lines.push(`  last failure: ${r.lastFailure}`);
  }
  if (state.progress) {
    const p = state.progress;
    lines.push(`  progress:     ${p.outputChars.toLocaleString('en-US')} chars, ${p.eventsApplied} events${p.lastEventAt ? `, last at ${p.lastEventAt}` : ''}`);
    if (p.latestThought) lines.push(`  thought:      ${p.latestThought.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (state.error) lines.push(`  error:        ${state.error.code}: ${state.error.message}`);
  if (state.cancelReason) lines.push(`  cancelled:    ${state.cancelReason}`);
  for (const t of state.turns) {
    const chars = t.outputChars !== undefined ? `, ${t.outputChars.toLocaleString('en-US')} chars` : '';
    lines.push(`  - turn ${t.turn}: ${t.status}${t.interactionId ? ` ${t.interactionId}` : ''}${chars}${t.error ? ` (${t.error.code})` : ''}`);
  }
  if (state.plan) {
    lines.push(`  plan (turn ${state.plan.turn}):`);
    for (const l of state.plan.text.split('\n')) lines.push(`    ${l}`);
    lines.push(...planHint(state.jobId));
  }
  return lines;
}

/** What to run after a collaborative-planning turn produced a plan. */
export function planHint(jobId: string): string[] {
  return [`Plan ready. Approve it:  gemini-jobs approve-plan ${jobId}`, `Or refine it:            gemini-jobs refine-plan ${jobId} "<what to change>"`];
}

export async function statusCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId] = requirePositionals('status', ctx.positionals, ['jobId']);
  const jobs = await connectJobs(ctx);
  try {
    let snap: Awaited<ReturnType<JobsClient['snapshot']>>;
    try {
      snap = await jobs.snapshot(jobId!);
    } catch (err) {
      // An open job whose state query got no answer: say plainly when nothing polls its queue.
      if (err instanceof JobQueryError) {
        const pollers = await jobs.pollers(err.taskQueue).catch(() => undefined);
        if (pollers && pollers.workflowPollers === 0 && pollers.activityPollers === 0) info(ctx, noWorkerWarning(err.taskQueue));
      }
      throw err;
    }
    const { state } = snap;
    let warning: string | undefined;
    if (!snap.closed) {
      const pollers = await jobs.pollers(snap.description.taskQueue).catch(() => undefined);
      if (pollers && pollers.workflowPollers === 0 && pollers.activityPollers === 0) warning = noWorkerWarning(snap.description.taskQueue);
    }
    if (ctx.json) printJson(ctx, { ...state, closed: snap.closed, ...(warning ? { warning } : {}) });
    else {
      for (const line of describeState(state, snap.closed)) println(ctx, line);
      if (warning) info(ctx, warning);
    }
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}

export async function watchCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId] = requirePositionals('watch', ctx.positionals, ['jobId']);
  const options: WatchOptions = {};
  const from = str(ctx.values, 'from');
  if (from !== undefined) options.from = parseInteger(from, '--from', 0);
  const until = str(ctx.values, 'until');
  if (until !== undefined) {
    if (until !== 'turn' && until !== 'close') throw new UsageError('--until must be turn or close', 'watch');
    options.until = until;
  }
  const poll = str(ctx.values, 'poll-interval');
  if (poll !== undefined) options.pollIntervalMs = parseDuration(poll, '--poll-interval');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const { status } = await watchAndRender(ctx, jobs, jobId!, options);
    return status === 'unknown' ? EXIT.OK : exitCodeForStatus(status);
  } finally {
    await jobs.close();
  }
}

export async function resultCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId] = requirePositionals('result', ctx.positionals, ['jobId']);
  const timeout = str(ctx.values, 'timeout');
  const out = str(ctx.values, 'out');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const outcome = await jobs.result(jobId!, {
      wait: flag(ctx, 'wait'),
      ...(timeout ? { timeoutMs: parseDuration(timeout, '--timeout') } : {}),
    });
    if (out && outcome.report !== undefined) await writeFile(out, outcome.report, 'utf8');
    if (outcome.reportProblem) {
      // A report exists but nothing here could read it: never an empty file or an empty stdout with exit 0.
      if (ctx.json) printJson(ctx, outcomeJson(outcome));
      else {
        info(ctx, `Job ${jobId}: ${outcome.status}, but ${outcome.reportProblem.message}. Looked in:`);
        for (const place of outcome.reportProblem.looked) info(ctx, `  - ${place}`);
        info(
          ctx,
          'Fix: run this where the report is readable: same GEMINI_JOBS_RESULTS_DIR (absolute) as the worker, or Gemini credentials (GEMINI_API_KEY / GEMINI_JOBS_BASE_URL) to read it from the API.',
        );
      }
      return EXIT.JOB_FAILED;
    }
    if (ctx.json) {
      printJson(ctx, { ...outcomeJson(outcome), ...(out && outcome.report !== undefined ? { out, report: undefined } : {}) });
    } else if (!outcome.settled) {
      info(ctx, `Job ${jobId} is still running (turn ${outcome.state.turn}, ${outcome.state.phase}); use --wait to wait for it.`);
    } else if (outcome.report !== undefined) {
      if (out) info(ctx, `Wrote ${outcome.report.length.toLocaleString('en-US')} characters to ${out} (turn ${outcome.turn?.turn}, ${outcome.status}).`);
      else writeReport(ctx, outcome.report);
      if (!out && outcome.status !== 'completed') {
        const error = outcome.turn?.error ?? outcome.state.error;
        info(ctx, `Job ${jobId} turn ${outcome.turn?.turn}: ${outcome.status}${error ? ` (${error.code}: ${error.message})` : ''}; the report above may be partial.`);
      }
    } else {
      const error = outcome.turn?.error ?? outcome.state.error;
      info(ctx, `Job ${jobId}: ${outcome.status}, no report${error ? ` (${error.code}: ${error.message})` : ''}.`);
    }
    if (!outcome.settled) return EXIT.JOB_FAILED;
    return exitCodeForStatus(outcome.status);
  } finally {
    await jobs.close();
  }
}

export async function cancelCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId] = requirePositionals('cancel', ctx.positionals, ['jobId']);
  const reason = str(ctx.values, 'reason');
  const jobs = await connectJobs(ctx);
  try {
    const delivered = await jobs.cancel(jobId!, reason);
    if (ctx.json) printJson(ctx, { jobId, cancelRequested: delivered, alreadyEnded: !delivered });
    else println(ctx, delivered ? `Cancel requested for job ${jobId}.` : `Job ${jobId} had already ended.`);
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}

export async function followUpCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId, ...rest] = requirePositionals('follow-up', ctx.positionals, ['jobId', 'question'], true);
  const question = await questionArg(ctx, rest);
  if (!question) throw new UsageError('missing <question>', 'follow-up');
  if (flag(ctx, 'wait') && flag(ctx, 'watch')) throw new UsageError('pass --wait or --watch, not both', 'follow-up');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const accepted = await jobs.followUp(jobId!, question);
    return await afterUpdate(ctx, jobs, jobId!, accepted, 'Follow-up');
  } finally {
    await jobs.close();
  }
}

/** `approve-plan <id>`: runs the waiting plan (a turn with collaborative_planning: false); `--edit` refines it instead. */
export async function approvePlanCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId] = requirePositionals('approve-plan', ctx.positionals, ['jobId']);
  if (flag(ctx, 'wait') && flag(ctx, 'watch')) throw new UsageError('pass --wait or --watch, not both', 'approve-plan');
  const edit = str(ctx.values, 'edit');
  if (edit !== undefined && edit.trim() === '') throw new UsageError('--edit needs the change to make as text', 'approve-plan');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const accepted = await jobs.approvePlan(jobId!, edit !== undefined ? { edit } : {});
    return await afterUpdate(ctx, jobs, jobId!, accepted, edit !== undefined ? 'Plan refinement' : 'Plan approval');
  } finally {
    await jobs.close();
  }
}

/** `refine-plan <id> <text>`: a chained turn with collaborative_planning still true; its output is the new plan. */
export async function refinePlanCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId, ...rest] = requirePositionals('refine-plan', ctx.positionals, ['jobId', 'instructions'], true);
  const instructions = await questionArg(ctx, rest);
  if (!instructions) throw new UsageError('missing <instructions>: say what to change in the plan', 'refine-plan');
  if (flag(ctx, 'wait') && flag(ctx, 'watch')) throw new UsageError('pass --wait or --watch, not both', 'refine-plan');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const accepted = await jobs.refinePlan(jobId!, instructions);
    return await afterUpdate(ctx, jobs, jobId!, accepted, 'Plan refinement');
  } finally {
    await jobs.close();
  }
}

async function afterUpdate(ctx: CommandContext, jobs: JobsClient, jobId: string, accepted: { turn: number; interactionId: string }, what: string): Promise<ExitCode> {
  const following = flag(ctx, 'wait') || flag(ctx, 'watch');
  if (ctx.json && !following) {
    printJson(ctx, { jobId, ...accepted });
    return EXIT.OK;
  }
  if (!ctx.json) {
    const line = `${what} accepted: job ${jobId} turn ${accepted.turn} (interaction ${accepted.interactionId}).`;
    if (following) info(ctx, line);
    else println(ctx, line);
  }
  if (!following) return EXIT.OK;
  return followAfter(ctx, jobs, jobId, accepted.turn);
}

export async function listCommand(ctx: CommandContext): Promise<ExitCode> {
  requirePositionals('list', ctx.positionals, []);
  const limit = str(ctx.values, 'limit');
  const values = (name: string) => {
    const v = ctx.values[name];
    return Array.isArray(v) && v.length > 0 ? (v as string[]) : undefined;
  };
  const status = values('status');
  for (const s of status ?? []) {
    if (!KNOWN_LIST_STATUSES.includes(s)) {
      throw new UsageError(`--status ${JSON.stringify(s)} is not a job status; use one of ${KNOWN_LIST_STATUSES.join(', ')}`, 'list');
    }
  }
  const pageSize = limit ? parseInteger(limit, '--limit', 1, 1000) : 50;
  const jobs = await connectJobs(ctx);
  try {
    const agent = values('agent');
    const thread = values('thread');
    const list = await jobs.list({
      ...(status ? { status } : {}),
      ...(agent ? { agent } : {}),
      ...(thread ? { thread } : {}),
      pageSize,
      // Usage and cost cost one state read per job (a few at a time): only with --usage.
      ...(ctx.values['usage'] === true ? { usage: true } : {}),
    });
    if (ctx.json) {
      printJson(ctx, list);
      return EXIT.OK;
    }
    if (list.length === 0) {
      println(ctx, 'No jobs.');
      return EXIT.OK;
    }
    const withUsage = ctx.values['usage'] === true;
    const rows = [
      ['JOB ID', 'STATUS', 'AGENT', 'THREAD', 'STARTED', ...(withUsage ? ['TOKENS', 'EST. USD'] : [])],
      ...list.map((j) => [
        j.jobId,
        j.status ?? j.executionStatus.toLowerCase(),
        j.agent ?? '',
        j.thread ?? '',
        j.startTime,
        ...(withUsage ? [String(j.usage?.total_tokens ?? ''), j.cost ? j.cost.usd.toFixed(4) : ''] : []),
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows)
      println(
        ctx,
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}

export type { JobEvent };
