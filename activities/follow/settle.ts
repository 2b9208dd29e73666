/**
 * Step: settle. The run's final interaction (read by GET) becomes the activity's small result:
 * the report text (inline when the encoded result fits, else in the result store or left at the
 * API), its hash, usage, tool calls, estimated cost, the upstream error of a failed run, and
 * whether the streamed text matched the stored one.
 */
import { createHash } from 'node:crypto';
import { SUMMARY_CHARS } from '../../src/contract/constants';
import { toolCallsOf } from '../../src/contract/budget';
import type { JobError } from '../../src/contract';
import { redact } from '../../src/common/redact';
import { reportText } from '../../src/interactions/accumulator';
import type { Interaction } from '../../src/interactions/types';
import { isWaitingStatus } from '../../src/interactions/types';
import { API_REPORT_STORE, TEMPORAL_REPORT_STORE, keySegment } from '../../src/results/result-store';
import { estimateCost } from '../pricing';
import { fnv1a, streamedTextOf } from '../progress';
import type { FollowInteractionResult } from '../types';
import type { FollowContext } from './context';
import { classifyStatus, type FollowState } from './state';

/** Upstream errors of a failed interaction, as a JobError. */
export function upstreamError(interaction: Interaction, upstreamStatus: string): JobError | undefined {
  if (upstreamStatus === 'completed' || isWaitingStatus(upstreamStatus)) return undefined;
  const first = (interaction.errors as Array<{ code?: unknown; message?: unknown }> | undefined)?.[0];
  let code = first?.code !== undefined ? String(first.code) : undefined;
  let message = typeof first?.message === 'string' ? first.message : undefined;
  if (!message) {
    for (const step of interaction.steps ?? []) {
      const err = (step as { error?: { code?: unknown; message?: unknown } }).error;
      if (step?.type === 'model_output' && err) {
        code ??= err.code !== undefined ? String(err.code) : undefined;
        message = typeof err.message === 'string' ? err.message : undefined;
      }
    }
  }
  if (upstreamStatus === 'failed' || message) {
    return {
      code: `upstream_${upstreamStatus}`,
      message: redact(`interaction ${upstreamStatus}${code ? ` (${code})` : ''}${message ? `: ${message}` : ''}`),
      retryable: false,
    };
  }
  if (classifyStatus(upstreamStatus) === 'unknown') {
    return { code: 'unknown_status', message: `interaction ended with status "${upstreamStatus}" that this worker does not know`, retryable: false };
  }
  return undefined;
}

/** Verification is meaningful only when every event of the run went through the stream. */
function streamVerified(ctx: FollowContext, st: FollowState, interaction: Interaction): boolean {
  const { committed } = st;
  if (ctx.opts.mode !== 'stream' || !st.cp.streamedFromStart || committed.eventsApplied === 0) return false;
  const full = streamedTextOf(interaction.steps);
  const same = full.length === committed.outputChars && fnv1a(full) === committed.outputHash;
  if (!same) ctx.deps.log.warn('follow: streamed text differs from the stored interaction', { ...ctx.logFields, streamedChars: committed.outputChars, storedChars: full.length });
  return same;
}

/** Moves the report out of the result when the encoded result would not fit in Temporal. */
async function placeReport(ctx: FollowContext, result: FollowInteractionResult, text: string, interaction: Interaction): Promise<void> {
  const encoded = Buffer.byteLength(JSON.stringify(result), 'utf8');
  const { deps, input } = ctx;
  if (encoded <= deps.inlineReportMaxBytes) return;
  delete result.reportText;
  if (deps.resultStore) {
    const base = `${keySegment(input.jobId)}/${input.turn}-${keySegment(input.interactionId)}`;
    result.report = await deps.resultStore.put(`${base}.md`, text, 'text/markdown; charset=utf-8');
    result.interactionRef = await deps.resultStore.put(`${base}.json`, JSON.stringify(interaction, null, 2), 'application/json');
    return;
  }
  result.report = { ...result.report, store: API_REPORT_STORE, key: input.interactionId };
  deps.log.warn('follow: report too large for Temporal and no result store configured; readers fetch it from the API by interaction id', {
    ...ctx.logFields,
    encodedBytes: encoded,
    inlineReportMaxBytes: deps.inlineReportMaxBytes,
    fix: 'set GEMINI_JOBS_RESULTS_DIR to an absolute directory shared by workers and readers, or pass a ResultStore',
  });
}

/** The activity's result for the run's final interaction, ending the turn with `status`. */
export async function settle(
  ctx: FollowContext,
  st: FollowState,
  interaction: Interaction,
  status: FollowInteractionResult['status'],
  upstreamStatus: string,
): Promise<FollowInteractionResult> {
  const text = reportText(interaction);
  const bytes = Buffer.from(text, 'utf8');
  const verified = streamVerified(ctx, st, interaction);
  const result: FollowInteractionResult = {
    status,
    upstreamStatus,
    summary: text.slice(0, SUMMARY_CHARS),
    outputChars: text.length,
    // The key names this very activity's result in history: run id and activity id.
    report: {
      store: TEMPORAL_REPORT_STORE,
      key: `${ctx.attempt.runId}/${ctx.attempt.activityId}`,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    reportText: text,
    eventsApplied: st.committed.eventsApplied,
    streamVerified: verified,
  };
  const usage = interaction.usage ?? st.committed.usage;
  if (usage) result.usage = usage;
  result.toolCalls = toolCallsOf(usage, st.committed.toolCalls ?? 0);
  const cost = estimateCost(usage, ctx.input.priceName, ctx.deps.priceTable);
  if (cost) Object.assign(result, { costUsd: cost.usd, priceTable: cost.priceTable });
  const error = upstreamError(interaction, upstreamStatus);
  if (error) result.error = error;
  await placeReport(ctx, result, text, interaction);
  ctx.deps.log.info('follow: turn settled', {
    ...ctx.logFields,
    upstreamStatus,
    status,
    outputChars: text.length,
    eventsApplied: st.committed.eventsApplied,
    streamVerified: verified,
    reportStore: result.report.store,
  });
  return result;
}
