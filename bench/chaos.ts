/**
 * Chaos bench: M jobs while the worker child is SIGKILLed at seeded random moments (restarted at
 * once) and the sqlite-persisted Temporal dev server is killed and restarted in the middle; then
 * every job is checked (see bench/lib/chaos.ts). Exit code 1 if anything was lost, duplicated or
 * missing.
 *
 *   node dist/bench/chaos.js --jobs 100 --kills 100 [--mean-gap-ms 3000] [--run-seconds 90] [--seed 1]
 */
import { numberFlag, parseFlags } from './lib/args';
import { chaosClean, formatChaosReport, runChaos } from './lib/chaos';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/chaos.js [options]
  --jobs M              jobs (default 100)
  --kills K             worker SIGKILLs, at least (default 100)
  --mean-gap-ms MS      mean time between kills; each gap uniform in [0.25, 1.75] x mean (default 3000)
  --run-seconds S       wall duration of one emulated Deep Research run (default: 30 % of the kill period, at most 120)
  --start-spread-ms MS  start jobs over this long so creates also meet kills (default: 60 % of the kill period)
  --no-server-restart   do not restart the Temporal dev server in the middle
  --seed N              seed of the kill moments and emulator content (default 1)
  --worker-log FILE     append every worker log line (all incarnations) and each kill to FILE`;

async function main(): Promise<void> {
  const f = parseFlags(
    {
      jobs: { type: 'string' },
      kills: { type: 'string' },
      'mean-gap-ms': { type: 'string' },
      'run-seconds': { type: 'string' },
      'start-spread-ms': { type: 'string' },
      'no-server-restart': { type: 'boolean' },
      seed: { type: 'string' },
      'worker-log': { type: 'string' },
    },
    USAGE,
  );
  const jobs = Math.round(numberFlag(f, 'jobs', 100, 1));
  const kills = Math.round(numberFlag(f, 'kills', 100, 0));
  const meanKillGapMs = numberFlag(f, 'mean-gap-ms', 3_000, 100);
  const killPeriodMs = kills * meanKillGapMs;
  const runSeconds = numberFlag(f, 'run-seconds', Math.max(10, Math.min(120, (0.3 * killPeriodMs) / 1000)), 1);
  const startSpreadMs = numberFlag(f, 'start-spread-ms', 0.6 * killPeriodMs, 0);
  const seed = Math.round(numberFlag(f, 'seed', 1));
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(`[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  log(`${jobs} jobs, >= ${kills} worker SIGKILLs (mean gap ${meanKillGapMs} ms), runs of ${runSeconds} s, starts spread over ${(startSpreadMs / 1000).toFixed(0)} s, seed ${seed}`);
  const report = await runChaos({
    jobs,
    kills,
    seed,
    runSeconds,
    meanKillGapMs,
    startSpreadMs,
    serverRestart: !f['no-server-restart'],
    settleTimeoutMs: Math.max(5 * 60_000, 3 * runSeconds * 1000),
    log,
    ...(typeof f['worker-log'] === 'string' ? { workerLogFile: f['worker-log'] } : {}),
  });
  process.stdout.write(
    `gemini-jobs chaos: ${jobs} jobs, worker SIGKILLed ${report.kills} times at seeded random moments, Temporal dev server restarted ${report.serverRestarts} time(s)\n`,
  );
  process.stdout.write(formatChaosReport(report).join('\n') + '\n');
  const clean = chaosClean(report);
  process.stdout.write(`RESULT: ${clean ? 'PASS (nothing lost, duplicated or missing)' : 'FAIL'}\n`);
  process.exitCode = clean ? 0 : 1;
}

runMain(main);
