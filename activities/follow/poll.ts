/**
 * Step: poll. Plain GETs with growing, jittered intervals (`pollInitialIntervalMs` →
 * `pollMaxIntervalMs`) until the run settles or crosses the budget. Used from the start in `poll`
 * mode, and when a stream could not be followed. Each poll updates the progress a `describe()`
 * reader sees (the checkpoint stays O(1) in history: heartbeats are not recorded there).
 */
import { backoffMs, withJitter } from '../../src/common/backoff';
import { streamedTextOf } from '../progress';
import { sleep, throwIfCancelled, type FollowContext } from './context';
import { readInteraction } from './read';
import { notePolled, outcomeOf, type FollowState, type Outcome } from './state';

export async function pollUntilSettled(ctx: FollowContext, st: FollowState): Promise<Outcome> {
  const { pollInitialIntervalMs, pollMaxIntervalMs } = ctx.opts;
  for (let polls = 0; ; polls++) {
    throwIfCancelled(ctx);
    ctx.checkpoints.beat('polling');
    const interaction = await readInteraction(ctx, st);
    const outcome = outcomeOf(interaction);
    if (outcome) return outcome;
    notePolled(st, interaction, streamedTextOf(interaction.steps).length);
    const exceeded = ctx.guard.exceeded(interaction.usage, st.committed.toolCalls);
    if (exceeded) return { kind: 'over-budget', exceeded };
    await sleep(ctx, withJitter(backoffMs(polls, pollInitialIntervalMs, pollMaxIntervalMs)));
  }
}
