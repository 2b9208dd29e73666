/**
 * HTTP transport on undici, with every deadline explicit.
 *
 * | option              | default | applies to                                                                 |
 * |---------------------|---------|----------------------------------------------------------------------------|
 * | `connectTimeoutMs`  | 10000   | TCP + TLS connect (on the client's own Agent; a caller `dispatcher` owns its own) |
 * | `headersTimeoutMs`  | 60000   | each request, from send to response headers                                |
 * | `idleTimeoutMs`     | 90000   | SSE bodies: longest silence between two chunks (enforced by the stream, not undici) |
 * | `timeoutMs`         | 120000  | whole non-stream call, retries and backoff included                        |
 *
 * undici's own `bodyTimeout` is set to 0 on purpose: its 300 s default would kill a quiet Deep
 * Research stream, and the stream's idle watchdog and the overall timeout replace it.
 * One keep-alive `Agent` is shared by all requests of a client (`connections` caps the pool).
 */

import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { APIConnectionError, APITimeoutError, type ErrorContext } from './errors';
import { abortReason } from './retry';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
export const DEFAULT_TIMEOUT_MS = 120_000;

export interface TransportOptions {
  /** Caller-supplied undici dispatcher (then `connectTimeoutMs`/`connections` are its business). */
  dispatcher?: Dispatcher;
  /** TCP/TLS connect deadline in milliseconds (default 10000). */
  connectTimeoutMs?: number;
  /** Max sockets per origin in the shared pool (default unlimited). */
  connections?: number;
  /** How long an idle keep-alive socket is kept, in milliseconds (default 30000). */
  keepAliveTimeoutMs?: number;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Deadline for the response headers, in milliseconds (0 disables). */
  headersTimeoutMs: number;
}

export type ResponseBody = Dispatcher.ResponseData['body'];

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: ResponseBody;
}

const BEFORE_SEND_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

function errCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (err as { code?: unknown } | null)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** Map a low-level failure (undici / socket) to the client's error tree. */
export function mapTransportError(err: unknown, signal: AbortSignal, ctx: ErrorContext, timeouts: { connectTimeoutMs?: number; headersTimeoutMs?: number }): Error {
  if (signal.aborted) return abortReason(signal);
  const code = errCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new APITimeoutError('connect', timeouts.connectTimeoutMs, { ...ctx, cause: err });
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new APITimeoutError('headers', timeouts.headersTimeoutMs, { ...ctx, cause: err });
  if (code === 'UND_ERR_BODY_TIMEOUT') return new APITimeoutError('idle', undefined, { ...ctx, cause: err });
  const beforeSend = code !== undefined && BEFORE_SEND_CODES.has(code);
  return new APIConnectionError(`connection failed${code ? ` (${code})` : ''}: ${message}`, { ...ctx, cause: err, beforeSend });
}

let undiciModule: typeof Undici | undefined;

/**
 * undici, loaded by the first transport built: a program that imports the package for the jobs
 * client alone (which never calls the API itself) does not pay for loading it.
 */
function undici(): typeof Undici {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (undiciModule ??= require('undici') as typeof Undici);
}

/** Sends requests through one pooled undici dispatcher. */
export class Transport {
  readonly dispatcher: Dispatcher;
  readonly connectTimeoutMs: number;
  private readonly ownsDispatcher: boolean;

  constructor(opts: TransportOptions = {}) {
    this.connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    if (opts.dispatcher) {
      this.dispatcher = opts.dispatcher;
      this.ownsDispatcher = false;
    } else {
      this.dispatcher = new (undici().Agent)({
        connect: { timeout: this.connectTimeoutMs },
        connections: opts.connections ?? null,
        keepAliveTimeout: opts.keepAliveTimeoutMs ?? 30_000,
        // Set per request below; these agent-wide values only matter if a request omits them.
        headersTimeout: DEFAULT_HEADERS_TIMEOUT_MS,
        bodyTimeout: 0,
      });
      this.ownsDispatcher = true;
    }
  }

  /** Send one request; resolves at response headers. Throws mapped errors (never raw undici ones). */
  async send(req: TransportRequest, ctx: ErrorContext): Promise<TransportResponse> {
    try {
      const res = await undici().request(req.url, {
        dispatcher: this.dispatcher,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        signal: req.signal,
        headersTimeout: req.headersTimeoutMs,
        bodyTimeout: 0,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body };
    } catch (err) {
      throw mapTransportError(err, req.signal, ctx, { connectTimeoutMs: this.connectTimeoutMs, headersTimeoutMs: req.headersTimeoutMs });
    }
  }

  /** Close the pool if this transport created it. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

/** Read a whole body as text, at most `limit` characters kept (the rest is drained). */
export async function readText(body: ResponseBody, limit = Infinity): Promise<string> {
  let out = '';
  const dec = new TextDecoder();
  for await (const chunk of body) {
    if (out.length < limit) out += dec.decode(chunk as Uint8Array, { stream: true });
  }
  out += dec.decode();
  return out.length > limit ? out.slice(0, limit) : out;
}

/** First value of a response header. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
