/**
 * Live job state without history cost. The workflow's `state` query knows phases, turns and
 * results; what changes per stream event (last event id, progress, stream/poll mode, attempt) lives
 * only in the follow activity's heartbeat, which `handle.describe()` returns with the pending
 * activity. `mergeLiveState` combines the two. Pure: no I/O.
 */
import { defaultPayloadConverter, type PayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { FollowCheckpoint } from '../contract';
import type { JobPhase, JobState, RetryingStep } from '../contract';
import { redact } from '../common/redact';

const PHASE_OF_MODE: Record<string, JobPhase> = { streaming: 'streaming', polling: 'polling', reconnecting: 'reconnecting' };

type PendingActivity = NonNullable<WorkflowExecutionDescription['raw']['pendingActivities']>[number];

function decodeFirst(activity: PendingActivity, converter: PayloadConverter): unknown {
  const payload = activity.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  try {
    return converter.fromPayload(payload);
  } catch {
    return undefined; // encrypted by a codec, or not ours: show the state without live fields
  }
}

function isoOf(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | undefined {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return undefined;
  const ms = Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** The innermost message of a failure chain ("activity failed: connection error: getaddrinfo ENOTFOUND …"). */
function failureText(
  failure: { message?: string | null; cause?: unknown; applicationFailureInfo?: { type?: string | null } | null } | null | undefined,
): { message: string; type?: string } | undefined {
  if (!failure) return undefined;
  const parts: string[] = [];
  let type: string | undefined;
  let f: typeof failure | undefined = failure;
  for (let depth = 0; f && depth < 5; depth++) {
    if (f.message && !parts.includes(f.message)) parts.push(f.message);
    type ??= f.applicationFailureInfo?.type ?? undefined;
    f = f.cause as typeof failure | undefined;
  }
  if (parts.length === 0) return undefined;
  return { message: redact(parts.join(': ')).slice(0, 500), ...(type ? { type } : {}) };
}

/** The pending activity that failed at least once, as a `RetryingStep` (or undefined). */
export function retryingStepOf(activity: PendingActivity | undefined): RetryingStep | undefined {
  if (!activity) return undefined;
  const failure = failureText(activity.lastFailure as Parameters<typeof failureText>[0]);
  if (!failure) return undefined;
  const step: RetryingStep = { activity: activity.activityType?.name ?? 'unknown', attempt: activity.attempt ?? 1, lastFailure: failure.message };
  if (failure.type) step.lastFailureType = failure.type;
  const next = isoOf(activity.nextAttemptScheduleTime as Parameters<typeof isoOf>[0]);
  if (next) step.nextAttemptAt = next;
  return step;
}

/** Milliseconds from `fromIso` to `toMs` (0 when unparsable). */
function since(fromIso: string | undefined, toMs: number): number | undefined {
  const from = fromIso ? Date.parse(fromIso) : NaN;
  return Number.isFinite(from) ? Math.max(0, toMs - from) : undefined;
}

/**
 * Elapsed figures by the reader's clock: the state query can only see the time of the workflow's
 * last task, so its `elapsedMs` lags (00:00 ten seconds into a run). `nowMs` is the reader's now,
 * or the close time of a closed job; a finished turn's duration is endedAt − startedAt.
 */
export function withElapsed(state: JobState, nowMs: number): JobState {
  const out: JobState = { ...state };
  const jobMs = since(state.startedAt, nowMs);
  if (jobMs !== undefined) out.elapsedMs = jobMs;
  const current = state.turns.find((t) => t.turn === state.turn);
  const started = current?.startedAt ?? state.turnStartedAt;
  const ended = current?.endedAt ? Date.parse(current.endedAt) : NaN;
  const turnMs = since(started, Number.isFinite(ended) ? ended : nowMs);
  if (turnMs !== undefined) out.turnElapsedMs = turnMs;
  return out;
}

/**
 * Returns `state` with the live fields of the running turn filled in from `description`:
 * `progress` (eventsApplied, outputChars, latestThought, lastEventId, lastEventAt), `attempt`, and a
 * phase of `streaming` / `polling` / `reconnecting` while the follow activity runs.
 * @param converter payload converter of the client (default: Temporal's default converter).
 */
export function mergeLiveState(state: JobState, description: WorkflowExecutionDescription, converter: PayloadConverter = defaultPayloadConverter): JobState {
  const pending = description.raw?.pendingActivities ?? [];
  const follow = pending.find((a) => a.activityType?.name === 'followInteraction');
  const merged: JobState = { ...state };
  const current = pending.find((a) => a.activityType?.name === 'createInteraction') ?? follow ?? pending[0];
  if (current?.attempt) merged.attempt = current.attempt;
  const retrying = retryingStepOf(current);
  if (retrying) merged.retrying = retrying;
  if (!follow) return merged;
  const cp = decodeFirst(follow, converter) as Partial<FollowCheckpoint> | undefined;
  if (!cp || typeof cp !== 'object' || cp.interactionId !== state.interactionId) return merged;
  const progress = cp.progress;
  if (progress) {
    merged.progress = { eventsApplied: progress.eventsApplied ?? 0, outputChars: progress.outputChars ?? 0 };
    if (progress.latestThought !== undefined) merged.progress.latestThought = progress.latestThought;
    if (progress.lastEventAt !== undefined) merged.progress.lastEventAt = progress.lastEventAt;
    if (cp.lastEventId !== undefined) merged.progress.lastEventId = cp.lastEventId;
    if (progress.status && !merged.upstreamStatus) merged.upstreamStatus = progress.status;
    else if (progress.status && state.phase === 'running') merged.upstreamStatus = progress.status;
  }
  if (cp.usage && !merged.usage) merged.usage = cp.usage;
  // Only refine "running": never override creating / cancelling / done from a stale heartbeat.
  if (state.phase === 'running' && cp.mode && PHASE_OF_MODE[cp.mode]) merged.phase = PHASE_OF_MODE[cp.mode]!;
  return merged;
}
