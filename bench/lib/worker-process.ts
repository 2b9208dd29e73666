/**
 * Parent side of a worker child process (bench/lib/worker-child.ts): spawn, wait for "ready",
 * SIGKILL, restart, graceful stop, and the child's output kept for inspection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerChildConfig } from './worker-child';

/** Compiled path of the worker child entry point (this file is dist/bench/lib/). */
export const WORKER_CHILD_SCRIPT = join(__dirname, 'worker-child.js');

export interface WorkerProcessOptions {
  config: WorkerChildConfig;
  /** Environment of the child (credentials, GEMINI_JOBS_BASE_URL…); PATH/HOME are added. */
  env: Record<string, string>;
  /** Node arguments before the script, e.g. ['--max-old-space-size=900']. */
  execArgv?: string[];
  /** Every output line (stdout and stderr) of every incarnation. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called when a child exits without being told to (crash, fatal worker error). */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** Program to run instead of the worker child (e.g. the CLI's main.js) and its arguments. */
  script?: string;
  args?: string[];
  /** A stdout line matching this means "polling" (default: the worker child's `"ready":true`). */
  readyPattern?: RegExp;
}

function baseEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) out[key] = process.env[key]!;
  return out;
}

export class WorkerProcess {
  private child: ChildProcess | undefined;
  private expectedExit = new WeakSet<ChildProcess>();
  /** Full output of every incarnation, in order. */
  readonly output: string[] = [];
  starts = 0;
  kills = 0;
  /** How the latest child ended (exit code or signal, and when: Date.now()). */
  lastExit: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
  unexpectedExits = 0;

  constructor(private readonly opts: WorkerProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** Spawns a child; resolves with its pid at once (`ready` resolves when it polls). */
  spawn(): { pid: number; ready: Promise<void> } {
    const env = { ...baseEnv(), ...this.opts.env, GJ_WORKER_CHILD: JSON.stringify(this.opts.config) };
    const child = spawn(process.execPath, [...(this.opts.execArgv ?? []), this.opts.script ?? WORKER_CHILD_SCRIPT, ...(this.opts.args ?? [])], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let markReady: () => void = () => undefined;
    let markFailed: (err: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined);
    for (const [name, stream] of [
      ['stdout', child.stdout!],
      ['stderr', child.stderr!],
    ] as const) {
      let partial = '';
      stream.on('data', (d: Buffer) => {
        const lines = (partial + d.toString('utf8')).split('\n');
        partial = lines.pop()!;
        for (const line of lines) {
          this.output.push(line);
          if (name === 'stdout' && (this.opts.readyPattern ?? /"ready":true/).test(line)) markReady();
          this.opts.onLine?.(line, name);
        }
      });
      stream.on('end', () => {
        if (partial) {
          this.output.push(partial);
          this.opts.onLine?.(partial, name);
        }
      });
    }
    child.once('exit', (code, signal) => {
      this.lastExit = { code, signal, at: Date.now() };
      process.off('exit', killOnExit);
      markFailed(new Error(`worker child exited (code ${code}, signal ${signal}) before it was ready`));
      if (!this.expectedExit.has(child)) {
        this.unexpectedExits++;
        this.opts.onUnexpectedExit?.(code, signal);
      }
    });
    return { pid: child.pid!, ready };
  }

  /** Starts a child and waits until it polls its task queue. */
  async start(timeoutMs = 60_000): Promise<number> {
    const { pid, ready } = this.spawn();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`worker child not ready in ${timeoutMs} ms\n${this.output.slice(-20).join('\n')}`)), timeoutMs)),
      ),
    ]).finally(() => clearTimeout(timer));
    return pid;
  }

  /** SIGKILLs the current child (no shutdown of any kind) and waits for it to be gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectedExit.add(child);
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    this.kills++;
    await gone;
  }

  /** SIGTERM (graceful worker shutdown), then SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectedExit.add(child);
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
