/**
 * The Gemini webhook receiver for gemini-jobs (`webhook` mode). Sits above workflows/definitions
 * (it signals jobs) and below the faces (CLI `gemini-jobs webhooks`, `serve`). See docs/webhooks.md.
 */
export { createWebhookHandler, signalThroughClient, DEFAULT_SIGNAL_TIMEOUT_MS } from './handler';
export type { Deliver, WebhookHandler, WebhookHandlerOptions, WebhookHandlerStats, WebhookLog, WebhookResponse } from './handler';
export { verifyDelivery, bodyHash, jwtOf, parseSignatures, signatureSchemes, WEBHOOK_SCHEMES } from './verify';
export type { VerifyOptions, VerifyResult, WebhookScheme, SignatureEntry } from './verify';
export { deliveryFacts } from './payload';
export { RecentIds } from './dedupe';
export { DEFAULT_GEMINI_JWKS_URL, WebhookConfigError, webhookVerifyOptionsFromEnv } from './env';
export { startWebhookServer, WEBHOOK_CONNECTION_LIMITS } from './server';
export type { WebhookServer, WebhookServerOptions } from './server';
