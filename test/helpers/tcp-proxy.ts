/**
 * A TCP proxy between a client and a real server (e.g. the receiver and the Temporal dev server),
 * to make the server unreachable on demand without touching it:
 * - `forward` (default): bytes flow both ways;
 * - `blackhole`: open connections are cut and new ones are accepted but never answered (a dead
 *   network path: calls hang until their own deadline);
 * - `reset`: new connections are accepted and reset at once (the server's port refusing).
 * Going back to `forward` cuts the held connections, so clients reconnect through a working path.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'forward' | 'blackhole' | 'reset';

export class TcpProxy {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private modeNow: ProxyMode = 'forward';
  /** Connections accepted, per mode they met. */
  readonly accepted: Record<ProxyMode, number> = { forward: 0, blackhole: 0, reset: 0 };
  address = '';

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A proxy in front of `host:port`. */
  static async start(target: string): Promise<TcpProxy> {
    const m = /^(.+):(\d+)$/.exec(target);
    if (!m) throw new Error(`target must be host:port, got ${target}`);
    const proxy = new TcpProxy(m[1]!, Number(m[2]));
    await proxy.listen();
    return proxy;
  }

  get mode(): ProxyMode {
    return this.modeNow;
  }

  private async listen(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private track(s: Socket): void {
    this.open.add(s);
    s.on('close', () => this.open.delete(s));
    s.on('error', () => s.destroy());
  }

  private accept(client: Socket): void {
    this.accepted[this.modeNow]++;
    this.track(client);
    if (this.modeNow === 'reset') return void client.resetAndDestroy();
    if (this.modeNow === 'blackhole') return void client.pause();
    const upstream = connect(this.targetPort, this.targetHost);
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  /** Switches mode; every connection open now is cut (clients reconnect and meet the new mode). */
  set(mode: ProxyMode): void {
    this.modeNow = mode;
    for (const s of this.open) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
