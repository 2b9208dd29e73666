/** The emulator's per-credential quota: concurrency and rate refusals with Retry-After, per key, counted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { waitFor } from '../helpers/wait';

const research = { agent: 'deep-research-preview-04-2026', input: 'q', background: true } as const;

test('keyQuota refuses creates over the concurrency or the window with 429 + Retry-After, per credential', async () => {
  const emu = await startEmulator({
    timeScale: 600,
    deepResearchDurationMs: 5 * 60_000,
    keyQuota: { maxConcurrent: 2, createsPerWindow: 3, windowMs: 600_000, retryAfterSeconds: 2 },
  });
  try {
    const a = new InteractionsClient({ baseUrl: emu.url, apiKey: 'key-a', maxRetries: 0 });
    const b = new InteractionsClient({ baseUrl: emu.url, apiKey: 'key-b', maxRetries: 0 });
    const first = await a.create(research);
    await a.create(research);
    await assert.rejects(
      a.create(research),
      (e: { status?: number; retryAfterMs?: number; message?: string }) => e.status === 429 && e.retryAfterMs === 2000 && /not have enough quota/.test(e.message ?? ''),
    );
    await b.create(research); // another key has its own quota
    await waitFor(async () => ['completed'].includes(String((await a.get(first.id)).status)), 'first run done', 20_000);
    await waitFor(async () => emu.interactions().filter((i) => i.status === 'completed').length >= 2, 'both runs of key a done', 20_000);
    await a.create(research); // third create in the window: allowed
    await assert.rejects(a.create(research), (e: { status?: number; retryAfterMs?: number }) => e.status === 429 && (e.retryAfterMs ?? 0) >= 1000);
    const quota = Object.values(emu.counters().quota);
    assert.equal(quota.length, 2);
    const qa = quota.find((q) => q.admitted === 3)!;
    assert.deepEqual({ ...qa }, { admitted: 3, refusedRate: 1, refusedConcurrency: 1, peakConcurrent: 2, peakInWindow: 3 });
    assert.equal(emu.counters().creates, 4, 'refused creates create nothing');
    assert.ok(!JSON.stringify(emu.counters()).includes('key-a'), 'counters name a hash, not the key');
  } finally {
    await emu.close();
  }
});
