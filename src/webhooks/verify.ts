/**
 * The receiver's signature check. The scheme rules (`v1a` Ed25519 against a JWKS, `v1` HMAC with
 * `whsec_` secrets, the documented JWT form) live beside the wire client in
 * `src/interactions/webhook-signature.ts`, so `doctor` checks a real delivery exactly as the
 * receiver does.
 */
export { verifyDelivery, bodyHash, jwtOf, parseSignatures, signatureSchemes, WEBHOOK_SCHEMES, DEFAULT_GEMINI_JWKS_URL } from '../interactions/webhook-signature';
export type { VerifyOptions, VerifyResult, WebhookScheme, SignatureEntry } from '../interactions/webhook-signature';
