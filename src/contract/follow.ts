/**
 * The follow activity's heartbeat details: the checkpoint a retried attempt resumes from, which
 * the jobs client also reads (via describe) for live progress between workflow state updates.
 * Types only.
 */
import type { Usage } from '../interactions/types';
import type { BudgetExceeded } from './budget';

/** How the follow activity is currently reading the interaction (also shown as the job phase). */
export type FollowMode = 'streaming' | 'polling' | 'reconnecting';

/** Progress rebuilt from the stream. Exactly the state after the event `lastEventId`. */
export interface StreamProgress {
  eventsApplied: number;
  /** Characters (UTF-16 code units) of `text` deltas seen so far. */
  outputChars: number;
  /** FNV-1a 32-bit hash (hex) over the same text deltas, for verification against the GET report. */
  outputHash: string;
  latestThought?: string;
  lastEventAt?: string;
  /** Latest upstream status seen in the stream. */
  status?: string;
  /** Types of started-but-not-stopped steps, by step index (to attribute deltas after a resume). */
  openSteps?: Record<string, string>;
  /** Index of the step `latestThought` comes from. */
  thoughtStep?: string;
  /** `step.start` events applied since the run began (absent in checkpoints of older workers). */
  stepsStarted?: number;
  /** Tool-call steps started (`*_call` step types). */
  toolCalls?: number;
}

/**
 * Heartbeat details of `followInteraction`: the checkpoint the next attempt resumes from.
 * Taken only at events that carry an `event_id`, so `progress` matches `lastEventId` exactly.
 */
export interface FollowCheckpoint {
  interactionId: string;
  lastEventId?: string;
  progress: StreamProgress;
  usage?: Usage;
  mode: FollowMode;
  /** True while every event since the start of the run went through `progress` (no gap). */
  streamedFromStart: boolean;
  /** Consecutive stream attempts that ended without progress. */
  streamFailures: number;
  /** When a 404/403 was first seen for this interaction (ISO time), for the grace period. */
  notFoundSince?: string;
  /** Wall-clock time of this checkpoint (ISO). */
  at: string;
  /** A budget was crossed: the run is being cancelled (a retried attempt finishes the cancel). */
  budgetExceeded?: BudgetExceeded;
}
