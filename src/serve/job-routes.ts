/**
 * The job operations of the HTTP API, one route each, on top of `JobsClient`. Inputs are checked
 * here only for their HTTP shape (which fields exist, their JSON types); the job itself is
 * validated by `JobsClient.start`, which names the field and the fix before anything is enqueued.
 */
import type { FollowUpAccepted, JobOptions, JobRequest } from '../contract';
import type { JobsClient, ListOptions } from '../jobs/jobs-client';
import { HttpError } from './errors';
import type { Route, RouteContext } from './routes';
import { parsePosition, relayEvents } from './sse';

export interface JobRoutesOptions {
  jobs: JobsClient;
  /** Most event streams open at once; more are answered 503 `too_many_streams`. */
  maxEventStreams: number;
  /** Milliseconds between state reads of one event stream. */
  watchPollIntervalMs: number;
  /** Aborts every open event stream (server shutdown). */
  signal: AbortSignal;
}

/** Most jobs one list request returns. */
export const MAX_LIST_LIMIT = 1_000;

export function sendJson(ctx: RouteContext, status: number, value: unknown): void {
  ctx.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  ctx.res.end(JSON.stringify(value));
}

function invalid(field: string, message: string): HttpError {
  return new HttpError('invalid_request', `${field} ${message}`, { field });
}

/** Refuses body fields the route does not know, so a typo is not silently ignored. */
function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(key, `is not a field of this request; allowed: ${allowed.join(', ')}`);
  }
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(field, `must be a string, got ${value === null ? 'null' : typeof value}`);
  return value;
}

function requiredInput(body: Record<string, unknown>, field: string): JobRequest['input'] {
  const value = body[field];
  if (value === undefined || value === null) throw invalid(field, 'is required');
  if (typeof value === 'string' && value.trim() === '') throw invalid(field, 'must not be empty');
  if (typeof value !== 'string' && !Array.isArray(value) && typeof value !== 'object') throw invalid(field, 'must be a string, a content object or a list of them');
  return value as JobRequest['input'];
}

/** Refines a waiting plan: `JobsClient.refinePlan` where it exists, else the older `approvePlan(id, { edit })`. */
export function refinePlan(jobs: JobsClient, jobId: string, instructions: string): Promise<FollowUpAccepted> {
  const withRefine = jobs as JobsClient & { refinePlan?: (jobId: string, instructions: string) => Promise<FollowUpAccepted> };
  if (typeof withRefine.refinePlan === 'function') return withRefine.refinePlan(jobId, instructions);
  return jobs.approvePlan(jobId, { edit: instructions });
}

function listOptions(url: URL): ListOptions {
  const options: ListOptions = {};
  for (const key of ['status', 'agent', 'thread'] as const) {
    const values = url.searchParams.getAll(key).filter((v) => v !== '');
    if (values.length > 0) options[key] = values.length === 1 ? values[0]! : values;
  }
  const limit = url.searchParams.get('limit');
  if (limit !== null) {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIST_LIMIT) throw invalid('limit', `must be a whole number from 1 to ${MAX_LIST_LIMIT}`);
    options.pageSize = Number(limit);
  } else {
    options.pageSize = 100;
  }
  return options;
}

