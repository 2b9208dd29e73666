/**
 * `gemini-jobs webhooks`: the webhook receiver as a process. One bounded HTTP server
 * (`startWebhookServer`: timeouts and connection caps) serving `POST <path>` (default
 * `/webhooks/gemini`) with `createWebhookHandler`, signalling jobs through Temporal. Callers
 * authenticate by signature (GEMINI_WEBHOOK_SECRET and/or the JWKS); anything else on the port
 * answers 404. Secrets come only from the environment.
 */
import { parseInteger, str } from '../args';
import type { OptionSpec } from '../args';
import { println, temporalSettings } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { connectClient } from '../../temporal/connection';
import { createWebhookHandler, startWebhookServer, webhookVerifyOptionsFromEnv } from '../../webhooks';

export const WEBHOOKS_COMMAND_OPTIONS: OptionSpec = {
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
  'max-connections': { type: 'string' },
};

/** Default port of `gemini-jobs webhooks`. */
export const DEFAULT_WEBHOOKS_PORT = 8789;

export async function webhooksCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  const port = str(v, 'port');
  const path = str(v, 'path') ?? '/webhooks/gemini';
  if (!path.startsWith('/')) throw new UsageError('--path must start with "/" (e.g. /webhooks/gemini)');
  let verify;
  try {
    verify = webhookVerifyOptionsFromEnv(ctx.io.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { client, connection } = await connectClient(temporalSettings(ctx));
  const log = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) =>
    ctx.io.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
  const maxConnections = str(v, 'max-connections');
  const limits = maxConnections !== undefined ? connectionCaps(parseInteger(maxConnections, '--max-connections', 2, 100_000)) : {};
  const server = await startWebhookServer({
    handler: createWebhookHandler({ ...verify, client, log }),
    path,
    host: str(v, 'host') ?? '127.0.0.1',
    port: port !== undefined ? parseInteger(port, '--port', 0, 65535) : DEFAULT_WEBHOOKS_PORT,
    limits,
  });
  const url = server.url;
  if (ctx.json) ctx.io.stdout.write(JSON.stringify({ url }) + '\n');
  else println(ctx, `Webhook receiver listening on ${url} (set GEMINI_JOBS_WEBHOOK_URL on workers to its public URL; Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    const remove = ctx.io.onStop(() => {
      remove();
      resolve();
    });
  });
  await server.close();
  await connection.close().catch(() => undefined);
  return EXIT.OK;
}

/** `--max-connections N`: N in all, at most half of them not yet verified (the oldest make room). */
function connectionCaps(max: number) {
  return { maxConnections: max, maxUnauthenticatedConnections: Math.max(1, Math.floor(max / 2)) };
}
