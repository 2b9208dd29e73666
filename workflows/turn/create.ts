/**
 * Step 1 of a turn: create the interaction, once. The create runs in its own cancellation scope,
 * so a cancel between create retries ends the turn at once (a legacy execution ran it
 * non-cancellable and waited for every retry). Deterministic code only.
 */
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { CreateInteractionInput, CreateInteractionResult } from '../../activities/types';
import type { JobError } from '../../src/contract/job';
import { cancellableCreateActivities, createActivities, jobErrorOf } from './activities';
import type { TurnContext } from './context';

/** How the create ended: an interaction, a cancel that won (nothing left to cancel), or a failure. */
export type CreateOutcome = { created: CreateInteractionResult } | { cancelled: true } | { failed: JobError };

/** Creates the turn's interaction. */
export async function createInteraction(ctx: TurnContext, input: CreateInteractionInput): Promise<CreateOutcome> {
  try {
    const created = ctx.legacy ? await createActivities.createInteraction(input) : await createUnlessCancelled(ctx, input);
    return created === undefined ? { cancelled: true } : { created };
  } catch (err) {
    return { failed: jobErrorOf(err) };
  }
}

/**
 * Runs the create in its own cancellation scope and cancels it when the job is cancelled.
 * Resolves undefined when the cancel won (nothing was created, or the attempt was abandoned
 * between retries); a create that answered anyway returns its id, which the caller then cancels.
 */
async function createUnlessCancelled(ctx: TurnContext, input: CreateInteractionInput): Promise<CreateInteractionResult | undefined> {
  const scope = new CancellationScope();
  let outcome: { ok: CreateInteractionResult } | { err: unknown } | undefined;
  const done = scope
    .run(() => cancellableCreateActivities.createInteraction(input))
    .then(
      (ok) => void (outcome = { ok }),
      (err) => void (outcome = { err }),
    );
  await condition(() => outcome !== undefined || ctx.cancelRequested());
  if (outcome === undefined) {
    scope.cancel();
    await done; // WAIT_CANCELLATION_COMPLETED: the activity has stopped (or answered).
  }
  const settled = outcome as { ok: CreateInteractionResult } | { err: unknown };
  if ('ok' in settled) return settled.ok;
  if (ctx.cancelRequested() && isCancellation(settled.err)) return undefined;
  throw settled.err;
}
