/**
 * The one deliberate mapping from the Interactions client's error codes to Temporal failures.
 *
 * Activities call the client with its own retries off (`maxRetries: 0`) so that Temporal owns
 * retries; every error leaving an activity goes through `toActivityFailure`, which decides whether
 * Temporal may retry it. The failure `type` is always the client's stable `code`, so workflows
 * (and `nonRetryableErrorTypes`) match on codes, never on messages.
 *
 * Context-dependent cases are decided by the activity before mapping: a 404/403 right after a
 * create is retried inside the follow activity for `notFoundGraceMs`; only then does it reach this
 * table as a non-retryable `not_found` / `permission_denied`.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { redact } from '../src/common/redact';

export interface FailureRule {
  retryable: boolean;
  /** Why, for the table's readers and for `JobError.message` hints. */
  why: string;
}

/** Codes of the client's error tree (see docs/architecture.md) → retry decision. */
export const FAILURE_TABLE: Readonly<Record<string, FailureRule>> = {
  bad_request: { retryable: false, why: 'the request is invalid; the same body fails again' },
  invalid_request: { retryable: false, why: 'client-side validation failed; fix the named field' },
  unauthenticated: { retryable: false, why: 'credentials are missing or wrong in the worker environment' },
  permission_denied: { retryable: false, why: 'the credentials lack access (after the post-create grace period)' },
  not_found: { retryable: false, why: 'the interaction does not exist (after the post-create grace period)' },
  unprocessable: { retryable: false, why: 'the server understood the request but refuses it' },
  conflict: { retryable: true, why: 'a concurrent change; retrying reads the new state' },
  rate_limited: { retryable: true, why: 'quota; retried after Retry-After when the server sends it' },
  server_error: { retryable: true, why: 'transient upstream failure' },
  connection_error: { retryable: true, why: 'network failure' },
  timeout: { retryable: true, why: 'request or stream idle timeout' },
  stream_truncated: { retryable: true, why: 'the stream ended early; resume from the last event id' },
  stream_error: { retryable: true, why: 'error inside the stream; the interaction status is re-read' },
  aborted: { retryable: true, why: 'the request was aborted without a cancellation request' },
};

/** Failure types an activity retry policy must never retry (the table's non-retryable rows; test/jobs/unit.test.ts). */
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

/** The stable code of a client error, or undefined for anything else. */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && typeof (err as ClientErrorLike).code === 'string') {
    const code = (err as ClientErrorLike).code as string;
    // Node system errors carry codes too (ECONNRESET…): they are connection errors.
    if (/^E[A-Z0-9_]+$/.test(code) || code.startsWith('UND_ERR')) return 'connection_error';
    return code;
  }
  return undefined;
}

/** Is this error retryable under the table? Unknown codes retry (Temporal bounds the attempts). */
export function isRetryableCode(code: string | undefined): boolean {
  if (code === undefined) return true;
  return FAILURE_TABLE[code]?.retryable ?? true;
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
 * @param forceNonRetryable treat the error as final whatever the table says (e.g. grace expired).
 */
export function toActivityFailure(err: unknown, opts: { forceNonRetryable?: boolean } = {}): Error {
  if (err instanceof CancelledFailure) return err;
  if (err instanceof ApplicationFailure) return err;
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as ClientErrorLike;
  const code = errorCode(err) ?? 'internal';
  const message = redact(typeof e.message === 'string' ? e.message : String(err));
  const retryable = !opts.forceNonRetryable && isRetryableCode(code === 'internal' ? undefined : code);
  const retryAfterMs = typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0 ? e.retryAfterMs : undefined;
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: !retryable,
    details: [detailsOf(e, code)],
    ...(retryable && code === 'rate_limited' && retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
  });
}
