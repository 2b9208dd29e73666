/**
 * The one retry table of gemini-jobs: for every error code of the Interactions client's tree,
 * whether repeating the request may succeed, and whether a failed request provably had no effect
 * upstream (so that even a create, which has no idempotency key, may be sent again).
 *
 * | code               | retryable                                   | no effect upstream          |
 * |--------------------|---------------------------------------------|-----------------------------|
 * | `bad_request`      | no                                          | yes (a 4xx refuses)         |
 * | `invalid_request`  | no (client-side validation)                 | yes (never sent)            |
 * | `unauthenticated`  | no                                          | yes                         |
 * | `permission_denied`| no (the follow activity's post-create grace decides first) | yes          |
 * | `not_found`        | no (the same grace)                         | yes                         |
 * | `unprocessable`    | no                                          | yes                         |
 * | `conflict`         | yes (Google's SDKs retry 409)               | yes                         |
 * | `rate_limited`     | yes, after `Retry-After`                    | yes                         |
 * | `server_error`     | yes (every 5xx, as Google's SDKs)           | no                          |
 * | `api_error`        | only 408, or a 2xx whose body is not JSON   | a 4xx: yes                  |
 * | `connection_error` | yes                                         | only `beforeSend`           |
 * | `timeout`          | yes                                         | only the `connect` phase    |
 * | `stream_truncated` | yes (resume from the last event id)         | n/a (reads only)            |
 * | `stream_error`     | only UNAVAILABLE, RESOURCE_EXHAUSTED, INTERNAL, DEADLINE_EXCEEDED, ABORTED, or an upstream code 429 / 5xx | n/a |
 * | `aborted`          | yes: whoever aborted checks its own signal first and stops; any other abort may be repeated | no |
 *
 * Who asks it: the error classes' `retryable` getters (src/interactions/errors.ts), the client's
 * attempt loop (`shouldRetry`, src/interactions/retry.ts), `ResumableStream` (`isReconnectable`),
 * and in the worker the in-attempt retries of reads, the follow and create activities and the
 * mapping to Temporal failures (activities/). Nobody else decides.
 *
 * Errors outside the tree (a TypeError, an unknown code) have no row: the client never repeats
 * them, Temporal retries them within the activity's bounded attempts (activities/failure-mapping.ts).
 *
 * Types only from the rest of the client: errors.ts imports this module.
 */
import type { InteractionsErrorCode } from './types';

/** The fields of an error the table looks at (all optional: errors may come from another copy of the package, or from JSON). */
export interface ErrorFacts {
  code?: unknown;
  status?: unknown;
  googleStatus?: unknown;
  upstreamCode?: unknown;
  phase?: unknown;
  beforeSend?: unknown;
}

type Decision = boolean | ((e: ErrorFacts) => boolean);

export interface RetryRow {
  /** Repeating the same request (or reconnecting the stream) may succeed. */
  retryable: Decision;
  /** The failed request provably created or changed nothing upstream. */
  noEffect: Decision;
  /** Why, for readers of the table and of failure messages. */
  why: string;
}

/** Google RPC statuses of a stream error that a repeat may outlive. */
export const RETRYABLE_GOOGLE_STATUSES: ReadonlySet<string> = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'INTERNAL', 'DEADLINE_EXCEEDED', 'ABORTED']);

const isClientError = (e: ErrorFacts): boolean => typeof e.status === 'number' && e.status >= 400 && e.status < 500;

function streamErrorRetryable(e: ErrorFacts): boolean {
  if (typeof e.googleStatus === 'string' && e.googleStatus !== '') return RETRYABLE_GOOGLE_STATUSES.has(e.googleStatus);
  const c = typeof e.upstreamCode === 'string' && /^\d+$/.test(e.upstreamCode) ? Number(e.upstreamCode) : e.upstreamCode;
  return typeof c === 'number' && (c === 429 || c >= 500);
}

