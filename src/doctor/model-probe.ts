/**
 * A tiny model turn, four ways: `create` (plain), `stream` (create with `stream: true`), `get`
 * (the streamed interaction read back: same report text the stream produced, as the worker's
 * `streamVerified` assumes) and `delete` (then a GET must answer 404).
 */
import { InteractionAccumulator, reportText } from '../interactions/accumulator';
import { NotFoundError } from '../interactions/errors';
import type { Interaction, InteractionEvent } from '../interactions/types';
import { describeError, type ProbeContext } from './context';

/** The cheapest prompt that still produces a model_output step. */
export const TINY_PROMPT = 'Reply with the single word OK.';
/** Output cap of a tiny turn (thinking models count their thoughts in it too). */
export const TINY_MAX_OUTPUT_TOKENS = 512;

/** Generation settings of every probe turn: low thinking, capped output (`maxOutputTokens` tokens). */
export function cheap(maxOutputTokens: number) {
  return { max_output_tokens: maxOutputTokens, thinking_level: 'low' };
}

function tinyTurn(model: string) {
  return { model, input: TINY_PROMPT, store: true, generation_config: cheap(TINY_MAX_OUTPUT_TOKENS) };
}

/** Describes a stream's shape for the `model.stream` line. */
export function streamShape(events: readonly InteractionEvent[]): { problems: string[]; withId: number; withoutId: number; idlessTypes: string[] } {
  const problems: string[] = [];
  const first = events[0];
  const last = events[events.length - 1];
  if (!first) return { problems: ['the stream carried no events'], withId: 0, withoutId: 0, idlessTypes: [] };
  const createdId = (first as { interaction?: { id?: unknown } }).interaction?.id;
  if (first.event_type !== 'interaction.created') problems.push(`first event is ${first.event_type}, not interaction.created`);
  else if (typeof createdId !== 'string') problems.push('interaction.created carries no interaction.id');
  const statusUpdate = events.find((e) => e.event_type === 'interaction.status_update') as { interaction_id?: unknown } | undefined;
  if (statusUpdate && typeof statusUpdate.interaction_id !== 'string') problems.push('interaction.status_update carries no interaction_id');
  for (const t of ['step.start', 'step.delta', 'step.stop']) if (!events.some((e) => e.event_type === t)) problems.push(`no ${t} event`);
  if (last?.event_type !== 'interaction.completed') problems.push(`last event is ${last?.event_type}, not interaction.completed`);
  const idless = events.filter((e) => typeof e.event_id !== 'string');
  return { problems, withId: events.length - idless.length, withoutId: idless.length, idlessTypes: [...new Set(idless.map((e) => e.event_type))] };
}

