/**
 * Validates a `JobInput` before it is enqueued, so a bad job fails at the caller with a message
 * that names the field and the fix, instead of failing inside the workflow minutes later.
 *
 * Checks: the create request (the client's `validateCreateRequest`), the fields the workflow owns,
 * the job options, the payload size, and credentials: job input is written to Temporal history,
 * so any API key or token in it is rejected (credentials come from the worker's environment).
 */
import { validateCreateRequest } from '../interactions/validate';
import type { CreateInteractionRequest } from '../interactions/types';
import type { JobInput, JobOptions } from '../contract';
import { findSecrets } from '../common/redact';
import { budgetProblem } from '../contract/budget';
import { callbackProblem } from '../contract/callback';
import { AGENT_TURN_DEADLINE_MS, API_RUN_LIMIT_MS } from '../contract/constants';
import { retiredAgent } from '../interactions/models';
import { GeminiJobsError } from '../common/errors';

/** A job the jobs client refuses to enqueue. `field` is a path such as `options.deadlineMs`. */
export class JobValidationError extends GeminiJobsError<'invalid_job'> {
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super('invalid_job', `${field}: ${problem}. ${fix}`);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { field: this.field, problem: this.problem, fix: this.fix };
  }
}

/** Largest accepted job input, in bytes of JSON. Temporal fails payloads at 2 MB and warns at 256 KB. */
export const MAX_INPUT_BYTES = 1_500_000;
const MAX_DEADLINE_MS = 7 * 24 * 3_600_000;
const WORKFLOW_OWNED = ['background', 'store', 'stream', 'previous_interaction_id'] as const;
/** Every `JobOptions` key; anything else is a typo or an option of another version. */
const OPTION_KEYS: ReadonlySet<string> = new Set<keyof JobOptions>([
  'mode',
  'deadlineMs',
  'streamIdleTimeoutMs',
  'pollInitialIntervalMs',
  'pollMaxIntervalMs',
  'heartbeatTimeoutMs',
  'notFoundGraceMs',
  'followUpWindowMs',
  'thread',
  'tenant',
  'budget',
  'continueAsNewAfterEvents',
  'callback',
  'chainSchedule',
]);

function positiveMs(options: JobOptions, key: keyof JobOptions, min: number, max = MAX_DEADLINE_MS): void {
  const value = options[key];
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new JobValidationError(
      `options.${key}`,
      `must be a number of milliseconds between ${min} and ${max}, got ${JSON.stringify(value)}`,
      `Pass a duration in milliseconds (e.g. ${key} = ${Math.max(min, 60_000)}) or leave it out for the default.`,
    );
  }
}

