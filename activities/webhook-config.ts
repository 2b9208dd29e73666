/**
 * The `webhook_config` of a `webhook`-mode create: the worker's receiver URLs (from its
 * environment, `GEMINI_JOBS_WEBHOOK_URL`; never from job input) and `user_metadata` naming the
 * job and the turn, which is how the receiver finds the workflow to signal and how an orphan of
 * the create window is recognised (same job and turn, another interaction id).
 */
import { ApplicationFailure } from '@temporalio/common';
import { WEBHOOK_METADATA_KEYS } from '../src/contract';
import type { ResolvedDeps } from './deps';
import type { CreateInteractionInput } from './types';

export function webhookConfigFor(deps: ResolvedDeps, input: CreateInteractionInput, existing: unknown): Record<string, unknown> {
  const uris = deps.webhooks?.uris ?? [];
  if (uris.length === 0) {
    throw ApplicationFailure.create({
      type: 'webhook_not_configured',
      message:
        'the job asked for mode "webhook" but this worker has no GEMINI_JOBS_WEBHOOK_URL: set it to the URL of a webhook receiver (gemini-jobs webhooks, or createWebhookHandler mounted in a service)',
      nonRetryable: true,
    });
  }
  const user = (existing && typeof existing === 'object' ? existing : {}) as { uris?: unknown; user_metadata?: unknown };
  const userUris = Array.isArray(user.uris) ? user.uris.filter((u): u is string => typeof u === 'string') : [];
  const metadata = user.user_metadata && typeof user.user_metadata === 'object' ? (user.user_metadata as Record<string, unknown>) : {};
  return {
    uris: [...new Set([...uris, ...userUris])],
    user_metadata: { ...metadata, [WEBHOOK_METADATA_KEYS.jobId]: input.jobId, [WEBHOOK_METADATA_KEYS.turn]: String(input.turn) },
  };
}
