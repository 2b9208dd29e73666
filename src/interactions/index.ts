/**
 * Public entry of the typed Interactions API client (`gemini-jobs/interactions`).
 * No Temporal imports belong anywhere under src/interactions/.
 */
export * from './types';
export { CURRENT_AGENTS, RETIRED_AGENTS, KNOWN_MODELS, retiredAgent, isCurrentAgent, isKnownModel } from './models';
export type { CurrentAgent, RetiredAgent, KnownModel } from './models';
export * from './errors';
export { InteractionsClient } from './client';
export type { ClientOptions, RequestOptions, GetOptions, CallSpec, RoutingInfo } from './client';
export { InteractionStream, ResumableStream, isReconnectable } from './stream';
export type { InteractionStreamOptions, ResumeOptions, ReconnectInfo } from './stream';
export { StreamResume, claimsEnd } from './resume';
export type { StreamResumeOptions, CheckpointCallback } from './resume';
export { InteractionAccumulator, accumulate, reportText } from './accumulator';
export { validateCreateRequest, validateGetParams, validateLabels, validateId } from './validate';
export { SSEDecoder, EventDecoder, errorFromEnvelope } from './sse';
export type { SSESink, DecodedItem } from './sse';
export { normalizeEvent, normalizeInteraction } from './normalize';
export { resolveRoute, buildUrl, vertexOrigin, apiVersionFromEnv, GEMINI_ORIGIN, VERTEX_GLOBAL_ORIGIN, DEFAULT_GEMINI_API_VERSION, DEFAULT_VERTEX_API_VERSION } from './routing';
export type { Route, RouteOptions } from './routing';
export { DEFAULT_RETRY_POLICY, parseRetryAfterMs, retryDelayMs, shouldRetry } from './retry';
export type { RetryPolicy } from './retry';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from './transport';
export type { AccessTokenSource } from './auth';
export { Webhooks } from './webhooks';
export type { WebhookUpdateOptions } from './webhooks';
