/**
 * `checkInteraction`: one GET of a turn's interaction, for the `webhook` mode's backstop checks
 * (a lost or late webhook only delays the job) and its on-demand live progress. Short and cheap:
 * transient errors are retried inside the attempt, a 404/403 inside the post-create grace period
 * reads as "still running", and nothing is heartbeated.
 */
import { activityInfo } from '@temporalio/activity';
import { isTerminalStatus } from '../src/interactions/types';
import { errorCode, toActivityFailure } from './failure-mapping';
import { streamedTextOf, thoughtSummary } from './progress';
import { producedSteps } from './quiet-probe';
import { withTransientRetries } from './transient';
import type { ResolvedDeps } from './deps';
import type { CheckInteractionInput, CheckInteractionResult } from './types';

/** Per-request timeout of the GET (ms). */
const CHECK_TIMEOUT_MS = 30_000;

/** The latest thought summary of a GET's steps, shortened like the streamed one (a step followed by another is complete). */
function latestThoughtOf(steps: readonly unknown[] | undefined): string | undefined {
  for (let i = (steps?.length ?? 0) - 1; i >= 0; i--) {
    const step = steps![i] as { type?: string; summary?: Array<{ text?: unknown }>; content?: Array<{ text?: unknown }> };
    if (step?.type !== 'thought') continue;
    const text = [...(step.summary ?? []), ...(step.content ?? [])].map((c) => (typeof c?.text === 'string' ? c.text : '')).join('');
    const summary = thoughtSummary(text, i < steps!.length - 1);
    if (summary) return summary;
  }
  return undefined;
}

export function makeCheckInteraction(deps: ResolvedDeps) {
  return async function checkInteraction(input: CheckInteractionInput): Promise<CheckInteractionResult> {
    const client = deps.client();
    try {
      const interaction = await withTransientRetries(() => client.get(input.interactionId, { maxRetries: 0, timeoutMs: CHECK_TIMEOUT_MS }), { maxAttempts: 4 });
      const status = String(interaction.status);
      const result: CheckInteractionResult = {
        upstreamStatus: status,
        settled: isTerminalStatus(status) || status === 'requires_action',
        outputChars: streamedTextOf(interaction.steps).length,
        steps: producedSteps(interaction),
      };
      const thought = latestThoughtOf(interaction.steps as unknown[] | undefined);
      if (thought) result.latestThought = thought;
      if (interaction.usage) result.usage = interaction.usage;
      return result;
    } catch (err) {
      const code = errorCode(err);
      const young = deps.now() - Date.parse(input.createdAt) < input.notFoundGraceMs;
      if ((code === 'not_found' || code === 'permission_denied') && young) {
        return { upstreamStatus: 'not_found_yet', settled: false, outputChars: 0, steps: 0 };
      }
      deps.log.warn('check: GET failed', { jobId: input.jobId, interactionId: input.interactionId, code, attempt: activityInfo().attempt });
      throw toActivityFailure(err);
    }
  };
}
