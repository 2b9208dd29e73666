/**
 * The live event stream of a job as Server-Sent Events: each `JobsClient.watch` event becomes
 * `id: <seq>`, `event: <type>`, `data: <json>`. A client resumes after a drop by sending the last
 * id back as `Last-Event-ID` (EventSource does this by itself) or `?from=`; positions are those
 * of `watch`, so report text is never repeated or skipped.
 */
import type { ServerResponse } from 'node:http';
import type { JobEvent, WatchOptions } from '../jobs/watch';
import { errorResponse } from './errors';

export interface SseRelayOptions {
  /** Milliseconds between `: keep-alive` comments, so proxies do not close a quiet stream. */
  keepAliveMs: number;
  /** Reconnection delay suggested to EventSource clients, in milliseconds. */
  retryMs: number;
  signal: AbortSignal;
  /** A client that lets this many bytes queue up unread is dropped (it would only grow memory). */
  maxBacklogBytes: number;
}

/** Writes the SSE headers, then relays `events` until they end or the client goes away. */
export async function relayEvents(res: ServerResponse, events: AsyncGenerator<JobEvent, void, undefined>, options: SseRelayOptions): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const write = (text: string): boolean => {
    res.write(text);
    if (res.writableLength <= options.maxBacklogBytes) return true;
    res.destroy();
    return false;
  };
  write(`retry: ${options.retryMs}\n\n`);
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), options.keepAliveMs);
  keepAlive.unref();
  try {
    for await (const event of events) {
      if (options.signal.aborted || res.destroyed) break;
      if (!write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)) break;
    }
  } catch (err) {
    // Headers are gone: report the failure as a last event, then end (the client may reconnect).
    const code = errorResponse(err).body.error.code;
    if (!options.signal.aborted && !res.destroyed) res.write(`event: error\ndata: ${JSON.stringify({ code })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    res.end();
  }
}

export type { WatchOptions };
