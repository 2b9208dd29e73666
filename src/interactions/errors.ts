/**
 * The one error tree of the Interactions client.
 *
 * Every error has a stable string `code` (switch on it, not on the message) and a `retryable`
 * getter that says whether repeating the same request may succeed: the answer of the one retry
 * table (retry-table.ts), never decided here. Messages name the route that
 * was used (gemini / vertex / express, and the host) and never contain a credential: anything that
 * looks like an API key or token is redacted before it reaches a message.
 *
 * The tree hangs under the package's base class `GeminiJobsError` (src/common/errors.ts); the
 * class names and code strings below are public and never change.
 */
import { GeminiJobsError } from '../common/errors';
import { isRetryable } from './retry-table';

/** Which backend family a request went to, and the host it was sent to. */
export interface RouteInfo {
  family: 'gemini' | 'vertex' | 'express';
  /** Host (and port, when not the default) of the base URL actually used. */
  host: string;
}

// The code union lives with the wire types, so the job contract can name it without the client.
import type { InteractionsErrorCode } from './types';
export type { InteractionsErrorCode } from './types';

export interface ErrorContext {
  route?: RouteInfo;
  interactionId?: string;
  lastEventId?: string;
  cause?: unknown;
}

// Redaction lives in src/common/redact.ts (one pattern set for the whole package).
export { redact, registerSecret } from '../common/redact';
import { redact } from '../common/redact';

function routeSuffix(ctx: ErrorContext): string {
  const parts: string[] = [];
  if (ctx.route) parts.push(`route: ${ctx.route.family} ${ctx.route.host}`);
  if (ctx.interactionId) parts.push(`interaction: ${ctx.interactionId}`);
  if (ctx.lastEventId) parts.push(`last event: ${ctx.lastEventId}`);
  return parts.length ? ` [${parts.join('; ')}]` : '';
}

/** Base class of every error thrown by the Interactions client. */
export class InteractionsError extends GeminiJobsError<InteractionsErrorCode> {
  readonly route: RouteInfo | undefined;
  interactionId: string | undefined;
  lastEventId: string | undefined;

  constructor(code: InteractionsErrorCode, message: string, ctx: ErrorContext = {}) {
    super(code, redact(message + routeSuffix(ctx)), ctx.cause !== undefined ? { cause: ctx.cause } : undefined);
    this.route = ctx.route;
    this.interactionId = ctx.interactionId;
    this.lastEventId = ctx.lastEventId;
  }

  /** Whether repeating the same request may succeed (the retry table's answer for this error). */
  get retryable(): boolean {
    return isRetryable(this);
  }

  protected override jsonFields(): Record<string, unknown> {
    return { retryable: this.retryable, route: this.route, interactionId: this.interactionId, lastEventId: this.lastEventId };
  }
}

export interface APIStatusErrorInit extends ErrorContext {
  status: number;
  /** Google RPC status from the body, e.g. `UNAVAILABLE`. */
  googleStatus?: string;
  /** Upstream message from the body (redacted). */
  upstreamMessage?: string;
  requestId?: string;
  retryAfterMs?: number;
  /** Parsed error body (credentials redacted from strings). */
  body?: unknown;
  /** e.g. `GET /v1beta/interactions/abc` */
  operation?: string;
}

/** An HTTP response with a non-2xx status. */
export class APIStatusError extends InteractionsError {
  readonly status: number;
  readonly googleStatus: string | undefined;
  readonly requestId: string | undefined;
  /** Server-requested delay before retrying, in milliseconds (429 / 503 only). */
  readonly retryAfterMs: number | undefined;
  readonly body: unknown;

  constructor(code: InteractionsErrorCode, init: APIStatusErrorInit) {
    const head = `${init.status}${init.googleStatus ? ` ${init.googleStatus}` : ''}`;
    const msg = init.upstreamMessage ? `: ${init.upstreamMessage}` : '';
    const op = init.operation ? ` (${init.operation}${init.requestId ? `, request id ${init.requestId}` : ''})` : '';
    super(code, `Interactions API error ${head}${msg}${op}`, init);
    this.status = init.status;
    this.googleStatus = init.googleStatus;
    this.requestId = init.requestId;
    this.retryAfterMs = init.status === 429 || init.status === 503 ? init.retryAfterMs : undefined;
    this.body = init.body;
  }

  // The parsed body stays out: it is the upstream's text, redacted only for the patterns we know.
  protected override jsonFields(): Record<string, unknown> {
    return { ...super.jsonFields(), status: this.status, googleStatus: this.googleStatus, requestId: this.requestId, retryAfterMs: this.retryAfterMs };
  }
}

