/** Job commands: start, status, watch, result, cancel, follow-up, approve-plan, list. */
import { readFile, writeFile } from 'node:fs/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { AGENT_TURN_DEADLINE_MS, SEARCH_ATTRIBUTE_NAMES } from '../../contract';
import type { CallbackEvent, JobCallback, JobOptions, JobRequest, JobState } from '../../contract';
import { callbackProblem } from '../../contract';
import { JobNotFoundError, JobsClient, JobUpdateRejectedError } from '../../jobs/jobs-client';
import type { JobSummary } from '../../jobs/jobs-client';
import { turnStartPosition } from '../../jobs/watch';
import type { JobEvent, WatchOptions } from '../../jobs/watch';
import { parseDuration, parseInteger, requirePositionals, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, flag, info, printJson, println, readStdin } from '../context';
import type { CommandContext } from '../context';
import { didYouMean } from '../suggest';
import { EXIT, UsageError, exitCodeForStatus } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { fitWords, formatDuration, phaseLabel } from '../../view/render';
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
    'callback-url': { type: 'string' },
    'callback-events': { type: 'string', multiple: true },
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

export function jobOptionsFromFlags(ctx: CommandContext): JobOptions {
  const v = ctx.values;
  const options: JobOptions = {};
  const mode = str(v, 'mode');
  if (mode !== undefined) {
    if (mode !== 'stream' && mode !== 'poll' && mode !== 'webhook') throw new UsageError('--mode must be stream, poll or webhook', 'start');
    options.mode = mode;
  }
  const deadline = str(v, 'deadline');
  if (deadline !== undefined) options.deadlineMs = parseDeadline(deadline);
  const window = str(v, 'follow-up-window');
  if (window !== undefined) options.followUpWindowMs = parseDuration(window, '--follow-up-window', { allowZero: true });
  const callback = callbackFromFlags(ctx, 'start');
  if (callback) options.callback = callback;
  return options;
}

