/**
 * OpenTelemetry traces of the worker: Temporal's interceptors (`@temporalio/interceptors-opentelemetry`:
 * workflow, activity and client spans, context carried in Temporal headers) plus a client span per
 * Interactions API request (./api-instrumentation.ts), parented to the activity's span through
 * the AsyncLocalStorage context manager of the registered provider.
 *
 * Off unless `GEMINI_JOBS_TRACING=otlp` (OTLP/HTTP, configured by the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` / `OTEL_EXPORTER_OTLP_HEADERS`
 * variables) or a caller passes its own span processor. Span attributes never carry job input,
 * report text, headers or query strings.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

export interface Tracing {
  /** Add to the worker's `plugins`: workflow/activity interceptors and the workflow span sink. */
  plugin: OpenTelemetryPlugin;
  /** Flushes and stops the provider (call after the worker stopped). */
  shutdown(): Promise<void>;
}

/**
 * Registers a global tracer provider (so API spans nest under activity spans) exporting to
 * `spanProcessor` (default: batched OTLP/HTTP), and returns the worker plugin.
 */
export function installTracing(options: { spanProcessor?: SpanProcessor; serviceName?: string } = {}): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName ?? 'gemini-jobs-worker' });
  const spanProcessor = options.spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter());
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    plugin: new OpenTelemetryPlugin({ resource, spanProcessor }),
    shutdown: () => provider.shutdown(),
  };
}
