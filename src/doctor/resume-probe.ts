/**
 * A background model turn with a cut and a resume by `last_event_id`, the assumption the follow
 * activity rests on: after a drop, `GET …?stream=true&last_event_id=<cursor>` yields exactly the
 * events an uninterrupted stream had after the cursor — including the id-less events that
 * followed it (the worker checkpoints only at events with an `event_id`).
 *
 * Steps: create (background, store) → stream from the start and cut it after a few events with
 * ids → resume from the last id seen → replay the whole stream without a cursor → compare.
 * When the first cursor was not followed by an id-less event but the stream has some, one more
 * resume is made from the id just before one, so that case is always tested when it exists.
 */
import type { InteractionEvent } from '../interactions/types';
import { cheap } from './model-probe';
import { describeError, type ProbeContext } from './context';

/** Enough output for a stream of a few dozen events, still a cheap model turn. */
export const RESUME_PROMPT = 'Count from 1 to 30, digits separated by commas, nothing else.';
/** Cut the first stream after this many events that carry an `event_id`. */
export const CUT_AFTER_IDS = 3;

/** Read one stream of `id` (from the start, or after `lastEventId`), optionally cut after `cutAfterIds` events with ids. */
function collect(ctx: ProbeContext, id: string, where: string, lastEventId?: string, cutAfterIds?: number): Promise<InteractionEvent[]> {
  // A 404/403 can only come at the open, before any event: retrying the whole read is safe.
  return ctx.withGrace(id, () => collectOnce(ctx, id, where, lastEventId, cutAfterIds));
}

async function collectOnce(ctx: ProbeContext, id: string, where: string, lastEventId?: string, cutAfterIds?: number): Promise<InteractionEvent[]> {
  const out: InteractionEvent[] = [];
  let ids = 0;
  const stream = ctx.client.get(id, { stream: true, ...(lastEventId ? { last_event_id: lastEventId } : {}) });
  for await (const e of stream) {
    out.push(e);
    ctx.event(e, where);
    if (typeof e.event_id === 'string') ids++;
    if (cutAfterIds !== undefined && ids >= cutAfterIds) break; // leaving the loop aborts the request: the cut
  }
  return out;
}

const same = (a: InteractionEvent | undefined, b: InteractionEvent | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** Index of the first position where `resumed` and `expected` disagree, or -1. */
export function firstMismatch(resumed: readonly InteractionEvent[], expected: readonly InteractionEvent[]): number {
  const n = Math.max(resumed.length, expected.length);
  for (let i = 0; i < n; i++) if (!same(resumed[i], expected[i])) return i;
  return -1;
}

/** Compare a resume from `cursor` with the tail of the full stream; a problem sentence or undefined. */
function compareTail(full: readonly InteractionEvent[], cursor: string, resumed: readonly InteractionEvent[]): string | undefined {
  const at = full.findIndex((e) => e.event_id === cursor);
  if (at < 0) return `the cursor ${cursor} is not in the replayed stream`;
  const expected = full.slice(at + 1);
  const k = firstMismatch(resumed, expected);
  if (k < 0) return undefined;
  const got = resumed[k] ? `${resumed[k]!.event_type}${resumed[k]!.event_id ? ` ${resumed[k]!.event_id}` : ' (no id)'}` : 'end of stream';
  const want = expected[k] ? `${expected[k]!.event_type}${expected[k]!.event_id ? ` ${expected[k]!.event_id}` : ' (no id)'}` : 'end of stream';
  return `after ${cursor}: event ${k + 1} of the resume is ${got}, the uninterrupted stream has ${want} (${resumed.length} vs ${expected.length} events)`;
}

/** Runs the `resume` line. */
export async function resumeProbe(ctx: ProbeContext): Promise<void> {
  const over = ctx.overBudget();
  if (over) {
    ctx.add({ id: 'resume', result: 'skipped', detail: over });
    return;
  }
  ctx.step('resume.create');
  let id: string | undefined;
  try {
    const created = await ctx.create({ model: ctx.settings.model, input: RESUME_PROMPT, background: true, store: true, generation_config: cheap(512) }, 'resume.create');
    id = created.id;

    ctx.step('resume.cut');
    const head = await collect(ctx, id, 'resume.cut', undefined, CUT_AFTER_IDS);
    const cursor = [...head].reverse().find((e) => typeof e.event_id === 'string')?.event_id;

    ctx.step('resume.resume');
    const resumed = cursor ? await collect(ctx, id, 'resume.resume', cursor) : [];

    ctx.step('resume.replay');
    const full = await collect(ctx, id, 'resume.replay');
    const completed = [...full].reverse().find((e) => e.event_type === 'interaction.completed');
    if (completed) ctx.event(completed, 'resume.replay');

    const idless = full.filter((e) => typeof e.event_id !== 'string');
    const idlessNote = idless.length
      ? `${idless.length} of ${full.length} events had no event_id (${[...new Set(idless.map((e) => e.event_type))].join(', ')})`
      : `all ${full.length} events had an event_id`;
    const problems: string[] = [];
    if (!cursor) problems.push(`the stream ended before ${CUT_AFTER_IDS} events with an event_id (${head.length} events, none to resume from)`);
    else {
      const p = compareTail(full, cursor, resumed);
      if (p) problems.push(p);
      const headProblem = firstMismatch(head, full.slice(0, head.length));
      if (headProblem >= 0) problems.push(`replay without a cursor differs from the first stream at event ${headProblem + 1}`);
    }

    // Make sure "id-less events right after the cursor are replayed" was tested when possible.
    let idlessTested = false;
    if (cursor) {
      const at = full.findIndex((e) => e.event_id === cursor);
      idlessTested = at >= 0 && full[at + 1] !== undefined && typeof full[at + 1]!.event_id !== 'string';
    }
    if (!idlessTested && problems.length === 0) {
      const k = full.findIndex((e, i) => i > 0 && typeof e.event_id !== 'string' && typeof full[i - 1]!.event_id === 'string');
      if (k > 0) {
        const cursor2 = full[k - 1]!.event_id!;
        ctx.step('resume.idless');
        const resumed2 = await collect(ctx, id, 'resume.idless', cursor2);
        const p = compareTail(full, cursor2, resumed2);
        if (p) problems.push(`id-less events after the cursor: ${p}`);
        idlessTested = true;
      }
    }

    ctx.step('resume.delete');
    if (await ctx.delete(id)) id = undefined;
    const tested = (idlessTested ? '; id-less events right after a cursor are replayed' : '') + ctx.graceNote(created.id);
    ctx.add(
      problems.length === 0
        ? {
            id: 'resume',
            result: 'ok',
            detail: `cut after ${head.length} events, resumed after ${cursor}: ${resumed.length} events equal the rest of an uninterrupted stream${tested}; ${idlessNote}`,
            where: created.id,
          }
        : {
            id: 'resume',
            result: 'differs',
            detail: `${problems.join('; ')}; ${idlessNote}${ctx.graceNote(created.id)}`,
            expected: 'events after last_event_id equal the rest of an uninterrupted stream, id-less ones included',
            where: created.id,
          },
    );
  } catch (err) {
    ctx.add({ id: 'resume', result: 'failed', detail: describeError(err), ...(id ? { where: id } : {}) });
  }
}
