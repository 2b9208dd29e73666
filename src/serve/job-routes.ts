/**
 * The job operations of the HTTP API, one route each, on top of `JobsClient`. Parameters and
 * bodies arrive validated against the OpenAPI document (./validation.ts); `JobsClient` then
 * checks what a schema cannot (a credential in the input, its size) before anything is enqueued.
 */
import { holdOpen } from '../common/bounded-http';
import { codeOf } from '../common/errors';
import type { JobsClient, ListOptions } from '../jobs/jobs-client';
import type { FollowUpAccepted } from '../contract';
import type { CancelBatchBody, CancelBody, FollowUpBody, RefinePlanBody, StartBatchBody, StartJobBody } from './api-types';
import { HttpError } from './errors';
import type { Route, RouteContext } from './routes';
import { relayEvents } from './sse';

export interface JobRoutesOptions {
  jobs: JobsClient;
  /** Most event streams open at once; more are answered 503 `too_many_streams`. */
  maxEventStreams: number;
  /** Longest life of one event stream (ms); it then ends and the client resumes. */
  maxStreamMs: number;
  /** Longest `result?wait=1` (ms). */
  maxWaitMs: number;
  /** Milliseconds between state reads of one event stream. */
  watchPollIntervalMs: number;
  /** Aborts every open event stream (server shutdown). */
  signal: AbortSignal;
}

/** Most bytes queued for a stream client that does not read before the stream is dropped. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/** Extra silence allowed on a waiting connection beyond its wait, for the final state read. */
const WAIT_MARGIN_MS = 10_000;

export function sendJson(ctx: RouteContext, status: number, value: unknown): void {
  ctx.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  ctx.res.end(JSON.stringify(value));
}

/** Refines a waiting plan: `JobsClient.refinePlan` where it exists, else the older `approvePlan(id, { edit })`. */
export function refinePlan(jobs: JobsClient, jobId: string, instructions: string): Promise<FollowUpAccepted> {
  const withRefine = jobs as JobsClient & { refinePlan?: (jobId: string, instructions: string) => Promise<FollowUpAccepted> };
  if (typeof withRefine.refinePlan === 'function') return withRefine.refinePlan(jobId, instructions);
  return jobs.approvePlan(jobId, { edit: instructions });
}

function listOptions(query: Record<string, unknown>): ListOptions {
  const options: ListOptions = { pageSize: (query.limit as number | undefined) ?? 100 };
  for (const key of ['status', 'agent', 'thread'] as const) {
    const values = ((query[key] as string[] | undefined) ?? []).filter((v) => v !== '');
    if (values.length > 0) options[key] = values.length === 1 ? values[0]! : values;
  }
  return options;
}

/**
 * Counts event streams. A slot is taken synchronously, before the route awaits anything, so
 * concurrent requests cannot all pass the check; its release is idempotent.
 */
class StreamSlots {
  private open = 0;
  constructor(private readonly max: number) {}
  get count(): number {
    return this.open;
  }
  take(): () => void {
    if (this.open >= this.max) {
      throw new HttpError('too_many_streams', `The server already relays ${this.max} event streams; retry later.`, { headers: { 'retry-after': '5' } });
    }
    this.open++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
    };
  }
}

