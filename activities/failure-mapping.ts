/**
 * The mapping from the Interactions client's errors to Temporal failures.
 *
 * Activities call the client with its own retries off (`maxRetries: 0`) so that Temporal owns
 * retries; every error leaving an activity goes through `toActivityFailure`. Whether Temporal may
 * retry it is the one retry table's verdict (src/interactions/retry-table.ts); errors outside the
 * client's tree (no known code) are retried, within the activity's bounded attempts. The failure
 * `type` is always the client's stable `code`, so workflows (and `nonRetryableErrorTypes`) match
 * on codes, never on messages.
 *
 * Context-dependent cases are decided by the activity before mapping: a 404/403 right after a
 * create is retried inside the follow activity for `notFoundGraceMs`; only then does it reach this
 * mapping, forced non-retryable.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { redact } from '../src/common/redact';
import { retryVerdict, tableCode } from '../src/interactions/retry-table';

/** Failure types an activity retry policy must never retry: the table's always-final codes (test/jobs/unit.test.ts checks they agree). */
export { NON_RETRYABLE_ERROR_TYPES } from '../src/contract/constants';

interface ClientErrorLike {
  code?: unknown;
  message?: unknown;
  status?: unknown;
  requestId?: unknown;
  interactionId?: unknown;
  retryAfterMs?: unknown;
  field?: unknown;
  fix?: unknown;
}

/** The stable code of a client error (system codes read as `connection_error`), else the error's own string code, else undefined. */
export function errorCode(err: unknown): string | undefined {
  const code = err !== null && typeof err === 'object' ? (err as ClientErrorLike).code : undefined;
  return tableCode(err) ?? (typeof code === 'string' ? code : undefined);
}

/** May Temporal retry this error? The table's verdict; errors outside the client's tree are retried (Temporal bounds the attempts). */
export function temporalMayRetry(err: unknown): boolean {
  return retryVerdict(err)?.retryable ?? true;
}

/** Small, secret-free details attached to the failure (visible in history and `describe()`). */
export interface FailureDetails {
  code: string;
  status?: number;
  requestId?: string;
  interactionId?: string;
  field?: string;
  fix?: string;
}

function detailsOf(err: ClientErrorLike, code: string): FailureDetails {
  const details: FailureDetails = { code };
  if (typeof err.status === 'number') details.status = err.status;
  if (typeof err.requestId === 'string') details.requestId = err.requestId;
  if (typeof err.interactionId === 'string') details.interactionId = err.interactionId;
  if (typeof err.field === 'string') details.field = err.field;
  if (typeof err.fix === 'string') details.fix = redact(err.fix);
  return details;
}

/**
 * Maps any error thrown inside an activity to what the activity should throw.
 * `CancelledFailure` passes through unchanged (the worker only reports "cancelled" for it).
 * @param forceNonRetryable treat the error as final whatever the table says (the not-found grace expired).
 */
export function toActivityFailure(err: unknown, opts: { forceNonRetryable?: boolean } = {}): Error {
  if (err instanceof CancelledFailure) return err;
  if (err instanceof ApplicationFailure) return err;
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as ClientErrorLike;
  const code = errorCode(err) ?? 'internal';
  const message = redact(typeof e.message === 'string' ? e.message : String(err));
  const retryable = !opts.forceNonRetryable && temporalMayRetry(err);
  const retryAfterMs = typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0 ? e.retryAfterMs : undefined;
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: !retryable,
    details: [detailsOf(e, code)],
    ...(retryable && code === 'rate_limited' && retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}