/** Runs the four model-turn lines. */
export async function modelTurnProbes(ctx: ProbeContext): Promise<void> {
  const { model } = ctx.settings;

  // 1. plain create
  ctx.step('model.create');
  let plain: Interaction | undefined;
  try {
    plain = await ctx.create(tinyTurn(model), 'model.create');
    const text = reportText(plain);
    const problems: string[] = [];
    if (typeof plain.id !== 'string' || !plain.id) problems.push('no id');
    if (plain.status !== 'completed') problems.push(`status ${plain.status}`);
    if (!text) problems.push('no model_output text in steps');
    if (!plain.usage) problems.push('no usage');
    ctx.add(
      problems.length === 0
        ? { id: 'model.create', result: 'ok', detail: `${model}: completed, ${text.length} chars of output, usage present`, where: plain.id }
        : { id: 'model.create', result: 'differs', detail: problems.join('; '), expected: 'status completed with a model_output step and usage', where: plain.id },
    );
  } catch (err) {
    ctx.add({ id: 'model.create', result: 'failed', detail: describeError(err) });
    throw err; // nothing else can work: the caller reports the rest as skipped
  }

  // 2. streaming create
  ctx.step('model.stream');
  const events: InteractionEvent[] = [];
  const acc = new InteractionAccumulator();
  let streamedId: string | undefined;
  try {
    const stream = ctx.client.create({ ...tinyTurn(model), stream: true }, { maxRetries: 0 });
    for await (const e of stream) {
      events.push(e);
      acc.apply(e);
      ctx.event(e, 'model.stream');
      if (!streamedId && stream.interactionId) {
        streamedId = stream.interactionId;
        ctx.remember(streamedId);
      }
    }
    streamedId ??= stream.interactionId;
    ctx.remember(streamedId);
    const completed = [...events].reverse().find((e) => e.event_type === 'interaction.completed');
    if (completed) ctx.event(completed, 'model.stream'); // usage, now that the id is remembered
    const shape = streamShape(events);
    const text = reportText(acc.snapshot());
    if (!text) shape.problems.push('no text deltas');
    const ids = `${shape.withId} with event_id, ${shape.withoutId} without${shape.idlessTypes.length ? ` (${shape.idlessTypes.join(', ')})` : ''}`;
    ctx.add(
      shape.problems.length === 0
        ? { id: 'model.stream', result: 'ok', detail: `${events.length} events, created → step.start/delta/stop → completed; ${ids}`, where: streamedId }
        : {
            id: 'model.stream',
            result: 'differs',
            detail: `${shape.problems.join('; ')}; ${ids}`,
            expected: 'interaction.created (with id) … step.* … interaction.completed',
            where: streamedId,
          },
    );
  } catch (err) {
    ctx.add({ id: 'model.stream', result: 'failed', detail: describeError(err), ...(streamedId ? { where: streamedId } : {}) });
  }

  // 3. GET of the streamed interaction: same report as the stream
  ctx.step('model.get');
  if (!streamedId) {
    ctx.add({ id: 'model.get', result: 'skipped', detail: 'the stream gave no interaction id' });
  } else {
    try {
      const id = streamedId;
      const got = await ctx.withGrace(id, () => ctx.client.get(id));
      ctx.seen(got, 'model.get');
      const streamed = reportText(acc.snapshot());
      const fetched = reportText(got);
      const problems: string[] = [];
      if (got.status !== 'completed') problems.push(`status ${got.status}`);
      if (fetched !== streamed)
        problems.push(`report text differs: GET ${fetched.length} chars vs stream ${streamed.length} chars (first difference at char ${firstDifference(fetched, streamed)})`);
      const inputEcho = (got.steps ?? []).some((s) => (s as { type?: unknown }).type === 'user_input');
      ctx.add(
        problems.length === 0
          ? {
              id: 'model.get',
              result: 'ok',
              detail: `completed; report equals the streamed text (${fetched.length} chars)${inputEcho ? '; user_input step echoed' : ''}${ctx.graceNote(id)}`,
              where: streamedId,
            }
          : { id: 'model.get', result: 'differs', detail: problems.join('; '), expected: 'GET returns the streamed output (the worker checks streamVerified)', where: streamedId },
      );
    } catch (err) {
      ctx.add({ id: 'model.get', result: 'failed', detail: describeError(err), where: streamedId });
    }
  }

  // 4. delete both, then a GET must say 404
  ctx.step('model.delete');
  const target = streamedId ?? plain.id;
  try {
    await ctx.client.delete(target);
    let after = 'still readable';
    try {
      const again = await ctx.client.get(target, { maxRetries: 0 });
      after = `GET after delete answered ${again.status}`;
    } catch (err) {
      after = err instanceof NotFoundError ? '404' : describeError(err);
    }
    ctx.markDeleted(target);
    if (streamedId && plain.id !== streamedId) await ctx.delete(plain.id);
    ctx.add(
      after === '404'
        ? { id: 'model.delete', result: 'ok', detail: 'deleted; GET then answers 404', where: target }
        : { id: 'model.delete', result: 'differs', detail: after, expected: 'GET after DELETE answers 404', where: target },
    );
  } catch (err) {
    ctx.add({ id: 'model.delete', result: 'failed', detail: describeError(err), where: target });
  }
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}
