import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventDecoder, SSEDecoder, type DecodedItem } from '../../src/interactions/sse';
import type { InteractionEvent } from '../../src/interactions/types';
import { frame, sampleEvents } from './helpers';

interface Msg {
  data: string;
  event: string | undefined;
  id: string | undefined;
}

function decodeMessages(pieces: string[]): { messages: Msg[]; raw: Array<{ text: string; parsed: boolean }> } {
  const messages: Msg[] = [];
  const raw: Array<{ text: string; parsed: boolean }> = [];
  const d = new SSEDecoder({
    message: (data, event, id) => messages.push({ data, event, id }),
    raw: (text, _v, parsed) => raw.push({ text, parsed }),
  });
  for (const p of pieces) d.push(p);
  d.end();
  return { messages, raw };
}

function decodeItems(pieces: Array<string | Uint8Array>): DecodedItem[] {
  const d = new EventDecoder();
  const out: DecodedItem[] = [];
  for (const p of pieces) out.push(...(typeof p === 'string' ? d.writeString(p) : d.write(p)));
  out.push(...d.end());
  return out;
}

const events = (items: DecodedItem[]): InteractionEvent[] => items.filter((i): i is Extract<DecodedItem, { kind: 'event' }> => i.kind === 'event').map((i) => i.event);

describe('SSEDecoder framing', () => {
  it('lf-line-endings: splits messages on blank lines', () => {
    const { messages } = decodeMessages(['event: a\ndata: 1\n\nevent: b\ndata: 2\n\n']);
    assert.deepEqual(messages, [
      { data: '1', event: 'a', id: undefined },
      { data: '2', event: 'b', id: undefined },
    ]);
  });

  it('cr-only-line-endings: old Mac framing still yields every message', () => {
    const { messages } = decodeMessages(['event: a\rdata: 1\r\revent: b\rdata: 2\r\r']);
    assert.deepEqual(
      messages.map((m) => m.data),
      ['1', '2'],
    );
  });

  it('crlf-split-across-chunks: CR at the end of one chunk and LF at the start of the next is one line break', () => {
    const { messages } = decodeMessages(['data: 1\r', '\n\r', '\ndata: 2\r\n\r\n']);
    assert.deepEqual(
      messages.map((m) => m.data),
      ['1', '2'],
    );
  });

  it('multi-line-data: data lines are joined with \\n', () => {
    const { messages } = decodeMessages(['data: {"a":\ndata: 1}\n\n']);
    assert.equal(messages[0]!.data, '{"a":\n1}');
  });

  it('comments-and-unknown-fields: ignored, including a field that merely starts with "data"', () => {
    const { messages } = decodeMessages([': keep-alive\nretry: 100\ndatabase: x\nfoo: bar\ndata: ok\n\n']);
    assert.deepEqual(messages, [{ data: 'ok', event: undefined, id: undefined }]);
  });

  it('no-space-after-colon and bare field name', () => {
    const { messages } = decodeMessages(['data:x\n\ndata\n\n']);
    assert.deepEqual(
      messages.map((m) => m.data),
      ['x', ''],
    );
  });

  it('event-without-data: not dispatched', () => {
    const { messages } = decodeMessages(['event: ping\n\ndata: 1\n\n']);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.event, undefined);
  });

  it('final-message-without-blank-line: delivered at end of body', () => {
    const { messages } = decodeMessages(['data: last']);
    assert.deepEqual(
      messages.map((m) => m.data),
      ['last'],
    );
  });

  it('long-line-across-many-chunks: reassembled without loss', () => {
    const payload = 'x'.repeat(100_000);
    const text = `data: ${payload}\n\n`;
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += 997) pieces.push(text.slice(i, i + 997));
    const { messages } = decodeMessages(pieces);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!.data, payload);
  });
});

