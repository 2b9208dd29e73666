/**
 * Chaos, small: 4 Deep Research jobs while the worker child process is SIGKILLed 5 times at seeded
 * random moments (restarted at once) and a private sqlite-persisted Temporal dev server is killed
 * and restarted in the middle (under `npm run test:cluster`: the real Temporal server process on
 * PostgreSQL instead). Every job must complete with the canonical report, every stream
 * event applied exactly once, exactly one interaction each. The full-size run is
 * `node dist/bench/chaos.js --jobs 100 --kills 100` (bench/lib/chaos.ts is shared).
 *
 * Kills start once every job has created its interaction: the create's documented duplicate
 * window (worker death between the POST's answer and the activity's completion reaching Temporal)
 * is measured by the bench, not asserted here, so this test cannot flake on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatChaosReport, runChaos } from '../../bench/lib/chaos';
import { clusterServer, clusterState } from '../helpers/cluster';

test('worker SIGKILLed 5 times and the Temporal server restarted: no job lost, no event applied twice or missed, one interaction per job', { timeout: 180_000 }, async () => {
  const report = await runChaos({
    jobs: 4,
    kills: 5,
    seed: 7,
    runSeconds: 8,
    meanKillGapMs: 1_500,
    killDuringCreates: false,
    serverRestart: true,
    // Under `npm run test:cluster` the restart hits the real Temporal server on PostgreSQL.
    ...(clusterState() ? { server: clusterServer() } : {}),
    settleTimeoutMs: 90_000,
    tag: 'proof-chaos',
    ...(process.env.TEST_VERBOSE ? { log: (line: string) => process.stderr.write(`[chaos] ${line}\n`) } : {}),
  });
  const summary = formatChaosReport(report).join('\n');
  assert.ok(report.kills >= 5, `at least 5 kills delivered\n${summary}`);
  assert.equal(report.serverRestarts, 1, summary);
  assert.equal(report.lost, 0, `lost jobs\n${summary}`);
  assert.equal(report.completed, 4, summary);
  assert.equal(report.reportMismatch, 0, `reports differ from canonicalReport\n${summary}`);
  assert.equal(report.eventsDuplicated, 0, `events applied twice\n${summary}`);
  assert.equal(report.eventsMissing, 0, `events missing\n${summary}`);
  assert.equal(report.duplicateInteractions, 0, `duplicate interactions\n${summary}`);
  assert.equal(report.missingInteractions, 0, summary);
  assert.equal(report.orphanInteractions, 0, summary);
  // The kills really interrupted the streams: each job resumed at least once on average.
  assert.ok(report.streamRequestsPerJob > 1, `streams were resumed after kills\n${summary}`);
});
