/**
 * The dev stack's promise: stopping and starting the emulator (as `npm start` / `gemini-jobs dev`
 * does on a restart) does not fail a running emulated job. A Deep Research job streams from an
 * emulator with a `stateDir`; mid-run the emulator is closed and another one is started on the
 * same port and directory; the job, on the real Temporal dev server, completes with the report
 * the run produces.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator';
import type { JobRequest } from '../../workflows/definitions';
import { releaseTestEnv } from '../helpers/temporal';
import { FAST, TEST_API_KEY, jobHarness, waitFor, type JobHarness } from '../jobs/job-harness';

let h: JobHarness;
let stateDir: string;
let second: Emulator | undefined;
const EMULATOR = { timeScale: 100, deepResearchDurationMs: 10 * 60_000, apiKey: TEST_API_KEY }; // a 6 s run

before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'gj-restart-'));
  h = await jobHarness('emu-restart', { ...EMULATOR, stateDir });
});
after(async () => {
  await second?.close();
  await h.close();
  await rm(stateDir, { recursive: true, force: true });
  await releaseTestEnv();
});

test('an emulator restarted mid-run on its state directory: the streaming job completes with its report', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const request = {
      agent: 'deep-research-preview-04-2026',
      input: 'survive an emulator restart',
      agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
    } as JobRequest;
    const handle = await h.start({ request, options: { ...FAST, mode: 'stream' } });
    const running = await waitFor(
      () => h.emulator.interactions().find((i) => i.request['input'] === 'survive an emulator restart' && i.events >= 8),
      'the run to be under way',
      60_000,
    );
    const port = h.emulator.port;
    await h.emulator.close();
    second = await startEmulator({ ...EMULATOR, stateDir, port });
    const result = await handle.result();
    assert.equal(result.status, 'completed');
    assert.equal(result.interactionId, running.id);
    const report = await h.store.get(result.report!);
    assert.equal(report?.toString('utf8'), second.canonicalReport(running.id));
    assert.equal(second.interactions().length, h.emulator.interactions().length, 'no run was created again');
  });
});
