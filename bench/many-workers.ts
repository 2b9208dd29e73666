/**
 * Many-workers bench on the real cluster: N worker processes share a task queue, one is stopped
 * mid-run (SIGKILL for good, then in a second round SIGTERM), and the time until its follow
 * activities run again on a surviving worker is printed next to the heartbeat timeout and the
 * shutdown grace it is bounded by (see bench/lib/many-workers.ts). Exit code 1 if a job ended wrong.
 *
 *   node scripts/cluster.mjs up     # prints the address
 *   node dist/bench/many-workers.js --address 127.0.0.1:PORT [--jobs 12] [--workers 3] [--heartbeat-ms 4000] [--grace-ms 2000]
 *   node scripts/cluster.mjs down
 */
import { numberFlag, parseFlags } from './lib/args';
import { runManyWorkers, type ManyWorkersReport } from './lib/many-workers';
import { median } from './lib/stats';
import { runMain } from './lib/run-main';

const USAGE = `Usage: node dist/bench/many-workers.js --address HOST:PORT [options]
  --address HOST:PORT  a running Temporal server (node scripts/cluster.mjs up prints it)
  --jobs N             Deep Research jobs per round (default 12)
  --workers W          worker processes on the task queue (default 3)
  --heartbeat-ms MS    follow activity heartbeat timeout in the SIGKILL round (default 4000)
  --grace-ms MS        worker shutdown grace in the SIGTERM round (default 2000)
  --run-seconds S      wall duration of one emulated 20-minute run (default 60)`;

function describe(r: ManyWorkersReport): string[] {
  const resumed = r.handovers.filter((h) => h.resumedOnSurvivor).map((h) => h.resumedMs);
  const scheduled = r.handovers.map((h) => h.retryScheduledMs);
  const bound = r.mode === 'sigkill' ? r.heartbeatTimeoutMs : r.shutdownGraceMs;
  const v = r.verification;
  return [
    `${r.mode}: ${r.workers} workers, follow activities per worker pid at the stop ${JSON.stringify(r.spreadAtStop)}; victim ${r.victimPid} ran ${r.victimJobs}`,
    `  victim exit after ${r.victimExit.ms} ms (code ${r.victimExit.code}, signal ${r.victimExit.signal})`,
    `  next attempt scheduled after  median ${median(scheduled)} ms, max ${Math.max(...scheduled)} ms  (${(median(scheduled) / bound).toFixed(2)}x the ${r.mode === 'sigkill' ? 'heartbeat timeout' : 'shutdown grace'} of ${bound} ms)`,
    `  running on a survivor after   median ${median(resumed)} ms, max ${Math.max(...resumed)} ms  (${resumed.length}/${r.victimJobs} resumed; max - bound = ${Math.max(...resumed) - bound} ms)`,
    `  last failure of the victim's attempts: ${[...new Set(r.handovers.map((h) => h.lastFailure))].join(', ')}; bystander jobs disturbed ${r.bystandersDisturbed}`,
    `  jobs ${v.total}: completed ${v.completed}, report mismatches ${v.reportMismatch}, events duplicated ${v.eventsDuplicated} / missing ${v.eventsMissing}, interactions created ${r.creates}; wall ${(r.wallMs / 1000).toFixed(1)} s`,
  ];
}

async function main(): Promise<void> {
  const f = parseFlags(
    {
      address: { type: 'string' },
      jobs: { type: 'string' },
      workers: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'grace-ms': { type: 'string' },
      'run-seconds': { type: 'string' },
    },
    USAGE,
  );
  const address = typeof f.address === 'string' ? f.address : process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error(`--address is required (start the cluster with \`node scripts/cluster.mjs up\`)\n${USAGE}`);
  const jobs = Math.round(numberFlag(f, 'jobs', 12, 1));
  const workers = Math.round(numberFlag(f, 'workers', 3, 2));
  const heartbeatTimeoutMs = numberFlag(f, 'heartbeat-ms', 4_000, 1_000);
  const shutdownGraceMs = numberFlag(f, 'grace-ms', 2_000, 0);
  const runSeconds = numberFlag(f, 'run-seconds', 60, 10);
  const t0 = Date.now();
  const log = (line: string) => process.stderr.write(`[many-workers ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const kill = await runManyWorkers({ address, mode: 'sigkill', jobs, workers, heartbeatTimeoutMs, shutdownGraceMs: 1_000, runSeconds, tag: 'bench-kill', log });
  // SIGTERM round: a 10-minute heartbeat timeout, so only the worker's own handover can move the jobs.
  const term = await runManyWorkers({ address, mode: 'sigterm', jobs, workers, heartbeatTimeoutMs: 600_000, shutdownGraceMs, runSeconds, tag: 'bench-term', log });
  process.stdout.write(`gemini-jobs many-workers on ${address}: ${jobs} Deep Research jobs per round (20 emulated minutes in ${runSeconds} s)\n`);
  process.stdout.write([...describe(kill), ...describe(term)].join('\n') + '\n');
  const ok = [kill, term].every(
    (r) =>
      r.verification.completed === jobs && r.verification.reportMismatch === 0 && r.creates === jobs && r.verification.eventsDuplicated === 0 && r.verification.eventsMissing === 0,
  );
  process.exit(ok ? 0 : 1);
}

runMain(main);
