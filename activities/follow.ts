/**
 * `followInteraction`: the one long activity of a turn. It follows a background interaction until
 * a terminal status is READ BACK by a plain GET, then stores the report and returns a small result.
 *
 * - Stream mode: `GET …?stream=true&last_event_id=…`; a cut, stalled or broken stream reconnects
 *   from the last checkpointed event id. After `maxStreamFailures` consecutive attempts without
 *   progress it falls back to polling GET with growing, jittered intervals.
 * - Everything happens inside this activity, heartbeating, so workflow history stays O(1) whatever
 *   the run length. The heartbeat is the checkpoint (`FollowCheckpoint`), taken only at events that
 *   carry an `event_id`; a new attempt (crash, worker restart) resumes from it.
 * - A 404/403 right after create is tolerated for `notFoundGraceMs` (the API has answered both for a
 *   while after a background create); after that it is a non-retryable `not_found`.
 * - A stream that ends without a terminal event means "unknown", never success: the status is
 *   always read back with GET, and an unrecognised status is returned as `unknown`.
 */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { reportText } from '../src/interactions/accumulator';
import { CHECKPOINT_FLUSH_MS, SUMMARY_CHARS, WATCHED_FLUSH_MS } from '../src/contract/constants';
import { StreamResume } from '../src/interactions/resume';
import type { Interaction, InteractionEvent } from '../src/interactions/types';
import { isSettledStatus, isWaitingStatus, statusClass } from '../src/interactions/types';
import { errorCode, temporalMayRetry, toActivityFailure } from './failure-mapping';
import { createHash } from 'node:crypto';
import { API_REPORT_STORE, TEMPORAL_REPORT_STORE, keySegment } from '../src/results/result-store';
import { redact } from '../src/common/redact';
import type { JobError } from '../src/contract';
import { applyEvent, cloneProgress, emptyProgress, fnv1a, streamedTextOf, type ProgressState } from './progress';
import { backoffMs, withJitter } from '../src/common/backoff';
import { sleepMs, throwIfCancelled, type ResolvedDeps } from './deps';
import { HeartbeatFlusher } from './flush';
import { judgeQuietProbe } from './quiet-probe';
import { withTransientRetries } from './transient';
import { BudgetGuard, BudgetStop } from './budget-guard';
import { cancelAndConfirm } from './cancel';
import { toolCallsOf } from '../src/contract/budget';
import { estimateCost } from './pricing';
import { describeExceeded } from '../src/contract/budget';
import type { FollowCheckpoint, FollowInteractionInput, FollowInteractionResult, FollowMode } from './types';
import { countStreamReconnect, recordResumeLag } from '../src/telemetry/metrics';

const DEFAULT_MAX_STREAM_FAILURES = 3;
/** Per-request timeout of a plain GET (ms). */
const GET_TIMEOUT_MS = 60_000;
/** Longest gap between heartbeats while nothing arrives (ms): bounds how late a cancel is seen. */

type Settled = { interaction: Interaction; upstreamStatus: string };

/**
 * The outcome of reading a status, from the one classification in the client's types: still
 * running (`queued`, `in_progress`), settled (terminal, or stopped and waiting for the client:
 * `requires_action`, `requires_continuation`, `idle`), or unrecognised (ends the turn `unknown`).
 */
function classify(status: string): 'running' | 'settled' | 'unknown' {
  if (isSettledStatus(status)) return 'settled';
  return statusClass(status) === 'active' ? 'running' : 'unknown';
}

function isNotFoundLike(code: string | undefined): boolean {
  return code === 'not_found' || code === 'permission_denied';
}

/** Defaults of the follow activity's own timings (ms); the job options override the first two. */
export const FOLLOW_DEFAULTS = {
  /** Longest wait of a checkpoint change, from the change: the resume point is at most this far behind the stream (src/contract/constants.ts). */
  checkpointFlushMs: CHECKPOINT_FLUSH_MS,
  /** The checkpoint flush while someone watches the job (live progress). */
  watchedFlushMs: WATCHED_FLUSH_MS,
  /** Hard ceiling of stream silence, whatever the quiet probes say, in probe intervals. */
  stallProbes: 10,
};

