/** Test helpers: a real loopback HTTP server with scripted responses, and SSE transcript builders. */

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse, n: number) => void | Promise<void>;

export interface ScriptedServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Sockets closed by the client side before the response finished. */
  aborted: number;
  close(): Promise<void>;
}

/** Start a server on 127.0.0.1:0; `handler` gets each request (with its body) and its 0-based index. */
export async function startServer(handler: Handler): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const state = { aborted: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const n = requests.push(rec) - 1;
      res.on('close', () => {
        if (!res.writableFinished) state.aborted++;
      });
      Promise.resolve(handler(rec, res, n)).catch((err) => {
        res.destroy(err as Error);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get aborted() {
      return state.aborted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sseHead(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

/** One SSE message for an event object (event line + data line + blank line). */
export function frame(event: Record<string, unknown>): string {
  return `event: ${String(event.event_type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** A model-turn transcript: created, status, thought, text deltas, stop, completed. Ids on most events. */
export function sampleEvents(id = 'v1_abc', opts: { withIds?: boolean; textParts?: number } = {}): Record<string, unknown>[] {
  const withIds = opts.withIds ?? true;
  const events: Record<string, unknown>[] = [
    { event_type: 'interaction.created', interaction: { id, status: 'in_progress', object: 'interaction', model: 'gemini-3-flash-preview' } },
    { event_type: 'interaction.status_update', interaction_id: id, status: 'in_progress' },
    { event_type: 'step.start', index: 0, step: { type: 'thought' } },
    { event_type: 'step.delta', index: 0, delta: { type: 'thought_summary', content: { type: 'text', text: 'Planning ' } } },
    { event_type: 'step.delta', index: 0, delta: { type: 'thought_summary', content: { type: 'text', text: 'the count.' } } },
    { event_type: 'step.delta', index: 0, delta: { type: 'thought_signature', signature: 'c2lnbmF0dXJl' } },
    { event_type: 'step.stop', index: 0 },
    { event_type: 'step.start', index: 1, step: { type: 'model_output' } },
  ];
  const parts = opts.textParts ?? 5;
  for (let i = 0; i < parts; i++) {
    events.push({ event_type: 'step.delta', index: 1, delta: { type: 'text', text: `${i + 1}, ` } });
  }
  events.push(
    { event_type: 'step.stop', index: 1, usage: { total_input_tokens: 7, total_output_tokens: 20, total_tokens: 27 } },
    { event_type: 'interaction.status_update', interaction_id: id, status: 'completed' },
    {
      event_type: 'interaction.completed',
      interaction: { id, status: 'completed', object: 'interaction', model: 'gemini-3-flash-preview', usage: { total_input_tokens: 7, total_output_tokens: 20, total_tokens: 27 } },
    },
  );
  if (withIds) {
    // Every third event has no event_id, as seen on the wire.
    events.forEach((e, i) => {
      if (i % 3 !== 2) e.event_id = `evt_${String(i).padStart(4, '0')}`;
    });
  }
  return events;
}
