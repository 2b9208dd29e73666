/** `gemini-jobs serve`: the authenticated HTTP API and the jobs dashboard. */
import { parseInteger, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, info, println } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { resolveServeTokens, startJobsServer } from '../../serve/server';
import { DEFAULT_MAX_BODY_BYTES } from '../../serve/body';
import { nodeRoute } from '../../serve/routes';
import { createWebhookHandler, webhookVerifyOptionsFromEnv } from '../../webhooks';

/** Default port of `gemini-jobs serve` (next to the emulator's 8787). */
export const DEFAULT_SERVE_PORT = 8788;

export const SERVE_COMMAND_OPTIONS: OptionSpec = {
  host: { type: 'string' },
  port: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'no-dashboard': { type: 'boolean' },
};

/** Where `serve` mounts the webhook receiver (the same path as `gemini-jobs webhooks`). */
export const WEBHOOK_PATH = '/webhooks/gemini';

export async function serveCommand(ctx: CommandContext): Promise<ExitCode> {
  const v = ctx.values;
  const env = ctx.io.env;
  const host = str(v, 'host') ?? (env.GEMINI_JOBS_SERVE_HOST || '127.0.0.1');
  const portText = str(v, 'port') ?? (env.GEMINI_JOBS_SERVE_PORT || undefined);
  const port = portText !== undefined ? parseInteger(portText, '--port', 0, 65535) : DEFAULT_SERVE_PORT;
  const maxBody = str(v, 'max-body-bytes');
  const maxBodyBytes = maxBody !== undefined ? parseInteger(maxBody, '--max-body-bytes', 1024) : DEFAULT_MAX_BODY_BYTES;
  // The bind rule is checked before anything connects: no token, no non-loopback listener.
  const { tokens, generated } = resolveServeTokens(host, undefined, env);
  // The webhook receiver is mounted only when its verification is configured: it authenticates
  // callers by signature (GEMINI_WEBHOOK_SECRET and/or the JWKS), not by the bearer tokens.
  const receiving = Boolean(env.GEMINI_WEBHOOK_SECRET || env.GEMINI_WEBHOOK_JWKS_URL || env.GEMINI_WEBHOOK_SCHEMES);
  let verify;
  try {
    verify = receiving ? webhookVerifyOptionsFromEnv(env) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const served = await startJobsServer({
      jobs,
      host,
      port,
      tokens,
      dashboard: v['no-dashboard'] !== true,
      maxBodyBytes,
      ...(verify ? { routes: [nodeRoute('POST', WEBHOOK_PATH, createWebhookHandler({ ...verify, client: jobs.client }), { auth: 'self' })] } : {}),
      // Request log: method, route pattern, status, duration. Never headers, bodies or tokens.
      log: (entry) => ctx.io.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n'),
    });
    if (ctx.json) {
      ctx.io.stdout.write(JSON.stringify({ type: 'serve', url: served.url, ...(generated ? { dashboardUrl: served.dashboardUrl } : {}) }) + '\n');
    } else {
      info(ctx, `gemini-jobs API   ${served.url}/v1  (OpenAPI: ${served.url}/v1/openapi.json)`);
      if (generated) {
        info(ctx, `Dashboard         ${served.dashboardUrl}`);
        info(ctx, 'No GEMINI_JOBS_SERVE_TOKENS set: this token was generated for this process (loopback only).');
      } else {
        info(ctx, `Dashboard         ${served.url}/#token=<one of GEMINI_JOBS_SERVE_TOKENS>`);
      }
      if (verify) info(ctx, `Webhook receiver  ${served.url}${WEBHOOK_PATH}  (set GEMINI_JOBS_WEBHOOK_URL on workers to its public URL)`);
      info(ctx, 'Press Ctrl-C to stop.');
    }
    await new Promise<void>((resolve) => {
      const remove = ctx.io.onStop(() => {
        remove();
        resolve();
      });
    });
    await served.close();
    if (!ctx.json) println(ctx, '');
    return EXIT.OK;
  } finally {
    await jobs.close();
  }
}
