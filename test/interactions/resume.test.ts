/**
 * The one resume algorithm (src/interactions/resume.ts) on its own: connections are plain arrays
 * of events, the state is a list of what was folded in, checkpoints are recorded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamResume, claimsEnd } from '../../src/interactions/resume';
import { StreamProtocolError } from '../../src/interactions/errors';
import type { InteractionEvent } from '../../src/interactions/types';

const created = (id: string): InteractionEvent =>
  ({ event_type: 'interaction.created', interaction: { id: 'v1', status: 'in_progress' }, event_id: id }) as unknown as InteractionEvent;
const delta = (text: string, id?: string): InteractionEvent =>
  ({ event_type: 'step.delta', index: 0, delta: { type: 'text', text }, ...(id ? { event_id: id } : {}) }) as unknown as InteractionEvent;
const completed = (id: string): InteractionEvent =>
  ({ event_type: 'interaction.completed', interaction: { id: 'v1', status: 'completed' }, event_id: id }) as unknown as InteractionEvent;
const status = (s: string, id: string): InteractionEvent => ({ event_type: 'interaction.status_update', status: s, event_id: id }) as unknown as InteractionEvent;

async function* from(events: InteractionEvent[], cutError?: Error): AsyncGenerator<InteractionEvent> {
  for (const e of events) yield e;
  if (cutError) throw cutError;
}

/** Folds text into a string[]; records each checkpoint. */
function engine(lastEventId?: string, state: string[] = []) {
  const checkpoints: Array<{ id: string; state: string[] }> = [];
  const resume = new StreamResume<string[]>({
    lastEventId,
    state,
    apply: (s, e) => {
      const text = (e as { delta?: { text?: string } }).delta?.text;
      if (text !== undefined) s.push(text);
    },
    clone: (s) => [...s],
    onCheckpoint: (id, s) => checkpoints.push({ id, state: s }),
  });
  return { resume, checkpoints };
}

async function drain(it: AsyncIterable<InteractionEvent>): Promise<{ got: InteractionEvent[]; error?: unknown }> {
  const got: InteractionEvent[] = [];
  try {
    for await (const e of it) got.push(e);
    return { got };
  } catch (error) {
    return { got, error };
  }
}

describe('StreamResume', () => {
  it('checkpoints at every id, with a copy of the state folded up to it', async () => {
    const { resume, checkpoints } = engine();
    const { got, error } = await drain(resume.connection(from([created('e1'), delta('a'), delta('b', 'e2'), completed('e3')])));
    assert.equal(error, undefined);
    assert.equal(got.length, 4);
    assert.deepEqual(checkpoints, [
      { id: 'e1', state: [] },
      { id: 'e2', state: ['a', 'b'] },
      { id: 'e3', state: ['a', 'b'] },
    ]);
    assert.equal(resume.lastEventId, 'e3');
    assert.equal(resume.sawEnd, true);
  });

  it('id-less events after the cursor that a resumed connection sends again are skipped', async () => {
    const { resume } = engine();
    const cut = new Error('cut');
    const first = await drain(resume.connection(from([created('e1'), delta('a'), delta('b')], cut)));
    assert.equal(first.error, cut);
    assert.deepEqual(resume.live, ['a', 'b']);
    // The server resumes after e1: a and b again, then new events.
    const second = await drain(resume.connection(from([delta('a'), delta('b'), delta('c'), completed('e2')])));
    assert.equal(second.error, undefined);
    assert.deepEqual(resume.live, ['a', 'b', 'c']);
    assert.deepEqual(
      second.got.map((e) => e.event_id ?? (e as { delta: { text: string } }).delta.text),
      ['c', 'e2'],
    );
  });

  it('a replay from the start (cursor ignored) is dropped up to and including the cursor', async () => {
    const { resume, checkpoints } = engine('e2', ['a', 'b']);
    const { got } = await drain(resume.connection(from([created('e1'), delta('a'), delta('b', 'e2'), delta('c'), completed('e3')])));
    assert.deepEqual(resume.live, ['a', 'b', 'c']);
    assert.deepEqual(
      got.map((e) => e.event_id ?? 'idless'),
      ['idless', 'e3'],
    );
    assert.deepEqual(
      checkpoints.map((c) => c.id),
      ['e3'],
    );
  });

  it('a replay that never reaches the cursor lets its terminal event through', async () => {
    const { resume } = engine('e9');
    const { got, error } = await drain(resume.connection(from([created('e1'), delta('a', 'e2'), completed('e3')])));
    assert.equal(error, undefined);
    assert.deepEqual(
      got.map((e) => e.event_id),
      ['e3'],
    );
    assert.equal(resume.sawEnd, true);
  });

  it('an id is delivered once, whatever the server resends', async () => {
    const { resume } = engine();
    const { got } = await drain(resume.connection(from([created('e1'), delta('a', 'e2'), delta('a', 'e2'), completed('e3')])));
    assert.deepEqual(
      got.map((e) => e.event_id),
      ['e1', 'e2', 'e3'],
    );
    assert.deepEqual(resume.live, ['a']);
  });

  it('a connection that ends without an end claim is stream_truncated', async () => {
    const { resume } = engine();
    const { error } = await drain(resume.connection(from([created('e1'), delta('a', 'e2')])));
    assert.ok(error instanceof StreamProtocolError);
    assert.equal(error.code, 'stream_truncated');
    assert.equal(resume.sawEnd, false);
  });

  it('nothing is read after interaction.completed', async () => {
    const { resume } = engine();
    const { got } = await drain(resume.connection(from([created('e1'), completed('e2'), delta('late', 'e3')])));
    assert.deepEqual(
      got.map((e) => e.event_id),
      ['e1', 'e2'],
    );
  });

  it('end claims: completed, error, and a status_update away from an active status (unknown ones included)', () => {
    assert.equal(claimsEnd(completed('x')), true);
    assert.equal(claimsEnd({ event_type: 'error', error: { message: 'x' } } as unknown as InteractionEvent), true);
    assert.equal(claimsEnd(status('requires_action', 'x')), true);
    assert.equal(claimsEnd(status('some_future_status', 'x')), true);
    assert.equal(claimsEnd(status('in_progress', 'x')), false);
    assert.equal(claimsEnd(delta('a')), false);
  });

  it('sawEnd is per connection', async () => {
    const { resume } = engine();
    await drain(resume.connection(from([created('e1'), status('completed', 'e2')], new Error('cut'))));
    assert.equal(resume.sawEnd, true);
    const { error } = await drain(resume.connection(from([])));
    assert.ok(error instanceof StreamProtocolError);
    assert.equal(resume.sawEnd, false);
  });
});
