/** `--name value` / `--flag` parsing for the bench scripts (node:util parseArgs, strict). */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>;

/** Parses process.argv; exits with code 2 and the usage text on an unknown or malformed flag. */
export function parseFlags(spec: FlagSpec, usage: string): Record<string, string | boolean | undefined> {
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: { ...spec, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
    if (values.help) {
      process.stdout.write(usage + '\n');
      process.exit(0);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    process.exit(2);
  }
}

/** A positive number flag; exits with code 2 naming the flag when it is not one. */
export function numberFlag(values: Record<string, string | boolean | undefined>, name: string, fallback: number, min = 0): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(n) || n < min) {
    process.stderr.write(`--${name} must be a number >= ${min} (got ${JSON.stringify(raw)})\n`);
    process.exit(2);
  }
  return n;
}
