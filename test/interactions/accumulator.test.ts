import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionAccumulator, accumulate, reportText } from '../../src/interactions/accumulator';
import { normalizeEvent, normalizeInteraction } from '../../src/interactions/normalize';
import type { Interaction, InteractionEvent } from '../../src/interactions/types';
import { isTerminalStatus, KNOWN_STATUSES, statusClass, TERMINAL_STATUSES } from '../../src/interactions/types';
import { sampleEvents } from './helpers';

const USAGE = { total_input_tokens: 7, total_output_tokens: 20, total_tokens: 27 };

describe('InteractionAccumulator', () => {
  it('streamed-equals-fetched: the sample transcript folds into the GET resource', async () => {
    const got = await accumulate(sampleEvents('v1_abc') as unknown as InteractionEvent[]);
    const fetched: Interaction = {
      id: 'v1_abc',
      status: 'completed',
      object: 'interaction',
      model: 'gemini-3-flash-preview',
      steps: [
        { type: 'thought', summary: [{ type: 'text', text: 'Planning the count.' }], signature: 'c2lnbmF0dXJl' },
        { type: 'model_output', content: [{ type: 'text', text: '1, 2, 3, 4, 5, ' }] },
      ],
      usage: USAGE,
    };
    assert.deepEqual(got, fetched);
  });

  it('function-call-arguments-delta: fragments joined and parsed at step.stop', () => {
    const acc = new InteractionAccumulator();
    const events = [
      { event_type: 'interaction.created', interaction: { id: 'v1_f', status: 'in_progress' } },
      { event_type: 'step.start', index: 0, step: { type: 'function_call', id: 'call_1', name: 'get_weather', arguments: {} } },
      { event_type: 'step.delta', index: 0, delta: { type: 'arguments_delta', arguments: '{"city": "Par' } },
      { event_type: 'step.delta', index: 0, delta: { type: 'arguments_delta', arguments: 'is", "unit": "c"}' } },
      { event_type: 'step.stop', index: 0 },
      { event_type: 'interaction.status_update', interaction_id: 'v1_f', status: 'requires_action', usage: USAGE },
    ] as unknown as InteractionEvent[];
    for (const e of events) acc.apply(e);
    assert.deepEqual(acc.snapshot(), {
      id: 'v1_f',
      status: 'requires_action',
      steps: [{ type: 'function_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris', unit: 'c' } }],
      usage: USAGE,
    });
  });

  it('deep-research-tools: search call/result deltas merge into their steps; metadata.total_usage tracked', () => {
    const acc = new InteractionAccumulator();
    const events = [
      { event_type: 'interaction.created', interaction: { id: 'v1_d', status: 'in_progress', agent: 'deep-research-preview-04-2026' } },
      { event_type: 'step.start', index: 0, step: { type: 'google_search_call', id: 's1', arguments: {} } },
      { event_type: 'step.delta', index: 0, delta: { type: 'google_search_call', arguments: { queries: ['q1', 'q2'] } } },
      { event_type: 'step.stop', index: 0 },
      { event_type: 'step.start', index: 1, step: { type: 'google_search_result', call_id: 's1', result: [] } },
      { event_type: 'step.delta', index: 1, delta: { type: 'google_search_result', result: [{ search_suggestions: '<div/>' }] }, metadata: { total_usage: { total_tokens: 5 } } },
      { event_type: 'step.stop', index: 1 },
      { event_type: 'step.start', index: 2, step: { type: 'model_output' } },
      { event_type: 'step.delta', index: 2, delta: { type: 'text', text: '# Report' } },
      { event_type: 'step.delta', index: 2, delta: { type: 'text_annotation_delta', annotations: [{ type: 'url_citation', url: 'https://a', start_index: 0, end_index: 8 }] } },
      { event_type: 'step.stop', index: 2 },
      { event_type: 'interaction.completed', interaction: { id: 'v1_d', status: 'completed', agent: 'deep-research-preview-04-2026' } },
    ] as unknown as InteractionEvent[];
    for (const e of events) acc.apply(e);
    const snap = acc.snapshot();
    assert.deepEqual(snap.steps, [
      { type: 'google_search_call', id: 's1', arguments: { queries: ['q1', 'q2'] } },
      { type: 'google_search_result', call_id: 's1', result: [{ search_suggestions: '<div/>' }] },
      { type: 'model_output', content: [{ type: 'text', text: '# Report', annotations: [{ type: 'url_citation', url: 'https://a', start_index: 0, end_index: 8 }] }] },
    ]);
    assert.deepEqual(snap.usage, { total_tokens: 5 });
    assert.equal(reportText(snap), '# Report');
  });

  it('unknown-delta-and-step-types keep their raw JSON', () => {
    const acc = new InteractionAccumulator();
    acc.apply({ event_type: 'step.start', index: 0, step: { type: 'hologram_call', id: 'h', payload: { x: 1 } } } as unknown as InteractionEvent);
    acc.apply({ event_type: 'step.delta', index: 0, delta: { type: 'hologram_call', payload: { x: 2 } } } as unknown as InteractionEvent);
    acc.apply({ event_type: 'step.start', index: 1, step: { type: 'model_output' } } as unknown as InteractionEvent);
    acc.apply({ event_type: 'step.delta', index: 1, delta: { type: 'smell', scent: 'rose' } } as unknown as InteractionEvent);
    assert.deepEqual(acc.snapshot().steps, [
      { type: 'hologram_call', id: 'h', payload: { x: 2 } },
      { type: 'model_output', content: [{ type: 'smell', scent: 'rose' }] },
    ]);
  });

  it('legacy-vertex-stream equals legacy fetched resource after normalisation', async () => {
    const legacy = [
      { event_type: 'interaction.start', interaction: { id: 'v1_l', status: 'in_progress' } },
      { event_type: 'content.start', index: 0, content: { type: 'text' } },
      { event_type: 'content.delta', index: 0, delta: { type: 'text', text: 'la la' } },
      { event_type: 'content.stop', index: 0 },
      { event_type: 'interaction.complete', interaction: { id: 'v1_l', status: 'completed', outputs: [] } },
    ];
    const streamed = await accumulate(legacy.map((e) => normalizeEvent(e as unknown as InteractionEvent)));
    const fetched = normalizeInteraction({ id: 'v1_l', status: 'completed', outputs: [{ type: 'text', text: 'la la' }] } as unknown as Interaction);
    assert.deepEqual(streamed, fetched);
  });
});

