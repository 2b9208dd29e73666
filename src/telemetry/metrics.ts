/**
 * The project's own metrics, recorded on the Temporal Runtime's metric meter, so they are exported
 * by the same Prometheus endpoint (or OTLP exporter) as the SDK's worker metrics: one scrape
 * target, one configuration, no second metrics library. With no exporter configured the meter
 * discards everything, so recording is always safe.
 *
 * Names (Prometheus): `gemini_jobs_running{phase}` (gauge: creating|running|cancelling — jobs of
 * this worker with an activity of that phase in flight), `gemini_jobs_stream_reconnects_total`,
 * `gemini_jobs_resume_lag_ms` (histogram: last checkpoint of the previous attempt → first event
 * of the resumed one), `gemini_jobs_api_requests_total{method,route,code}` and
 * `gemini_jobs_api_request_duration_ms{method,route}`. Labels never carry ids or text.
 */
import type { MetricCounter, MetricGauge, MetricHistogram, MetricMeter } from '@temporalio/common';

/** Job phases counted by `gemini_jobs_running` (the workflow's phases that hold an activity). */
export type ActivePhase = 'creating' | 'running' | 'cancelling';

interface Instruments {
  running: MetricGauge;
  reconnects: MetricCounter;
  resumeLag: MetricHistogram;
  apiRequests: MetricCounter;
  apiDuration: MetricHistogram;
}

let instruments: Instruments | undefined;
const inFlight: Record<ActivePhase, number> = { creating: 0, running: 0, cancelling: 0 };

function meter(): MetricMeter {
  // Resolved lazily: the worker installs the Runtime (with its exporter) before the first activity.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Runtime } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  return Runtime.instance().metricMeter;
}

function get(): Instruments {
  if (!instruments) {
    const m = meter();
    instruments = {
      running: m.createGauge('gemini_jobs_running', 'int', '', 'Jobs of this worker with an activity of this phase in flight'),
      reconnects: m.createCounter('gemini_jobs_stream_reconnects_total', '', 'Stream reconnects with last_event_id after a cut, stall or truncated stream'),
      resumeLag: m.createHistogram('gemini_jobs_resume_lag_ms', 'int', 'ms', 'Last checkpoint of the previous attempt to the first event of the resumed one'),
      apiRequests: m.createCounter('gemini_jobs_api_requests_total', '', 'Interactions API responses by method, route and HTTP status code'),
      apiDuration: m.createHistogram('gemini_jobs_api_request_duration_ms', 'int', 'ms', 'Interactions API time to response headers'),
    };
  }
  return instruments;
}

/** Counts one job in `phase` until the returned release is called (once). */
export function enterPhase(phase: ActivePhase): () => void {
  inFlight[phase]++;
  get().running.set(inFlight[phase], { phase });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    inFlight[phase]--;
    get().running.set(inFlight[phase], { phase });
  };
}

/** One stream reconnect (the follow activity will resume with `last_event_id`). */
export function countStreamReconnect(): void {
  get().reconnects.add(1);
}

/** Time from the previous attempt's last checkpoint to the resumed attempt's first event (ms). */
export function recordResumeLag(lagMs: number): void {
  get().resumeLag.record(Math.max(0, Math.round(lagMs)));
}

/** One Interactions API response (`code` is the HTTP status, or `error` when none arrived). */
export function countApiRequest(method: string, route: string, code: string, durationMs: number): void {
  const i = get();
  i.apiRequests.add(1, { method, route, code });
  i.apiDuration.record(Math.max(0, Math.round(durationMs)), { method, route });
}
