/** Runs the gemini-jobs CLI (`node dist/src/cli/main.js`) as a child process and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from './temporal';

export const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` and collects its output (killed after `timeoutMs`). */
export function runCli(args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number; cwd?: string; input?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd: opts.cwd ?? packageRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gemini-jobs ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A command that never reads stdin may exit before this write lands: its EPIPE is not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}