describe('reportText', () => {
  it('takes the trailing model_output steps after the last user_input, skipping thoughts', () => {
    const text = reportText({
      steps: [
        { type: 'user_input', content: [{ type: 'text', text: 'q' }] },
        { type: 'model_output', content: [{ type: 'text', text: 'early' }] },
        { type: 'google_search_call', id: 's', arguments: {} },
        { type: 'model_output', content: [{ type: 'text', text: '# Title' }] },
        { type: 'thought', summary: [] },
        {
          type: 'model_output',
          content: [
            { type: 'text', text: 'Body ' },
            { type: 'image', uri: 'x' },
            { type: 'text', text: 'end' },
          ],
        },
      ],
    });
    assert.equal(text, '# Title\n\nBody end');
  });
});

describe('statuses', () => {
  it('TERMINAL_STATUSES and isTerminalStatus', () => {
    assert.deepEqual([...TERMINAL_STATUSES], ['completed', 'failed', 'cancelled', 'incomplete', 'budget_exceeded']);
    assert.equal(isTerminalStatus('budget_exceeded'), true);
    assert.equal(isTerminalStatus('requires_action'), false);
    assert.equal(isTerminalStatus(undefined), false);
  });

  it('statusClass: one classification of all 10 statuses; unknown future ones stay unknown', () => {
    const table: Record<string, string> = {
      queued: 'active',
      in_progress: 'active',
      completed: 'terminal',
      failed: 'terminal',
      cancelled: 'terminal',
      incomplete: 'terminal',
      budget_exceeded: 'terminal',
      requires_action: 'waiting',
      requires_continuation: 'waiting',
      idle: 'waiting',
    };
    assert.deepEqual([...KNOWN_STATUSES].sort(), Object.keys(table).sort());
    for (const [status, kind] of Object.entries(table)) assert.equal(statusClass(status), kind, status);
    assert.equal(statusClass('frobnicated'), 'unknown');
    assert.equal(statusClass(undefined), 'unknown');
  });
});
