/**
 * The shape of one API call, shared by the client and the resources it hosts (`client.webhooks`),
 * so a resource needs only something that can make a call, not the client class.
 */

/** Options accepted by every call. */
export interface RequestOptions {
  signal?: AbortSignal;
  /** Whole-call deadline in milliseconds for non-stream calls (overrides the client's). */
  timeoutMs?: number;
  /** Retries for this call (overrides the client's; 0 disables). */
  maxRetries?: number;
  /** Stream idle deadline in milliseconds (overrides the client's). */
  idleTimeoutMs?: number;
  /** Per-request headers deadline in milliseconds (overrides the client's). */
  headersTimeoutMs?: number;
  headers?: Record<string, string>;
}

/** One API call: route, body, idempotency (whether it may be retried) and per-call options. */
export interface CallSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Safe to repeat (GET, DELETE, cancel…); a create is not. */
  idempotent: boolean;
  opts?: RequestOptions;
  interactionId?: string;
  lastEventId?: string;
}

/** What a resource needs from the client: a way to make one call. */
export interface CallMaker {
  request<T>(spec: CallSpec): Promise<T>;
}
