/**
 * `startJobsServer`: `createJobsHttpHandler` on a bounded HTTP server (src/common/bounded-http.ts:
 * every connection bounded in time and number), with the bind rules of `gemini-jobs serve`: a
 * token is always required; with none configured the server generates one, and only on a
 * loopback address (anything else refuses to start); on loopback only loopback `Host` names
 * (and `allowedHosts`) are answered.
 */
import type { Server } from 'node:http';
import { createBoundedServer } from '../common/bounded-http';
import type { ConnectionLimits, ConnectionStats } from '../common/bounded-http';
import { ServeConfigError, generateToken, isLoopbackHost, parseTokens, SERVE_TOKENS_ENV } from './auth';
import { createJobsHttpHandler } from './handler';
import type { JobsHttpHandler, JobsHttpHandlerOptions } from './handler';
import { resolveAllowedHosts } from './request-target';

export interface JobsServerOptions extends Omit<JobsHttpHandlerOptions, 'tokens' | 'allowedHosts' | 'onAuthenticated'> {
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Accepted tokens; default from `GEMINI_JOBS_SERVE_TOKENS` in `env`. */
  tokens?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /**
   * `Host` names answered besides the loopback ones (a proxy's public name; `.example.com` for a
   * domain and its subdomains; `*` for any). On a non-loopback address, default any.
   */
  allowedHosts?: readonly string[];
  /** Connection limits; defaults in {@link SERVE_CONNECTION_LIMITS}. */
  limits?: Partial<ConnectionLimits>;
}

/** `serve`'s connection limits (docs/serve.md, Limits, says where each figure comes from). */
export const SERVE_CONNECTION_LIMITS: Partial<ConnectionLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
  maxUnauthenticatedConnections: 200,
};

export interface JobsServer {
  server: Server;
  handler: JobsHttpHandler;
  /** `http://host:port` */
  url: string;
  /** Dashboard link with the token in the fragment (never sent to a server); print, never log it. */
  dashboardUrl: string;
  /** True when no token was configured and one was generated for this process. */
  generatedToken: boolean;
  /** The connections now, and those refused since the start. */
  connections(): ConnectionStats;
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
  let bounded: ReturnType<typeof createBoundedServer> | undefined;
  const handler = createJobsHttpHandler({
    ...options,
    tokens,
    allowedHosts: resolveAllowedHosts(isLoopbackHost(host), options.allowedHosts),
    onAuthenticated: (req) => bounded?.authenticated(req),
  });
  bounded = createBoundedServer((req, res) => void handler(req, res), { ...SERVE_CONNECTION_LIMITS, ...options.limits });
  const address = await bounded.listen(options.port ?? 0, host);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shown}:${address.port}`;
  const server = bounded;
  return {
    server: server.server,
    handler,
    url,
    dashboardUrl: `${url}/#token=${encodeURIComponent(tokens[0]!)}`,
    generatedToken: generated,
    connections: () => server.stats(),
    async close() {
      handler.close();
      await server.close();
    },
  };
}
