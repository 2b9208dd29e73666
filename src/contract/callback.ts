/**
 * Completion callbacks: a job names a URL and the events it wants (`JobOptions.callback`); when a
 * turn ends, the job workflow starts one small delivery workflow per event (`jobCallback`), which
 * POSTs a Standard Webhooks–signed message until the receiver acknowledges it (docs/callbacks.md).
 *
 * Pure code and types: the workflow, the activities, the jobs client and the faces share them.
 * The signing secret is never here: it is the worker's (`GEMINI_JOBS_CALLBACK_SECRET`).
 */
import type { Usage } from '../interactions/types';

/**
 * What a callback can announce. `settled`: a turn ended (terminal, or waiting for a follow-up or a
 * plan approval); `plan_ready`: a collaborative-planning plan waits for approval; `failed`: a turn
 * ended `failed` or `timed_out`; `budget_exceeded`: the thread's budget stopped it.
 */
export type CallbackEvent = 'settled' | 'plan_ready' | 'failed' | 'budget_exceeded';

/** Every callback event, in the order a turn's deliveries are started. */
export const CALLBACK_EVENTS: readonly CallbackEvent[] = ['settled', 'plan_ready', 'failed', 'budget_exceeded'];

/** Events delivered when `JobCallback.events` is unset. */
export const DEFAULT_CALLBACK_EVENTS: readonly CallbackEvent[] = ['settled'];

/** `JobOptions.callback`: where to POST, and which events. */
export interface JobCallback {
  /** An absolute http(s) URL of the receiver. */
  url: string;
  /** Default `['settled']`. */
  events?: CallbackEvent[];
}

/** Workflow type of one delivery (workflows/callback.ts). */
export const CALLBACK_WORKFLOW_TYPE = 'jobCallback';

/**
 * The delivery's `webhook-id`: one per (job, turn, event), the same on every retry, so a receiver
 * that saw it already acknowledges and skips it.
 */
export function callbackMessageId(jobId: string, turn: number, event: CallbackEvent): string {
  return `msg_${jobId}_${turn}_${event}`;
}

/** Workflow id of the delivery workflow: unique per message, so a delivery is started once. */
export function callbackWorkflowId(jobId: string, turn: number, event: CallbackEvent): string {
  return `${jobId}/callback/${turn}/${event}`;
}

/** The events a turn that ended with `status` announces (before the job's `events` filter). */
export function callbackEventsOf(status: string, planReady: boolean): CallbackEvent[] {
  const events: CallbackEvent[] = ['settled'];
  if (planReady) events.push('plan_ready');
  if (status === 'failed' || status === 'timed_out') events.push('failed');
  if (status === 'budget_exceeded') events.push('budget_exceeded');
  return events;
}

/** The body of a callback (Standard Webhooks' `{ type, timestamp, data }`; wire fields snake_case). */
export interface CallbackPayload {
  /** `job.settled`, `job.plan_ready`, `job.failed`, `job.budget_exceeded`. */
  type: `job.${CallbackEvent}`;
  /** When the turn ended (ISO). */
  timestamp: string;
  data: {
    job_id: string;
    event: CallbackEvent;
    turn: number;
    /** The job status after the turn (`completed`, `plan_ready`, `failed`, …). */
    status: string;
    interaction_id?: string;
    usage?: Usage;
    summary?: string;
    error?: { code: string; message: string };
  };
}

/** Input of the delivery workflow and its activity. Never a secret: it is written to history. */
export interface CallbackDeliveryInput {
  messageId: string;
  url: string;
  payload: CallbackPayload;
}

/** What the delivery workflow ends with (and what `JobsClient.state` reads from it). */
export interface CallbackDeliveryResult {
  delivered: boolean;
  /** Attempts made (1 = the first POST was acknowledged). */
  attempts: number;
  /** The last HTTP status answered, when there was one. */
  status?: number;
  /** The last error (connection error, or the HTTP answer that was refused). */
  error?: string;
}

/** A delivery a turn started, as the job records it; `attempts`… are filled by `JobsClient.state`. */
export interface CallbackRecord {
  event: CallbackEvent;
  /** The `webhook-id` of the message. */
  id: string;
  /** `pending` (being delivered or retried), `delivered`, or `failed` (refused, or 24 h passed). Filled by JobsClient. */
  state?: 'pending' | 'delivered' | 'failed';
  attempts?: number;
  /** The last answer: `HTTP 200`, `HTTP 503`, or the connection error. Filled by JobsClient. */
  lastAnswer?: string;
  /** When the next attempt is due (ISO), while it is retried. Filled by JobsClient. */
  nextAttemptAt?: string;
}

/** The problem with a callback option, or undefined (field, problem, fix), for every face's validation. */
export function callbackProblem(callback: unknown): { field: string; problem: string; fix: string } | undefined {
  if (typeof callback !== 'object' || callback === null || Array.isArray(callback)) {
    return { field: 'options.callback', problem: 'must be an object', fix: 'Pass { url: "https://…", events?: ["settled"] } or leave it out.' };
  }
  const { url, events, ...rest } = callback as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return { field: `options.callback.${extra}`, problem: 'is not a callback option', fix: 'Remove it; a callback has url and events.' };
  if (typeof url !== 'string' || url.length === 0) {
    return { field: 'options.callback.url', problem: 'is required', fix: 'Pass the receiver URL, e.g. https://example.com/hooks/gemini-jobs.' };
  }
  const problem = callbackUrlProblem(url);
  if (problem) return { field: 'options.callback.url', problem, fix: 'Pass an absolute http:// or https:// URL such as https://example.com/hooks/gemini-jobs.' };
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0) {
      return { field: 'options.callback.events', problem: 'must be a non-empty list', fix: `Pick from ${CALLBACK_EVENTS.join(', ')}, or leave it out for ["settled"].` };
    }
    const bad = events.find((e) => !(CALLBACK_EVENTS as readonly unknown[]).includes(e));
    if (bad !== undefined) {
      return { field: 'options.callback.events', problem: `${JSON.stringify(bad)} is not a callback event`, fix: `Use ${CALLBACK_EVENTS.join(', ')}.` };
    }
  }
  return undefined;
}

/** Why `url` cannot be a callback URL, or undefined. */
export function callbackUrlProblem(url: string): string | undefined {
  if (url.length > 2048) return 'is longer than 2048 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${JSON.stringify(url)} is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be http or https, got ${parsed.protocol.replace(/:$/, '')}`;
  if (parsed.username || parsed.password) return 'must not carry a user or password (it would be written to Temporal history)';
  return undefined;
}
