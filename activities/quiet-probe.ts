/**
 * Quiet gap or stalled stream? A Deep Research run goes quiet for minutes between research rounds
 * (100–200 s in the emulator; thought summaries "in bursts" with long gaps, users report), so a
 * silent stream is normal. Reconnecting at every silence costs a stream open and a GET each time.
 *
 * Instead, after `streamIdleTimeoutMs` of silence the follow activity reads the interaction with a
 * plain GET while the stream stays open, and this module decides:
 * - `settled`: the run is over (the stream missed its end) → finish now;
 * - `stalled`: the server has produced more than the stream delivered (more output steps than
 *   `step.start` events seen, or `updated` moved since the previous probe while the stream was
 *   silent) → reconnect with `last_event_id`;
 * - `quiet`: nothing new anywhere → keep listening.
 */
import type { Interaction } from '../src/interactions/types';

export type ProbeVerdict = 'settled' | 'stalled' | 'quiet';

export interface ProbeContext {
  /** `step.start` events the stream delivered since the run began (undefined = unknown, e.g. an old checkpoint). */
  stepsStarted: number | undefined;
  /** `updated` of the previous probe of this silence, if any. */
  previousUpdated: string | undefined;
  /** Whether the status means "still running" (decided by the caller's status table). */
  running: boolean;
}

/** Steps the run produced (everything but the user's input), as a GET returns them. */
export function producedSteps(interaction: Interaction): number {
  return (interaction.steps ?? []).filter((s) => s?.type !== 'user_input').length;
}

export function judgeQuietProbe(interaction: Interaction, ctx: ProbeContext): ProbeVerdict {
  if (!ctx.running) return 'settled';
  if (ctx.stepsStarted !== undefined && producedSteps(interaction) > ctx.stepsStarted) return 'stalled';
  const updated = typeof interaction.updated === 'string' ? interaction.updated : undefined;
  if (ctx.previousUpdated !== undefined && updated !== undefined && updated !== ctx.previousUpdated) return 'stalled';
  return 'quiet';
}
