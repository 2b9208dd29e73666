/**
 * Starting a job: validation (nothing is enqueued for a bad request) and the workflow start with
 * the job's search attributes and Web UI metadata.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { JOB_WORKFLOW_TYPE, jobVisibilityOf } from '../contract';
import type { JobInput, JobOptions, JobRequest, JobVisibility } from '../contract';
import { JOB_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/definitions';
import type { JobsContext } from './context';
import { SearchAttributesMissingError } from './errors';
import { assertJobId, assertThreadKey, newJobId } from './job-id';
import type { StartJobOptions, StartedJob } from './types';
import { jobStaticDetails, jobStaticSummary } from './ui-metadata';
import { validateJobInput } from './validate-job';

/**
 * Checks a job exactly as `start` does, without connecting or enqueuing anything: throws
 * `JobValidationError` (field, problem, fix) for a bad request, id, thread or option.
 */
export function validateStart(request: JobRequest, opts: StartJobOptions = {}): JobInput {
  if (opts.jobId !== undefined) assertJobId(opts.jobId, 'jobId');
  const options: JobOptions = { ...opts.options };
  if (opts.thread !== undefined) options.thread = opts.thread;
  if (options.thread !== undefined) assertThreadKey(options.thread, opts.thread !== undefined ? 'thread' : 'options.thread');
  const input: JobInput = { request, ...(Object.keys(options).length > 0 ? { options } : {}) };
  validateJobInput(input);
  // Defaults are the workflow's (workflows/helpers.ts): a job looks the same whoever starts it.
  return input;
}

/**
 * The start's search attributes: the values the workflow would publish itself
 * (src/contract/visibility.ts), so a job started here costs no upsert; then the caller's (which win).
 */
export function startAttributes(request: JobRequest, options: JobOptions, extra: SearchAttributePair[]): SearchAttributePair[] {
  const shown: Partial<JobVisibility> = { status: 'pending', ...jobVisibilityOf(request, options) };
  const attributes = (Object.keys(JOB_SEARCH_ATTRIBUTE_KEYS) as Array<keyof typeof JOB_SEARCH_ATTRIBUTE_KEYS>).flatMap((field): SearchAttributePair[] => {
    const value = shown[field];
    return value === undefined ? [] : [{ key: JOB_SEARCH_ATTRIBUTE_KEYS[field], value }];
  });
  return [...attributes.filter((a) => !extra.some((e) => e.key.name === a.key.name)), ...extra];
}

/**
 * Validates and enqueues a job; returns at once. Starting an id that exists enqueues nothing
 * and returns `existing: true` (workflow id conflict policy USE_EXISTING, reuse REJECT_DUPLICATE).
 */
export async function startJob(ctx: JobsContext, request: JobRequest, opts: StartJobOptions = {}): Promise<StartedJob> {
  const jobId = opts.jobId ?? newJobId();
  // Throws an error naming the bad field; nothing has been enqueued yet.
  const input = validateStart(request, { ...opts, jobId });
  const options: JobOptions = input.options ?? {};
  // A token only this call knows: USE_EXISTING answers with the running execution's run id
  // either way, and the memo tells whether that execution is ours.
  const startToken = newJobId();
  try {
    const handle = await ctx.client.workflow.start(JOB_WORKFLOW_TYPE, {
      workflowId: jobId,
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: startAttributes(request, options, opts.searchAttributes ?? []),
      memo: { startToken },
      // The Web UI's summary line: the question itself; details: agent, thread, options.
      staticSummary: jobStaticSummary(request),
      staticDetails: jobStaticDetails(request, options),
    });
    const description = await ctx.client.workflow.getHandle(jobId, handle.firstExecutionRunId).describe();
    const existing = (description.memo as { startToken?: unknown } | undefined)?.startToken !== startToken;
    return { jobId, runId: handle.firstExecutionRunId, existing };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      // A closed job with this id: REJECT_DUPLICATE keeps its id unique forever.
      const description = await ctx.client.workflow.getHandle(jobId).describe();
      return { jobId, runId: description.runId, existing: true };
    }
    const message = [err, (err as { cause?: unknown })?.cause]
      .map((e) => (e as Error | undefined)?.message)
      .filter(Boolean)
      .join(': ');
    if (/search attribute/i.test(message)) {
      throw new SearchAttributesMissingError(ctx.client.options.namespace, message, { cause: err });
    }
    throw err;
  }
}
