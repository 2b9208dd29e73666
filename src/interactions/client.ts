/**
 * `InteractionsClient`: the typed Interactions API client.
 *
 * One instance holds a route (gemini / vertex / express), an auth provider, one pooled undici
 * dispatcher and one retry policy. Every call takes an AbortSignal and per-call deadlines.
 */

import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { AuthClient, GoogleAuth } from 'google-auth-library';
import { createAuth, type AccessTokenSource, type AuthProvider } from './auth';
import { APIConnectionError, APITimeoutError, InteractionsError, makeStatusError, redact, type ErrorContext } from './errors';
import { normalizeInteraction } from './normalize';
import { DEFAULT_RETRY_POLICY, abortReason, parseRetryAfterMs, retryDelayMs, shouldRetry, sleep, type RetryPolicy } from './retry';
import { apiVersionFromEnv, buildUrl, idSegment, resolveRoute, type Route } from './routing';
import { InteractionStream, ResumableStream, type ResumeOptions } from './stream';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, Transport, header, readText, type TransportResponse } from './transport';
import type { CreateInteractionRequest, Interaction } from './types';
import { validateCreateRequest, validateGetParams, validateId } from './validate';
import { Webhooks } from './webhooks';
import type { CallSpec, RequestOptions } from './call-spec';

export type { CallSpec, RequestOptions } from './call-spec';

