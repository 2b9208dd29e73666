/** What every command gets: parsed flags, the process streams and environment, output helpers. */
import type { Readable } from 'node:stream';
import { JobsClient } from '../jobs/jobs-client';
import type { InteractionsClient } from '../interactions';
import type { TemporalSettings } from '../temporal/connection';
import { bool, str } from './args';
import type { Values } from './args';
import type { ViewIO } from '../view/watch-and-render';

/** The view's streams and stop request, plus stdin and the environment. */
export interface CliIO extends ViewIO {
  stdin: Readable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  command: string;
  io: CliIO;
  values: Values;
  positionals: string[];
  json: boolean;
}

/** Temporal settings from the global flags. */
export function temporalSettings(ctx: CommandContext): TemporalSettings {
  const settings: TemporalSettings = { env: ctx.io.env };
  const address = str(ctx.values, 'address');
  const namespace = str(ctx.values, 'namespace');
  const profile = str(ctx.values, 'profile');
  if (address) settings.address = address;
  if (namespace) settings.namespace = namespace;
  if (profile) settings.profile = profile;
  return settings;
}

/**
 * An Interactions client for reading reports from the API, when the environment configures one.
 * Its modules are required here, by the commands that read reports: `status` never loads them.
 */
async function optionalInteractions(env: NodeJS.ProcessEnv): Promise<InteractionsClient | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { geminiBackend, interactionsClientFromEnv } = require('../interactions/gemini-env') as typeof import('../interactions/gemini-env');
  if (!geminiBackend(env)) return undefined;
  try {
    return await interactionsClientFromEnv(env);
  } catch {
    return undefined;
  }
}

/** Connects a jobs client with the global flags (exit code 3 on failure, via TemporalConnectionError). */
export async function connectJobs(ctx: CommandContext, opts: { interactions?: boolean } = {}): Promise<JobsClient> {
  const interactions = opts.interactions ? await optionalInteractions(ctx.io.env) : undefined;
  const taskQueue = str(ctx.values, 'task-queue');
  return JobsClient.connect({
    ...temporalSettings(ctx),
    ...(taskQueue ? { taskQueue } : {}),
    ...(interactions ? { interactions } : {}),
  });
}

export function printJson(ctx: CommandContext, value: unknown): void {
  ctx.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function println(ctx: CommandContext, line = ''): void {
  ctx.io.stdout.write(line + '\n');
}

export function info(ctx: CommandContext, line: string): void {
  ctx.io.stderr.write(line + '\n');
}

export function flag(ctx: CommandContext, name: string): boolean {
  return bool(ctx.values, name);
}

/** Reads all of stdin (for a "-" question). */
export async function readStdin(ctx: CommandContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
