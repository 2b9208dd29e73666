/** Helpers of the proof tests: running the CLI as a child process, and turning anything into searchable text. */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { packageRoot } from '../helpers/temporal';

export const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/src/cli/main.js ...args` with exactly `env` (plus PATH/HOME); kills it after `timeoutMs`. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const base: Record<string, string> = {};
    for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) base[key] = process.env[key]!;
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gemini-jobs ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Every string inside `value`, joined: object keys and values, array items, and the bytes of every
 * Uint8Array (protobuf payloads) decoded as UTF-8, so a credential inside a Temporal payload is
 * found too. Errors contribute their message, stack, cause and own properties.
 */
export function textOf(value: unknown, seen = new Set<unknown>()): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'object' && typeof value !== 'function') return '';
  if (seen.has(value)) return '';
  seen.add(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
  const parts: string[] = [];
  if (value instanceof Error) {
    parts.push(value.message, value.stack ?? '', inspect(value, { depth: 8 }), textOf((value as { cause?: unknown }).cause, seen));
  }
  if (value instanceof Map) {
    for (const [k, v] of value) parts.push(textOf(k, seen), textOf(v, seen));
    return parts.join('\n');
  }
  for (const key of Object.getOwnPropertyNames(value)) {
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof child === 'function') continue;
    parts.push(key, textOf(child, seen));
  }
  return parts.join('\n');
}

/** Contents of every file under `dir` (recursively), as `path\ncontent` blocks. */
export async function filesText(dir: string): Promise<{ files: number; text: string }> {
  let files = 0;
  const parts: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else {
        files++;
        parts.push(p, (await readFile(p)).toString('utf8'));
      }
    }
  };
  await walk(dir);
  return { files, text: parts.join('\n') };
}
