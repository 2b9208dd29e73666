/**
 * Finds the Temporal CLI (which embeds the dev server) and runs `temporal server start-dev` as a
 * child process for `gemini-jobs dev`. Lookup order matches scripts/temporal-cli.mjs:
 * `TEMPORAL_CLI_PATH`, `temporal` on PATH, `.tools/bin/temporal` in the package root. This module
 * never builds or downloads anything; it tells the user to run `npm run temporal:cli` instead.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { pathToFileURL } from 'node:url';
import { sleep } from '../common/sleep';
import { GeminiJobsError } from '../common/errors';

const BINARY = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** No usable Temporal CLI binary was found. */
export class TemporalCliNotFoundError extends GeminiJobsError<'temporal_cli_not_found'> {
  constructor(message: string) {
    super('temporal_cli_not_found', message);
  }
}

/** `temporal server start-dev` did not come up (no free port, it exited, or it was not ready in time); the message has its last output. */
export class DevServerStartError extends GeminiJobsError<'dev_server_failed'> {
  constructor(message: string) {
    super('dev_server_failed', message);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The package root (the directory holding package.json), from dist/src/dev or src/dev. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', '..', '..');
}

/** Resolves the Temporal CLI path or throws `TemporalCliNotFoundError` with what to do next. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file.`);
    return fromEnv;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, BINARY))) return join(dir, BINARY);
  }
  const cached = join(packageRoot(), '.tools', 'bin', BINARY);
  if (isExecutable(cached)) return cached;
  throw new TemporalCliNotFoundError(
    'The Temporal CLI (which runs the local dev server) was not found. Run `npm run temporal:cli` in the ' +
      'gemini-jobs package to build it into .tools/bin, put `temporal` on PATH, or set TEMPORAL_CLI_PATH.',
  );
}

/** Resolves `preferred` if it is free on `host`, else an OS-assigned free port. */
export async function freePort(preferred: number | undefined, host = '127.0.0.1'): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((done) => {
      const server = createServer();
      server.once('error', () => done(undefined));
      server.listen(port, host, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => done(bound));
      });
    });
  if (preferred !== undefined && preferred > 0) {
    const got = await tryListen(preferred);
    if (got !== undefined) return got;
  }
  const any = await tryListen(0);
  if (any === undefined) throw new DevServerStartError(`no free TCP port on ${host}`);
  return any;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => {
      socket.destroy();
      done(false);
    });
  });
}

/** True once the frontend answers DescribeNamespace for `namespace`. */
async function namespaceReady(address: string, namespace: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.withDeadline(Date.now() + 2_000, () => connection!.workflowService.describeNamespace({ namespace }));
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

export interface DevServerOptions {
  /** Temporal CLI binary. Default: `findTemporalCli()`. */
  cliPath?: string;
  ip?: string;
  /** gRPC port; taken if free, else a free one. Default 7233. */
  port?: number;
  /** Web UI port; taken if free, else a free one. Default 8233. `false` disables the UI. */
  uiPort?: number | false;
  /** SQLite file so jobs survive a restart. Its directory is created. */
  dbFilename: string;
  namespace?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the frontend port, in milliseconds. Default 30 000. */
  startTimeoutMs?: number;
  /** Receives the server's stderr/stdout lines (default: dropped). */
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  port: number;
  uiUrl?: string;
  namespace: string;
  child: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL after `graceMs`, default 5 000). */
  stop(graceMs?: number): Promise<void>;
}

/** Options of the dev-server argument builder (`devServerArgs` of src/dev/dev-server-args.mjs). */
export interface DevServerArgsOptions {
  port: number;
  /** Web UI port; absent or false: headless. */
  uiPort?: number | false;
  /** SQLite file (WAL) so jobs survive a restart. */
  dbFile?: string;
  ip?: string;
  namespace?: string;
  logLevel?: string;
  extra?: string[];
}

/**
 * What src/dev/dev-server-args.mjs exports. Declared here rather than imported from the .mjs, so
 * the package's declarations reference no file outside dist (test/dev/dev-server-args.test.ts
 * checks the module against it).
 */
export interface DevServerArgsModule {
  SEARCH_ATTRIBUTES: Record<string, string>;
  FEATURE_FLAGS: readonly string[];
  featureArgs(): string[];
  devServerArgs(opts: DevServerArgsOptions): string[];
}

/**
 * The one dev-server argument builder (src/dev/dev-server-args.mjs: plain ESM, so scripts use it
 * before any build), loaded from the package root at run time.
 */
export async function loadDevServerArgs(): Promise<DevServerArgsModule> {
  return (await import(pathToFileURL(join(packageRoot(), 'src', 'dev', 'dev-server-args.mjs')).href)) as DevServerArgsModule;
}

/** Starts `temporal server start-dev` and resolves once its frontend port accepts connections. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cliPath = options.cliPath ?? findTemporalCli();
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const port = await freePort(options.port ?? 7233, ip);
  const uiPort = options.uiPort === false ? false : await freePort(options.uiPort ?? 8233, ip);
  mkdirSync(dirname(resolve(options.dbFilename)), { recursive: true });
  const { devServerArgs } = await loadDevServerArgs();
  const args = devServerArgs({ ip, port, uiPort, dbFile: resolve(options.dbFilename), namespace, logLevel: options.logLevel ?? 'warn' });
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      recent.push(line);
      if (recent.length > 20) recent.shift();
      options.onOutput?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      done();
    }),
  );
  child.once('error', (err) => {
    recent.push(String(err));
    exited ??= { code: -1, signal: null };
  });

  const stop = async (graceMs = 5_000) => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exitPromise;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      throw new DevServerStartError(`temporal server start-dev exited (code ${exited.code ?? exited.signal}) before it was ready:\n${recent.join('\n')}`);
    }
    if ((await portOpen(ip, port)) && (await namespaceReady(`${ip}:${port}`, namespace))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new DevServerStartError(`temporal server start-dev did not open ${ip}:${port} in time:\n${recent.join('\n')}`);
    }
    await sleep(100);
  }
  return {
    address: `${ip}:${port}`,
    port,
    uiUrl: uiPort === false ? undefined : `http://${ip}:${uiPort}`,
    namespace,
    child,
    stop,
  };
}
