/**
 * Instruments the Interactions client's HTTP traffic from outside the client (the wire client
 * knows nothing of metrics or Temporal): an undici dispatcher interceptor that counts every
 * response by method, route template and status code, and wraps every request in an
 * OpenTelemetry client span (a child of the activity's span when tracing is on; a no-op when no
 * tracer provider is registered).
 *
 * Nothing secret is recorded: no headers (the API key travels as `x-goog-api-key`, OAuth tokens as
 * `Authorization`), no query string (`?key=` would be a key), no bodies. Routes are templates
 * (`GET /interactions/{id}`), so label cardinality stays fixed; the interaction id goes on the
 * span only.
 */
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { Agent, DecoratorHandler, type Dispatcher } from 'undici';
import { countApiRequest } from './metrics';

const TRACER_NAME = 'gemini-jobs';

export interface RouteInfo {
  /** `GET /interactions/{id}` style template: the metric label and span name. */
  route: string;
  interactionId?: string;
  stream: boolean;
}

/** The route template of a request path (query dropped, ids and Vertex resource names replaced). */
export function routeOf(method: string, path: string): RouteInfo {
  const [pathname = '', query = ''] = path.split('?', 2);
  let interactionId: string | undefined;
  let route = pathname
    .replace(/^\/v1[a-z0-9]*/, '')
    .replace(/\/projects\/[^/]+/, '')
    .replace(/\/locations\/[^/]+/, '')
    .replace(/\/interactions\/([^/:?]+)/, (_m, id: string) => {
      interactionId = decodeURIComponent(id);
      return '/interactions/{id}';
    });
  if (route === '') route = '/';
  const stream = /(^|&)stream=true(&|$)/.test(query);
  const info: RouteInfo = { route: `${method.toUpperCase()} ${route}${stream ? ' (stream)' : ''}`, stream };
  if (interactionId !== undefined) info.interactionId = interactionId;
  return info;
}

/** The handler API undici 7 dispatches to (its DecoratorHandler implements it; its typings still list the old one). */
interface ResponseHandler {
  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void;
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[]>): void;
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void;
}
// DecoratorHandler wraps either handler API (old onHeaders/onComplete or new onResponse*) and forwards.
const ForwardingHandler = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => ResponseHandler & Dispatcher.DispatchHandler;

class InstrumentedHandler extends ForwardingHandler {
  private readonly startedAt = performance.now();
  private counted = false;
  private ended = false;

  constructor(
    handler: Dispatcher.DispatchHandler,
    private readonly method: string,
    private readonly info: RouteInfo,
    private readonly span: Span,
  ) {
    super(handler);
  }

  override onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void {
    this.span.setAttribute('http.response.status_code', statusCode);
    if (statusCode >= 400) this.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
    // Counted at the headers: a stream's body lasts the whole run.
    this.count(String(statusCode));
    return super.onResponseStart(controller, statusCode, headers, statusMessage);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: Record<string, string | string[]>): void {
    this.end();
    return super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.count('error');
    this.end(error);
    return super.onResponseError(controller, error);
  }

  private count(code: string): void {
    if (this.counted) return;
    this.counted = true;
    countApiRequest(this.method, this.info.route, code, performance.now() - this.startedAt);
  }

  private end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (error) {
      // The error's class or code only: messages can quote request details.
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.name });
      this.span.setAttribute('error.type', (error as { code?: string }).code ?? error.name);
    }
    this.span.end();
  }
}

/** The interceptor: `new Agent().compose(instrumentInteractionsApi())`. */
export function instrumentInteractionsApi(): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (opts, handler) => {
    const method = String(opts.method ?? 'GET').toUpperCase();
    const info = routeOf(method, String(opts.path ?? '/'));
    const origin = typeof opts.origin === 'string' ? new URL(opts.origin) : opts.origin;
    const span = trace.getTracer(TRACER_NAME).startSpan(`Interactions ${info.route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': method,
        'url.template': info.route.replace(/^\S+ /, '').replace(/ \(stream\)$/, ''),
        ...(origin ? { 'server.address': origin.hostname, 'server.port': Number(origin.port || (origin.protocol === 'https:' ? 443 : 80)) } : {}),
        ...(info.interactionId ? { 'gemini.interaction_id': info.interactionId } : {}),
        'gemini.stream': info.stream,
      },
    });
    return dispatch(opts, new InstrumentedHandler(handler, method, info, span));
  };
}

/**
 * A keep-alive Agent like the client's own (10 s connect, 30 s keep-alive, no undici body timeout:
 * the stream's idle watchdog bounds quiet streams) whose every request is counted and traced.
 */
export function instrumentedAgent(options: Agent.Options = {}): Dispatcher {
  return new Agent({ connect: { timeout: 10_000 }, keepAliveTimeout: 30_000, headersTimeout: 60_000, bodyTimeout: 0, ...options }).compose(instrumentInteractionsApi());
}
