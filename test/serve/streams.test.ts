/**
 * Event-stream slots of `serve` on a running job (real Temporal, worker and emulator): a slot is
 * taken before the route awaits anything and given back on every way out, so clients that drop
 * at any point of the handshake leave no slot and no watch lease behind, and 500 simultaneous
 * requests are held to the cap (the rest answered 503 `too_many_streams`). A stream also ends at
 * the server's stream lifetime, and the client resumes after its last event without a repeat.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { releaseTestEnv } from '../helpers/temporal';
import { startJobsServer } from '../../src/serve/server';
import type { JobsServer, JobsServerOptions } from '../../src/serve/server';
import { watchLeaseWorkflowId } from '../../workflows/watch-lease-definitions';
import { DR_AGENT, FAST, readSse, serveHarness, waitFor } from './harness';
import type { ServeHarness } from './harness';
import { rawConnect, sleep } from './raw-http';

let h: ServeHarness;
let jobId: string;
before(async () => {
  // "long": 60 minutes of Deep Research at 100× (36 s), so the job runs through every test.
  h = await serveHarness('streams', {}, { scenarios: { long: { deepResearchDurationMs: 60 * 60_000 } } });
  const started = await h.call('/v1/jobs', {
    json: { request: { agent: DR_AGENT, input: `streams ${randomUUID()}`, labels: { 'emulator-scenario': 'long' } }, options: FAST },
  });
  jobId = ((await started.json()) as { jobId: string }).jobId;
  await waitFor(async () => ((await (await h.call(`/v1/jobs/${jobId}`)).json()) as { phase: string }).phase === 'streaming', 'the job streaming', 60_000);
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

async function server(maxEventStreams: number, extra: Partial<JobsServerOptions> = {}): Promise<JobsServer> {
  return startJobsServer({ jobs: h.jobs, tokens: [h.token], port: 0, watchPollIntervalMs: 200, maxEventStreams, ...extra });
}

async function leaseRunning(): Promise<boolean> {
  try {
    return (await h.env.client.workflow.getHandle(watchLeaseWorkflowId(jobId)).describe()).status.name === 'RUNNING';
  } catch {
    return false;
  }
}

test('clients that drop at every point of the handshake leave no stream slot and no watch lease', async () => {
  const s = await server(5);
  try {
    const request = `GET /v1/jobs/${jobId}/events HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\nAuthorization: Bearer ${h.token}\r\n\r\n`;
    const drops: Array<{ name: string; run: () => Promise<void> }> = [
      { name: 'connect only', run: async () => (await rawConnect(s.url)).destroy() },
      {
        name: 'half the headers',
        run: async () => {
          const c = await rawConnect(s.url);
          c.write(request.slice(0, 40));
          c.destroy();
        },
      },
      // The window the slot leak lived in: gone while the route reads the job's state.
      ...[0, 1, 2, 5, 10, 20, 50].map((ms) => ({
        name: `request, then gone after ${ms} ms`,
        run: async () => {
          const c = await rawConnect(s.url);
          c.write(request);
          if (ms > 0) await sleep(ms);
          c.destroy();
        },
      })),
      {
        name: 'gone after the response headers',
        run: async () => {
          const c = await rawConnect(s.url);
          c.write(request);
          await waitFor(async () => c.status() !== undefined, 'the status line');
          c.destroy();
        },
      },
      {
        name: 'gone after the first event',
        run: async () => {
          const c = await rawConnect(s.url);
          c.write(request);
          await waitFor(async () => /\nid: \d+/.test(c.received()), 'the first event');
          c.destroy();
        },
      },
    ];
    for (const drop of drops) {
      // Five at once each time: with a cap of 5, one leaked slot makes a later round answer 503.
      await Promise.all(Array.from({ length: 5 }, () => drop.run()));
      await waitFor(async () => s.handler.openEventStreams === 0, `every slot back after "${drop.name}"`);
    }
    // Every slot is free: five streams open at once.
    const aborts = Array.from({ length: 5 }, () => new AbortController());
    const streams = await Promise.all(aborts.map((a) => h.call(`/v1/jobs/${jobId}/events`, { signal: a.signal }).then((r) => r.status)));
    assert.deepEqual(streams, [200, 200, 200, 200, 200]);
    for (const a of aborts) a.abort();
    await waitFor(async () => s.handler.openEventStreams === 0, 'the five streams closed');
    await waitFor(async () => !(await leaseRunning()), 'the watch lease given back', 30_000);
  } finally {
    await s.close();
  }
});

test('500 simultaneous event streams are held to the cap: the rest are answered 503 too_many_streams', async () => {
  const cap = 50;
  // Every one of the 500 connections reaches the route (the unauthenticated cap is not under test here).
  const s = await server(cap, { limits: { maxConnections: 1_000, maxUnauthenticatedConnections: 1_000 } });
  let most = 0;
  const sampler = setInterval(() => (most = Math.max(most, s.handler.openEventStreams)), 2);
  const aborts = Array.from({ length: 500 }, () => new AbortController());
  try {
    const statuses = await Promise.all(
      aborts.map(async (abort) => {
        try {
          const res = await fetch(`${s.url}/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${h.token}` }, signal: abort.signal });
          if (res.status !== 200) {
            const body = (await res.json()) as { error: { code: string } };
            return `${res.status} ${body.error.code} ${res.headers.get('retry-after')}`;
          }
          return '200';
        } catch (err) {
          return `error ${(err as Error).message}`;
        }
      }),
    );
    const counts = statuses.reduce<Record<string, number>>((acc, s) => ((acc[s] = (acc[s] ?? 0) + 1), acc), {});
    assert.ok((counts['200'] ?? 0) <= cap, `at most ${cap} admitted: ${JSON.stringify(counts)}`);
    assert.ok((counts['200'] ?? 0) >= 1, JSON.stringify(counts));
    assert.equal((counts['200'] ?? 0) + (counts['503 too_many_streams 5'] ?? 0), 500, JSON.stringify(counts));
    assert.ok(most <= cap, `never more than ${cap} slots taken (saw ${most})`);
  } finally {
    clearInterval(sampler);
    for (const a of aborts) a.abort();
    await waitFor(async () => s.handler.openEventStreams === 0, 'every stream closed');
    await s.close();
  }
});

test('a stream ends at the server stream lifetime and resumes after its last event without repeating', async () => {
  const s = await server(10, { maxStreamMs: 1_500 });
  try {
    const seen: string[] = [];
    let lastId: string | undefined;
    for (let round = 0; round < 3; round++) {
      const res = await fetch(`${s.url}/v1/jobs/${jobId}/events?until=close`, {
        headers: { authorization: `Bearer ${h.token}`, ...(lastId ? { 'last-event-id': lastId } : {}) },
      });
      assert.equal(res.status, 200);
      // The stream ends by itself (the lifetime), not by the job: it runs for minutes more.
      for (const m of await readSse(res)) {
        if (m.id !== undefined) {
          assert.ok(!seen.includes(m.id), `event ${m.id} delivered once`);
          if (lastId !== undefined) assert.ok(Number(m.id) > Number(lastId), 'positions only grow');
          seen.push(m.id);
          lastId = m.id;
        }
      }
    }
    assert.ok(seen.length >= 2, `events across three streams: ${seen.length}`);
    assert.equal(s.handler.openEventStreams, 0);
  } finally {
    await s.close();
  }
});
