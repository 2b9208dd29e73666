/** Helpers of the proof tests: running the CLI as a child process, and turning anything into searchable text. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { runCli as runCliWithEnv, type CliRun } from '../helpers/cli';

export { CLI } from '../helpers/cli';

export type CliResult = Pick<CliRun, 'code' | 'stdout' | 'stderr'>;

/** Runs the CLI with exactly `env` (plus PATH/HOME/TMPDIR/LANG), so nothing leaks in from the test's own environment. */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) base[key] = process.env[key]!;
  return runCliWithEnv(args, { ...base, ...env }, { timeoutMs });
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
