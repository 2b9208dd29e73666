/**
 * Listing jobs through Temporal visibility, one page at a time. A page holds at most `pageSize`
 * jobs in the visibility store's order (open jobs first, newest started first; then ended jobs,
 * most recently ended first) and a `nextPageToken` to continue from. Usage and cost, which
 * visibility does not hold, are read per job only when asked, a few jobs at a time.
 */
import { ServiceError } from '@temporalio/client';
import type { WorkflowExecutionInfo } from '@temporalio/client';
// The SDK's own decoding of a raw visibility row (memo through the data converter, typed search
// attributes); `client.workflow.list` uses it too but hides the page token.
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { JOB_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/definitions';
import type { JobKind, JobMode } from '../contract';
import type { JobsContext } from './context';
import { buildListQuery } from './list-query';
import { readState } from './read-job';
import type { JobPage, JobSummary, ListOptions } from './types';

/** Default `pageSize` of `list` and `listPage`. */
export const DEFAULT_LIST_PAGE_SIZE = 100;
/** Default number of jobs whose state `list({ usage: true })` reads at once. */
export const DEFAULT_USAGE_CONCURRENCY = 8;

/** The summary visibility gives of one execution (no state read). */
function summaryOf(info: WorkflowExecutionInfo): JobSummary {
  const attrs = info.typedSearchAttributes;
  const summary: JobSummary = {
    jobId: info.workflowId,
    runId: info.runId,
    executionStatus: info.status.name,
    startTime: info.startTime.toISOString(),
  };
  const keys = JOB_SEARCH_ATTRIBUTE_KEYS;
  const status = attrs.get(keys.status);
  if (status) summary.status = status;
  const agent = attrs.get(keys.agent);
  if (agent) summary.agent = agent;
  const kind = attrs.get(keys.kind);
  if (kind) summary.kind = kind as JobKind;
  const mode = attrs.get(keys.mode);
  if (mode) summary.mode = mode as JobMode;
  const thread = attrs.get(keys.thread);
  if (thread) summary.thread = thread;
  const interactionId = attrs.get(keys.interaction);
  if (interactionId) summary.interactionId = interactionId;
  // Jobs started by 0.1.0 kept the question in the start memo only.
  const question = attrs.get(keys.question) ?? (info.memo as { question?: unknown } | undefined)?.question;
  if (typeof question === 'string') summary.question = question;
  if (info.closeTime) summary.closeTime = info.closeTime.toISOString();
  return summary;
}

/** Runs `work` on every item, at most `limit` at a time; resolves when all are done. */
async function forEachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** Adds usage, cost and spend to each summary (a job whose state cannot be read keeps none). */
async function addUsage(ctx: JobsContext, jobs: JobSummary[], concurrency: number): Promise<void> {
  await forEachBounded(jobs, concurrency, async (summary) => {
    const state = await readState(ctx, summary.jobId).catch(() => undefined);
    if (state?.usage) summary.usage = state.usage;
    if (state?.cost) summary.cost = state.cost;
    if (state?.spent) summary.spent = state.spent;
  });
}

function decodeToken(token: string | undefined): Uint8Array {
  return token ? Buffer.from(token, 'base64url') : Buffer.alloc(0);
}

/** One visibility page of job summaries (without usage), and the token of the next page. */
async function visibilityPage(ctx: JobsContext, options: ListOptions, pageSize: number, pageToken: string | undefined): Promise<JobPage> {
  const namespace = ctx.client.options.namespace;
  const query = buildListQuery(options);
  let response;
  try {
    response = await ctx.client.workflowService.listWorkflowExecutions({ namespace, query, pageSize, nextPageToken: decodeToken(pageToken) });
  } catch (err) {
    // As `client.workflow.list` reports it: the gRPC error (and its code) is the cause.
    throw new ServiceError('Failed to list workflows', { cause: err as Error });
  }
  const converter = ctx.client.options.loadedDataConverter;
  const jobs: JobSummary[] = [];
  for (const raw of response.executions ?? []) jobs.push(summaryOf(await executionInfoFromRaw(raw, converter, raw, namespace)));
  const next = response.nextPageToken;
  return { jobs, ...(next && next.length > 0 ? { nextPageToken: Buffer.from(next).toString('base64url') } : {}) };
}

/**
 * Up to `pageSize` jobs from `pageToken` on (default: the first), and the token of the page after
 * them. Visibility may answer with fewer jobs than asked for before its last page.
 */
export async function listJobsPage(ctx: JobsContext, options: ListOptions = {}): Promise<JobPage> {
  const page = await visibilityPage(ctx, options, options.pageSize ?? DEFAULT_LIST_PAGE_SIZE, options.pageToken);
  if (options.usage) await addUsage(ctx, page.jobs, options.usageConcurrency ?? DEFAULT_USAGE_CONCURRENCY);
  return page;
}

/** Up to `pageSize` jobs from `pageToken` on, reading further pages while visibility has more. */
export async function listJobs(ctx: JobsContext, options: ListOptions = {}): Promise<JobSummary[]> {
  const pageSize = options.pageSize ?? DEFAULT_LIST_PAGE_SIZE;
  const out: JobSummary[] = [];
  let token = options.pageToken;
  do {
    const page = await visibilityPage(ctx, options, pageSize - out.length, token);
    out.push(...page.jobs);
    token = page.nextPageToken;
  } while (token !== undefined && out.length < pageSize);
  if (options.usage) await addUsage(ctx, out, options.usageConcurrency ?? DEFAULT_USAGE_CONCURRENCY);
  return out;
}