/** The job routes: start, list, state, result (JSON / Markdown), cancel, follow-up, plan, events. */
export function jobRoutes(options: JobRoutesOptions): Route[] {
  const { jobs } = options;
  let openStreams = 0;
  // Single flight: concurrent state reads of one job (many tabs, a polling client, a flood) share
  // one query + describe instead of each costing the worker a query task.
  const inflight = new Map<string, ReturnType<JobsClient['snapshot']>>();
  const readSnapshot = (jobId: string): ReturnType<JobsClient['snapshot']> => {
    let read = inflight.get(jobId);
    if (!read) {
      read = jobs.snapshot(jobId).finally(() => inflight.delete(jobId));
      inflight.set(jobId, read);
    }
    return read;
  };
  return [
    {
      method: 'POST',
      path: '/v1/jobs',
      operationId: 'startJob',
      async handle(ctx) {
        const body = await ctx.body();
        onlyFields(body, ['jobId', 'request', 'options', 'thread']);
        const jobId = optionalString(body, 'jobId');
        const thread = optionalString(body, 'thread');
        if (body.options !== undefined && (typeof body.options !== 'object' || body.options === null || Array.isArray(body.options))) {
          throw invalid('options', 'must be an object of job options (deadlineMs, mode, followUpWindowMs, …)');
        }
        // JobsClient.start validates `request` and `options` fully and throws naming the field.
        const started = await jobs.start(body.request as JobRequest, {
          ...(jobId !== undefined ? { jobId } : {}),
          ...(thread !== undefined ? { thread } : {}),
          ...(body.options !== undefined ? { options: body.options as JobOptions } : {}),
        });
        sendJson(ctx, started.existing ? 200 : 202, started);
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs',
      operationId: 'listJobs',
      async handle(ctx) {
        sendJson(ctx, 200, { jobs: await jobs.list(listOptions(ctx.url)) });
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs/:jobId',
      operationId: 'getJobState',
      async handle(ctx) {
        const { state, description } = await readSnapshot(ctx.params.jobId!);
        // The question (start memo) lets a page title the job without reading its input.
        const question = (description.memo as { question?: unknown } | undefined)?.question;
        sendJson(ctx, 200, typeof question === 'string' ? { ...state, question } : state);
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs/:jobId/result',
      operationId: 'getJobResult',
      async handle(ctx) {
        const wait = ctx.url.searchParams.get('wait');
        const timeout = ctx.url.searchParams.get('timeoutMs');
        if (timeout !== null && !/^\d+$/.test(timeout)) throw invalid('timeoutMs', 'must be a whole number of milliseconds');
        const abort = new AbortController();
        ctx.res.on('close', () => abort.abort());
        const outcome = await jobs.result(ctx.params.jobId!, {
          wait: wait === '1' || wait === 'true',
          timeoutMs: timeout !== null ? Number(timeout) : 60_000,
          signal: abort.signal,
        });
        const wantsMarkdown = ctx.url.searchParams.get('format') === 'markdown' || /^text\/markdown\b/.test(String(ctx.req.headers.accept ?? ''));
        if (!wantsMarkdown) return sendJson(ctx, 200, outcome);
        if (outcome.report === undefined) {
          throw new HttpError('no_report', `Job ${outcome.jobId} has no report yet (status ${outcome.status}${outcome.settled ? '' : ', turn still running'}).`);
        }
        ctx.res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8', 'cache-control': 'no-store', 'x-job-status': outcome.status });
        ctx.res.end(outcome.report);
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/cancel',
      operationId: 'cancelJob',
      async handle(ctx) {
        const body = await ctx.body();
        onlyFields(body, ['reason']);
        const reason = optionalString(body, 'reason');
        const cancelled = await jobs.cancel(ctx.params.jobId!, reason);
        sendJson(ctx, 202, { jobId: ctx.params.jobId, cancelRequested: cancelled });
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/follow-up',
      operationId: 'followUpJob',
      async handle(ctx) {
        const body = await ctx.body();
        onlyFields(body, ['input', 'overrides']);
        const input = requiredInput(body, 'input');
        if (body.overrides !== undefined && (typeof body.overrides !== 'object' || body.overrides === null || Array.isArray(body.overrides))) {
          throw invalid('overrides', 'must be an object (tools, system_instruction, generation_config, agent_config)');
        }
        sendJson(ctx, 202, await jobs.followUp(ctx.params.jobId!, input, body.overrides as never));
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/plan/approve',
      operationId: 'approvePlan',
      async handle(ctx) {
        const body = await ctx.body();
        onlyFields(body, []);
        sendJson(ctx, 202, await jobs.approvePlan(ctx.params.jobId!));
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/plan/refine',
      operationId: 'refinePlan',
      async handle(ctx) {
        const body = await ctx.body();
        onlyFields(body, ['instructions']);
        const instructions = optionalString(body, 'instructions');
        if (instructions === undefined || instructions.trim() === '') throw invalid('instructions', 'is required: say how the plan should change');
        sendJson(ctx, 202, await refinePlan(jobs, ctx.params.jobId!, instructions));
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs/:jobId/events',
      operationId: 'streamJobEvents',
      async handle(ctx) {
        const header = ctx.req.headers['last-event-id'];
        const from = typeof header === 'string' && header !== '' ? parsePosition(header, 'Last-Event-ID') : parsePosition(ctx.url.searchParams.get('from') ?? undefined, 'from');
        const until = ctx.url.searchParams.get('until') ?? 'turn';
        if (until !== 'turn' && until !== 'close') throw invalid('until', 'must be "turn" or "close"');
        if (openStreams >= options.maxEventStreams) {
          throw new HttpError('too_many_streams', `The server already relays ${options.maxEventStreams} event streams; retry later.`, { headers: { 'retry-after': '5' } });
        }
        const jobId = ctx.params.jobId!;
        // Fails with job_not_found (404) before the stream's headers are sent.
        await jobs.state(jobId);
        const abort = new AbortController();
        const stop = () => abort.abort();
        ctx.res.on('close', stop);
        options.signal.addEventListener('abort', stop, { once: true });
        openStreams++;
        try {
          const events = jobs.watch(jobId, {
            ...(from !== undefined ? { from } : {}),
            until,
            signal: abort.signal,
            pollIntervalMs: options.watchPollIntervalMs,
          });
          await relayEvents(ctx.res, events, { keepAliveMs: 15_000, retryMs: 2_000, signal: abort.signal });
        } finally {
          openStreams--;
          options.signal.removeEventListener('abort', stop);
        }
      },
    },
  ];
}
