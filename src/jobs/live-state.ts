/**
 * Live job state without history cost. The workflow's `state` query knows phases, turns and
 * results; what changes per stream event (last event id, progress, stream/poll mode, attempt) lives
 * only in the follow activity's heartbeat, which `handle.describe()` returns with the pending
 * activity. `mergeLiveState` combines the two. Pure: no I/O.
 */
import { defaultPayloadConverter, type PayloadConverter } from '@temporalio/common';
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { FollowCheckpoint } from '../../activities/types';
import type { JobPhase, JobState } from '../../workflows/definitions';

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

/**
 * Returns `state` with the live fields of the running turn filled in from `description`:
 * `progress` (eventsApplied, outputChars, latestThought, lastEventId, lastEventAt), `attempt`, and a
 * phase of `streaming` / `polling` / `reconnecting` while the follow activity runs.
 * @param converter payload converter of the client (default: Temporal's default converter).
 */
export function mergeLiveState(
  state: JobState,
  description: WorkflowExecutionDescription,
  converter: PayloadConverter = defaultPayloadConverter,
): JobState {
  const pending = description.raw?.pendingActivities ?? [];
  const follow = pending.find((a) => a.activityType?.name === 'followInteraction');
  const merged: JobState = { ...state };
  const current = pending.find((a) => a.activityType?.name === 'createInteraction') ?? follow ?? pending[0];
  if (current?.attempt) merged.attempt = current.attempt;
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
