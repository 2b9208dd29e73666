/**
 * A raw TCP client for the connection tests: writes exactly the bytes it is told to, records what
 * the server sends, and when (and after how many of its own bytes) the server closed.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** The status code of the first response, once its status line arrived. */
  status(): number | undefined;
  /** Writes; false when the connection is already gone. */
  write(text: string): boolean;
  /** Resolves when the server (or the client) closed the connection: ms since connect. */
  closed: Promise<number>;
  /** Bytes the client had written when the connection closed (or so far). */
  written(): number;
  destroy(): void;
}

/** Opens a connection to `url`'s host and port (the path is ignored). */
export function rawConnect(url: string): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let data = '';
    let written = 0;
    let open = true;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', () => undefined);
    const closed = new Promise<number>((done) => socket.once('close', () => ((open = false), done(performance.now() - started))));
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        status: () => {
          const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
          return m ? Number(m[1]) : undefined;
        },
        write(text) {
          if (!open || socket.destroyed || socket.writableEnded) return false;
          written += Buffer.byteLength(text, 'latin1');
          socket.write(text, 'latin1');
          return true;
        },
        closed,
        written: () => written,
        destroy: () => socket.destroy(),
      }),
    );
    socket.once('error', reject);
  });
}

/** Writes `byte` every `everyMs` until the connection closes or `max` bytes were sent. */
export function dribble(client: RawClient, everyMs: number, max: number, byte = 'x'): void {
  let sent = 0;
  const timer = setInterval(() => {
    if (sent >= max || !client.write(byte)) clearInterval(timer);
    sent++;
  }, everyMs);
  void client.closed.then(() => clearInterval(timer));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
