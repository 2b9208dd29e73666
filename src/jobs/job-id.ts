/**
 * Job ids. A job id is the Temporal workflow id, so it must be unique per namespace, stable across
 * retries of the same request (pass your own to make `start` idempotent) and safe to log.
 */
import { randomUUID } from 'node:crypto';
import { InvalidJobIdError, InvalidThreadKeyError } from './errors';

export { InvalidJobIdError, InvalidThreadKeyError } from './errors';

/** Upper bound Temporal accepts comfortably for a workflow id (the server limit is 1,000 bytes). */
export const MAX_JOB_ID_LENGTH = 200;

/** A new random, readable job id: `job_<uuid>`. */
export function newJobId(): string {
  return `job_${randomUUID()}`;
}

/** Throws `InvalidJobIdError` when `jobId` is empty, too long or holds whitespace or control characters. */
export function assertJobId(jobId: unknown, field = 'jobId'): asserts jobId is string {
  if (typeof jobId !== 'string' || jobId.length === 0) throw new InvalidJobIdError(field, 'must be a non-empty string');
  if (jobId.length > MAX_JOB_ID_LENGTH) throw new InvalidJobIdError(field, `must be at most ${MAX_JOB_ID_LENGTH} characters`);
  if (/[\s\u0000-\u001f\u007f]/.test(jobId)) throw new InvalidJobIdError(field, 'must not contain whitespace or control characters');
}

/** Longest thread key accepted (a Keyword search attribute value). */
export const MAX_THREAD_LENGTH = 255;

/**
 * Throws `InvalidThreadKeyError` for a thread key that visibility queries cannot match exactly:
 * empty, too long, or holding `"`, `\` or control characters (the list filter cannot express them).
 */
export function assertThreadKey(thread: unknown, field = 'thread'): asserts thread is string {
  if (typeof thread !== 'string' || thread.length === 0) throw new InvalidThreadKeyError(field, 'must be a non-empty string');
  if (thread.length > MAX_THREAD_LENGTH) throw new InvalidThreadKeyError(field, `must be at most ${MAX_THREAD_LENGTH} characters`);
  if (/["\\\u0000-\u001f\u007f]/.test(thread)) throw new InvalidThreadKeyError(field, 'must not contain double quotes, backslashes or control characters');
}
