/**
 * Starting a job: validation (nothing is enqueued for a bad request) and the workflow start with
 * the job's search attributes, memo and Web UI metadata.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { AGENT_TURN_DEADLINE_MS, JOB_WORKFLOW_TYPE } from '../contract';
import type { JobInput, JobOptions, JobRequest } from '../contract';
import { jobAgentKey, jobStatusKey, jobThreadKey } from '../../workflows/definitions';
import type { JobsContext } from './context';
import { SearchAttributesMissingError } from './errors';
import { assertJobId, assertThreadKey, newJobId } from './job-id';
import type { StartJobOptions, StartedJob } from './types';
import { jobStaticDetails, jobStaticSummary } from './ui-metadata';
import { validateJobInput } from './validate-job';

/** Longest question kept in the start memo for listings, in characters. */
const MEMO_QUESTION_CHARS = 200;

/** The first text of a request's input, shortened for listings (the full input stays in history). */
function questionOf(request: JobRequest): string | undefined {
  const input = (request as { input?: unknown }).input;
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (Array.isArray(input)) {
    for (const part of input as Array<Record<string, unknown>>) {
      const candidate =
        typeof part?.text === 'string'
          ? part.text
          : Array.isArray(part?.content)
            ? (part.content as Array<{ text?: unknown }>).find((c) => typeof c?.text === 'string')?.text
            : undefined;
      if (typeof candidate === 'string') {
        text = candidate;
        break;
      }
    }
  }
  if (text === undefined) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MEMO_QUESTION_CHARS ? flat.slice(0, MEMO_QUESTION_CHARS - 1) + '…' : flat;
}

function agentOf(request: JobRequest): string | undefined {
  const r = request as { agent?: unknown; model?: unknown };
  if (typeof r.agent === 'string') return r.agent;
  if (typeof r.model === 'string') return r.model;
  return undefined;
}

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
  // Written into the input, not defaulted in the workflow: running jobs keep the deadline their
  // history was made with (see AGENT_TURN_DEADLINE_MS).
  if (input.options?.deadlineMs === undefined && typeof (request as { agent?: unknown }).agent === 'string')
    input.options = { ...input.options, deadlineMs: AGENT_TURN_DEADLINE_MS };
  return input;
}

/** The start's search attributes: status `pending`, agent and thread, then the caller's (which win). */
function startAttributes(request: JobRequest, options: JobOptions, extra: SearchAttributePair[]): SearchAttributePair[] {
  const agent = agentOf(request);
  const attributes: SearchAttributePair[] = [{ key: jobStatusKey, value: 'pending' }];
  if (agent) attributes.push({ key: jobAgentKey, value: agent });
  if (options.thread) attributes.push({ key: jobThreadKey, value: options.thread });
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
  const question = questionOf(request);
  try {
    const handle = await ctx.client.workflow.start(JOB_WORKFLOW_TYPE, {
      workflowId: jobId,
      taskQueue: ctx.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: startAttributes(request, options, opts.searchAttributes ?? []),
      // The question is in the job input already; the memo makes it readable by list().
      memo: { startToken, ...(question !== undefined ? { question } : {}) },
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