/** The table itself: one row per code of the client's error tree (the type makes a missing code a compile error). */
export const RETRY_TABLE: { readonly [C in InteractionsErrorCode]: RetryRow } = {
  bad_request: { retryable: false, noEffect: true, why: 'the request is invalid; the same body fails again' },
  invalid_request: { retryable: false, noEffect: true, why: 'client-side validation failed before sending; fix the named field' },
  unauthenticated: { retryable: false, noEffect: true, why: 'credentials are missing or wrong in the worker environment' },
  permission_denied: { retryable: false, noEffect: true, why: 'the credentials lack access (after the post-create grace period)' },
  not_found: { retryable: false, noEffect: true, why: 'the interaction does not exist (after the post-create grace period)' },
  unprocessable: { retryable: false, noEffect: true, why: 'the server understood the request but refuses it' },
  conflict: { retryable: true, noEffect: true, why: 'a concurrent change; a repeat reads the new state' },
  rate_limited: { retryable: true, noEffect: true, why: 'quota; repeated after Retry-After when the server sends one' },
  server_error: { retryable: true, noEffect: false, why: 'transient upstream failure' },
  api_error: {
    retryable: (e) => e.status === undefined || e.status === 408,
    noEffect: isClientError,
    why: 'an unmapped status: 408 and a garbled 2xx body are repeated, any other status is final',
  },
  connection_error: { retryable: true, noEffect: (e) => e.beforeSend === true, why: 'network failure' },
  timeout: { retryable: true, noEffect: (e) => e.phase === 'connect', why: 'a connect, headers or stream idle deadline passed' },
  stream_truncated: { retryable: true, noEffect: false, why: 'the stream ended early; resume from the last event id' },
  stream_error: {
    retryable: streamErrorRetryable,
    noEffect: false,
    why: "an error written into the stream: repeated only when Google's status says the failure is transient",
  },
  aborted: { retryable: true, noEffect: false, why: 'aborted by a signal: whoever aborted stops on its own signal; any other abort may be repeated' },
};

/** Every code of the client's error tree, in table order. */
export const INTERACTIONS_ERROR_CODES = Object.keys(RETRY_TABLE) as InteractionsErrorCode[];

/** The table's answer for one error. */
export interface RetryVerdict {
  code: InteractionsErrorCode;
  retryable: boolean;
  noEffect: boolean;
  why: string;
}

/**
 * The error's code in the table: its own `code`, with Node and undici system codes (`ECONNRESET`,
 * `UND_ERR_SOCKET`…) read as `connection_error`; undefined when it has no row.
 */
export function tableCode(err: unknown): InteractionsErrorCode | undefined {
  const code = err !== null && typeof err === 'object' ? (err as ErrorFacts).code : undefined;
  if (typeof code !== 'string') return undefined;
  if (Object.prototype.hasOwnProperty.call(RETRY_TABLE, code)) return code as InteractionsErrorCode;
  if (/^E[A-Z0-9_]+$/.test(code) || code.startsWith('UND_ERR')) return 'connection_error';
  return undefined;
}

const decide = (d: Decision, e: ErrorFacts): boolean => (typeof d === 'function' ? d(e) : d);

/** The table's verdict on `err`, or undefined for an error outside the tree. */
export function retryVerdict(err: unknown): RetryVerdict | undefined {
  const code = tableCode(err);
  if (code === undefined) return undefined;
  const row = RETRY_TABLE[code];
  const facts = err as ErrorFacts;
  return { code, retryable: decide(row.retryable, facts), noEffect: decide(row.noEffect, facts), why: row.why };
}

/** True when the table says repeating may succeed; false for errors outside the tree. */
export function isRetryable(err: unknown): boolean {
  return retryVerdict(err)?.retryable ?? false;
}

/** True when the table says the failed request provably had no effect upstream (a create may be sent again). */
export function hadNoEffect(err: unknown): boolean {
  return retryVerdict(err)?.noEffect ?? false;
}

/** Codes that are never retryable whatever the status (Temporal's `nonRetryableErrorTypes`). */
export function alwaysFinalCodes(): InteractionsErrorCode[] {
  return INTERACTIONS_ERROR_CODES.filter((code) => RETRY_TABLE[code].retryable === false);
}