/** The job routes: start, list, state, result (JSON / Markdown), cancel, follow-up, plan, events. */
export function jobRoutes(options: JobRoutesOptions): { routes: Route[]; openStreams(): number } {
  const { jobs } = options;
  const slots = new StreamSlots(options.maxEventStreams);
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
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/v1/jobs',
      operationId: 'startJob',
      async handle(ctx) {
        const body = (await ctx.body()) as unknown as StartJobBody;
        // JobsClient.start checks what the schema cannot (credentials, size), naming the field.
        const started = await jobs.start(body.request, {
          ...(body.jobId !== undefined ? { jobId: body.jobId } : {}),
          ...(body.thread !== undefined ? { thread: body.thread } : {}),
          ...(body.options !== undefined ? { options: body.options } : {}),
        });
        sendJson(ctx, started.existing ? 200 : 202, started);
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs',
      operationId: 'listJobs',
      async handle(ctx) {
        sendJson(ctx, 200, { jobs: await jobs.list(listOptions(ctx.query)) });
      },
    },
    {
      method: 'POST',
      path: '/v1/batches',
      operationId: 'startBatch',
      async handle(ctx) {
        const body = (await ctx.body()) as unknown as StartBatchBody;
        // JobsClient.startBatch checks every item as a job (credentials, size), naming `items[i]`.
        const started = await jobs.startBatch(body.items, {
          ...(body.batchId !== undefined ? { batchId: body.batchId } : {}),
          ...(body.options !== undefined ? { options: body.options } : {}),
        });
        sendJson(ctx, started.existing ? 200 : 202, started);
      },
    },
    {
      method: 'GET',
      path: '/v1/batches/:batchId',
      operationId: 'getBatchState',
      async handle(ctx) {
        sendJson(ctx, 200, await jobs.batchState(ctx.params.batchId!));
      },
    },
    {
      method: 'POST',
      path: '/v1/batches/:batchId/cancel',
      operationId: 'cancelBatch',
      async handle(ctx) {
        const body = (await ctx.body()) as CancelBatchBody;
        const cancelRequested = await jobs.cancelBatch(ctx.params.batchId!, {
          ...(body.item !== undefined ? { item: body.item } : {}),
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
        });
        sendJson(ctx, 202, { batchId: ctx.params.batchId, ...(body.item !== undefined ? { item: body.item } : {}), cancelRequested });
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
        const jobId = ctx.params.jobId!;
        const wait = ctx.query.wait === '1' || ctx.query.wait === 'true';
        const timeoutMs = Math.min((ctx.query.timeoutMs as number | undefined) ?? 60_000, options.maxWaitMs);
        const abort = new AbortController();
        ctx.res.once('close', () => abort.abort());
        if (wait) holdOpen(ctx.req, timeoutMs + WAIT_MARGIN_MS);
        let outcome;
        try {
          outcome = await jobs.result(jobId, { wait, timeoutMs, signal: abort.signal });
        } catch (err) {
          if (abort.signal.aborted) return; // the client left; nobody reads an answer
          // A long poll that ran out answers what there is (`settled: false`); the client asks again.
          if (codeOf(err) !== 'wait_timeout') throw err;
          outcome = await jobs.result(jobId);
        }
        const format = ctx.query.format as 'json' | 'markdown' | undefined;
        const wantsMarkdown = format === 'markdown' || (format === undefined && /^text\/markdown\b/.test(String(ctx.req.headers.accept ?? '')));
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
        const body = (await ctx.body()) as CancelBody;
        const cancelled = await jobs.cancel(ctx.params.jobId!, body.reason);
        sendJson(ctx, 202, { jobId: ctx.params.jobId, cancelRequested: cancelled });
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/follow-up',
      operationId: 'followUpJob',
      async handle(ctx) {
        const body = (await ctx.body()) as unknown as FollowUpBody;
        sendJson(ctx, 202, await jobs.followUp(ctx.params.jobId!, body.input, body.overrides));
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/plan/approve',
      operationId: 'approvePlan',
      async handle(ctx) {
        await ctx.body();
        sendJson(ctx, 202, await jobs.approvePlan(ctx.params.jobId!));
      },
    },
    {
      method: 'POST',
      path: '/v1/jobs/:jobId/plan/refine',
      operationId: 'refinePlan',
      async handle(ctx) {
        const body = (await ctx.body()) as unknown as RefinePlanBody;
        sendJson(ctx, 202, await refinePlan(jobs, ctx.params.jobId!, body.instructions));
      },
    },
    {
      method: 'GET',
      path: '/v1/jobs/:jobId/events',
      operationId: 'streamJobEvents',
      async handle(ctx) {
        const jobId = ctx.params.jobId!;
        const from = (ctx.headers['Last-Event-ID'] ?? ctx.query.from) as number | undefined;
        const until = (ctx.query.until as 'turn' | 'close' | undefined) ?? 'turn';
        // Taken before any await and released on every way out, so the cap holds and no client
        // that leaves early keeps a slot (or the job's watch lease).
        const release = slots.take();
        const abort = new AbortController();
        const stop = () => abort.abort();
        ctx.res.once('close', stop);
        options.signal.addEventListener('abort', stop, { once: true });
        const lifetime = setTimeout(stop, options.maxStreamMs);
        lifetime.unref();
        try {
          if (ctx.req.socket.destroyed || ctx.res.destroyed) return;
          // Fails with job_not_found (404) before the stream's headers are sent.
          await jobs.state(jobId);
          if (abort.signal.aborted) return;
          const events = jobs.watch(jobId, {
            ...(from !== undefined ? { from } : {}),
            until,
            signal: abort.signal,
            pollIntervalMs: options.watchPollIntervalMs,
          });
          await relayEvents(ctx.res, events, { keepAliveMs: 15_000, retryMs: 2_000, signal: abort.signal, maxBacklogBytes: MAX_STREAM_BACKLOG_BYTES });
        } finally {
          clearTimeout(lifetime);
          release();
          ctx.res.off('close', stop);
          options.signal.removeEventListener('abort', stop);
        }
      },
    },
  ];
  return { routes, openStreams: () => slots.count };
}
