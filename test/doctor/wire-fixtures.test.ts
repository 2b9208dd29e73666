/**
 * Wire transcripts recorded by `gemini-jobs doctor --record DIR` and checked in under
 * `test/fixtures/wire/<name>/` (docs/doctor.md says how) become tests of the client here:
 * every SSE body decodes into events with the client's own decoder, a stream that was not cut
 * ends with a terminal event, folding it gives the report the GET of the same interaction gave,
 * and no file holds a credential.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InteractionAccumulator, reportText } from '../../src/interactions/accumulator';
import { EventDecoder } from '../../src/interactions/sse';
import { normalizeInteraction } from '../../src/interactions/normalize';
import { isTerminalEvent, type Interaction, type InteractionEvent } from '../../src/interactions/types';
import { findSecretShape } from '../../src/common/redact';
import type { WireExchange } from '../../src/doctor/wire';
import { packageRoot } from '../helpers/temporal';

const ROOT = join(packageRoot, 'test', 'fixtures', 'wire');
const sets = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => existsSync(join(ROOT, d, 'index.json'))) : [];

function decode(sse: string, complete: boolean): InteractionEvent[] {
  const d = new EventDecoder();
  const items = [...d.writeString(sse)];
  if (complete) items.push(...d.end());
  return items.map((item, i) => {
    assert.equal(item.kind, 'event', `item ${i} decodes as an event (${item.kind})`);
    return (item as { event: InteractionEvent }).event;
  });
}

const interactionOf = (path: string) => /\/interactions\/([^/?]+)/.exec(path)?.[1];

test('at least one recorded transcript set is checked in', () => {
  assert.ok(sets.length > 0, `no transcript sets under ${ROOT}`);
});

for (const name of sets) {
  test(`wire transcripts ${name}: decode, terminate, match GET, hold no credential`, () => {
    const dir = join(ROOT, name);
    const files = readdirSync(dir);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.equal(findSecretShape(text), undefined, `${f} holds a credential-shaped string`);
    }
    const exchanges = files
      .filter((f) => /^\d+-.*\.json$/.test(f))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as WireExchange);
    assert.ok(exchanges.length > 0);
    for (const ex of exchanges) {
      for (const h of ['x-goog-api-key', 'authorization']) if (h in ex.requestHeaders) assert.equal(ex.requestHeaders[h], '[REDACTED]', `${ex.seq} ${h}`);
    }
    let compared = 0;
    for (const ex of exchanges) {
      if (ex.kind !== 'sse' || typeof ex.responseBody !== 'string') continue;
      const complete = ex.error === undefined;
      const events = decode(ex.responseBody, complete);
      assert.ok(events.length > 0, `exchange ${ex.seq} carries events`);
      if (!complete) continue;
      assert.ok(isTerminalEvent(events[events.length - 1]!), `exchange ${ex.seq} (${ex.step}) ends with a terminal event`);
      // A stream from the start, followed later by a plain GET of the same interaction: same report.
      const id = interactionOf(ex.path) ?? (events[0] as { interaction?: { id?: string } }).interaction?.id;
      const fromStart = !/last_event_id=/.test(ex.path);
      const get = exchanges.find((g) => g.seq > ex.seq && g.method === 'GET' && g.kind === 'json' && g.status === 200 && id !== undefined && interactionOf(g.path) === id);
      if (!fromStart || !get) continue;
      const acc = new InteractionAccumulator();
      for (const e of events) acc.apply(e);
      const fetched = normalizeInteraction(get.responseBody as Interaction);
      if (fetched.status !== 'completed') continue;
      assert.equal(reportText(acc.snapshot()), reportText(fetched), `stream ${ex.seq} vs GET ${get.seq}`);
      compared++;
    }
    assert.ok(compared > 0 || exchanges.every((e) => e.kind !== 'sse'), 'at least one stream was compared with its GET');
  });
}
