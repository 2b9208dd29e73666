/**
 * The live event stream of a job as Server-Sent Events: each `JobsClient.watch` event becomes
 * `id: <seq>`, `event: <type>`, `data: <json>`. A client resumes after a drop by sending the last
 * id back as `Last-Event-ID` (EventSource does this by itself) or `?from=`; positions are those
 * of `watch`, so report text is never repeated or skipped.
 */
import type { ServerResponse } from 'node:http';
import { decodeSeq } from '../jobs/watch';
import type { JobEvent, WatchOptions } from '../jobs/watch';
import { HttpError, errorResponse } from './errors';

/** Parses a resume position (`Last-Event-ID` or `from`); throws a 400 naming `field`. */
export function parsePosition(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  try {
    if (!/^\d+$/.test(value)) throw new RangeError();
    decodeSeq(n);
  } catch {
    throw new HttpError('invalid_request', `${field} must be the seq of an event from this stream (a non-negative integer), got ${JSON.stringify(value.slice(0, 40))}`, { field });
  }
  return n;
}

export interface SseRelayOptions {
  /** Milliseconds between `: keep-alive` comments, so proxies do not close a quiet stream. */
  keepAliveMs: number;
  /** Reconnection delay suggested to EventSource clients, in milliseconds. */
  retryMs: number;
  signal: AbortSignal;
}

/** Writes the SSE headers, then relays `events` until they end or the client goes away. */
export async function relayEvents(res: ServerResponse, events: AsyncGenerator<JobEvent, void, undefined>, options: SseRelayOptions): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: ${options.retryMs}\n\n`);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs);
  keepAlive.unref();
  try {
    for await (const event of events) {
      if (options.signal.aborted) break;
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
  } catch (err) {
    // Headers are gone: report the failure as a last event, then end (the client may reconnect).
    const code = errorResponse(err).body.error.code;
    if (!options.signal.aborted) res.write(`event: error\ndata: ${JSON.stringify({ code })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}

export type { WatchOptions };
