/**
 * HTTP errors of `gemini-jobs serve`: every failure is answered as JSON
 * `{ "error": { "code", "message", "field"? } }` with the same stable `code`s as the package's
 * error tree (`invalid_job`, `invalid_request`, `job_not_found`, …), plus the HTTP-only ones below.
 */
import type { ServerResponse } from 'node:http';

/** An error the server answers with `status` and a stable `code`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** HTTP status of each package error code the routes can surface. */
export const STATUS_OF_CODE: Record<string, number> = {
  invalid_job: 400,
  invalid_request: 400,
  invalid_json: 400,
  unauthorized: 401,
  not_found: 404,
  job_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  update_rejected: 409,
  no_report: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_streams: 503,
  query_failed: 503,
  temporal_connection: 503,
  search_attributes_missing: 503,
  wait_timeout: 504,
  internal: 500,
};

/** 5xx codes whose message is shown to the caller: they name the job and what to check. */
const PASS_MESSAGE = new Set(['query_failed', 'wait_timeout', 'too_many_streams']);

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Maps any thrown value to status + body. Errors of unknown shape become `internal` with a fixed
 * message, so nothing from inside the server (paths, connection details) reaches a caller.
 */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (err instanceof HttpError) {
    return { status: err.status, headers: err.headers, body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } } };
  }
  const e = err as { code?: unknown; name?: unknown; message?: unknown; field?: unknown };
  // A rejected workflow update (follow-up while a turn runs, approve without a plan, …).
  const code = e?.name === 'JobUpdateRejectedError' ? 'update_rejected' : typeof e?.code === 'string' ? e.code : undefined;
  const status = code !== undefined ? STATUS_OF_CODE[code] : undefined;
  if (code === undefined || status === undefined) {
    return { status: 500, headers: {}, body: { error: { code: 'internal', message: publicMessage('internal') } } };
  }
  // Caller errors, and the two server-side waits whose message helps the caller, keep their
  // message (it names the field or the job, never a credential); other server errors do not.
  if (status < 500 || PASS_MESSAGE.has(code)) {
    const field = typeof e.field === 'string' ? e.field : undefined;
    return { status, headers: {}, body: { error: { code, message: String(e.message ?? code), ...(field ? { field } : {}) } } };
  }
  return { status, headers: {}, body: { error: { code, message: publicMessage(code) } } };
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