export class BadRequestError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('bad_request', init);
  }
}
export class AuthenticationError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('unauthenticated', init);
  }
}
export class PermissionDeniedError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('permission_denied', init);
  }
}
export class NotFoundError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('not_found', init);
  }
}
export class ConflictError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('conflict', init);
  }
}
export class UnprocessableEntityError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('unprocessable', init);
  }
}
export class RateLimitError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('rate_limited', init);
  }
}
export class InternalServerError extends APIStatusError {
  constructor(init: APIStatusErrorInit) {
    super('server_error', init);
  }
}

/** Map an HTTP status to its error class. */
export function makeStatusError(init: APIStatusErrorInit): APIStatusError {
  const s = init.status;
  if (s === 400) return new BadRequestError(init);
  if (s === 401) return new AuthenticationError(init);
  if (s === 403) return new PermissionDeniedError(init);
  if (s === 404) return new NotFoundError(init);
  if (s === 409) return new ConflictError(init);
  if (s === 422) return new UnprocessableEntityError(init);
  if (s === 429) return new RateLimitError(init);
  if (s >= 500) return new InternalServerError(init);
  return new APIStatusError('api_error', init);
}

/** The request never produced a response (DNS, refused, reset, TLS…). */
export class APIConnectionError extends InteractionsError {
  /**
   * True when the request provably never reached the server (connect phase failed), so even a
   * non-idempotent create may be repeated.
   */
  readonly beforeSend: boolean;
  constructor(message: string, ctx: ErrorContext & { beforeSend?: boolean } = {}) {
    super('connection_error', message, ctx);
    this.beforeSend = ctx.beforeSend ?? false;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { ...super.jsonFields(), beforeSend: this.beforeSend };
  }
}

export type TimeoutPhase = 'connect' | 'headers' | 'idle' | 'overall';

/** A deadline passed: `connect`, `headers` (per request), stream `idle`, or `overall` (per call). */
export class APITimeoutError extends InteractionsError {
  readonly phase: TimeoutPhase;
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number | undefined;
  constructor(phase: TimeoutPhase, timeoutMs: number | undefined, ctx: ErrorContext = {}) {
    super('timeout', `Interactions API ${phase} timeout${timeoutMs !== undefined ? ` after ${timeoutMs} ms` : ''}`, ctx);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { ...super.jsonFields(), phase: this.phase, timeoutMs: this.timeoutMs };
  }
}

/** A stream ended (or stalled) without a terminal event: the outcome is unknown, never success. */
export class StreamProtocolError extends InteractionsError {
  constructor(message: string, ctx: ErrorContext = {}) {
    super('stream_truncated', message, ctx);
  }
}

/**
 * The server reported an error inside a stream: an `error` event, or a raw Google error envelope
 * written into the body without SSE framing.
 */
export class StreamErrorEvent extends InteractionsError {
  /** Google RPC status, e.g. `UNAVAILABLE`, when known. */
  readonly googleStatus: string | undefined;
  /** Upstream `error.code` (a number for envelopes, a string for `error` events). */
  readonly upstreamCode: string | number | undefined;
  /** The raw error object. */
  readonly error: unknown;
  constructor(error: { code?: unknown; message?: unknown; status?: unknown }, ctx: ErrorContext = {}) {
    const googleStatus = typeof error.status === 'string' ? error.status : undefined;
    const upstreamCode = typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined;
    const message = typeof error.message === 'string' ? error.message : 'unknown error';
    const head = [upstreamCode, googleStatus].filter((x) => x !== undefined).join(' ');
    super('stream_error', `Interactions stream error${head ? ` ${head}` : ''}: ${message}`, ctx);
    this.googleStatus = googleStatus;
    this.upstreamCode = upstreamCode;
    this.error = error;
  }
  // `error` (the raw upstream object) stays out of JSON; its message is already in ours, redacted.
  protected override jsonFields(): Record<string, unknown> {
    return { ...super.jsonFields(), googleStatus: this.googleStatus, upstreamCode: this.upstreamCode };
  }
}

/** A create/get argument the API would reject; `field` names it and `fix` says what to do. */
export class RequestValidationError extends InteractionsError {
  readonly field: string;
  readonly fix: string;
  constructor(field: string, problem: string, fix: string) {
    super('invalid_request', `${problem}: ${fix}`);
    this.field = field;
    this.fix = fix;
  }
  protected override jsonFields(): Record<string, unknown> {
    return { ...super.jsonFields(), field: this.field, fix: this.fix };
  }
}

/** The caller aborted (its AbortSignal fired). `name` is `AbortError` like a DOM abort. */
export class AbortError extends InteractionsError {
  constructor(message = 'The operation was aborted', ctx: ErrorContext = {}) {
    super('aborted', message, ctx);
    this.name = 'AbortError';
  }
}

/** True for any error thrown because a caller's signal fired. */
export function isAbortError(err: unknown): boolean {
  return err instanceof AbortError || (err instanceof Error && err.name === 'AbortError');
}
