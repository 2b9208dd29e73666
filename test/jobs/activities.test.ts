/**
 * The activities in Temporal's MockActivityEnvironment with a scripted client: the edge cases that
 * are awkward to provoke through the emulator (an unknown upstream status, a retried create that
 * must not POST again, cancellation surfacing as CancelledFailure).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { CancelledFailure } from '@temporalio/common';
import { createActivities, silentLogger, type CreateInteractionResult, type FollowInteractionResult, type FollowOptions } from '../../activities';
import { fnv1a } from '../../activities/progress';
import type { InteractionsClient } from '../../src/interactions/client';
import type { InteractionEvent } from '../../src/interactions/types';
import { FileResultStore } from '../../src/results/result-store';

const OPTIONS: FollowOptions = { mode: 'stream', streamIdleTimeoutMs: 1_000, pollInitialIntervalMs: 10, pollMaxIntervalMs: 50, notFoundGraceMs: 1_000, keepaliveMs: 200 };

async function withStore<T>(fn: (store: FileResultStore) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gj-acts-'));
  try {
    return await fn(new FileResultStore(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function* events(list: InteractionEvent[]): AsyncGenerator<InteractionEvent> {
  for (const e of list) yield e;
}

test('create: a retried attempt with the id in its heartbeat returns it without a second POST', async () => {
  await withStore(async (store) => {
    let posts = 0;
    const client = { create: async () => (posts++, { id: 'v1_new', status: 'in_progress' }) } as unknown as InteractionsClient;
    const acts = createActivities({ client, resultStore: store, log: silentLogger });
    const env = new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { phase: 'created', interactionId: 'v1_first', status: 'in_progress' } });
    const result = (await env.run(acts.createInteraction, { jobId: 'j', turn: 1, request: { model: 'm', input: 'x' } as never })) as CreateInteractionResult;
    assert.deepEqual(result, { interactionId: 'v1_first', status: 'in_progress', recovered: true });
    assert.equal(posts, 0);
  });
});

test('create: background and store forced, stream dropped, client retries off, id heartbeated', async () => {
  await withStore(async (store) => {
    const calls: Array<{ body: Record<string, unknown>; opts: Record<string, unknown> }> = [];
    const client = {
      create: async (body: Record<string, unknown>, opts: Record<string, unknown>) => (calls.push({ body, opts }), { id: 'v1_new', status: 'in_progress' }),
    } as unknown as InteractionsClient;
    const acts = createActivities({ client, resultStore: store, log: silentLogger });
    const env = new MockActivityEnvironment();
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const result = (await env.run(acts.createInteraction, {
      jobId: 'j',
      turn: 2,
      request: { model: 'm', input: 'x', stream: true } as never,
      previousInteractionId: 'v1_prev',
    })) as CreateInteractionResult;
    assert.equal(result.interactionId, 'v1_new');
    assert.deepEqual(calls[0]!.body, { model: 'm', input: 'x', background: true, store: true, previous_interaction_id: 'v1_prev' });
    assert.equal(calls[0]!.opts['maxRetries'], 0);
    assert.deepEqual(beats[beats.length - 1], { phase: 'created', interactionId: 'v1_new', status: 'in_progress' });
  });
});

test('follow: a stream that ends on a status this worker does not know returns unknown, never success', async () => {
  await withStore(async (store) => {
    const client = {
      get: (id: string, opts: { stream?: boolean }) =>
        opts.stream
          ? events([
              { event_type: 'interaction.created', interaction: { id, status: 'in_progress' }, event_id: 'e1' },
              { event_type: 'interaction.status_update', interaction_id: id, status: 'frobnicated', event_id: 'e2' },
            ] as InteractionEvent[])
          : Promise.resolve({ id, status: 'frobnicated', steps: [] }),
    } as unknown as InteractionsClient;
    const acts = createActivities({ client, resultStore: store, log: silentLogger });
    const result = (await new MockActivityEnvironment().run(acts.followInteraction, { jobId: 'j', turn: 1, interactionId: 'v1_x', options: OPTIONS })) as FollowInteractionResult;
    assert.equal(result.status, 'unknown');
    assert.equal(result.upstreamStatus, 'frobnicated');
    assert.equal(result.error?.code, 'unknown_status');
    assert.equal(result.eventsApplied, 2);
  });
});

test('follow: resumes from the heartbeat checkpoint with last_event_id and keeps its progress', async () => {
  await withStore(async (store) => {
    const seen: Array<string | undefined> = [];
    const client = {
      get: (id: string, opts: { stream?: boolean; lastEventId?: string }) => {
        if (!opts.stream) return Promise.resolve({ id, status: 'completed', steps: [{ type: 'model_output', content: [{ type: 'text', text: 'Hello world' }] }] });
        seen.push(opts.lastEventId);
        return events([
          { event_type: 'step.delta', index: 1, delta: { type: 'text', text: 'world' }, event_id: 'e6' },
          { event_type: 'step.stop', index: 1 },
          { event_type: 'interaction.completed', interaction: { id, status: 'completed' } },
        ] as InteractionEvent[]);
      },
    } as unknown as InteractionsClient;
    const acts = createActivities({ client, resultStore: store, inlineReportMaxBytes: 0, log: silentLogger });
    const env = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: {
        interactionId: 'v1_x',
        lastEventId: 'e5',
        progress: { eventsApplied: 5, outputChars: 6, outputHash: fnv1a('Hello '), openSteps: { '1': 'model_output' } },
        mode: 'streaming',
        streamedFromStart: true,
        streamFailures: 0,
        at: new Date().toISOString(),
      },
    });
    const result = (await env.run(acts.followInteraction, { jobId: 'j', turn: 1, interactionId: 'v1_x', options: OPTIONS })) as FollowInteractionResult;
    assert.deepEqual(seen, ['e5']);
    assert.equal(result.status, 'completed');
    assert.equal(result.eventsApplied, 8);
    assert.equal(result.streamVerified, true);
    assert.equal((await store.get(result.report))?.toString(), 'Hello world');
  });
});

test('follow: cancellation surfaces as CancelledFailure, unwrapped', async () => {
  await withStore(async (store) => {
    let streamOpened!: () => void;
    const opened = new Promise<void>((resolve) => (streamOpened = resolve));
    const client = {
      get: (_id: string, opts: { stream?: boolean; signal?: AbortSignal }) =>
        opts.stream
          ? (async function* () {
              streamOpened();
              await new Promise((_, reject) => opts.signal!.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError', code: 'aborted' }))));
              yield undefined as never;
            })()
          : Promise.resolve({ id: 'v1_x', status: 'in_progress' }),
    } as unknown as InteractionsClient;
    const acts = createActivities({ client, resultStore: store, log: silentLogger });
    const env = new MockActivityEnvironment();
    const running = env.run(acts.followInteraction, { jobId: 'j', turn: 1, interactionId: 'v1_x', options: OPTIONS });
    // Cancel while the activity is inside its stream, not before it got there.
    await opened;
    env.cancel();
    await assert.rejects(running, (err: unknown) => err instanceof CancelledFailure);
  });
});
