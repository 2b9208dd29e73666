/**
 * The latest thought a reader sees (CLI spinner, `latestThought`, the dashboard): the heading and
 * the first sentence of the latest section, never the tail of the text (which cut headings and
 * left a stray `**`), built delta by delta as the stream delivers it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { THOUGHT_CHARS, THOUGHT_RAW_CHARS, applyEvent, emptyProgress, foldThought, thoughtSummary, type ProgressState } from '../../activities/progress';
import type { InteractionEvent } from '../../src/interactions/types';

const THOUGHT = '**Researching Tidal Power Economics**\n\nI am comparing levelized costs across the main sites. Orkney and the Bay of Fundy lead.';

test('thought summary: the heading and the first sentence, as plain text', () => {
  assert.equal(thoughtSummary(THOUGHT, true), 'Researching Tidal Power Economics: I am comparing levelized costs across the main sites.');
  assert.equal(thoughtSummary('**What drives the cost?**\n\nTurbines do. Then cables.', true), 'What drives the cost? Turbines do.');
  assert.equal(thoughtSummary('## Scope\nWe look at **three** regions first. Then more.', true), 'Scope: We look at three regions first.');
  assert.equal(thoughtSummary('No heading here. Just thinking aloud.', true), 'No heading here.');
  assert.equal(thoughtSummary('**Only a heading**', true), 'Only a heading');
  assert.equal(thoughtSummary('', true), '');
});

test('thought summary: abbreviations, decimals and quotes do not end the sentence early', () => {
  assert.equal(
    thoughtSummary('**Sites**\n\nWe compare sites, e.g. Orkney and Fundy, at 3.5 m tides. Then more.', true),
    'Sites: We compare sites, e.g. Orkney and Fundy, at 3.5 m tides.',
  );
  assert.equal(thoughtSummary('**Quote**\n\nHe said "it works." Then left.', true), 'Quote: He said "it works."');
});

test('thought summary: the latest section wins; a heading only just begun leaves the previous one showing', () => {
  const two = `${THOUGHT}\n\n**Checking Grid Connections**\n\nCable costs matter. A lot.`;
  assert.equal(thoughtSummary(two, true), 'Checking Grid Connections: Cable costs matter.');
  assert.equal(thoughtSummary(`${THOUGHT}\n\n**`, false), 'Researching Tidal Power Economics: I am comparing levelized costs across the main sites.');
});

test('thought summary: at most THOUGHT_CHARS, cut on a word with an ellipsis, never a stray emphasis marker', () => {
  const long = `**A heading**\n\n${Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ')}.`;
  const s = thoughtSummary(long, true);
  assert.ok(s.length <= THOUGHT_CHARS, `${s.length} chars`);
  assert.match(s, /^A heading: word0 word1 .* word\d+…$/);
  // Every cut of a real thought, however the deltas split it, starts at its heading and holds no marker.
  for (let cut = 3; cut <= THOUGHT.length; cut++) {
    const partial = thoughtSummary(THOUGHT.slice(0, cut));
    assert.ok(!partial.includes('*'), `no marker at cut ${cut}: ${partial}`);
    assert.ok('Researching Tidal Power Economics'.startsWith(partial.split(':')[0]!), `heading start kept at cut ${cut}: ${partial}`);
  }
});

test('thought summary: while streaming, a word that may still grow is left out', () => {
  assert.equal(thoughtSummary('**Researching Ti'), 'Researching');
  assert.equal(thoughtSummary('**Researching Tidal Power**\n\nI am look'), 'Researching Tidal Power: I am');
  assert.equal(thoughtSummary('**Researching Tidal Power**\n\nI am look', true), 'Researching Tidal Power: I am look');
});

function thoughtDeltas(index: number, text: string, parts: number): InteractionEvent[] {
  const size = Math.ceil(text.length / parts);
  const events: InteractionEvent[] = [{ event_type: 'step.start', index, step: { type: 'thought' } } as InteractionEvent];
  for (let i = 0; i < text.length; i += size) {
    events.push({ event_type: 'step.delta', index, delta: { type: 'thought_summary', content: { type: 'text', text: text.slice(i, i + size) } } } as InteractionEvent);
  }
  events.push({ event_type: 'step.stop', index } as InteractionEvent);
  return events;
}

test('applyEvent: the streamed thought reads as its heading and first sentence, delta by delta and after step.stop', () => {
  const p: ProgressState = emptyProgress();
  const seen: string[] = [];
  for (const ev of thoughtDeltas(1, THOUGHT, 5)) {
    applyEvent(p, ev, '2026-12-07T00:00:00Z');
    if (p.latestThought !== undefined) seen.push(p.latestThought);
  }
  assert.equal(p.latestThought, 'Researching Tidal Power Economics: I am comparing levelized costs across the main sites.');
  assert.ok(
    seen.every((s) => !s.includes('*')),
    seen.join(' | '),
  );
  // The next thought step replaces it.
  for (const ev of thoughtDeltas(3, '**Drafting the Report**\n\nI am outlining sections', 2)) applyEvent(p, ev, '2026-12-07T00:00:00Z');
  assert.equal(p.latestThought, 'Drafting the Report: I am outlining sections');
});

test('foldThought: the kept raw text stays bounded, and a heading after the bound still starts a new section', () => {
  let raw = '';
  raw = foldThought(raw, '**Long Section**\n\n');
  for (let i = 0; i < 400; i++) raw = foldThought(raw, `sentence number ${i} goes on. `);
  assert.ok(raw.length <= THOUGHT_RAW_CHARS, `${raw.length} chars kept`);
  assert.equal(thoughtSummary(raw), 'Long Section: sentence number 0 goes on.');
  raw = foldThought(raw, '\n\n**Next Section**\n\nFresh start.');
  assert.equal(thoughtSummary(raw, true), 'Next Section: Fresh start.');
});

test('applyEvent: a checkpoint of an older worker (a shortened thought, no raw text) continues without losing the step', () => {
  const p: ProgressState = { ...emptyProgress(), thoughtStep: '1', latestThought: 'ing Tidal Power**\n\nI am comparing' };
  applyEvent(p, { event_type: 'step.delta', index: 1, delta: { type: 'thought_summary', content: { type: 'text', text: ' costs. More.' } } } as InteractionEvent, 'x');
  assert.equal(p.latestThought, 'ing Tidal Power I am comparing costs.');
});