describe('EventDecoder (bytes → typed events)', () => {
  const transcript = sampleEvents('v1_abc').map(frame).join('');

  it('chunk-boundary-at-every-byte-offset: the sample transcript decodes identically', () => {
    const bytes = Buffer.from(transcript.replace(/"1, "/, '"1, ✓ é "'), 'utf8');
    const whole = events(decodeItems([bytes]));
    assert.equal(whole.length, sampleEvents().length);
    for (let cut = 1; cut < bytes.length; cut++) {
      const got = events(decodeItems([bytes.subarray(0, cut), bytes.subarray(cut)]));
      assert.deepEqual(got, whole, `cut at byte ${cut}`);
    }
  });

  it('chunk-boundary-at-every-byte-offset with CRLF framing', () => {
    const bytes = Buffer.from(transcript.replace(/\n/g, '\r\n'), 'utf8');
    const whole = events(decodeItems([bytes]));
    assert.equal(whole.length, sampleEvents().length);
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(events(decodeItems([bytes.subarray(0, cut), bytes.subarray(cut)])), whole, `cut at byte ${cut}`);
    }
  });

  it('one-byte-chunks: a CR-only transcript fed a byte at a time', () => {
    const bytes = Buffer.from(transcript.replace(/\n/g, '\r'), 'utf8');
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i++) pieces.push(bytes.subarray(i, i + 1));
    assert.deepEqual(events(decodeItems(pieces)), sampleEvents('v1_abc'));
  });

  it('events-without-event-id: kept, and their event_id stays absent', () => {
    const got = events(decodeItems([transcript]));
    assert.ok(got.some((e) => e.event_id === undefined));
    assert.ok(got.some((e) => typeof e.event_id === 'string'));
  });

  it('done-sentinel: [DONE] ends decoding; later bytes ignored', () => {
    const d = new EventDecoder();
    const items = [...d.writeString(frame({ event_type: 'step.stop', index: 0 }) + 'data: [DONE]\n\n' + frame({ event_type: 'step.stop', index: 1 }))];
    items.push(...d.end());
    assert.equal(d.done, true);
    assert.equal(events(items).length, 1);
  });

  it('cut-at-10-min-with-raw-json-error-appended: the envelope surfaces with its Google status', () => {
    const body =
      frame({ event_type: 'step.delta', index: 1, delta: { type: 'text', text: 'partial' }, event_id: 'e1' }) +
      '[{\n  "error": {\n    "code": 503,\n    "message": "The service is currently unavailable.",\n    "status": "UNAVAILABLE"\n  }\n}\n]';
    const items = decodeItems([body]);
    assert.equal(items.length, 2);
    assert.equal(items[0]!.kind, 'event');
    const last = items[1]!;
    assert.equal(last.kind, 'unframed');
    assert.deepEqual((last as Extract<DecodedItem, { kind: 'unframed' }>).error, {
      code: 503,
      message: 'The service is currently unavailable.',
      status: 'UNAVAILABLE',
    });
  });

  it('raw-json-error-envelope on one line without framing', () => {
    const items = decodeItems(['{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED"}}\n']);
    assert.equal(items[0]!.kind, 'unframed');
    assert.equal((items[0] as Extract<DecodedItem, { kind: 'unframed' }>).error.status, 'RESOURCE_EXHAUSTED');
  });

  it('bare-json-refusal: a non-error JSON line is surfaced, not dropped', () => {
    const body = frame({ event_type: 'interaction.created', interaction: { id: 'v1_r', status: 'in_progress' } }) + '{"promptFeedback":{"blockReason":"SAFETY"}}\n';
    const items = decodeItems([body]);
    assert.equal(items.length, 2);
    assert.equal(items[1]!.kind, 'unframed');
    assert.match((items[1] as Extract<DecodedItem, { kind: 'unframed' }>).error.message!, /blockReason/);
  });

  it('data-error-without-event-type becomes an error event', () => {
    const items = decodeItems(['data: {"error":{"code":"500","message":"boom"}}\n\n']);
    assert.deepEqual(events(items), [{ event_type: 'error', error: { code: '500', message: 'boom' } }]);
  });

  it('malformed-data: non-JSON data is reported', () => {
    const items = decodeItems(['data: not json\n\n']);
    assert.equal(items[0]!.kind, 'malformed');
  });

  it('legacy-vertex-events: interaction.start/content.* normalised to the steps shape', () => {
    const body = [
      { event_type: 'interaction.start', interaction: { id: 'v1_l', status: 'in_progress' } },
      { event_type: 'content.start', index: 0, content: { type: 'text' } },
      { event_type: 'content.delta', index: 0, delta: { type: 'text', text: 'hi' } },
      { event_type: 'content.stop', index: 0 },
      { event_type: 'interaction.complete', interaction: { id: 'v1_l', status: 'completed', outputs: [] } },
    ]
      .map(frame)
      .join('');
    const got = events(decodeItems([body]));
    assert.deepEqual(
      got.map((e) => e.event_type),
      ['interaction.created', 'step.start', 'step.delta', 'step.stop', 'interaction.completed'],
    );
    assert.deepEqual((got[1] as { step: unknown }).step, { type: 'model_output', content: [] });
    assert.deepEqual((got[4] as { interaction: unknown }).interaction, { id: 'v1_l', status: 'completed', steps: [] });
  });
});