export interface ClientOptions {
  /** Gemini API key (or Vertex express key). */
  apiKey?: string;
  /** Use Vertex AI. */
  vertexai?: boolean;
  /** Vertex project id. */
  project?: string;
  /** Vertex location (default `global`). */
  location?: string;
  /** Bearer token or async token function for Vertex (called on every attempt). */
  accessToken?: AccessTokenSource;
  /** google-auth-library client for Vertex. */
  authClient?: AuthClient;
  /** google-auth-library GoogleAuth for Vertex (default: ADC with cloud-platform scope). */
  googleAuth?: GoogleAuth;
  /** `x-goog-user-project` on every route (else GOOGLE_GENAI_USER_PROJECT, else the credentials' quota project, else GOOGLE_CLOUD_QUOTA_PROJECT). */
  userProject?: string;
  /** API version segment: default `v1` (Gemini API, as @google/genai 3.3.0) or `v1beta1` (Vertex). `fromEnv` reads GOOGLE_GENAI_API_VERSION. */
  apiVersion?: string;
  /** Origin override (emulator, proxy); the version prefix is kept. */
  baseUrl?: string;
  /** Sent as `Api-Revision` when set (e.g. `2026-05-20`). */
  apiRevision?: string;
  /** Caller-supplied undici dispatcher (default: one keep-alive Agent per client). */
  dispatcher?: Dispatcher;
  /** Max sockets per origin of the client's Agent. */
  connections?: number;
  /** Retries after the first attempt (default 2; 0 disables). */
  maxRetries?: number;
  /** Fine-grained retry knobs (see retry.ts). */
  retry?: Partial<RetryPolicy>;
  /** Waits `ms` milliseconds between attempts, rejecting when `signal` aborts (default: an abortable timer); tests pass one that records the delays. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** TCP/TLS connect deadline in milliseconds (default 10000). */
  connectTimeoutMs?: number;
  /** Per-request deadline for response headers in milliseconds (default 60000). */
  headersTimeoutMs?: number;
  /** Longest silence inside an SSE body in milliseconds (default 90000). */
  idleTimeoutMs?: number;
  /** Whole non-stream call deadline in milliseconds, retries included (default 120000; 0 disables). */
  timeoutMs?: number;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Environment read for GOOGLE_GENAI_USER_PROJECT / GOOGLE_CLOUD_QUOTA_PROJECT (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** What {@link InteractionsClient.routing} returns. */
export interface RoutingInfo {
  family: Route['family'];
  /** Origin actually used (the `baseUrl` override when set). */
  origin: string;
  host: string;
  /** Version path, e.g. `/v1beta` or `/v1beta1/projects/p/locations/l`. */
  prefix: string;
  /** First segment of the version path, e.g. `v1`, `v1beta`, `v1beta1`. */
  apiVersion: string;
  /** `api-key` (x-goog-api-key) or `bearer` (OAuth2 Authorization header). */
  auth: 'api-key' | 'bearer';
  /** True when `baseUrl` replaced Google's origin (emulator, proxy). */
  originOverridden: boolean;
}

export interface GetOptions extends RequestOptions {
  stream?: boolean;
  /** Resume after this event id (only with `stream: true`). */
  last_event_id?: string;
  /** Alias of `last_event_id`. */
  lastEventId?: string;
  include_input?: boolean;
}

const USER_AGENT = 'gemini-jobs-interactions/0.1';

export class InteractionsClient {
  readonly route: Route;
  readonly webhooks: Webhooks;
  private readonly auth: AuthProvider;
  private readonly transport: Transport;
  private readonly policy: RetryPolicy;
  private readonly opts: ClientOptions;

  constructor(opts: ClientOptions = {}) {
    this.opts = opts;
    this.route = resolveRoute({
      vertexai: opts.vertexai,
      project: opts.project,
      location: opts.location,
      hasApiKey: !!opts.apiKey,
      ...(opts.apiVersion !== undefined ? { apiVersion: opts.apiVersion } : {}),
      baseUrl: opts.baseUrl,
    });
    this.auth = createAuth(this.route.auth, opts);
    this.transport = new Transport({
      dispatcher: opts.dispatcher,
      connectTimeoutMs: opts.connectTimeoutMs,
      connections: opts.connections,
    });
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry, ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries } : {}) };
    this.webhooks = new Webhooks(this);
  }

  /**
   * A stable, non-reversible name of the quota this client spends: `vertex:<project>/<location>`
   * on Vertex (quotas are per project and region), else `key-<12 hex of sha256(api key)>`, else
   * `origin-<hash>` (no key, e.g. the emulator). Never the credential itself.
   */
  quotaKey(): string {
    const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
    if (this.route.family === 'vertex') {
      return `vertex:${this.opts.project}/${this.opts.location || 'global'}`;
    }
    if (this.opts.apiKey) return `key-${hash(this.opts.apiKey)}`;
    return `origin-${hash(this.route.origin)}`;
  }

  /**
   * Build a client from the environment, read like @google/genai 3.3.0 reads it:
   * `GEMINI_API_KEY` then `GOOGLE_API_KEY`; `GOOGLE_GENAI_USE_VERTEXAI` (`true`/`1`),
   * `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_LOCATION` (when both a key and a project/location come
   * from the environment, the project wins and the key is dropped, as in the SDK; pass `apiKey` and
   * `project` as overrides to use the key on the project path); `GOOGLE_GENAI_API_VERSION`
   * (`beta` → `v1beta` / `v1beta1`); `GOOGLE_GENAI_USER_PROJECT`; `GEMINI_JOBS_BASE_URL` (origin
   * override, e.g. the emulator). `overrides` win.
   */
  static fromEnv(env: Record<string, string | undefined> = process.env, overrides: ClientOptions = {}): InteractionsClient {
    const flag = (env.GOOGLE_GENAI_USE_VERTEXAI ?? '').trim().toLowerCase();
    const vertexai = overrides.vertexai ?? (flag === 'true' || flag === '1');
    const project = env.GOOGLE_CLOUD_PROJECT?.trim() || undefined;
    const location = env.GOOGLE_CLOUD_LOCATION?.trim() || undefined;
    let apiKey = env.GEMINI_API_KEY || env.GOOGLE_API_KEY || undefined;
    // @google/genai: "Implicit project/location takes precedence over implicit api_key" on Vertex.
    if (vertexai && apiKey && (project || location) && overrides.project === undefined && overrides.apiKey === undefined) apiKey = undefined;
    const fromEnv: ClientOptions = {
      apiKey,
      vertexai,
      project,
      location,
      apiVersion: apiVersionFromEnv(env.GOOGLE_GENAI_API_VERSION, vertexai),
      baseUrl: env.GEMINI_JOBS_BASE_URL || undefined,
      env,
    };
    const merged: ClientOptions = { ...fromEnv };
    for (const [k, v] of Object.entries(overrides)) if (v !== undefined) (merged as Record<string, unknown>)[k] = v;
    return new InteractionsClient(merged);
  }

  // ------------------------------------------------------------------------------------------
  // Interactions

  /** Create an interaction; `stream: true` returns an {@link InteractionStream} (lazy: sends on first iteration). */
  create(body: CreateInteractionRequest & { stream: true }, opts?: RequestOptions): InteractionStream;
  create(body: CreateInteractionRequest & { stream?: false }, opts?: RequestOptions): Promise<Interaction>;
  create(body: CreateInteractionRequest, opts?: RequestOptions): Promise<Interaction> | InteractionStream;
  create(body: CreateInteractionRequest, opts: RequestOptions = {}): Promise<Interaction> | InteractionStream {
    if (body && (body as { stream?: unknown }).stream === true) {
      validateCreateRequest(body);
      const spec: CallSpec = { method: 'POST', path: '/interactions', body, idempotent: false, opts };
      return new InteractionStream((signal) => this.openStream(spec, signal), {
        idleTimeoutMs: opts.idleTimeoutMs ?? this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        signal: opts.signal,
        route: this.routeInfo(),
      });
    }
    try {
      validateCreateRequest(body);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.request<Interaction>({ method: 'POST', path: '/interactions', body, idempotent: false, opts }).then(normalizeInteraction);
  }

  /** Get an interaction; `stream: true` re-attaches to its event stream (optionally after `last_event_id`). */
  get(id: string, opts: GetOptions & { stream: true }): InteractionStream;
  get(id: string, opts?: GetOptions & { stream?: false }): Promise<Interaction>;
  get(id: string, opts?: GetOptions): Promise<Interaction> | InteractionStream;
  get(id: string, opts: GetOptions = {}): Promise<Interaction> | InteractionStream {
    const lastEventId = opts.last_event_id ?? opts.lastEventId;
    const params = { stream: opts.stream, last_event_id: lastEventId, include_input: opts.include_input };
    if (opts.stream === true) {
      validateGetParams(id, params);
      return this.streamInteraction(id, lastEventId, opts, opts.signal);
    }
    try {
      validateGetParams(id, params);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.request<Interaction>({
      method: 'GET',
      path: `/interactions/${idSegment(id, 'interactions')}`,
      query: { include_input: opts.include_input },
      idempotent: true,
      opts,
      interactionId: id,
    }).then(normalizeInteraction);
  }

  /** Cancel a background interaction (`POST …/{id}/cancel`, no body). Confirm by reading the status back. */
  async cancel(id: string, opts: RequestOptions = {}): Promise<Interaction> {
    validateId(id);
    const res = await this.request<Interaction>({
      method: 'POST',
      path: `/interactions/${idSegment(id, 'interactions')}/cancel`,
      idempotent: true,
      opts,
      interactionId: id,
    });
    return normalizeInteraction(res);
  }

  /** Delete a stored interaction. It does not cancel a running one. */
  async delete(id: string, opts: RequestOptions = {}): Promise<void> {
    validateId(id);
    await this.request<unknown>({
      method: 'DELETE',
      path: `/interactions/${idSegment(id, 'interactions')}`,
      idempotent: true,
      opts,
      interactionId: id,
    });
  }

  /** Follow an interaction's events across drops and stalls (see {@link ResumableStream}). */
  resume(id: string, opts: ResumeOptions = {}): ResumableStream {
    validateId(id);
    return new ResumableStream(
      {
        interactionId: id,
        route: this.routeInfo(),
        defaultIdleTimeoutMs: this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
        openStream: (lastEventId, signal, idleTimeoutMs) => this.streamInteraction(id, lastEventId, { idleTimeoutMs }, signal),
        getInteraction: (signal) => this.get(id, { signal }),
      },
      opts,
    );
  }

  /**
   * The resolved routing of this client, for diagnostics (`gemini-jobs doctor`): backend family,
   * origin, version path, the API version segment of that path, and the auth scheme. No secrets.
   */
  routing(): RoutingInfo {
    return {
      family: this.route.family,
      origin: this.route.origin,
      host: this.route.host,
      prefix: this.route.prefix,
      apiVersion: this.route.apiVersion,
      auth: this.route.auth,
      originOverridden: this.opts.baseUrl !== undefined && this.opts.baseUrl !== '',
    };
  }

  /** Close the client's connection pool (a caller-supplied dispatcher is left open). */
  close(): Promise<void> {
    return this.transport.close();
  }

  // ------------------------------------------------------------------------------------------
  // Core

  private streamInteraction(id: string, lastEventId: string | undefined, opts: RequestOptions, signal: AbortSignal | undefined): InteractionStream {
    const spec: CallSpec = {
      method: 'GET',
      path: `/interactions/${idSegment(id, 'interactions')}`,
      query: { stream: true, last_event_id: lastEventId },
      idempotent: true,
      opts,
      interactionId: id,
      lastEventId,
    };
    const stream = new InteractionStream((s) => this.openStream(spec, s), {
      idleTimeoutMs: opts.idleTimeoutMs ?? this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      signal,
      route: this.routeInfo(),
      interactionId: id,
    });
    stream.lastEventId = lastEventId;
    return stream;
  }

  private routeInfo() {
    return { family: this.route.family, host: this.route.host };
  }

  private async openStream(spec: CallSpec, signal: AbortSignal): Promise<TransportResponse> {
    return this.send(spec, signal, true) as Promise<TransportResponse>;
  }

  /** Run a non-stream call and parse its JSON body (`{}` for an empty body). */
  async request<T>(spec: CallSpec): Promise<T> {
    const ctl = new AbortController();
    const outer = spec.opts?.signal;
    const onAbort = () => ctl.abort(abortReason(outer!));
    if (outer) {
      if (outer.aborted) throw abortReason(outer);
      outer.addEventListener('abort', onAbort, { once: true });
    }
    const timeoutMs = spec.opts?.timeoutMs ?? this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = timeoutMs > 0 ? setTimeout(() => ctl.abort(new APITimeoutError('overall', timeoutMs, this.ctx(spec))), timeoutMs).unref() : undefined;
    try {
      return (await this.send(spec, ctl.signal, false)) as T;
    } finally {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  private ctx(spec: CallSpec): ErrorContext {
    return { route: this.routeInfo(), interactionId: spec.interactionId, lastEventId: spec.lastEventId };
  }

  /** The attempt loop: fresh auth per attempt, one retry policy, abortable backoff. */
  private async send(spec: CallSpec, signal: AbortSignal, stream: boolean): Promise<unknown> {
    const policy = spec.opts?.maxRetries !== undefined ? { ...this.policy, maxRetries: spec.opts.maxRetries } : this.policy;
    const url = buildUrl(this.route, spec.path, spec.query);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headersTimeoutMs = spec.opts?.headersTimeoutMs ?? this.opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
    const ctx = this.ctx(spec);
    const operation = `${spec.method} ${this.route.prefix}${spec.path}`;
    for (let attempt = 0; ; attempt++) {
      try {
        if (signal.aborted) throw abortReason(signal);
        const headers: Record<string, string> = {
          'user-agent': USER_AGENT,
          accept: stream ? 'text/event-stream' : 'application/json',
          ...this.opts.headers,
          ...spec.opts?.headers,
        };
        if (body !== undefined) headers['content-type'] = 'application/json';
        if (this.opts.apiRevision) headers['api-revision'] = this.opts.apiRevision;
        let auth: Record<string, string>;
        try {
          auth = await this.auth.headers();
        } catch (err) {
          throw new InteractionsError('unauthenticated', `could not obtain credentials: ${err instanceof Error ? err.message : String(err)}`, { ...ctx, cause: err });
        }
        Object.assign(headers, auth);
        const res = await this.transport.send({ method: spec.method, url, headers, body, signal, headersTimeoutMs }, ctx);
        if (res.status >= 400) throw await this.statusError(res, ctx, operation);
        if (stream) return res;
        let text: string;
        try {
          text = await readText(res.body);
        } catch (err) {
          if (signal.aborted) throw abortReason(signal);
          throw new APIConnectionError(`response body interrupted: ${(err as Error).message}`, { ...ctx, cause: err });
        }
        if (text.trim() === '') return {};
        try {
          return JSON.parse(text);
        } catch {
          throw new InteractionsError('api_error', `response is not JSON (${res.status}, ${text.length} chars)`, ctx);
        }
      } catch (err) {
        if (signal.aborted) throw abortReason(signal);
        if (!shouldRetry(err, attempt, spec.idempotent, policy)) throw err;
        await (this.opts.sleep ?? sleep)(retryDelayMs(err, attempt, policy), signal);
      }
    }
  }

  private async statusError(res: TransportResponse, ctx: ErrorContext, operation: string): Promise<Error> {
    let text = '';
    try {
      text = await readText(res.body, 64 * 1024);
    } catch {
      /* the status alone is enough */
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const env = (Array.isArray(parsed) ? parsed[0] : parsed) as { error?: Record<string, unknown> } | undefined;
    const e = env && typeof env === 'object' ? env.error : undefined;
    let googleStatus = typeof e?.status === 'string' ? e.status : undefined;
    if (!googleStatus && typeof e?.code === 'string' && !/^\d+$/.test(e.code)) googleStatus = e.code;
    const upstreamMessage = typeof e?.message === 'string' ? redact(e.message) : text && !parsed ? redact(text.slice(0, 300)) : undefined;
    return makeStatusError({
      ...ctx,
      status: res.status,
      googleStatus,
      upstreamMessage,
      requestId: header(res.headers, 'x-request-id') ?? header(res.headers, 'x-goog-request-id'),
      retryAfterMs: parseRetryAfterMs(res.headers),
      body: parsed !== undefined ? JSON.parse(redact(JSON.stringify(parsed))) : text ? redact(text) : undefined,
      operation,
    });
  }
}
