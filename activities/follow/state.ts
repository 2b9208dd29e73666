/**
 * The one state value of a follow attempt, and the few rules that change it outside a step.
 *
 * - `cp` is the checkpoint: the heartbeat details a new attempt resumes from (`FollowCheckpoint`,
 *   a shape saved in running jobs' heartbeats: fields are only ever added);
 * - `committed` is the stream progress exactly at `cp.lastEventId` (what a heartbeat carries);
 * - `resume` is the cursor and the live progress across connections (src/interactions/resume.ts);
 * - `progressed` says whether the current connection reached a new checkpoint.
 *
 * Steps return an `Outcome` (or `undefined` = go on); nothing leaves a step by exception except a
 * failure for Temporal (or the activity's cancellation).
 */
import type { BudgetExceeded } from '../../src/contract/budget';
import { StreamResume } from '../../src/interactions/resume';
import type { Interaction, InteractionEvent } from '../../src/interactions/types';
import { isSettledStatus, statusClass } from '../../src/interactions/types';
import { applyEvent, cloneProgress, emptyProgress, type ProgressState } from '../progress';
import type { FollowCheckpoint, FollowInteractionInput } from '../types';

export interface FollowState {
  readonly cp: FollowCheckpoint;
  committed: ProgressState;
  readonly resume: StreamResume<ProgressState>;
  progressed: boolean;
  /** The previous attempt's last checkpoint time (ms), until this attempt's first event: the resume-lag metric. */
  resumedFromMs: number | undefined;
  /** This attempt started from a previous attempt's checkpoint. */
  readonly resumed: boolean;
}

/** How the turn ends: its interaction settled (terminal or waiting), ended on a status this worker does not know, or crossed the budget. */
export type Outcome = { kind: 'settled'; interaction: Interaction } | { kind: 'unknown'; interaction: Interaction } | { kind: 'over-budget'; exceeded: BudgetExceeded };

/**
 * A status read back by GET, from the one classification in the client's types: `settled`
 * (terminal, or stopped and waiting for the client), `running` (`queued`, `in_progress`), or
 * `unknown` (a status this worker does not know: ends the turn `unknown`).
 */
export function classifyStatus(status: string): 'running' | 'settled' | 'unknown' {
  if (isSettledStatus(status)) return 'settled';
  return statusClass(status) === 'active' ? 'running' : 'unknown';
}

/** The turn's outcome from a GET, or undefined while the run is still going. */
export function outcomeOf(interaction: Interaction): Outcome | undefined {
  const kind = classifyStatus(String(interaction.status));
  return kind === 'running' ? undefined : { kind, interaction };
}

/** Called at each event with an `event_id` (the new resume point), after the state took it in. */
export type OnCheckpoint = (st: FollowState) => void;

/**
 * The state an attempt starts from: the previous attempt's checkpoint when it names this
 * interaction, else a fresh one (stream mode streams from the start, poll mode polls).
 */
export function restoreState(input: FollowInteractionInput, heartbeatDetails: unknown, now: () => number, onCheckpoint: OnCheckpoint = () => undefined): FollowState {
  const restored = heartbeatDetails as FollowCheckpoint | undefined;
  const resumed = restored && restored.interactionId === input.interactionId ? restored : undefined;
  const cp: FollowCheckpoint = resumed ?? {
    interactionId: input.interactionId,
    progress: emptyProgress(),
    mode: input.options.mode === 'poll' ? 'polling' : 'streaming',
    streamedFromStart: input.options.mode !== 'poll',
    streamFailures: 0,
    at: new Date(now()).toISOString(),
  };
  const committed: ProgressState = { ...emptyProgress(), ...cloneProgress(cp.progress as ProgressState) };
  // Checkpoints of older workers did not count step starts: unknown stays unknown (quiet-probe.ts).
  if (resumed && resumed.progress.stepsStarted === undefined) delete committed.stepsStarted;
  const at = resumed ? Date.parse(cp.at) : NaN;
  const st: FollowState = {
    cp,
    committed,
    resume: new StreamResume<ProgressState>({
      lastEventId: cp.lastEventId,
      state: cloneProgress(committed),
      apply: (state, ev: InteractionEvent) => applyEvent(state, ev, new Date(now()).toISOString()),
      clone: cloneProgress,
      onCheckpoint: (lastEventId, state) => {
        commitAt(st, lastEventId, state);
        onCheckpoint(st);
      },
    }),
    progressed: false,
    resumedFromMs: Number.isFinite(at) ? at : undefined,
    resumed: resumed !== undefined,
  };
  return st;
}

/** A new resume point: `progress` is the state exactly after event `lastEventId`. */
export function commitAt(st: FollowState, lastEventId: string, progress: ProgressState): void {
  st.cp.lastEventId = lastEventId;
  st.committed = progress;
  st.progressed = true;
  st.cp.streamFailures = 0;
}

/** The whole stream was read to its end: nothing will be replayed, so the trailing id-less events count too. */
export function commitLive(st: FollowState): void {
  st.committed = cloneProgress(st.resume.live);
}

/** Progress a poll can see (for `describe()` readers; verification is off once polling took over). */
export function notePolled(st: FollowState, interaction: Interaction, outputChars: number): void {
  st.committed.outputChars = outputChars;
  st.committed.status = String(interaction.status);
  if (interaction.usage) st.committed.usage = interaction.usage;
}
