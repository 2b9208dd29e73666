/**
 * Command-line parsing on node:util parseArgs: option specs shared by every command, typed
 * accessors and duration/number parsing with messages that name the flag.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './exit-codes';
import { didYouMean } from './suggest';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  address: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  profile: { type: 'string' },
};

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** The long flags (`--name`) a command accepts, global ones included. */
function longFlags(options: OptionSpec): string[] {
  return Object.keys({ ...GLOBAL_OPTIONS, ...options }).map((name) => `--${name}`);
}

/**
 * A value flag followed by a negative number or duration (`--deadline -5m`): node's parser calls
 * it ambiguous (it could be a flag). No number or duration flag of the CLI takes a negative
 * value: say so by name.
 */
function refuseNegativeValues(command: string, argv: string[], options: OptionSpec): void {
  const all = { ...GLOBAL_OPTIONS, ...options };
  for (let i = 0; i < argv.length - 1; i++) {
    const arg = argv[i]!;
    if (arg === '--') return;
    const spec = arg.startsWith('--') && !arg.includes('=') ? all[arg.slice(2)] : undefined;
    const value = argv[i + 1]!;
    if (spec?.type === 'string' && /^-\d+(\.\d+)?(ms|s|m|h)?$/.test(value)) {
      throw new UsageError(`${arg} must be positive (got ${JSON.stringify(value)})`, command);
    }
  }
}

/**
 * Parses `argv` for one command; unknown flags are usage errors naming the command, with the
 * flag most likely meant.
 */
export function parseCommand(command: string, argv: string[], options: OptionSpec): Parsed {
  refuseNegativeValues(command, argv, options);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (err) {
    const message = (err as Error).message.replace(/^Unknown option/, 'unknown option').split('. To specify')[0]!;
    const unknown = (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(--?[^'=\s]+)/.exec(message)?.[1] : undefined;
    throw new UsageError(unknown ? `${message}.${didYouMean(unknown, longFlags(options), false)}` : message, command);
  }
}

export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(values: Values, name: string): boolean {
  return values[name] === true;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses `90s`, `60m`, `1h30m`, `1500ms` into milliseconds. A bare number is refused (ambiguous);
 * so is 0 unless `allowZero` (then `0`, `0s`… are 0).
 */
export function parseDuration(text: string, flag: string, opts: { allowZero?: boolean } = {}): number {
  const trimmed = text.trim();
  if (opts.allowZero && /^0+(\.0+)?(ms|s|m|h)?$/.test(trimmed)) return 0;
  if (/^-\d/.test(trimmed)) throw new UsageError(`${flag} must be positive (got ${JSON.stringify(text)})`);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(trimmed)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (trimmed.length === 0 || matched !== trimmed.length) {
    throw new UsageError(`${flag} must be a duration with a unit, such as 90s, 60m or 1h (got ${JSON.stringify(text)})`);
  }
  if (!(total > 0)) throw new UsageError(`${flag} must be longer than 0 (got ${JSON.stringify(text)})`);
  return Math.round(total);
}

/** Parses a positive integer flag (or one in [min, max]). */
export function parseInteger(text: string, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be a whole number (got ${JSON.stringify(text)})`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max} (got ${n})`);
  return n;
}

/** Parses a positive number flag. */
export function parsePositiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number (got ${JSON.stringify(text)})`);
  return n;
}

/** Requires exactly `count` leading positionals, naming them in the error. */
export function requirePositionals(command: string, positionals: string[], names: string[], allowMore = false): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
      command,
    );
  }
  if (!allowMore && positionals.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, command);
  }
  return positionals;
}
