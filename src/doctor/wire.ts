/**
 * The doctor's view of the wire: an undici interceptor on the client's own dispatcher that counts
 * every request (retries included) and, with `--record DIR`, keeps redacted transcripts of each
 * exchange (request line, headers, body; response status, headers, body or raw SSE text).
 *
 * Credential headers are replaced before anything is stored, and every stored string passes the
 * package's redaction (`scrub`), so a transcript can be committed as a fixture.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, type Dispatcher } from 'undici';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS } from '../interactions/transport';
import { scrub } from './report';

export interface WireExchange {
  /** 1-based order of the request. */
  seq: number;
  /** The probe step that sent it, e.g. `model.stream`. */
  step: string;
  method: string;
  /** Path and query (no origin; `key=` query values redacted). */
  path: string;
  requestHeaders: Record<string, string>;
  requestBody?: unknown;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** Parsed JSON body, or the raw text (an SSE stream is kept verbatim as text). */
  responseBody?: unknown;
  /** `sse` when the response was an event stream. */
  kind: 'json' | 'sse' | 'other';
  /** Set when the exchange ended in a transport error or the doctor cut the stream. */
  error?: string;
}

const CREDENTIAL_HEADERS = /^(authorization|proxy-authorization|x-goog-api-key|x-api-key|api-key|cookie)$/i;
/** Response headers worth keeping in a fixture (the rest are hop-by-hop or noise). */
const KEPT_RESPONSE_HEADERS = /^(content-type|x-request-id|x-goog-request-id|retry-after|retry-after-ms|server-timing)$/i;
/** Bodies kept per exchange (a large report is truncated, and says so). */
const MAX_BODY_CHARS = 2 * 1024 * 1024;

function headerRecord(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
    return out;
  }
  if (typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
  }
  return out;
}

/** Request headers with every credential replaced (the header's presence is what a fixture needs). */
export function safeRequestHeaders(headers: unknown): Record<string, string> {
  const out = headerRecord(headers);
  for (const k of Object.keys(out)) if (CREDENTIAL_HEADERS.test(k)) out[k] = '[REDACTED]';
  return out;
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Counts requests and records redacted exchanges through one interceptor. */
export class WireRecorder {
  /** The probe step requests are attributed to (steps run one at a time). */
  step = 'setup';
  requests = 0;
  readonly exchanges: WireExchange[] = [];
  readonly dispatcher: Dispatcher;
  private readonly agent: Agent;

  /** `record`: keep transcripts (else only count). Deadlines match the client's defaults (ms). */
  constructor(
    private readonly record: boolean,
    opts: { connectTimeoutMs?: number } = {},
  ) {
    this.agent = new Agent({
      connect: { timeout: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS },
      headersTimeout: DEFAULT_HEADERS_TIMEOUT_MS,
      bodyTimeout: 0,
    });
    this.dispatcher = this.agent.compose((dispatch) => (options, handler) => this.intercept(dispatch, options, handler));
  }

  /** The exchanges of one step (e.g. to read the headers the client really sent). */
  exchangesOf(step: string): WireExchange[] {
    return this.exchanges.filter((e) => e.step === step);
  }

  /** Headers of the first request, redacted (kept even when not recording). */
  firstRequest: { method: string; path: string; headers: Record<string, string> } | undefined;
  /** Every `x-goog-user-project` value sent (a project id, not a credential). */
  readonly userProjects = new Set<string>();
  /** Which auth header names were sent (never values). */
  readonly authHeaders = new Set<string>();

  private intercept(dispatch: Dispatcher['dispatch'], options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.requests++;
    const raw = headerRecord(options.headers);
    if (raw['x-goog-user-project']) this.userProjects.add(raw['x-goog-user-project']);
    for (const k of Object.keys(raw)) if (k === 'authorization' || k === 'x-goog-api-key') this.authHeaders.add(k);
    const path = scrub(String(options.path ?? ''));
    this.firstRequest ??= { method: String(options.method), path, headers: safeRequestHeaders(options.headers) };
    if (!this.record) return dispatch(options, handler);

    const ex: WireExchange = {
      seq: this.requests,
      step: this.step,
      method: String(options.method),
      path,
      requestHeaders: safeRequestHeaders(options.headers),
      kind: 'other',
    };
    if (typeof options.body === 'string') ex.requestBody = JSON.parse(scrub(JSON.stringify(parseMaybeJson(options.body))));
    this.exchanges.push(ex);
    let body = '';
    let truncated = false;
    const decoder = new TextDecoder();
    const finish = (error?: string) => {
      body += decoder.decode();
      const text = scrub(body) + (truncated ? '\n[doctor: body truncated]' : '');
      ex.responseBody = ex.kind === 'json' ? parseMaybeJson(text) : text;
      if (error) ex.error = scrub(error);
    };
    const wrapped: Dispatcher.DispatchHandler = {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart: (controller, statusCode, headers, statusMessage) => {
        ex.status = statusCode;
        const kept: Record<string, string> = {};
        for (const [k, v] of Object.entries(headerRecord(headers))) if (KEPT_RESPONSE_HEADERS.test(k)) kept[k] = v;
        ex.responseHeaders = kept;
        const ctype = kept['content-type'] ?? '';
        ex.kind = ctype.includes('text/event-stream') ? 'sse' : ctype.includes('json') ? 'json' : 'other';
        return handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData: (controller, chunk) => {
        if (body.length < MAX_BODY_CHARS) body += decoder.decode(chunk, { stream: true });
        else truncated = true;
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd: (controller, trailers) => {
        finish();
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, err) => {
        finish(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        return handler.onResponseError?.(controller, err);
      },
    };
    return dispatch(options, wrapped);
  }

  /**
   * Write the transcripts to `dir`: one `NN-step.json` per exchange, the raw SSE bodies beside
   * them as `NN-step.sse`, and `index.json`. Returns the files written.
   */
  async save(dir: string, meta: Record<string, unknown>): Promise<string[]> {
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    const index: Array<Record<string, unknown>> = [];
    for (const ex of this.exchanges) {
      const base = `${String(ex.seq).padStart(2, '0')}-${ex.step.replace(/[^a-z0-9.-]+/gi, '_')}`;
      await writeFile(join(dir, `${base}.json`), scrub(JSON.stringify(ex, null, 2)) + '\n');
      files.push(`${base}.json`);
      if (ex.kind === 'sse' && typeof ex.responseBody === 'string') {
        await writeFile(join(dir, `${base}.sse`), ex.responseBody);
        files.push(`${base}.sse`);
      }
      index.push({ file: `${base}.json`, step: ex.step, method: ex.method, path: ex.path, status: ex.status, kind: ex.kind, ...(ex.error ? { error: ex.error } : {}) });
    }
    await writeFile(join(dir, 'index.json'), scrub(JSON.stringify({ ...meta, exchanges: index }, null, 2)) + '\n');
    files.push('index.json');
    return files;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
