/**
 * Scale check for the emulator: N concurrent background Deep Research runs, each with a live
 * SSE stream, all in one process (client and server share the 2 cores). Prints figures, asserts
 * nothing. Run: node dist/bench/emulator-scale.js [streams=1000] [timeScale=600] [durationMs=600000]
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { startEmulator } from '../src/emulator';
import { runMain } from './lib/run-main';

async function main(): Promise<void> {
  const streams = Number(process.argv[2] ?? 1000);
  const timeScale = Number(process.argv[3] ?? 600);
  const durationMs = Number(process.argv[4] ?? 600_000);
  const emu = await startEmulator({ timeScale, deepResearchDurationMs: durationMs });
  const dispatcher = new Agent({ connections: streams + 10, headersTimeout: 0, bodyTimeout: 0 });
  const headers = { 'content-type': 'application/json', 'x-goog-api-key': 'bench' };
  const t0 = performance.now();
  let bytes = 0;
  let completed = 0;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      const res = await request(`${emu.url}/v1beta/interactions`, {
        method: 'POST',
        dispatcher,
        headers,
        body: JSON.stringify({
          agent: 'deep-research-preview-04-2026',
          input: `Scale topic ${i % 50}`,
          background: true,
          stream: true,
          agent_config: { type: 'deep-research', thinking_summaries: 'auto' },
        }),
      });
      let tail = '';
      for await (const chunk of res.body) {
        bytes += chunk.length;
        tail = (tail + chunk.toString()).slice(-200);
      }
      if (tail.includes('"event_type":"interaction.completed"')) completed++;
    }),
  );
  const wallMs = performance.now() - t0;
  clearInterval(sampler);
  const c = emu.counters();
  console.log(
    JSON.stringify(
      {
        streams,
        completed,
        timeScale,
        emulatedRunMs: durationMs,
        expectedWallMs: Math.round(durationMs / timeScale),
        wallMs: Math.round(wallMs),
        eventsSent: c.eventsSent,
        eventsPerSecond: Math.round(c.eventsSent / (wallMs / 1000)),
        megabytes: +(bytes / 1048576).toFixed(1),
        peakRssMB: Math.round(peakRss / 1048576),
      },
      null,
      2,
    ),
  );
  await dispatcher.close();
  await emu.close();
}

runMain(main);
