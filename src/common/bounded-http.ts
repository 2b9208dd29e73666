/**
 * A Node HTTP server whose every connection is bounded in time and in number: the one way
 * gemini-jobs listens (`serve`, the webhook receiver). What it adds to `http.createServer`:
 *
 * - Timeouts that fire when configured. Node checks the header and request timeouts only every
 *   `connectionsCheckingInterval` (30 s by default), so a 20 s header timeout fired after 20–50 s;
 *   here the check runs every 1/20 of the shorter timeout (at most every second).
 * - A request timeout: the whole request (head and body) must arrive in time. It does not limit
 *   the response, so event streams and long waits are unaffected.
 * - An idle timeout (no byte either way) while a request is handled, which a route that waits on
 *   purpose lifts for its own bounded wait ({@link holdOpen}), and a keep-alive timeout between
 *   requests.
 * - A cap on all connections, and a smaller one on connections that have not authenticated:
 *   when it is reached, the oldest unauthenticated connection is closed to admit the new one, so
 *   slow clients without a credential cannot crowd out the ones that have one.
 * - No unwanted body is read: when a response ends before its request body was read, the
 *   connection is closed. The close lingers briefly (`lingerMs`), discarding what the client
 *   still sends, so it reads the answer instead of a connection reset.
 * - `Expect: 100-continue` is left to the handler ({@link continueBody}), so a request that is
 *   refused is refused before its body is sent.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Time and number limits of a {@link BoundedServer}'s connections. */
export interface ConnectionLimits {
  /** The request line and headers must arrive within this time (answered 408, closed). */
  headersTimeoutMs: number;
  /** The whole request, head and body, must arrive within this time (answered 408, closed). */
  requestTimeoutMs: number;
  /** A connection moving no byte either way for this long while a request is handled is closed. */
  idleTimeoutMs: number;
  /** An idle kept-alive connection is closed after this time (Node adds 1 s to it). */
  keepAliveTimeoutMs: number;
  /** Most open connections; more are closed as they arrive. */
  maxConnections: number;
  /** Most connections that have not presented a credential; the oldest makes room for a new one. */
  maxUnauthenticatedConnections: number;
  /** After answering without reading the body: how long the rest is discarded before closing. */
  lingerMs: number;
  /** Largest request head in bytes (answered 431). */
  maxHeaderBytes: number;
  /** Most request headers; the rest are dropped. */
  maxHeadersCount: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  maxUnauthenticatedConnections: 200,
  lingerMs: 1_000,
  maxHeaderBytes: 16 * 1024,
  maxHeadersCount: 100,
};

/** What a server's connections are doing now, and what was refused since it started. */
export interface ConnectionStats {
  open: number;
  unauthenticated: number;
  /** Unauthenticated connections closed to make room for a newer one. */
  evicted: number;
  /** Connections closed on arrival because `maxConnections` were open. */
  dropped: number;
  /** Connections closed after a response that left the request body unread. */
  closedUnread: number;
}

export interface BoundedServer {
  readonly server: Server;
  readonly limits: Readonly<ConnectionLimits>;
  /** The connection of `req` presented a valid credential: it leaves the unauthenticated cap. */
  authenticated(req: IncomingMessage): void;
  stats(): ConnectionStats;
  /** Listens; resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stops accepting, closes idle connections and waits for the rest to end. */
  close(): Promise<void>;
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** How often Node checks the header and request timeouts: 1/20 of the shorter one, 50 ms to 1 s. */
export function checkingIntervalMs(limits: Pick<ConnectionLimits, 'headersTimeoutMs' | 'requestTimeoutMs'>): number {
  return Math.min(1_000, Math.max(50, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 20)));
}

/** Throws a `RangeError` naming the first limit that is not a usable number. */
export function checkLimits(limits: ConnectionLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`connection limit ${name} must be a whole number ≥ 0, got ${String(value)}`);
  }
  if (limits.headersTimeoutMs < 1 || limits.requestTimeoutMs < limits.headersTimeoutMs) {
    throw new RangeError('connection limits: headersTimeoutMs must be ≥ 1 and requestTimeoutMs ≥ headersTimeoutMs');
  }
  if (limits.maxUnauthenticatedConnections < 1 || limits.maxUnauthenticatedConnections > limits.maxConnections) {
    throw new RangeError('connection limits: maxUnauthenticatedConnections must be between 1 and maxConnections');
  }
}

/**
 * Lets a route wait longer than the idle timeout for something it bounds itself (a long poll with
 * its own time limit): the connection may stay silent for `ms` from now. Ends with the response.
 */
export function holdOpen(req: IncomingMessage, ms: number): void {
  req.socket.setTimeout(ms);
}

/**
 * Sends `100 Continue` when the client asked for it: call before reading the body. A request
 * answered without calling it never had its body sent (clients that wait for the 100).
 */
export function continueBody(req: IncomingMessage, res: ServerResponse): void {
  const state = res as ServerResponse & { gjContinued?: boolean };
  if (state.gjContinued || !/\b100-continue\b/i.test(String(req.headers.expect ?? ''))) return;
  state.gjContinued = true;
  res.writeContinue();
}

/** Closes `socket` once its queued output is sent, discarding input for at most `ms` first. */
function lingeringClose(socket: Socket, ms: number): void {
  if (socket.destroyed) return;
  socket.end();
  if (ms === 0) {
    socket.destroy();
    return;
  }
  const timer = setTimeout(() => socket.destroy(), ms);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Creates the server (not yet listening). `limits` default to {@link DEFAULT_CONNECTION_LIMITS}. */
export function createBoundedServer(listener: RequestListener, overrides: Partial<ConnectionLimits> = {}): BoundedServer {
  const limits: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...overrides };
  checkLimits(limits);
  const server = createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: checkingIntervalMs(limits),
    maxHeaderSize: limits.maxHeaderBytes,
  });
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
  server.timeout = limits.idleTimeoutMs;

  // Insertion order is arrival order: the first entry is the oldest unauthenticated connection.
  const unauthenticated = new Set<Socket>();
  const counts = { open: 0, evicted: 0, dropped: 0, closedUnread: 0 };

  server.on('connection', (socket: Socket) => {
    counts.open++;
    if (unauthenticated.size >= limits.maxUnauthenticatedConnections) {
      const oldest = unauthenticated.values().next().value as Socket;
      unauthenticated.delete(oldest);
      counts.evicted++;
      oldest.destroy();
    }
    unauthenticated.add(socket);
    // Node ends a `Connection: close` response with destroySoon(): closing at once can reset a
    // client still sending its body before it reads the answer. Linger instead (bounded).
    socket.destroySoon = () => lingeringClose(socket, limits.lingerMs);
    socket.once('close', () => {
      counts.open--;
      unauthenticated.delete(socket);
    });
  });
  server.on('drop', () => counts.dropped++);

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // A request pipelined behind one we are closing: nobody will read its answer.
    if (req.socket.writableEnded) {
      req.socket.destroy();
      return;
    }
    res.once('finish', () => {
      if (req.complete) return;
      // The body was not wanted (refused, or answered early): close instead of reading it.
      counts.closedUnread++;
      lingeringClose(req.socket, limits.lingerMs);
    });
    listener(req, res);
  };
  server.on('request', onRequest);
  // Without this listener Node sends `100 Continue` itself before the handler could refuse.
  server.on('checkContinue', onRequest);

  return {
    server,
    limits,
    authenticated(req) {
      unauthenticated.delete(req.socket);
    },
    stats: () => ({ ...counts, unauthenticated: unauthenticated.size }),
    listen(port, host) {
      return new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}
