/**
 * Cancel confirmed by status: a background model turn long enough to still be running, cancelled
 * at once with `POST …/cancel`; the answer of the cancel is only a hint (it has been a 404 "Method
 * not found" for Deep Research runs), the status read back with GET is the confirmation.
 */
import { NotFoundError } from '../interactions/errors';
import { isTerminalStatus, type Interaction } from '../interactions/types';
import { cheap } from './model-probe';
import { describeError, type ProbeContext } from './context';
import type { Check } from './report';

/** A prompt whose answer takes a few seconds, so the cancel lands while it runs. */
export const CANCEL_PROMPT = 'Write a 600-word essay about the history of lighthouses.';

/**
 * Cancel `id` and read its status back until terminal. Returns the line (ok when `cancelled`),
 * with `prefix` as its id.
 */
export async function cancelAndConfirm(ctx: ProbeContext, id: string, lineId: string): Promise<Check> {
  // Right after a create, reads may answer 404/403 for a while: cancel only once it is visible,
  // so that a 404 from the cancel itself means what the worker tolerates ("Method not found").
  await ctx.withGrace(id, () => ctx.client.get(id));
  let hint: string;
  try {
    const answered: Interaction = await ctx.client.cancel(id);
    ctx.seen(answered, lineId);
    hint = `cancel answered ${answered.status}`;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    hint = 'cancel answered 404 (tolerated by the worker)';
  }
  const final = await ctx.waitSettled(id, lineId, ctx.settings.turnTimeoutMs, isTerminalStatus);
  if (final.status === 'cancelled') return { id: lineId, result: 'ok', detail: `${hint}; GET confirms cancelled${ctx.graceNote(id)}`, where: id };
  if (final.status === 'completed' && hint === 'cancel answered completed') {
    return { id: lineId, result: 'skipped', detail: 'inconclusive: the turn had already completed when the cancel arrived', where: id };
  }
  return {
    id: lineId,
    result: 'differs',
    detail: `${hint}; GET then reads ${final.status}${isTerminalStatus(final.status) ? '' : ` after ${Math.round(ctx.settings.turnTimeoutMs / 1000)} s`}`,
    expected: 'a running background interaction reads cancelled after POST …/cancel',
    where: id,
  };
}

/** Runs the `cancel` line. */
export async function cancelProbe(ctx: ProbeContext): Promise<void> {
  const over = ctx.overBudget();
  if (over) {
    ctx.add({ id: 'cancel', result: 'skipped', detail: over });
    return;
  }
  ctx.step('cancel');
  let id: string | undefined;
  try {
    const created = await ctx.create({ model: ctx.settings.model, input: CANCEL_PROMPT, background: true, store: true, generation_config: cheap(1024) }, 'cancel');
    id = created.id;
    if (isTerminalStatus(created.status)) {
      ctx.add({ id: 'cancel', result: 'skipped', detail: `inconclusive: the create already answered ${created.status}`, where: id });
    } else {
      ctx.add(await cancelAndConfirm(ctx, id, 'cancel'));
    }
    ctx.step('cancel.delete');
    await ctx.delete(id);
  } catch (err) {
    ctx.add({ id: 'cancel', result: 'failed', detail: describeError(err), ...(id ? { where: id } : {}) });
  }
}