export function makeFollowInteraction(deps: ResolvedDeps) {
  return async function followInteraction(input: FollowInteractionInput): Promise<FollowInteractionResult> {
    const info = activityInfo();
    const signal = cancellationSignal();
    const client = deps.client();
    const opts = input.options;
    const maxStreamFailures = opts.maxStreamFailures ?? DEFAULT_MAX_STREAM_FAILURES;
    const logFields = { jobId: input.jobId, turn: input.turn, interactionId: input.interactionId, attempt: info.attempt };

    const restored = info.heartbeatDetails as FollowCheckpoint | undefined;
    const resumed = restored && restored.interactionId === input.interactionId ? restored : undefined;
    const cp: FollowCheckpoint = resumed ?? {
      interactionId: input.interactionId,
      progress: emptyProgress(),
      mode: opts.mode === 'poll' ? 'polling' : 'streaming',
      streamedFromStart: opts.mode !== 'poll',
      streamFailures: 0,
      at: new Date(deps.now()).toISOString(),
    };
    if (resumed) deps.log.info('follow: resuming from checkpoint', { ...logFields, lastEventId: cp.lastEventId, eventsApplied: cp.progress.eventsApplied, mode: cp.mode });
    // Resume lag (metric): the previous attempt's last checkpoint → this attempt's first event.
    let resumedFromMs: number | undefined = resumed && Number.isFinite(Date.parse(cp.at)) ? Date.parse(cp.at) : undefined;
    // The last checkpointed progress (matches cp.lastEventId exactly); the live one is `resume.live`.
    let committed: ProgressState = { ...emptyProgress(), ...cloneProgress(cp.progress as ProgressState) };
    if (resumed && resumed.progress.stepsStarted === undefined) delete committed.stepsStarted;
    /** Set at each checkpoint of the current connection. */
    let progressed = false;

    // Heartbeats by time, not per event (each one is an RPC and a billable action): see flush.ts.
    const heartbeatTimeoutMs = info.heartbeatTimeoutMs ?? 40_000;
    const flushMs = Math.min(deps.checkpointFlushMs ?? FOLLOW_DEFAULTS.checkpointFlushMs, Math.floor(heartbeatTimeoutMs * 0.7));
    const flusher = new HeartbeatFlusher(
      {
        flushMs,
        livenessMs: Math.max(100, Math.floor(heartbeatTimeoutMs * 0.8)),
        watchedFlushMs: Math.min(flushMs, deps.watchedFlushMs ?? FOLLOW_DEFAULTS.watchedFlushMs),
      },
      () => {
        cp.progress = committed;
        if (committed.usage) cp.usage = committed.usage;
        cp.at = new Date(deps.now()).toISOString();
        heartbeat(cp);
      },
      deps.now,
      () => deps.watched(input.jobId),
    );
    // A watch lease starting or ending re-times a pending change (docs/watch-lease.md).
    const unwatch = deps.onWatchedChange(input.jobId, () => flusher.watchChanged());
    const beat = (mode?: FollowMode): void => {
      const changedMode = mode !== undefined && mode !== cp.mode;
      if (mode) cp.mode = mode;
      flusher.mark(changedMode);
    };
    flusher.flush();
    // The one resume algorithm (src/interactions/resume.ts): which events of a connection are new,
    // folded into the live progress; a checkpoint at every event with an id.
    const resume = new StreamResume<ProgressState>({
      lastEventId: cp.lastEventId,
      state: cloneProgress(committed),
      apply: (state, ev) => applyEvent(state, ev, new Date(deps.now()).toISOString()),
      clone: cloneProgress,
      onCheckpoint: (lastEventId, state) => {
        cp.lastEventId = lastEventId;
        committed = state;
        progressed = true;
        cp.streamFailures = 0;
        beat('streaming');
      },
    });
    const transient = (what: string) => ({
      onRetry: (r: { code: string; attempt: number; delayMs: number }) => deps.log.info(`follow: ${what} failed transiently; retrying`, { ...logFields, ...r }),
    });
    const guard = new BudgetGuard(input, deps.priceTable, deps.now);

    /** Grace for 404/403: returns normally to retry, throws once the grace period is over. */
    const tolerateNotFound = async (err: unknown, n: number): Promise<void> => {
      const now = deps.now();
      cp.notFoundSince ??= new Date(now).toISOString();
      const since = Date.parse(cp.notFoundSince);
      if (now - since >= opts.notFoundGraceMs) {
        deps.log.warn('follow: interaction still not found after the grace period', { ...logFields, graceMs: opts.notFoundGraceMs });
        throw toActivityFailure(err, { forceNonRetryable: true });
      }
      beat();
      await sleepMs(Math.min(backoffMs(n, 250, 5_000), Math.max(0, since + opts.notFoundGraceMs - now)));
    };

    /** Plain GET (the source of truth): transient errors retried here, 404/403 within the grace; the rest to Temporal. */
    const getInteraction = async (): Promise<Interaction> => {
      for (let n = 0; ; n++) {
        try {
          const interaction = await withTransientRetries(() => client.get(input.interactionId, { signal, maxRetries: 0, timeoutMs: GET_TIMEOUT_MS }), transient('GET'));
          delete cp.notFoundSince;
          return interaction;
        } catch (err) {
          throwIfCancelled();
          const code = errorCode(err);
          if (isNotFoundLike(code)) {
            await tolerateNotFound(err, n);
            continue;
          }
          throw toActivityFailure(err);
        }
      }
    };

    try {
      let settled: Settled | undefined;
      let unknownStatus: Interaction | undefined;
      const probeEveryMs = opts.streamIdleTimeoutMs;
      const stallMs = opts.streamStallTimeoutMs ?? FOLLOW_DEFAULTS.stallProbes * probeEveryMs;
      // A previous attempt crossed the budget: finish its cancel.
      if (cp.budgetExceeded) throw new BudgetStop(cp.budgetExceeded);

      // ---- stream ---------------------------------------------------------------------------
      while (!settled && !unknownStatus && opts.mode === 'stream' && cp.streamFailures < maxStreamFailures && cp.mode !== 'polling') {
        throwIfCancelled();
        progressed = false;
        let sawEnd = false;
        // One controller per connection: a quiet probe may end it without cancelling the activity.
        const connection = new AbortController();
        const onCancel = () => connection.abort(signal.reason);
        signal.addEventListener('abort', onCancel, { once: true });
        let probeResult: { verdict: 'settled' | 'stalled'; interaction: Interaction } | undefined;
        let probeTimer: NodeJS.Timeout | undefined;
        let previousUpdated: string | undefined;
        const armProbe = (): void => {
          if (probeTimer) clearTimeout(probeTimer);
          probeTimer = setTimeout(() => void probe(), probeEveryMs);
        };
        const probe = async (): Promise<void> => {
          try {
            const interaction = await withTransientRetries(() => client.get(input.interactionId, { signal: connection.signal, maxRetries: 0, timeoutMs: GET_TIMEOUT_MS }), {
              maxAttempts: 3,
            });
            if (connection.signal.aborted) return;
            const verdict = judgeQuietProbe(interaction, { stepsStarted: resume.live.stepsStarted, previousUpdated, running: classify(String(interaction.status)) === 'running' });
            previousUpdated = typeof interaction.updated === 'string' ? interaction.updated : undefined;
            if (verdict === 'quiet') return armProbe();
            probeResult = { verdict, interaction };
            deps.log.info(`follow: quiet probe says ${verdict}`, { ...logFields, status: String(interaction.status), lastEventId: cp.lastEventId });
            connection.abort(new Error(`quiet probe: ${verdict}`));
          } catch {
            // A failed probe changes nothing: the stream (or the stall ceiling) decides.
            if (!connection.signal.aborted) armProbe();
          }
        };
        try {
          beat(cp.streamFailures > 0 ? 'reconnecting' : 'streaming');
          const stream = (await withTransientRetries(
            // get() with stream: true hands back the stream object itself (it connects on iteration).
            async () =>
              client.get(input.interactionId, {
                stream: true,
                ...(cp.lastEventId ? { lastEventId: cp.lastEventId } : {}),
                signal: connection.signal,
                maxRetries: 0,
                idleTimeoutMs: stallMs,
              }) as AsyncIterable<InteractionEvent>,
            transient('stream open'),
          )) as AsyncIterable<InteractionEvent>;
          cp.mode = 'streaming';
          if (probeEveryMs < stallMs) armProbe();
          // Each new event once (a cursor ignored by the server included); truncation throws.
          for await (const ev of resume.connection(stream)) {
            if (resumedFromMs !== undefined) {
              recordResumeLag(deps.now() - resumedFromMs);
              resumedFromMs = undefined;
            }
            delete cp.notFoundSince; // the stream opens lazily: only an event proves it exists
            previousUpdated = undefined; // the stream is alive: a new silence starts from here
            if (probeEveryMs < stallMs) armProbe();
            if (resume.sawEnd) sawEnd = true;
            // A run that has just finished keeps its real outcome even if its last usage is over.
            if (ev.event_type !== 'interaction.completed') guard.check(resume.live.usage, resume.live.toolCalls);
          }
          // The whole stream was read: nothing will be replayed, so the trailing id-less events count.
          committed = cloneProgress(resume.live);
        } catch (err) {
          if (err instanceof BudgetStop) throw err;
          throwIfCancelled();
          const probed = probeResult as { verdict: 'settled' | 'stalled'; interaction: Interaction } | undefined;
          if (probed?.verdict === 'settled') {
            // The run ended and the stream missed it: the probe's GET is the truth.
            const kind = classify(String(probed.interaction.status));
            if (kind === 'settled') settled = { interaction: probed.interaction, upstreamStatus: String(probed.interaction.status) };
            else unknownStatus = probed.interaction;
            cp.streamedFromStart = false;
            continue;
          }
          const code = probed ? 'stream_stalled' : errorCode(err);
          if (isNotFoundLike(code)) {
            await tolerateNotFound(err, cp.streamFailures);
            continue;
          }
          // An error written into the stream is re-read by GET below, whatever its status.
          if (!probed && code !== 'stream_error' && !temporalMayRetry(err)) throw toActivityFailure(err);
          // Id-less events after the checkpoint come again on the next connection: `resume` skips them.
          cp.streamFailures = progressed ? 1 : cp.streamFailures + 1;
          deps.log.info('follow: stream interrupted', { ...logFields, code: code ?? 'unknown', lastEventId: cp.lastEventId, failures: cp.streamFailures });
          countStreamReconnect();
          if (probed) {
            // The probe proved the run alive and ahead of us: reconnect at once, no extra GET.
            if (cp.streamFailures < maxStreamFailures) continue;
          }
        } finally {
          if (probeTimer) clearTimeout(probeTimer);
          signal.removeEventListener('abort', onCancel);
          if (!connection.signal.aborted) connection.abort(new Error('connection done'));
        }
        if (settled || unknownStatus) break;
        // The stream said it ended (or broke): the status is only known once GET reads it back.
        const interaction = await getInteraction();
        const kind = classify(String(interaction.status));
        if (kind === 'settled') settled = { interaction, upstreamStatus: String(interaction.status) };
        else if (kind === 'unknown') unknownStatus = interaction;
        else if (sawEnd) {
          // The stream claimed the end but GET says running: do not trust the stream any more.
          cp.streamFailures = maxStreamFailures;
        } else {
          if (cp.streamFailures >= maxStreamFailures) break;
          await sleepMs(withJitter(backoffMs(cp.streamFailures - 1, 500, 5_000)));
        }
      }
      if (!settled && !unknownStatus && opts.mode === 'stream') {
        cp.streamedFromStart = false;
        deps.log.info('follow: falling back to polling', { ...logFields, failures: cp.streamFailures });
      }

      // ---- poll -----------------------------------------------------------------------------
      for (let polls = 0; !settled && !unknownStatus; polls++) {
        throwIfCancelled();
        beat('polling');
        const interaction = await getInteraction();
        const kind = classify(String(interaction.status));
        if (kind === 'settled') settled = { interaction, upstreamStatus: String(interaction.status) };
        else if (kind === 'unknown') unknownStatus = interaction;
        else {
          // Progress for `describe()` readers; verification is off once polling took over.
          committed.outputChars = streamedTextOf(interaction.steps).length;
          committed.status = String(interaction.status);
          if (interaction.usage) committed.usage = interaction.usage;
          guard.check(interaction.usage, committed.toolCalls);
          await sleepMs(withJitter(backoffMs(polls, opts.pollInitialIntervalMs, opts.pollMaxIntervalMs)));
        }
      }

      const final = settled?.interaction ?? unknownStatus!;
      const upstreamStatus = String(final.status);
      const status: FollowInteractionResult['status'] = settled ? (upstreamStatus as FollowInteractionResult['status']) : 'unknown';
      return await finish(deps, input, final, status, upstreamStatus, committed, cp, logFields);
    } catch (err) {
      if (!(err instanceof BudgetStop)) throw err;
      // Over budget: cancel the remote run, confirm it, and end the turn with the figures (the
      // events applied so far count, including the one that crossed the limit).
      committed = cloneProgress(resume.live);
      cp.budgetExceeded = err.exceeded;
      beat();
      deps.log.info('follow: budget exceeded, cancelling the remote run', { ...logFields, limit: err.exceeded.limit, max: err.exceeded.max, used: err.exceeded.used });
      const cancelled = await cancelAndConfirm(deps, { jobId: input.jobId, interactionId: input.interactionId }, () => beat());
      const final = await getInteraction();
      const result = await finish(deps, input, final, 'budget_exceeded', String(final.status ?? cancelled.upstreamStatus), committed, cp, logFields);
      result.budgetExceeded = err.exceeded;
      result.error = {
        code: 'budget_exceeded',
        message: `${describeExceeded(err.exceeded)}; the remote run was cancelled (${cancelled.confirmed ? 'confirmed' : 'not confirmed'}: ${cancelled.upstreamStatus})`,
        retryable: false,
      };
      return result;
    } finally {
      unwatch();
      flusher.stop();
    }
  };
}

