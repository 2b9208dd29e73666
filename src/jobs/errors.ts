/**
 * Errors of the jobs client (`JobsClient`), each a real class of the package's tree with its own
 * stable code. Errors that cross Temporal (a rejected workflow update, an activity's failure type)
 * are mapped back to these classes by the jobs client, so `instanceof` works on the caller's side.
 */
import { GeminiJobsError } from '../common/errors';
import type { JobErrorCode } from '../contract/job-error-codes';
import { isJobErrorCode } from '../contract/job-error-codes';

export type { JobsErrorCode } from '../contract/error-codes';

/** A job id that cannot be used (empty, too long, whitespace or control characters). `field` names it. */
export class InvalidJobIdError extends GeminiJobsError<'invalid_job_id'> {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid_job_id', `${field} ${message}`);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { field: this.field };
  }
}

/** A thread key visibility queries cannot match exactly (empty, too long, `"`, `\` or control characters). */
export class InvalidThreadKeyError extends GeminiJobsError<'invalid_thread'> {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('invalid_thread', `${field} ${message}`);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { field: this.field };
  }
}

/** A `list` filter value the visibility query cannot express (double quotes, backslashes, control characters). */
export class InvalidListFilterError extends GeminiJobsError<'invalid_list_filter'> {
  constructor(message: string) {
    super('invalid_list_filter', message);
  }
}

/** A job id that no workflow execution has. */
export class JobNotFoundError extends GeminiJobsError<'job_not_found'> {
  constructor(
    readonly jobId: string,
    options?: { cause?: unknown },
  ) {
    super('job_not_found', `No job with id ${jobId}`, options);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { jobId: this.jobId };
  }
}

/** A wait for a job (result with `wait`) that ran out of time or was aborted. */
export class JobWaitTimeoutError extends GeminiJobsError<'wait_timeout'> {
  constructor(
    readonly jobId: string,
    message: string,
  ) {
    super('wait_timeout', message);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { jobId: this.jobId };
  }
}

/** A running job whose state query got no answer: usually no worker polls its task queue. */
export class JobQueryError extends GeminiJobsError<'query_failed'> {
  constructor(
    readonly jobId: string,
    readonly taskQueue: string,
    timeoutMs: number,
    cause: unknown,
  ) {
    super(
      'query_failed',
      `No answer to the state query of job ${jobId} within ${timeoutMs} ms: is a worker running on task queue ${taskQueue}? (${(cause as Error)?.message ?? String(cause)})`,
      { cause },
    );
  }
  protected override jsonFields(): Record<string, unknown> {
    return { jobId: this.jobId, taskQueue: this.taskQueue };
  }
}

/** A follow-up or plan approval sent to a job that has ended: it accepts no more turns. */
export class JobClosedError extends GeminiJobsError<'job_closed'> {
  constructor(
    readonly jobId: string,
    readonly status: string,
    options?: { cause?: unknown },
  ) {
    super(
      'job_closed',
      `Job ${jobId} has ended (${status}) and accepts no more turns. Start a new job instead ` + `(gemini-jobs start --thread <key> "…" to group it with this one).`,
      options,
    );
  }
  protected override jsonFields(): Record<string, unknown> {
    return { jobId: this.jobId, status: this.status };
  }
}

/**
 * A follow-up, plan approval or progress refresh the job's workflow refused; `message` is the
 * workflow's reason. `reason` is undefined when the update's validator refused it (a turn is
 * running, no plan waits, bad input), or the job error code when the turn it asked for could not
 * start (e.g. `cancelled`, `bad_request` from the create).
 */
export class JobUpdateRejectedError extends GeminiJobsError<'update_rejected'> {
  readonly reason: JobErrorCode | undefined;
  constructor(message: string, options?: { cause?: unknown; reason?: JobErrorCode }) {
    super('update_rejected', message, options);
    this.reason = options?.reason;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { reason: this.reason };
  }
}

/**
 * Failure types a workflow update handler throws that are not a job error code: a validator's
 * plain `Error` arrives as its class name. They mean "refused", not "the turn failed".
 */
export function updateFailureReason(type: string | undefined | null): JobErrorCode | undefined {
  if (!type || type === 'Error' || type === 'update_rejected') return undefined;
  return isJobErrorCode(type) ? type : 'unknown';
}

export { SearchAttributesMissingError } from '../temporal/search-attributes';

/** A schedule id that no schedule has (`schedule describe|pause|resume|trigger|delete`). */
export class ScheduleNotFoundError extends GeminiJobsError<'schedule_not_found'> {
  constructor(
    readonly scheduleId: string,
    options?: { cause?: unknown },
  ) {
    super('schedule_not_found', `No schedule with id ${scheduleId}`, options);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { scheduleId: this.scheduleId };
  }
}

/** A per-item batch cancel naming an item the batch does not have (the batch itself exists). */
export class BatchItemNotFoundError extends GeminiJobsError<'batch_item_not_found'> {
  constructor(
    readonly batchId: string,
    readonly item: number,
    readonly items: number,
  ) {
    super('batch_item_not_found', `Batch ${batchId} has ${items} items, so no item ${item}; nothing was cancelled. Pass an item from 1 to ${items}.`);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { batchId: this.batchId, item: this.item, items: this.items };
  }
}

/** `schedules.create` with an id a schedule already has: nothing was changed. */
export class ScheduleExistsError extends GeminiJobsError<'schedule_exists'> {
  constructor(
    readonly scheduleId: string,
    options?: { cause?: unknown },
  ) {
    super('schedule_exists', `A schedule with id ${scheduleId} already exists; delete it first or pick another id`, options);
  }
  protected override jsonFields(): Record<string, unknown> {
    return { scheduleId: this.scheduleId };
  }
}
