/**
 * `gemini-jobs webhooks`: the webhook receiver as a process. One HTTP server serving
 * `POST <path>` (default `/webhooks/gemini`) with `createWebhookHandler`, signalling jobs through
 * Temporal. Callers authenticate by signature (GEMINI_WEBHOOK_SECRET and/or the JWKS); anything
 * else on the port answers 404. Secrets come only from the environment.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseInteger, str } from '../args';
import type { OptionSpec } from '../args';
import { println, temporalSettings } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { connectClient } from '../../temporal/connection';
import { createWebhookHandler, webhookVerifyOptionsFromEnv } from '../../webhooks';

export const WEBHOOKS_COMMAND_OPTIONS: OptionSpec = {
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
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
  const handler = createWebhookHandler({ ...verify, client, log });
  const server = createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== path) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"ok":false,"result":"not_found"}');
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port !== undefined ? parseInteger(port, '--port', 0, 65535) : DEFAULT_WEBHOOKS_PORT, str(v, 'host') ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}${path}`;
  if (ctx.json) ctx.io.stdout.write(JSON.stringify({ url }) + '\n');
  else println(ctx, `Webhook receiver listening on ${url} (set GEMINI_JOBS_WEBHOOK_URL on workers to its public URL; Ctrl-C stops)`);
  await new Promise<void>((resolve) => {
    const remove = ctx.io.onStop(() => {
      remove();
      resolve();
    });
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await connection.close().catch(() => undefined);
  return EXIT.OK;
}
