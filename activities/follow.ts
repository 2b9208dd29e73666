/**
 * `followInteraction`: the one long activity of a turn. It follows a background interaction until
 * a terminal (or waiting) status is READ BACK by a plain GET, then stores the report and returns a
 * small result. Everything happens inside this activity, heartbeating, so workflow history stays
 * O(1) whatever the run length; the heartbeat is the checkpoint a new attempt resumes from.
 *
 * Named steps over one state value, one module each in ./follow/ (its README.md has the map):
 *   restore the state (state.ts) → stream (stream.ts: open or resume, quiet probe, decide) →
 *   poll (poll.ts) when the stream cannot be followed → settle (settle.ts), or stop over budget
 *   (budget.ts). Each step returns an outcome; only failures for Temporal leave by exception.
 */
import type { ResolvedDeps } from './deps';
import type { FollowInteractionInput, FollowInteractionResult } from './types';
import { stopOverBudget } from './follow/budget';
import { Checkpoints } from './follow/checkpoints';
import { attemptFromActivity, followEnv, type FollowAttempt, type FollowContext } from './follow/context';
import { pollUntilSettled } from './follow/poll';
import { settle } from './follow/settle';
import { restoreState, type FollowState, type Outcome } from './follow/state';
import { followStream } from './follow/stream';

export { FOLLOW_DEFAULTS } from './follow/context';

/** The attempt's context and state, wired together: each event with an id marks the checkpoint changed. */
export function startFollow(deps: ResolvedDeps, input: FollowInteractionInput, attempt: FollowAttempt): { ctx: FollowContext; st: FollowState } {
  const env = followEnv(deps, input, attempt);
  let checkpoints: Checkpoints | undefined;
  const st = restoreState(
    input,
    attempt.heartbeatDetails,
    () => attempt.clock.now(),
    () => checkpoints?.beat('streaming'),
  );
  checkpoints = new Checkpoints(
    {
      jobId: input.jobId,
      policy: env.settings.flush,
      clock: attempt.clock,
      heartbeat: attempt.heartbeat,
      watched: deps.watched,
      onWatchedChange: deps.onWatchedChange,
    },
    st,
  );
  if (st.resumed) {
    deps.log.info('follow: resuming from checkpoint', { ...env.logFields, lastEventId: st.cp.lastEventId, eventsApplied: st.cp.progress.eventsApplied, mode: st.cp.mode });
  }
  return { ctx: { ...env, checkpoints }, st };
}

/** Stream (in stream mode) until the run settles, else poll; a budget crossed by an earlier attempt ends it at once. */
export async function followUntilSettled(ctx: FollowContext, st: FollowState): Promise<Outcome> {
  if (st.cp.budgetExceeded) return { kind: 'over-budget', exceeded: st.cp.budgetExceeded };
  if (ctx.opts.mode === 'stream') {
    const outcome = await followStream(ctx, st);
    if (outcome) return outcome;
  }
  return pollUntilSettled(ctx, st);
}

/** The activity's result for an outcome. */
export function finish(ctx: FollowContext, st: FollowState, outcome: Outcome): Promise<FollowInteractionResult> {
  if (outcome.kind === 'over-budget') return stopOverBudget(ctx, st, outcome.exceeded);
  const upstreamStatus = String(outcome.interaction.status);
  const status = outcome.kind === 'settled' ? (upstreamStatus as FollowInteractionResult['status']) : 'unknown';
  return settle(ctx, st, outcome.interaction, status, upstreamStatus);
}

export function makeFollowInteraction(deps: ResolvedDeps) {
  return async function followInteraction(input: FollowInteractionInput): Promise<FollowInteractionResult> {
    const { ctx, st } = startFollow(deps, input, attemptFromActivity(deps.now));
    ctx.checkpoints.sendNow();
    try {
      return await finish(ctx, st, await followUntilSettled(ctx, st));
    } finally {
      ctx.checkpoints.stop();
    }
  };
}
