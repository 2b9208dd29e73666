/**
 * The bare-stream floor alone: N concurrent Deep Research streams held by a bare Node process
 * (undici, split, JSON.parse) against the emulator; prints its idle RSS and RSS per stream.
 * `jobs-load.ts --floor` runs the same floor in the same run as the worker, to compare.
 *
 *   node dist/bench/stream-floor.js [--streams 1000] [--run-seconds 180] [--seed 1]
 */
import { numberFlag, parseFlags } from './lib/args';
import { runMain } from './lib/run-main';
import { mb } from './lib/stats';
import { perStreamKb, runStreamFloor } from './lib/stream-floor';

const USAGE = 'Usage: node dist/bench/stream-floor.js [--streams 1000] [--run-seconds 180] [--seed 1]';

async function main(): Promise<void> {
  const f = parseFlags({ streams: { type: 'string' }, 'run-seconds': { type: 'string' }, seed: { type: 'string' } }, USAGE);
  const streams = Math.round(numberFlag(f, 'streams', 1000, 1));
  const runSeconds = numberFlag(f, 'run-seconds', 180, 1);
  const r = await runStreamFloor({ streams, runSeconds, emulatedMs: 20 * 60_000, seed: Math.round(numberFlag(f, 'seed', 1)) });
  process.stdout.write(
    [
      `bare-stream floor: ${streams} concurrent 20-minute Deep Research streams in ${runSeconds} s, ${r.events} events parsed, ${r.cpuSeconds.toFixed(1)} s CPU`,
      `idle RSS ${mb(r.idleRssBytes)}, peak ${mb(r.peakRssBytes)}, mid-run median ${mb(r.midRunRssBytes)}`,
      `per stream: ${perStreamKb(r.peakRssBytes, r.idleRssBytes, streams).toFixed(0)} KB at peak, ${perStreamKb(r.midRunRssBytes, r.idleRssBytes, streams).toFixed(0)} KB mid-run`,
    ].join('\n') + '\n',
  );
}

runMain(main);
