/**
 * The bare-stream floor of a followed job's memory: N Deep Research runs on a fresh emulator
 * (same run length, time scale and seed as the load bench's jobs), followed by a bare Node child
 * (bench/lib/stream-floor-child.ts: undici, split, JSON.parse, nothing else) holding all N
 * streams at once. Its RSS is read the same way as the worker child's, so the two compare.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { request } from 'undici';
import { startEmulator } from '../../src/emulator';
import { DR_AGENT } from './jobs';
import { ProcSampler, readRssBytes } from './proc';
import { mapLimit, sleep } from './stats';

export const STREAM_FLOOR_CHILD = join(__dirname, 'stream-floor-child.js');

export interface StreamFloorResult {
  streams: number;
  events: number;
  /** RSS after loading undici, before any stream (bytes). */
  idleRssBytes: number;
  peakRssBytes: number;
  /** Median RSS over the middle of the run (30 % to 70 % of the run after the streams opened), bytes. */
  midRunRssBytes: number;
  cpuSeconds: number;
  wallMs: number;
}

/** Same-window memory per stream (KB): (RSS − idle RSS) / streams. */
export function perStreamKb(rssBytes: number, idleRssBytes: number, streams: number): number {
  return (rssBytes - idleRssBytes) / 1024 / streams;
}

export async function runStreamFloor(opts: { streams: number; runSeconds: number; emulatedMs: number; seed: number; apiKey?: string }): Promise<StreamFloorResult> {
  const apiKey = opts.apiKey ?? 'stream-floor-key';
  const emulator = await startEmulator({ timeScale: opts.emulatedMs / (opts.runSeconds * 1000), deepResearchDurationMs: opts.emulatedMs, apiKey, seed: opts.seed });
  const child = spawn(process.execPath, [STREAM_FLOOR_CHILD], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines: string[] = [];
    let partial = '';
    const waiters: Array<() => void> = [];
    child.stdout.on('data', (d: Buffer) => {
      const parts = (partial + d.toString('utf8')).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      for (const w of waiters.splice(0)) w();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const line = async (key: string): Promise<Record<string, unknown>> => {
      for (;;) {
        const found = lines.find((l) => l.includes(`"${key}":true`));
        if (found) return JSON.parse(found) as Record<string, unknown>;
        const code = await Promise.race([exited, new Promise<'more'>((resolve) => waiters.push(() => resolve('more')))]);
        if (code !== 'more') throw new Error(`stream floor child exited (${code}) before "${key}"`);
      }
    };
    await line('ready');
    await sleep(1_000);
    const idleRssBytes = readRssBytes(child.pid!) ?? 0;
    const ids = await mapLimit(
      Array.from({ length: opts.streams }, (_, i) => i),
      50,
      async (i) => {
        const res = await request(`${emulator.url}/v1/interactions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-goog-api-key': apiKey },
          body: JSON.stringify({ agent: DR_AGENT, input: `floor stream ${i}`, background: true, store: true, agent_config: { type: 'deep-research', thinking_summaries: 'auto' } }),
        });
        return ((await res.body.json()) as { id: string }).id;
      },
    );
    // Its idle RSS is read; now the streams: the runs (already going) are replayed from their start.
    const sampler = new ProcSampler(500);
    sampler.track(child.pid!);
    const t0 = Date.now();
    child.stdin.write(JSON.stringify({ ids, url: emulator.url, apiKey }) + '\n');
    const done = await line('done');
    const wallMs = Date.now() - t0;
    const usage = sampler.stop();
    const runMs = opts.runSeconds * 1000;
    const events = emulator.interactions().reduce((sum, i) => sum + i.events, 0);
    if (done.events !== events) throw new Error(`stream floor parsed ${String(done.events)} events, the emulator emitted ${events}`);
    return {
      streams: opts.streams,
      events,
      idleRssBytes,
      peakRssBytes: usage.peakRssBytes,
      midRunRssBytes: sampler.medianRssBetween(t0 + 0.3 * runMs, t0 + 0.7 * runMs),
      cpuSeconds: usage.cpuSeconds,
      wallMs,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await emulator.close();
  }
}
