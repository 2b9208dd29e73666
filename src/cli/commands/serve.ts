/** `gemini-jobs serve`: the authenticated HTTP API and the jobs dashboard. */
import { parseInteger, str } from '../args';
import type { OptionSpec } from '../args';
import { connectJobs, info, println } from '../context';
import type { CommandContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import type { ExitCode } from '../exit-codes';
import { resolveServeTokens, startJobsServer } from '../../serve/server';
import { DEFAULT_MAX_BODY_BYTES } from '../../serve/body';
import { parseAllowedHosts } from '../../serve/request-target';
import { nodeRoute } from '../../serve/routes';
import { createWebhookHandler, webhookVerifyOptionsFromEnv } from '../../webhooks';

/** Default port of `gemini-jobs serve` (next to the emulator's 8787). */
export const DEFAULT_SERVE_PORT = 8788;

export const SERVE_COMMAND_OPTIONS: OptionSpec = {
  host: { type: 'string' },
  port: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'no-dashboard': { type: 'boolean' },
  'no-webhooks': { type: 'boolean' },
  'allowed-hosts': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-streams': { type: 'string' },
  'max-stream-seconds': { type: 'string' },
  'max-wait-seconds': { type: 'string' },
};

/** Environment variable with extra `Host` names to answer (comma-separated), like `--allowed-hosts`. */
export const SERVE_ALLOWED_HOSTS_ENV = 'GEMINI_JOBS_SERVE_ALLOWED_HOSTS';

/** The limits flags of `serve`, parsed (only those given). */
function serveLimits(v: CommandContext['values']) {
  const int = (name: string, min: number, max: number) => {
    const text = str(v, name);
    return text !== undefined ? parseInteger(text, `--${name}`, min, max) : undefined;
  };
  const connections = int('max-connections', 2, 100_000);
  const streams = int('max-streams', 1, 100_000);
  const streamSeconds = int('max-stream-seconds', 1, 7 * 86_400);
  const waitSeconds = int('max-wait-seconds', 0, 300);
  return {
    // A fifth of the connections at most may be unauthenticated: the rest stay for token holders.
    ...(connections !== undefined ? { limits: { maxConnections: connections, maxUnauthenticatedConnections: Math.max(1, Math.floor(connections / 5)) } } : {}),
    ...(streams !== undefined ? { maxEventStreams: streams } : {}),
    ...(streamSeconds !== undefined ? { maxStreamMs: streamSeconds * 1000 } : {}),
    ...(waitSeconds !== undefined ? { maxWaitMs: waitSeconds * 1000 } : {}),
  };
}

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
  // The webhook receiver authenticates callers by signature, not by the bearer tokens: v1a against
  // Google's JWKS by default (what per-request deliveries carry), v1 with GEMINI_WEBHOOK_SECRET.
  const receiving = v['no-webhooks'] !== true;
  let verify;
  try {
    verify = receiving ? webhookVerifyOptionsFromEnv(env) : undefined;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const limits = serveLimits(v);
  const allowedHosts = parseAllowedHosts(str(v, 'allowed-hosts') ?? env[SERVE_ALLOWED_HOSTS_ENV]);
  const jobs = await connectJobs(ctx, { interactions: true });
  try {
    const served = await startJobsServer({
      jobs,
      host,
      port,
      tokens,
      dashboard: v['no-dashboard'] !== true,
      maxBodyBytes,
      ...limits,
      ...(allowedHosts ? { allowedHosts } : {}),
      // A webhook sender (or the tunnel in front of it) names its own host: the receiver answers
      // under any Host and authenticates deliveries by their signature.
      ...(verify ? { routes: [nodeRoute('POST', WEBHOOK_PATH, createWebhookHandler({ ...verify, client: jobs.client }), { auth: 'self', anyHost: true })] } : {}),
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
