/**
 * Shared setup of the serve tests: the service harness (real Temporal, emulator over HTTP, an
 * in-process worker) plus `gemini-jobs serve`'s server on a free loopback port, and small HTTP
 * helpers that speak to it over real sockets.
 */
import { createParser } from 'eventsource-parser';
import { startJobsServer } from '../../src/serve/server';
import type { JobsServer, JobsServerOptions } from '../../src/serve/server';
import { generateToken } from '../../src/serve/auth';
import type { EmulatorOptions } from '../../src/emulator';
import { serviceHarness } from '../service/harness';
import type { ServiceHarness } from '../service/harness';

export { DR_AGENT, FAST, waitFor } from '../service/harness';

export interface ServeHarness extends ServiceHarness {
  server: JobsServer;
  token: string;
  /** Every log entry the server wrote. */
  logs: Array<Record<string, unknown>>;
  /** fetch against the server with the bearer token (unless `auth: false` or a header overrides it). */
  call(path: string, init?: RequestInit & { auth?: boolean | string; json?: unknown }): Promise<Response>;
}

export async function serveHarness(name: string, options: Partial<JobsServerOptions> = {}, emulatorOptions: EmulatorOptions = {}): Promise<ServeHarness> {
  const h = await serviceHarness(name, emulatorOptions);
  await h.startWorker();
  const token = generateToken();
  const logs: Array<Record<string, unknown>> = [];
  const server = await startJobsServer({ jobs: h.jobs, tokens: [token], port: 0, watchPollIntervalMs: 200, log: (e) => logs.push(e), ...options });
  const close = h.close;
  return Object.assign(h, {
    server,
    token,
    logs,
    async call(path: string, init: RequestInit & { auth?: boolean | string; json?: unknown } = {}) {
      const { auth = true, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (auth !== false && !headers.has('authorization')) headers.set('authorization', `Bearer ${auth === true ? token : auth}`);
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(server.url + path, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}) });
    },
    async close() {
      await server.close();
      await close();
    },
  });
}

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Reads SSE messages from a response until `stop(message)` is true or the stream ends. */
export async function readSse(res: Response, stop: (m: SseMessage) => boolean = () => false): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  let done = false;
  const parser = createParser({
    onEvent(e) {
      if (done) return;
      const m: SseMessage = { data: e.data, ...(e.id !== undefined ? { id: e.id } : {}), ...(e.event !== undefined ? { event: e.event } : {}) };
      messages.push(m);
      if (stop(m)) done = true;
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  while (!done) {
    const { value, done: end } = await reader.read();
    if (end) break;
    parser.feed(decoder.decode(value, { stream: true }));
  }
  await reader.cancel().catch(() => undefined);
  return messages;
}