/** Throws `JobValidationError` for the first problem found; returns nothing when the job is fine. */
export function validateJobInput(input: JobInput): void {
  if (!input || typeof input !== 'object') {
    throw new JobValidationError('input', 'a job must be an object', 'Pass { request, options? }.');
  }
  const request = input.request as unknown as Record<string, unknown> | undefined;
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    throw new JobValidationError('request', 'is required', 'Pass the create request: { model | agent, input, … }.');
  }
  if ((input as { carried?: unknown }).carried !== undefined) {
    throw new JobValidationError('carried', 'is set only by the workflow when it continues as new', 'Remove `carried` from the job input.');
  }

  const secrets = findSecrets(input, 'input');
  if (secrets.length > 0) {
    const first = secrets[0]!;
    throw new JobValidationError(
      first.path.replace(/^input\./, ''),
      `holds a credential (${first.kind})${secrets.length > 1 ? ` and ${secrets.length - 1} more` : ''}; job input is stored in Temporal history and must never contain one`,
      'Remove it. The worker authenticates with credentials from its own environment (GEMINI_API_KEY, or Vertex AI application-default credentials); tools that need their own secret must get it on the worker side.',
    );
  }

  for (const key of WORKFLOW_OWNED) {
    if (request[key] !== undefined) {
      throw new JobValidationError(
        `request.${key}`,
        'is set by the job workflow (background: true, store: true, no stream, previous_interaction_id from the thread)',
        `Remove request.${key}; use a follow-up to continue a thread.`,
      );
    }
  }
  try {
    validateCreateRequest({ ...request, background: true, store: true } as unknown as CreateInteractionRequest);
  } catch (err) {
    const e = err as { code?: string; field?: string; fix?: string; message?: string };
    if (e.code === 'invalid_request') {
      const field = e.field ? `request.${e.field.replace(/^(request|body)\./, '')}` : 'request';
      throw new JobValidationError(field, (e.message ?? 'invalid').replace(/: [^:]*$/, ''), e.fix ?? 'See the Interactions API reference.');
    }
    throw err;
  }

  const retired = typeof request['agent'] === 'string' ? retiredAgent(request['agent']) : undefined;
  if (retired) {
    throw new JobValidationError(
      'request.agent',
      `${retired.id} was shut down on ${retired.shutDownOn} (deprecated ${retired.deprecatedOn}); the API refuses it`,
      `Use ${retired.replacement}.`,
    );
  }

  const options = (input.options ?? {}) as JobOptions;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new JobValidationError('options', 'must be an object', 'Pass { mode?, deadlineMs?, … } or leave it out.');
  }
  if (options.mode !== undefined && options.mode !== 'stream' && options.mode !== 'poll' && options.mode !== 'webhook') {
    throw new JobValidationError(
      'options.mode',
      `must be "stream", "poll" or "webhook", got ${JSON.stringify(options.mode)}`,
      'Use "stream" (default), "poll", or "webhook" (needs GEMINI_JOBS_WEBHOOK_URL on the worker and a webhook receiver).',
    );
  }
  const unknown = Object.keys(options).find((key) => !OPTION_KEYS.has(key));
  if (unknown !== undefined) {
    throw new JobValidationError(`options.${unknown}`, 'is not a job option', `Remove it; the options are ${[...OPTION_KEYS].join(', ')}.`);
  }
  if (typeof options.deadlineMs === 'number' && options.deadlineMs > AGENT_TURN_DEADLINE_MS) {
    throw new JobValidationError(
      'options.deadlineMs',
      `is ${options.deadlineMs} ms, past the API's ${API_RUN_LIMIT_MS / 60_000}-minute run limit plus a ${(AGENT_TURN_DEADLINE_MS - API_RUN_LIMIT_MS) / 60_000}-minute margin; the API ends a run by then, so a longer deadline never applies`,
      `Leave it out (agents get ${AGENT_TURN_DEADLINE_MS / 60_000} minutes) or pass at most ${AGENT_TURN_DEADLINE_MS}.`,
    );
  }
  positiveMs(options, 'deadlineMs', 1_000);
  positiveMs(options, 'streamIdleTimeoutMs', 100, 3_600_000);
  positiveMs(options, 'pollInitialIntervalMs', 10, 3_600_000);
  positiveMs(options, 'pollMaxIntervalMs', 10, 3_600_000);
  positiveMs(options, 'heartbeatTimeoutMs', 1_000, 3_600_000);
  positiveMs(options, 'notFoundGraceMs', 0, 3_600_000);
  positiveMs(options, 'followUpWindowMs', 0, MAX_DEADLINE_MS);
  if (
    options.continueAsNewAfterEvents !== undefined &&
    (!Number.isInteger(options.continueAsNewAfterEvents) || options.continueAsNewAfterEvents < 20 || options.continueAsNewAfterEvents > 40_000)
  ) {
    throw new JobValidationError('options.continueAsNewAfterEvents', 'must be an integer between 20 and 40000', 'Leave it out for the default of 2000 events.');
  }
  if (options.pollInitialIntervalMs !== undefined && options.pollMaxIntervalMs !== undefined && options.pollInitialIntervalMs > options.pollMaxIntervalMs) {
    throw new JobValidationError('options.pollInitialIntervalMs', 'is larger than options.pollMaxIntervalMs', 'Make the first polling interval at most the largest one.');
  }
  if (options.thread !== undefined && (typeof options.thread !== 'string' || options.thread.length === 0 || options.thread.length > 256)) {
    throw new JobValidationError('options.thread', 'must be a non-empty string of at most 256 characters', 'Use a short key such as a conversation or ticket id.');
  }

  if (options.tenant !== undefined && (typeof options.tenant !== 'string' || options.tenant.length === 0 || options.tenant.length > 256)) {
    throw new JobValidationError(
      'options.tenant',
      'must be a non-empty string of at most 256 characters',
      'Use a short tenant or customer id (never a credential), or leave it out to use the thread.',
    );
  }
  const budget = budgetProblem(options.budget);
  if (budget) throw new JobValidationError(budget.field, budget.problem, budget.fix);
  if (options.callback !== undefined) {
    const callback = callbackProblem(options.callback);
    if (callback) throw new JobValidationError(callback.field, callback.problem, callback.fix);
  }
  if (options.chainSchedule !== undefined && (typeof options.chainSchedule !== 'string' || options.chainSchedule.length === 0 || options.chainSchedule.length > 256)) {
    throw new JobValidationError(
      'options.chainSchedule',
      'must be a schedule id (a non-empty string of at most 256 characters)',
      "Leave it out: `schedule create --chain` sets it to the schedule's own id.",
    );
  }

  const bytes = Buffer.byteLength(JSON.stringify(input), 'utf8');
  if (bytes > MAX_INPUT_BYTES) {
    throw new JobValidationError(
      'request.input',
      `the job input is ${bytes} bytes; Temporal payloads fail at 2 MB`,
      `Keep job input under ${MAX_INPUT_BYTES} bytes: reference large documents by uri (e.g. a Files API or gs:// uri) instead of inlining data.`,
    );
  }
}
