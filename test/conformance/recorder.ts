/**
 * A recording reverse proxy in front of the emulator: the SDKs talk to it over real HTTP on
 * their defaults (only the base URL points here), every byte is passed through as it comes (SSE
 * included), and every object the emulator answered is kept: each JSON body and each SSE event,
 * with the operation it answered. Those records are what the SDKs' own types then judge.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createParser } from 'eventsource-parser';

export type Operation =
  | 'create'
  | 'create_stream'
  | 'get'
  | 'stream'
  | 'cancel'
  | 'delete'
  | 'webhook.create'
  | 'webhook.list'
  | 'webhook.get'
  | 'webhook.update'
  | 'webhook.delete'
  | 'webhook.ping'
  | 'webhook.rotate'
  | 'other';

export interface Recorded {
  /** Who drove the request (`js`, `python`). */
  session: string;
  operation: Operation;
  method: string;
  path: string;
  status: number;
  /** `json`: a response body; `event`: one SSE event; `error`: a non-2xx body. */
  kind: 'json' | 'event' | 'error';
  body: unknown;
}

function operationOf(method: string, path: string, sse: boolean): Operation {
  const p = path.split('?')[0]!;
  const hook = /\/webhooks(?:\/([^/:]+))?(?::(\w+))?$/.exec(p);
  if (hook) {
    if (hook[2] === 'ping') return 'webhook.ping';
    if (hook[2] === 'rotateSigningSecret') return 'webhook.rotate';
    if (!hook[1]) return method === 'POST' ? 'webhook.create' : 'webhook.list';
    return method === 'GET' ? 'webhook.get' : method === 'PATCH' ? 'webhook.update' : method === 'DELETE' ? 'webhook.delete' : 'other';
  }
  if (/\/interactions$/.test(p) && method === 'POST') return sse ? 'create_stream' : 'create';
  if (/\/interactions\/[^/]+\/cancel$/.test(p)) return 'cancel';
  if (/\/interactions\/[^/]+$/.test(p)) return method === 'DELETE' ? 'delete' : sse ? 'stream' : 'get';
  return 'other';
}

export class RecordingProxy {
  readonly records: Recorded[] = [];
  session = 'unset';
  url = '';
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const session = this.session;
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.flushHeaders();
          const sse = String(answer.headers['content-type'] ?? '').includes('text/event-stream');
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => {
            chunks.push(c);
            res.write(c);
          });
          answer.on('end', () => {
            res.end();
            this.keep(session, req.method ?? 'GET', req.url ?? '/', answer.statusCode ?? 0, sse, Buffer.concat(chunks).toString('utf8'));
          });
          answer.on('error', () => res.destroy());
        },
      );
      up.on('error', () => res.destroy());
      res.on('close', () => up.destroy());
      req.pipe(up);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private keep(session: string, method: string, path: string, status: number, sse: boolean, text: string): void {
    const operation = operationOf(method, path, sse);
    const base = { session, operation, method, path, status };
    if (sse) {
      const parser = createParser({ onEvent: (e) => this.records.push({ ...base, kind: 'event', body: JSON.parse(e.data) as unknown }) });
      parser.feed(text);
      return;
    }
    if (!text.trim()) return;
    this.records.push({ ...base, kind: status >= 400 ? 'error' : 'json', body: JSON.parse(text) as unknown });
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