/** Upstream errors of a failed interaction, as a JobError. */
function upstreamError(interaction: Interaction, upstreamStatus: string): JobError | undefined {
  if (upstreamStatus === 'completed' || isWaitingStatus(upstreamStatus)) return undefined;
  const entries = (interaction.errors as Array<{ code?: unknown; message?: unknown }> | undefined) ?? [];
  let code: string | undefined;
  let message: string | undefined;
  if (entries.length > 0) {
    code = entries[0]!.code !== undefined ? String(entries[0]!.code) : undefined;
    message = typeof entries[0]!.message === 'string' ? entries[0]!.message : undefined;
  }
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
  if (!['completed', 'failed'].includes(upstreamStatus) && classify(upstreamStatus) === 'unknown') {
    return { code: 'unknown_status', message: `interaction ended with status "${upstreamStatus}" that this worker does not know`, retryable: false };
  }
  return undefined;
}

async function finish(
  deps: ResolvedDeps,
  input: FollowInteractionInput,
  interaction: Interaction,
  status: FollowInteractionResult['status'],
  upstreamStatus: string,
  committed: ProgressState,
  cp: FollowCheckpoint,
  logFields: Record<string, unknown>,
): Promise<FollowInteractionResult> {
  const text = reportText(interaction);
  // Verification is meaningful only when every event of the run went through the stream.
  let streamVerified = false;
  if (input.options.mode === 'stream' && cp.streamedFromStart && committed.eventsApplied > 0) {
    const full = streamedTextOf(interaction.steps);
    streamVerified = full.length === committed.outputChars && fnv1a(full) === committed.outputHash;
    if (!streamVerified)
      deps.log.warn('follow: streamed text differs from the stored interaction', { ...logFields, streamedChars: committed.outputChars, storedChars: full.length });
  }
  const bytes = Buffer.from(text, 'utf8');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const info = activityInfo();
  const result: FollowInteractionResult = {
    status,
    upstreamStatus,
    summary: text.slice(0, SUMMARY_CHARS),
    outputChars: text.length,
    // The key names this very activity's result in history: run id and activity id.
    report: { store: TEMPORAL_REPORT_STORE, key: `${info.workflowExecution?.runId ?? 'unknown-run'}/${info.activityId}`, bytes: bytes.length, sha256 },
    reportText: text,
    eventsApplied: committed.eventsApplied,
    streamVerified,
  };
  const usage = interaction.usage ?? committed.usage;
  if (usage) result.usage = usage;
  result.toolCalls = toolCallsOf(usage, committed.toolCalls ?? 0);
  const cost = estimateCost(usage, input.priceName, deps.priceTable);
  if (cost) Object.assign(result, { costUsd: cost.usd, priceTable: cost.priceTable });
  const error = upstreamError(interaction, upstreamStatus);
  if (error) result.error = error;
  // Inline when the whole encoded result fits (JSON escapes can grow it beyond the text's bytes).
  const encoded = Buffer.byteLength(JSON.stringify(result), 'utf8');
  if (encoded > deps.inlineReportMaxBytes) {
    delete result.reportText;
    if (deps.resultStore) {
      const base = `${keySegment(input.jobId)}/${input.turn}-${keySegment(input.interactionId)}`;
      result.report = await deps.resultStore.put(`${base}.md`, text, 'text/markdown; charset=utf-8');
      result.interactionRef = await deps.resultStore.put(`${base}.json`, JSON.stringify(interaction, null, 2), 'application/json');
    } else {
      result.report = { store: API_REPORT_STORE, key: input.interactionId, bytes: bytes.length, sha256 };
      deps.log.warn('follow: report too large for Temporal and no result store configured; readers fetch it from the API by interaction id', {
        ...logFields,
        encodedBytes: encoded,
        inlineReportMaxBytes: deps.inlineReportMaxBytes,
        fix: 'set GEMINI_JOBS_RESULTS_DIR to an absolute directory shared by workers and readers, or pass a ResultStore',
      });
    }
  }
  deps.log.info('follow: turn settled', {
    ...logFields,
    upstreamStatus,
    status,
    outputChars: text.length,
    eventsApplied: committed.eventsApplied,
    streamVerified,
    reportStore: result.report.store,
  });
  return result;
}
