/**
 * `startWebhookServer`: the webhook receiver as its own listener, with the same connection bounds
 * as `serve` (src/common/bounded-http.ts): header, request, idle and keep-alive timeouts that fire
 * when configured, a cap on connections and on unverified ones, and no unwanted body read (a
 * refused delivery's connection is closed). Only `POST <path>` reaches the handler; any other
 * path is answered 404 with its body unread. A connection counts as verified once a delivery on
 * it was accepted (2xx), so a sender that keeps its connection alive is not evicted by strangers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { continueBody, createBoundedServer } from '../common/bounded-http';
import type { ConnectionLimits, ConnectionStats } from '../common/bounded-http';

export interface WebhookServerOptions {
  /** The receiver, e.g. `createWebhookHandler(...)`. */
  handler: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** Path served (default `/webhooks/gemini`). */
  path?: string;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Connection limits; defaults in {@link WEBHOOK_CONNECTION_LIMITS}. */
  limits?: Partial<ConnectionLimits>;
}

/** The receiver's connection limits: deliveries are small and quick (docs/webhooks.md). */
export const WEBHOOK_CONNECTION_LIMITS: Partial<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 500,
  maxUnauthenticatedConnections: 250,
};

export interface WebhookServer {
  /** `http://host:port/path` */
  url: string;
  connections(): ConnectionStats;
  close(): Promise<void>;
}

const NOT_FOUND = '{"ok":false,"result":"not_found"}';

export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  const path = options.path ?? '/webhooks/gemini';
  const bounded = createBoundedServer(
    (req, res) => {
      if ((req.url ?? '').split('?')[0] !== path) {
        res.writeHead(404, { 'content-type': 'application/json', connection: 'close' }).end(NOT_FOUND);
        return;
      }
      res.once('finish', () => {
        if (res.statusCode < 300) bounded.authenticated(req);
      });
      continueBody(req, res);
      void options.handler(req, res);
    },
    { ...WEBHOOK_CONNECTION_LIMITS, ...options.limits },
  );
  const address = await bounded.listen(options.port, options.host ?? '127.0.0.1');
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}${path}`,
    connections: () => bounded.stats(),
    close: () => bounded.close(),
  };
}
