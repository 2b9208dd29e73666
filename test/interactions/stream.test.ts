import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InteractionsClient } from '../../src/interactions/client';
import { APITimeoutError, StreamErrorEvent, StreamProtocolError } from '../../src/interactions/errors';
import type { InteractionEvent } from '../../src/interactions/types';
import { frame, json, sampleEvents, sseHead, startServer } from './helpers';
import { waitFor } from '../helpers/wait';
import { fakeApiKey } from '../helpers/fake-credentials';

const KEY = fakeApiKey('SyTESTKEY_abcdefghijklmnopqrstuvw');

/** Index just after the event whose event_id is `id` (0 when absent = replay from the start). */
function resumeIndex(events: Record<string, unknown>[], url: string): number {
  const last = new URL(url, 'http://x').searchParams.get('last_event_id');
  if (!last) return 0;
  const i = events.findIndex((e) => e.event_id === last);
  assert.ok(i >= 0, `unknown last_event_id ${last}`);
  return i + 1;
}

describe('InteractionStream (one connection)', () => {
  it('stream-ends-without-completed-is-not-success: body end after deltas throws stream_truncated', async () => {
    const events = sampleEvents('v1_t').slice(0, 9);
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.end(events.map(frame).join(''));
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const seen: InteractionEvent[] = [];
    const err = await (async () => {
      for await (const e of client.get('v1_t', { stream: true })) seen.push(e);
    })().catch((e: unknown) => e);
    assert.equal(seen.length, 9);
    assert.ok(err instanceof StreamProtocolError);
    assert.equal(err.code, 'stream_truncated');
    assert.equal(err.interactionId, 'v1_t');
    assert.equal(err.lastEventId, 'evt_0007');
    await server.close();
  });

  it('bare-json-refusal: stream ends after created + a bare JSON line → stream_error, never success', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.end(
        frame({ event_type: 'interaction.created', interaction: { id: 'v1_r', status: 'in_progress' } }) +
          frame({ event_type: 'interaction.status_update', interaction_id: 'v1_r', status: 'in_progress' }) +
          '{"error":{"code":400,"message":"Request blocked by safety filters","status":"FAILED_PRECONDITION"}}\n',
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const stream = client.create({ model: 'm', input: 'x', stream: true });
    const err = await stream.finalInteraction().catch((e: unknown) => e);
    assert.ok(err instanceof StreamErrorEvent);
    assert.equal(err.code, 'stream_error');
    assert.equal(err.googleStatus, 'FAILED_PRECONDITION');
    assert.equal(err.interactionId, 'v1_r');
    assert.equal(err.retryable, false);
    await server.close();
  });

  it('interaction-id-in-interaction.id-vs-interaction_id: both locations are read', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.end(frame({ event_type: 'interaction.status_update', interaction_id: 'v1_only_here', status: 'completed' }));
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const s = client.create({ model: 'm', input: 'x', stream: true });
    for await (const _ of s) void _;
    assert.equal(s.interactionId, 'v1_only_here');
    await server.close();
  });

  it('events-before-an-envelope-in-the-same-chunk: each is handed out before the error, which carries the last one handed out', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      // One write: the events and the envelope arrive in one chunk.
      res.end(
        frame({ event_type: 'interaction.created', interaction: { id: 'v1_c', status: 'in_progress' }, event_id: 'e1' }) +
          frame({ event_type: 'interaction.status_update', interaction_id: 'v1_c', status: 'in_progress', event_id: 'e2' }) +
          '{"error":{"code":503,"message":"cut","status":"UNAVAILABLE"}}\n',
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const stream = client.get('v1_c', { stream: true });
    const seen: Array<string | undefined> = [];
    const err = await (async () => {
      for await (const e of stream) seen.push(e.event_id);
    })().catch((e: unknown) => e);
    assert.deepEqual(seen, ['e1', 'e2']);
    assert.ok(err instanceof StreamErrorEvent);
    assert.equal(err.lastEventId, 'e2');
    assert.equal(err.retryable, true);
    await server.close();
  });

  it('breaking-out-mid-chunk: the cursor is the last event handed out, not the last one decoded', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.write(
        frame({ event_type: 'interaction.created', interaction: { id: 'v1_m', status: 'in_progress' }, event_id: 'e1' }) +
          frame({ event_type: 'interaction.status_update', interaction_id: 'v1_m', status: 'in_progress', event_id: 'e2' }) +
          frame({ event_type: 'interaction.status_update', interaction_id: 'v1_m', status: 'completed', event_id: 'e3' }),
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const stream = client.get('v1_m', { stream: true });
    for await (const e of stream) if (e.event_id === 'e1') break;
    assert.equal(stream.lastEventId, 'e1');
    assert.equal(stream.sawTerminal, false, 'the settled status was decoded but never handed out');
    assert.equal(stream.controller.signal.aborted, true);
    await server.close();
  });

  it('breaking-out-of-the-loop-aborts-the-request', async () => {
    const server = await startServer(async (_req, res) => {
      sseHead(res);
      res.write(frame({ event_type: 'interaction.created', interaction: { id: 'v1_b', status: 'in_progress' } }));
      // keep the connection open
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const s = client.get('v1_b', { stream: true });
    for await (const _ of s) break;
    assert.equal(s.controller.signal.aborted, true);
    await waitFor(() => server.aborted > 0, 'the server to see the request aborted');
    assert.equal(server.aborted, 1);
    await server.close();
  });

  it('idle-timeout: a silent stream fails with phase idle (undici bodyTimeout is not what fires)', async () => {
    const server = await startServer((_req, res) => {
      sseHead(res);
      res.write(frame({ event_type: 'interaction.created', interaction: { id: 'v1_i', status: 'in_progress' } }));
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const err = await (async () => {
      for await (const _ of client.get('v1_i', { stream: true, idleTimeoutMs: 150 })) void _;
    })().catch((e: unknown) => e);
    assert.ok(err instanceof APITimeoutError);
    assert.equal(err.phase, 'idle');
    assert.equal(err.interactionId, 'v1_i');
    await server.close();
  });
});

describe('ResumableStream', () => {
  it('resume-without-loss-or-duplication: server cuts after k events each time; ids yielded exactly once, in order', async () => {
    const events = sampleEvents('v1_res', { textParts: 12 });
    const k = 4;
    const server = await startServer((req, res) => {
      if (!req.url.includes('stream=true')) return json(res, 200, { id: 'v1_res', status: 'in_progress' });
      sseHead(res);
      const from = resumeIndex(events, req.url);
      res.end(
        events
          .slice(from, from + k)
          .map(frame)
          .join(''),
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const reconnects: Array<string | undefined> = [];
    const rs = client.resume('v1_res', { reconnectDelayMs: 1, onReconnect: (i) => reconnects.push(i.lastEventId) });
    const got: InteractionEvent[] = [];
    for await (const e of rs) got.push(e);
    assert.deepEqual(got, events);
    assert.equal(rs.endedBy, 'event');
    assert.ok(rs.reconnects >= Math.floor(events.length / k) - 1);
    assert.equal(rs.lastEventId, events.filter((e) => e.event_id).at(-1)!.event_id);
    // Every reconnect resumed from a real cursor.
    assert.ok(reconnects.every((c) => typeof c === 'string'));
    await server.close();
  });

  it('events-without-event-id-after-the-cursor-are-not-double-counted on replay', async () => {
    // Cursor evt_0001; the cut happens after two id-less events that follow it… which the server replays.
    const events = [
      { event_type: 'interaction.created', interaction: { id: 'v1_n', status: 'in_progress' }, event_id: 'e1' },
      { event_type: 'step.start', index: 0, step: { type: 'model_output' } },
      { event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'a' } },
      { event_type: 'step.delta', index: 0, delta: { type: 'text', text: 'b' }, event_id: 'e2' },
      { event_type: 'step.stop', index: 0 },
      { event_type: 'interaction.completed', interaction: { id: 'v1_n', status: 'completed' }, event_id: 'e3' },
    ];
    const server = await startServer((req, res, n) => {
      sseHead(res);
      const from = resumeIndex(events, req.url);
      res.end(
        events
          .slice(from, n === 0 ? 3 : undefined)
          .map(frame)
          .join(''),
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const got: InteractionEvent[] = [];
    for await (const e of client.resume('v1_n', { reconnectDelayMs: 1 })) got.push(e);
    assert.deepEqual(got, events);
    assert.equal(server.requests[1]!.url, '/v1/interactions/v1_n?stream=true&last_event_id=e1');
    await server.close();
  });

  it('no-event-id-at-all: reconnect replays from the start and skips what was already yielded', async () => {
    const events = sampleEvents('v1_z', { withIds: false });
    const server = await startServer((_req, res, n) => {
      sseHead(res);
      res.end(
        events
          .slice(0, n === 0 ? 5 : undefined)
          .map(frame)
          .join(''),
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const got: InteractionEvent[] = [];
    for await (const e of client.resume('v1_z', { reconnectDelayMs: 1 })) got.push(e);
    assert.deepEqual(got, events);
    assert.equal(server.requests[1]!.url, '/v1/interactions/v1_z?stream=true');
    await server.close();
  });

  it('cut-at-10-min-with-raw-json-error-appended: reconnects after the UNAVAILABLE envelope', async () => {
    const events = sampleEvents('v1_cut');
    const server = await startServer((req, res, n) => {
      sseHead(res);
      const from = resumeIndex(events, req.url);
      if (n === 0) {
        res.end(events.slice(0, 6).map(frame).join('') + '[{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}]');
      } else {
        res.end(events.slice(from).map(frame).join(''));
      }
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const errors: unknown[] = [];
    const got: InteractionEvent[] = [];
    for await (const e of client.resume('v1_cut', { reconnectDelayMs: 1, onReconnect: (i) => errors.push(i.error) })) got.push(e);
    assert.deepEqual(got, events);
    assert.ok(errors[0] instanceof StreamErrorEvent);
    assert.equal((errors[0] as StreamErrorEvent).googleStatus, 'UNAVAILABLE');
    await server.close();
  });

  it('resumed-stream-replays-a-few-events-then-stalls: falls back to a plain GET, yields nothing fake', async () => {
    const events = sampleEvents('v1_stall');
    const server = await startServer((req, res, n) => {
      if (!req.url.includes('stream=true')) {
        return json(res, 200, { id: 'v1_stall', status: 'completed', steps: [{ type: 'model_output', content: [{ type: 'text', text: 'done' }] }] });
      }
      sseHead(res);
      if (n === 0) return void res.end(events.slice(0, 5).map(frame).join(''));
      // Resumed: two events, then silence.
      const from = resumeIndex(events, req.url);
      res.write(
        events
          .slice(from, from + 2)
          .map(frame)
          .join(''),
      );
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const rs = client.resume('v1_stall', { idleTimeoutMs: 150, reconnectDelayMs: 1 });
    const got: InteractionEvent[] = [];
    for await (const e of rs) got.push(e);
    assert.deepEqual(got, events.slice(0, 7));
    assert.equal(rs.endedBy, 'get');
    assert.equal(rs.interaction?.status, 'completed');
    assert.deepEqual(
      server.requests.map((r) => r.url),
      ['/v1/interactions/v1_stall?stream=true', '/v1/interactions/v1_stall?stream=true&last_event_id=evt_0004', '/v1/interactions/v1_stall'],
    );
    await server.close();
  });

  it('bounded-reconnects: an interaction that never settles and never streams gives up with stream_truncated', async () => {
    const server = await startServer((req, res) => {
      if (!req.url.includes('stream=true')) return json(res, 200, { id: 'v1_x', status: 'in_progress' });
      sseHead(res);
      res.end();
    });
    const client = new InteractionsClient({ apiKey: KEY, baseUrl: server.url });
    const err = await (async () => {
      for await (const _ of client.resume('v1_x', { maxReconnects: 2, reconnectDelayMs: 1 })) void _;
    })().catch((e: unknown) => e);
    assert.ok(err instanceof StreamProtocolError);
    assert.match(err.message, /gave up after 2 reconnects/);
    assert.equal(server.requests.filter((r) => r.url.includes('stream=true')).length, 3);
    await server.close();
  });
});
