/**
 * A private Temporal dev server persisted to a sqlite file, so it can be killed and started again
 * on the same port and database (the chaos run's server restart). Arguments come from
 * src/dev/dev-server-args.mjs (the one builder) through test/helpers/temporal.ts, like every other dev server here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Connection } from '@temporalio/client';
import { devServerArgs, temporalCliPath } from '../../test/helpers/temporal';
import { sleep } from './stats';

/** A free TCP port on 127.0.0.1 (the OS picks it; another process may take it in the meantime). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers DescribeNamespace("default"); throws after `timeoutMs`. */
export async function waitForTemporal(address: string, timeoutMs = 60_000, isDead: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`Temporal dev server at ${address} exited during startup`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1_000 });
      await connection.withDeadline(Date.now() + 2_000, () => connection!.workflowService.describeNamespace({ namespace: 'default' }));
      return;
    } catch (err) {
      lastError = err;
    } finally {
      await connection?.close().catch(() => undefined);
    }
    await sleep(200);
  }
  throw new Error(`Temporal dev server at ${address} not ready within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}

export class PersistedDevServer {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  restarts = 0;

  private constructor(
    private readonly cli: string,
    readonly port: number,
    /** The sqlite file, or undefined for an in-memory server (nothing survives a kill). */
    readonly dbFile: string | undefined,
    private readonly extra: string[] = [],
  ) {}

  /** Pid of the running server process (for CPU sampling). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a server on a free port writing to `dbFile` (undefined: in memory), and waits until it serves. */
  static async start(dbFile: string | undefined, port?: number, extra: string[] = []): Promise<PersistedDevServer> {
    const server = new PersistedDevServer(await temporalCliPath(), port ?? (await freePort()), dbFile, extra);
    await server.spawn();
    return server;
  }

  private async spawn(): Promise<void> {
    const args = await devServerArgs({ port: this.port, ...(this.dbFile ? { dbFile: this.dbFile } : {}), extra: this.extra });
    const child = spawn(this.cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-4000)));
    this.child = child;
    const onExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    try {
      await waitForTemporal(this.address, 60_000, () => child.exitCode !== null || child.signalCode !== null);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${this.stderrTail}`);
    }
  }

  /** SIGKILLs the server (no graceful shutdown) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills the server and starts it again on the same port and sqlite file. */
  async restart(): Promise<void> {
    await this.kill();
    this.restarts++;
    // The port is free as soon as the process is gone; retry briefly in case the OS lags.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.spawn();
        return;
      } catch (err) {
        if (attempt >= 2) throw err;
        await sleep(1_000);
      }
    }
  }

  async stop(): Promise<void> {
    await this.kill();
  }
}
