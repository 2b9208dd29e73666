/** `gemini-jobs/serve`: the HTTP API and dashboard on top of `JobsClient`. */
export { createJobsHttpHandler } from './handler';
export type { JobsHttpHandler, JobsHttpHandlerOptions } from './handler';
export { startJobsServer, resolveServeTokens } from './server';
export type { JobsServer, JobsServerOptions } from './server';
export { nodeRoute, matchRoute } from './routes';
export type { Route, RouteContext } from './routes';
export { HttpError, STATUS_OF_CODE } from './errors';
export { SERVE_TOKENS_ENV, ServeConfigError, TokenVerifier, parseTokens, generateToken, isLoopbackHost } from './auth';
export { openApiDocument } from './openapi';
