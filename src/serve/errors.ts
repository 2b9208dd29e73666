/**
 * HTTP errors of `gemini-jobs serve`: every failure is answered as JSON
 * `{ "error": { "code", "message", "field"? } }` with the same stable `code`s as the package's
 * error tree (`invalid_job`, `invalid_request`, `job_not_found`, …), plus the HTTP-only ones below.
 */
import type { ServerResponse } from 'node:http';
import { GeminiJobsError, codeOf } from '../common/errors';
import type { ErrorCode } from '../contract/error-codes';

/** Codes only the HTTP server answers with (the rest are the package's, see docs/errors.md). */
export type ServeErrorCode =
  | 'invalid_json'
  | 'invalid_target'
  | 'unauthorized'
  | 'host_not_allowed'
  | 'method_not_allowed'
  | 'not_acceptable'
  | 'no_report'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_streams'
  | 'internal';

/** A code an HTTP error response can carry: the server's own, or a package code the routes reuse. */
export type HttpErrorCode = ServeErrorCode | Extract<ErrorCode, 'not_found' | 'invalid_request' | 'invalid_job' | 'invalid_job_id' | 'invalid_thread' | 'invalid_list_filter'>;

/**
 * An error the server answers with a stable `code`; the status comes from {@link STATUS_OF_CODE}.
 * Routes throw it; it describes a response, so (unlike the package's other classes) several codes
 * share it.
 */
export class HttpError extends GeminiJobsError<HttpErrorCode> {
  readonly status: number;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;
  constructor(code: HttpErrorCode, message: string, options?: { field?: string; headers?: Record<string, string> });
  /** @deprecated pass the code first; the status follows from it. */
  constructor(status: number, code: HttpErrorCode, message: string, field?: string, headers?: Record<string, string>);
  constructor(
    first: HttpErrorCode | number,
    second: string,
    third?: string | { field?: string; headers?: Record<string, string> },
    field?: string,
    headers: Record<string, string> = {},
  ) {
    const legacy = typeof first === 'number';
    const code = (legacy ? second : first) as HttpErrorCode;
    const message = legacy ? String(third) : second;
    const options = legacy ? { field, headers } : ((third as { field?: string; headers?: Record<string, string> } | undefined) ?? {});
    super(code, message);
    this.status = legacy ? first : STATUS_OF_CODE[code];
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
  protected override jsonFields(): Record<string, unknown> {
    return { status: this.status, field: this.field };
  }
}

/**
 * HTTP status of every code: the package's (any error a route can surface) and the server's own.
 * Keyed by the full `ErrorCode` union, so a new code does not compile without its status.
 */
export const STATUS_OF_CODE: Readonly<Record<ErrorCode | ServeErrorCode, number>> = {
  // The caller's input: nothing was enqueued.
  invalid_job: 400,
  invalid_job_id: 400,
  invalid_thread: 400,
  invalid_list_filter: 400,
  invalid_request: 400,
  invalid_json: 400,
  invalid_target: 400,
  usage: 400,
  unauthorized: 401,
  host_not_allowed: 403,
  not_found: 404,
  job_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  update_rejected: 409,
  schedule_not_found: 404,
  schedule_exists: 409,
  batch_item_not_found: 409,
  job_closed: 409,
  no_report: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // The server's side: its settings, Temporal, the Gemini API behind the worker.
  internal: 500,
  invalid_config: 500,
  missing_credentials: 500,
  report_unreadable: 500,
  temporal_cli_not_found: 500,
  dev_data_locked: 500,
  dev_server_failed: 500,
  bad_request: 502,
  unauthenticated: 502,
  permission_denied: 502,
  conflict: 502,
  unprocessable: 502,
  rate_limited: 502,
  server_error: 502,
  api_error: 502,
  connection_error: 502,
  stream_truncated: 502,
  stream_error: 502,
  aborted: 502,
  timeout: 504,
  too_many_streams: 503,
  query_failed: 503,
  temporal_connection: 503,
  search_attributes_missing: 503,
  wait_timeout: 504,
};

/** 5xx codes whose message is shown to the caller: they name the job and what to check. */
const PASS_MESSAGE = new Set<string>(['query_failed', 'wait_timeout', 'too_many_streams']);

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Maps any thrown value to status + body, by its code alone. A string `code` on an error that is
 * not of this package's tree counts too (another copy of the package); errors of unknown code
 * become `internal` with a fixed message, so nothing from inside the server (paths, connection
 * details) reaches a caller.
 */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  const code = codeOf(err);
  const status = code !== undefined && Object.hasOwn(STATUS_OF_CODE, code) ? STATUS_OF_CODE[code as keyof typeof STATUS_OF_CODE] : undefined;
  if (code === undefined || status === undefined) {
    return { status: 500, headers: {}, body: { error: { code: 'internal', message: publicMessage('internal') } } };
  }
  const headers = err instanceof HttpError ? err.headers : {};
  const finalStatus = err instanceof HttpError ? err.status : status;
  // Caller errors, and the server-side waits whose message helps the caller, keep their message
  // (it names the field or the job, never a credential); other server errors do not.
  if (finalStatus < 500 || PASS_MESSAGE.has(code)) {
    const e = err as { message?: unknown; field?: unknown };
    const field = typeof e.field === 'string' ? e.field : undefined;
    return { status: finalStatus, headers, body: { error: { code, message: String(e.message ?? code), ...(field ? { field } : {}) } } };
  }
  return { status: finalStatus, headers, body: { error: { code, message: publicMessage(code) } } };
}

function publicMessage(code: string): string {
  if (code === 'temporal_connection') return 'Temporal is unreachable from the server; try again later.';
  if (code === 'search_attributes_missing') return 'The Temporal namespace lacks the job search attributes (GeminiJobStatus, GeminiJobAgent, GeminiJobThread).';
  return 'The server failed to handle the request; its log has the details.';
}

/** Writes a JSON error response (or ends the response if headers already went out). */
export function sendError(res: ServerResponse, err: unknown): { status: number; code: string } {
  const { status, body, headers } = errorResponse(err);
  if (res.headersSent) {
    res.end();
    return { status, code: body.error.code };
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
  return { status, code: body.error.code };
}
