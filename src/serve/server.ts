/**
 * `startJobsServer`: a Node HTTP server around `createJobsHttpHandler`, with the bind rule of
 * `gemini-jobs serve`: a token is always required; with none configured the server generates one,
 * and only on a loopback address (anything else refuses to start).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServeConfigError, generateToken, isLoopbackHost, parseTokens, SERVE_TOKENS_ENV } from './auth';
import { createJobsHttpHandler } from './handler';
import type { JobsHttpHandler, JobsHttpHandlerOptions } from './handler';

export interface JobsServerOptions extends Omit<JobsHttpHandlerOptions, 'tokens'> {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Accepted tokens; default from `GEMINI_JOBS_SERVE_TOKENS` in `env`. */
  tokens?: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export interface JobsServer {
  server: Server;
  handler: JobsHttpHandler;
  /** `http://host:port` */
  url: string;
  /** Dashboard link with the token in the fragment (never sent to a server); print, never log it. */
  dashboardUrl: string;
  /** True when no token was configured and one was generated for this process. */
  generatedToken: boolean;
  close(): Promise<void>;
}

/** Resolves the tokens and the bind rule; throws `invalid_config` for a non-loopback host without one. */
export function resolveServeTokens(host: string, tokens: readonly string[] | undefined, env: NodeJS.ProcessEnv): { tokens: string[]; generated: boolean } {
  const configured = tokens ? [...tokens] : parseTokens(env[SERVE_TOKENS_ENV]);
  if (configured.length > 0) return { tokens: configured, generated: false };
  if (!isLoopbackHost(host)) {
    throw new ServeConfigError(
      `refusing to listen on ${host} without a bearer token: set ${SERVE_TOKENS_ENV} (comma-separated, at least 16 characters each), or bind to 127.0.0.1`,
    );
  }
  return { tokens: [generateToken()], generated: true };
}

/** Starts the server; resolves once it listens. */
export async function startJobsServer(options: JobsServerOptions): Promise<JobsServer> {
  const host = options.host ?? '127.0.0.1';
  const { tokens, generated } = resolveServeTokens(host, options.tokens, options.env ?? process.env);
  const handler = createJobsHttpHandler({ ...options, tokens });
  const server = createServer((req, res) => void handler(req, res));
  // Bounded header size and timeouts: a slow or huge request cannot hold a socket for long.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0; // SSE streams and result?wait=1 are long-lived by design
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown}:${address.port}`;
  return {
    server,
    handler,
    url,
    dashboardUrl: `${url}/#token=${encodeURIComponent(tokens[0]!)}`,
    generatedToken: generated,
    async close() {
      handler.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