/** `--callback-url URL [--callback-events settled,failed …]` (events repeatable or comma-separated). */
export function callbackFromFlags(ctx: CommandContext, command: string): JobCallback | undefined {
  const url = str(ctx.values, 'callback-url');
  const raw = ctx.values['callback-events'];
  const events = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((e) => String(e).split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  if (url === undefined) {
    if (events.length > 0) throw new UsageError('--callback-events needs --callback-url <url>', command);
    return undefined;
  }
  const callback: JobCallback = { url, ...(events.length > 0 ? { events: events as CallbackEvent[] } : {}) };
  const problem = callbackProblem(callback);
  if (problem) {
    const flagName = problem.field.endsWith('events') ? '--callback-events' : '--callback-url';
    throw new UsageError(`${flagName}: ${problem.problem}. ${problem.fix}`, command);
  }
  return callback;
}

/** Minutes the default agent deadline leaves past the API's own run limit (Google's queue, the create). */
const DEADLINE_MARGIN_MS = 10 * 60_000;

/**
 * `--deadline`: a positive duration no longer than the API's run limit plus the margin. The API
 * ends a run at its limit whatever the job's deadline says, so a longer one could never fire and
 * would only hide a run stuck past the limit.
 */
export function parseDeadline(text: string): number {
  const ms = parseDuration(text, '--deadline');
  if (ms > AGENT_TURN_DEADLINE_MS) {
    const limit = Math.round((AGENT_TURN_DEADLINE_MS - DEADLINE_MARGIN_MS) / 60_000);
    throw new UsageError(
      `--deadline ${text} is past the API's ${limit}-minute run limit plus a ${DEADLINE_MARGIN_MS / 60_000}-minute margin: the API ends a run after ${limit} minutes, ` +
        `so a longer deadline would never fire. Use at most ${AGENT_TURN_DEADLINE_MS / 60_000}m (the agents' default).`,
      'start',
    );
  }
  return ms;
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

/** Longest free text (a thought, an error message) on one line of `status`, in characters. */
const STATUS_TEXT_CHARS = 200;

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
    if (p.latestThought) lines.push(`  thought:      ${fitWords(p.latestThought.replace(/\s+/g, ' ').trim(), STATUS_TEXT_CHARS)}`);
  }
  if (state.error) lines.push(`  error:        ${state.error.code}: ${fitWords(state.error.message, STATUS_TEXT_CHARS)}`);
  if (state.cancelReason) lines.push(`  cancelled:    ${state.cancelReason}`);
  for (const t of state.turns) {
    const chars = t.outputChars !== undefined ? `, ${t.outputChars.toLocaleString('en-US')} chars` : '';
    lines.push(`  - turn ${t.turn}: ${t.status}${t.interactionId ? ` ${t.interactionId}` : ''}${chars}${t.error ? ` (${t.error.code})` : ''}`);
    for (const c of t.callbacks ?? []) {
      const attempts = c.attempts !== undefined ? `, ${c.attempts} attempt${c.attempts === 1 ? '' : 's'}` : '';
      const next = c.nextAttemptAt ? `, next at ${c.nextAttemptAt}` : '';
      lines.push(`      callback ${c.event}: ${c.state ?? 'started'}${attempts}${c.lastAnswer ? `, last answer ${fitWords(c.lastAnswer, 120)}` : ''}${next}`);
    }
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
    // An open job nobody's worker polls cannot answer its state query: say so at once from what
    // the server knows, instead of waiting for the query to time out.
    const unserved = await unservedJob(jobs, jobId!);
    if (unserved) {
      if (ctx.json) printJson(ctx, { ...unserved.state, closed: false, warning: unserved.warning });
      else {
        for (const line of describeState(unserved.state, false)) println(ctx, line);
        info(ctx, unserved.warning);
      }
      return EXIT.OK;
    }
    const snap = await jobs.snapshot(jobId!);
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

/**
 * A running job on a task queue no worker polls: its state as describe() gives it (pending since
 * it was enqueued) and the warning. Undefined when the job has ended or a worker polls its queue.
 */
async function unservedJob(jobs: JobsClient, jobId: string): Promise<{ state: JobState; warning: string } | undefined> {
  let description;
  try {
    description = await jobs.handle(jobId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new JobNotFoundError(jobId, { cause: err });
    throw err;
  }
  if (description.status.name !== 'RUNNING') return undefined;
  const pollers = await jobs.pollers(description.taskQueue).catch(() => undefined);
  if (!pollers || pollers.workflowPollers > 0 || pollers.activityPollers > 0) return undefined;
  // The last status the workflow published (pending if no worker ever ran it), agent and thread.
  const attributes = description.searchAttributes as Record<string, unknown[] | undefined>;
  const attribute = (name: string) => (typeof attributes[name]?.[0] === 'string' ? (attributes[name]![0] as string) : undefined);
  const status = (attribute(SEARCH_ATTRIBUTE_NAMES.status) ?? 'pending') as JobState['status'];
  const state: JobState = {
    jobId,
    phase: status === 'pending' ? 'creating' : 'running',
    status,
    turn: 0,
    turns: [],
    startedAt: description.startTime.toISOString(),
    elapsedMs: Math.max(0, Date.now() - description.startTime.getTime()),
  };
  const agent = attribute(SEARCH_ATTRIBUTE_NAMES.agent);
  const thread = attribute(SEARCH_ATTRIBUTE_NAMES.thread);
  if (agent) state.agent = agent;
  if (thread) state.thread = thread;
  return { state, warning: noWorkerWarning(description.taskQueue) };
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
    const accepted = await jobs.approvePlan(jobId!, edit !== undefined ? { edit } : {}).catch((err: unknown) => noPlanInCliTerms(jobs, jobId!, err));
    return await afterUpdate(ctx, jobs, jobId!, accepted, edit !== undefined ? 'Plan refinement' : 'Plan approval');
  } finally {
    await jobs.close();
  }
}

/**
 * The workflow refuses a plan approval when no plan waits, in the API's terms (`approvePlan`,
 * `followUp`). When that is why, the CLI says it in its own: what is waiting, and the command
 * that asks the job something else. Any other error is thrown as it came.
 */
async function noPlanInCliTerms(jobs: JobsClient, jobId: string, err: unknown): Promise<never> {
  if (!(err instanceof JobUpdateRejectedError) || err.reason !== undefined) throw err;
  const snap = await jobs.snapshot(jobId).catch(() => undefined);
  if (!snap || snap.state.plan) throw err;
  const { state } = snap;
  const open = !snap.closed && state.followUpUntil !== undefined;
  const where = open ? `its turn ${state.turn} ended ${state.status} and it waits for a follow-up` : `it is ${phaseLabel(state.phase, state.status, state.admission)}`;
  const next = open ? ` To ask it something else: gemini-jobs follow-up ${jobId} "<question>"` : '';
  throw new JobUpdateRejectedError(
    `job ${jobId} has no plan waiting for approval: ${where}. A plan waits only after a turn of a job started with --collaborative-planning.${next}`,
    { cause: err },
  );
}

/** `refine-plan <id> <text>`: a chained turn with collaborative_planning still true; its output is the new plan. */
export async function refinePlanCommand(ctx: CommandContext): Promise<ExitCode> {
  const [jobId, ...rest] = requirePositionals('refine-plan', ctx.positionals, ['jobId', 'instructions'], true);
  const instructions = await questionArg(ctx, rest);
  if (!instructions) throw new UsageError('missing <instructions>: say what to change in the plan', 'refine-plan');
  if (flag(ctx, 'wait') && flag(ctx, 'watch')) throw new UsageError('pass --wait or --watch, not both', 'refine-plan');
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const accepted = await jobs.refinePlan(jobId!, instructions).catch((err: unknown) => noPlanInCliTerms(jobs, jobId!, err));
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
      throw new UsageError(`--status ${JSON.stringify(s)} is not a job status.${didYouMean(s, KNOWN_LIST_STATUSES)} Use one of ${KNOWN_LIST_STATUSES.join(', ')}`, 'list');
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
    for (const line of listTable(list, ctx.values['usage'] === true, ctx.io.stdout.columns)) println(ctx, line);
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}

/** Widest QUESTION column of `list`, in characters (narrower when the terminal is). */
const QUESTION_COLUMN_CHARS = 60;

/**
 * The rows of `list`, in visibility's order: open jobs first (newest started first), then ended
 * jobs (most recently ended first); ENDED shows why a later row can have an earlier START.
 */
export function listTable(list: JobSummary[], withUsage: boolean, columns?: number): string[] {
  const rows = [
    ['JOB ID', 'STATUS', 'AGENT', 'THREAD', 'STARTED', 'ENDED', ...(withUsage ? ['TOKENS', 'EST. USD'] : []), 'QUESTION'],
    ...list.map((j) => [
      j.jobId,
      j.status ?? j.executionStatus.toLowerCase(),
      j.agent ?? '',
      j.thread ?? '',
      j.startTime,
      j.closeTime ?? '',
      ...(withUsage ? [String(j.usage?.total_tokens ?? ''), j.cost ? j.cost.usd.toFixed(4) : ''] : []),
      j.question ?? '',
    ]),
  ];
  const last = rows[0]!.length - 1;
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const before = widths.slice(0, last).reduce((sum, w) => sum + w + 2, 0);
  const room = Math.max(20, Math.min(QUESTION_COLUMN_CHARS, (columns ?? Infinity) - before));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === last ? fitWords(cell, room) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

export type { JobEvent };
