/**
 * What one attempt of the follow activity works with, besides its state: the job's input and
 * settings, the client, the clock, the cancellation signal and the heartbeat channel. Built once
 * per attempt, from Temporal's activity context in production (`attemptFromActivity`) or from a
 * test's manual clock and recorder (`FollowAttempt` is plain data and functions).
 */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { CHECKPOINT_FLUSH_MS, WATCHED_FLUSH_MS } from '../../src/contract/constants';
import type { InteractionsClient } from '../../src/interactions/client';
import type { FlushPolicy } from '../flush';
import { BudgetGuard } from '../budget-guard';
import type { ResolvedDeps } from '../deps';
import type { FollowCheckpoint, FollowInteractionInput, FollowOptions } from '../types';
import type { Checkpoints } from './checkpoints';

/** The clock of an attempt (ms): the real one, or a test's ManualClock (test/helpers/manual-clock.ts). */
export interface FollowClock {
  now(): number;
  setTimer(fn: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const REAL_CLOCK: FollowClock = {
  now: () => Date.now(),
  setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The Temporal side of one attempt, as data: production reads it from the activity context. */
export interface FollowAttempt {
  attempt: number;
  /** The previous attempt's last heartbeat (the checkpoint to resume from), if any. */
  heartbeatDetails: unknown;
  heartbeatTimeoutMs: number | undefined;
  /** Names this activity's result in history (the report key). */
  runId: string;
  activityId: string;
  /** Fires when the activity is cancelled (its reason is a CancelledFailure). */
  signal: AbortSignal;
  heartbeat(details: FollowCheckpoint): void;
  clock: FollowClock;
}

/** The attempt as Temporal runs it (must be called inside the activity); `now` is the worker's clock (ms). */
export function attemptFromActivity(now: () => number): FollowAttempt {
  const info = activityInfo();
  return {
    attempt: info.attempt,
    heartbeatDetails: info.heartbeatDetails,
    heartbeatTimeoutMs: info.heartbeatTimeoutMs,
    runId: info.workflowExecution?.runId ?? 'unknown-run',
    activityId: info.activityId,
    signal: cancellationSignal(),
    heartbeat: (details) => heartbeat(details),
    clock: now === Date.now ? REAL_CLOCK : { ...REAL_CLOCK, now },
  };
}

/** Defaults of the follow activity's own timings (ms); the job options override the first two. */
export const FOLLOW_DEFAULTS = {
  /** Longest wait of a checkpoint change, from the change: the resume point is at most this far behind the stream (src/contract/constants.ts). */
  checkpointFlushMs: CHECKPOINT_FLUSH_MS,
  /** The checkpoint flush while someone watches the job (live progress). */
  watchedFlushMs: WATCHED_FLUSH_MS,
  /** Hard ceiling of stream silence, whatever the quiet probes say, in probe intervals. */
  stallProbes: 10,
  /** Consecutive stream connections without progress before polling takes over. */
  maxStreamFailures: 3,
  /** Per-request timeout of a plain GET (ms). */
  getTimeoutMs: 60_000,
  /** Heartbeat timeout assumed when the activity has none (ms). */
  heartbeatTimeoutMs: 40_000,
  /**
   * Least time between the liveness beat and the heartbeat timeout (ms): what a busy event loop
   * and the heartbeat RPC may add does not shrink with the timeout (20 % of it when that is more,
   * half of it at most).
   */
  livenessMarginMs: 2_000,
};

/** Timings of one attempt, derived once from the job options, the worker settings and the heartbeat timeout (all ms). */
export interface FollowSettings {
  maxStreamFailures: number;
  /** Silence after which the quiet probe reads the interaction with a plain GET. */
  probeEveryMs: number;
  /** Silence after which the stream is reconnected whatever the probes say. */
  stallMs: number;
  flush: FlushPolicy;
}

/** The heartbeat policy of an attempt (flush.ts) from the worker's flush settings and the activity's heartbeat timeout (ms). */
export function flushPolicy(deps: Pick<ResolvedDeps, 'checkpointFlushMs' | 'watchedFlushMs'>, heartbeatTimeoutMs: number | undefined): FlushPolicy {
  const hbMs = heartbeatTimeoutMs ?? FOLLOW_DEFAULTS.heartbeatTimeoutMs;
  // A heartbeat timeout is an attempt lost and a stream replayed from the checkpoint: the liveness
  // beat leaves room for delays that do not scale with the timeout.
  const marginMs = Math.min(Math.max(0.2 * hbMs, FOLLOW_DEFAULTS.livenessMarginMs), 0.5 * hbMs);
  const livenessMs = Math.max(100, Math.floor(hbMs - marginMs));
  // Heartbeats by time, not per event (each one is an RPC and a billable action): see flush.ts.
  const flushMs = Math.min(deps.checkpointFlushMs ?? FOLLOW_DEFAULTS.checkpointFlushMs, Math.floor(hbMs * 0.7), livenessMs);
  return { flushMs, livenessMs, watchedFlushMs: Math.min(flushMs, deps.watchedFlushMs ?? FOLLOW_DEFAULTS.watchedFlushMs) };
}

export function followSettings(opts: FollowOptions, deps: Pick<ResolvedDeps, 'checkpointFlushMs' | 'watchedFlushMs'>, heartbeatTimeoutMs: number | undefined): FollowSettings {
  const probeEveryMs = opts.streamIdleTimeoutMs;
  return {
    maxStreamFailures: opts.maxStreamFailures ?? FOLLOW_DEFAULTS.maxStreamFailures,
    probeEveryMs,
    stallMs: opts.streamStallTimeoutMs ?? FOLLOW_DEFAULTS.stallProbes * probeEveryMs,
    flush: flushPolicy(deps, heartbeatTimeoutMs),
  };
}

/** What an attempt works with, the heartbeat channel aside. */
export interface FollowEnv {
  readonly deps: ResolvedDeps;
  readonly input: FollowInteractionInput;
  readonly opts: FollowOptions;
  readonly settings: FollowSettings;
  readonly attempt: FollowAttempt;
  readonly client: InteractionsClient;
  readonly guard: BudgetGuard;
  readonly clock: FollowClock;
  readonly signal: AbortSignal;
  /** Fields on every log line of this attempt. */
  readonly logFields: Record<string, unknown>;
}

/** Everything a step needs besides the state: the environment and the attempt's heartbeat channel (checkpoints.ts). */
export interface FollowContext extends FollowEnv {
  readonly checkpoints: Checkpoints;
}

export function followEnv(deps: ResolvedDeps, input: FollowInteractionInput, attempt: FollowAttempt): FollowEnv {
  return {
    deps,
    input,
    opts: input.options,
    settings: followSettings(input.options, deps, attempt.heartbeatTimeoutMs),
    attempt,
    client: deps.client(),
    guard: new BudgetGuard(input, deps.priceTable, attempt.clock.now),
    clock: attempt.clock,
    signal: attempt.signal,
    logFields: { jobId: input.jobId, turn: input.turn, interactionId: input.interactionId, attempt: attempt.attempt },
  };
}

/** Throws the activity's CancelledFailure, unwrapped, once it is cancelled (the worker reports "cancelled" only for that). */
export function throwIfCancelled(ctx: Pick<FollowContext, 'signal'>): void {
  if (!ctx.signal.aborted) return;
  const reason: unknown = ctx.signal.reason;
  throw reason instanceof CancelledFailure ? reason : new CancelledFailure(String(reason ?? 'cancelled'));
}

/** Waits `ms` on the attempt's clock; rejects with the CancelledFailure as soon as the activity is cancelled. */
export function sleep(ctx: Pick<FollowContext, 'signal' | 'clock'>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(cancelledReason(ctx.signal));
    const onAbort = () => {
      ctx.clock.clearTimer(timer);
      reject(cancelledReason(ctx.signal));
    };
    const timer = ctx.clock.setTimer(
      () => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, Math.round(ms)),
    );
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function cancelledReason(signal: AbortSignal): CancelledFailure {
  const reason: unknown = signal.reason;
  return reason instanceof CancelledFailure ? reason : new CancelledFailure(String(reason ?? 'cancelled'));
}
