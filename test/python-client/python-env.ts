/**
 * Where the Python tests find an interpreter with `temporalio` and pytest: `GEMINI_JOBS_PYTHON`,
 * else `.tools/venv` (made by .ci/run from test/python/requirements.txt), else `.tools-venv` (a
 * developer's own). The package itself is loaded from `python/src` (PYTHONPATH), so editing it
 * needs no reinstall; test/python-client/readme-python.test.ts checks the installed package.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../helpers/temporal';

export const PYTHON_PACKAGE_DIR = join(packageRoot, 'python');

export const venvPython: string | undefined =
  process.env.GEMINI_JOBS_PYTHON ?? [join(packageRoot, '.tools', 'venv', 'bin', 'python'), join(packageRoot, '.tools-venv', 'bin', 'python')].find((p) => existsSync(p));

export const noVenv: string | false = venvPython
  ? false
  : 'no Python virtualenv with temporalio and pytest: `python3 -m venv .tools/venv && .tools/venv/bin/pip install -r test/python/requirements.txt` (.ci/run does this); skipped';

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end and collects its output (killed after `timeoutMs`). */
export function runProgram(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env, cwd: opts.cwd ?? packageRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** The environment of a Python child: only what it needs, plus the package source on PYTHONPATH. */
export function pythonEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) base[key] = process.env[key];
  return { ...base, PYTHONPATH: join(PYTHON_PACKAGE_DIR, 'src'), PYTHONDONTWRITEBYTECODE: '1', ...extra };
}
