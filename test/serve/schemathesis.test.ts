/**
 * The HTTP API against its own OpenAPI document, judged by schemathesis (PyPI,
 * test/python/requirements.txt): every phase (examples, coverage, fuzzing, stateful with the
 * document's links), every check, against a live `serve` on the real Temporal dev server with a
 * worker and the emulator, so started jobs really run. Zero failures expected; the summary
 * (requests, checks, links covered) is printed as a diagnostic. Skipped, saying how to install
 * it, when the virtualenv lacks schemathesis.
 *
 * The server runs with short stream and wait limits (--max-stream-seconds, --max-wait-seconds)
 * so that no generated request waits for a job to end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packageRoot, releaseTestEnv } from '../helpers/temporal';
import { startJobsServer } from '../../src/serve/server';
import type { JobsServer } from '../../src/serve/server';
import { serveHarness } from './harness';
import type { ServeHarness } from './harness';

const python = process.env.GEMINI_JOBS_PYTHON ?? join(packageRoot, '.tools', 'venv', 'bin', 'python');
const st = join(dirname(python), 'st');
const skip = existsSync(st)
  ? false
  : 'no schemathesis: `python3 -m venv .tools/venv && .tools/venv/bin/pip install -r test/python/requirements.txt` (.ci/run does this), or set GEMINI_JOBS_PYTHON; the schemathesis test is skipped';

let h: ServeHarness;
let served: JobsServer;
before(async () => {
  if (skip) return;
  // Deep Research in 3 s of real time; model turns at once.
  h = await serveHarness('schemathesis', {}, { deepResearchDurationMs: 5 * 60_000 });
  served = await startJobsServer({ jobs: h.jobs, tokens: [h.token], port: 0, watchPollIntervalMs: 200, maxStreamMs: 2_000, maxWaitMs: 2_000 });
});
after(async () => {
  await served?.close();
  await h?.close();
  await releaseTestEnv();
});

/** Runs `st` in `cwd` (it keeps a cache of crashes there). */
function run(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

test('schemathesis: every phase and check, stateful links included, finds nothing', { skip, timeout: 30 * 60_000 }, async (t) => {
  const reports = mkdtempSync(join(tmpdir(), 'gj-schemathesis-'));
  const { code, output } = await run(
    [
      '--config-file',
      join(packageRoot, 'test', 'serve', 'schemathesis.toml'),
      'run',
      `${served.url}/v1/openapi.json`,
      '--header',
      `Authorization: Bearer ${h.token}`,
      '--checks',
      'all',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      process.env.GEMINI_JOBS_SCHEMATHESIS_EXAMPLES ?? '30',
      '--seed',
      process.env.GEMINI_JOBS_SCHEMATHESIS_SEED ?? '20261207',
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--report',
      'junit,ndjson',
      '--report-dir',
      reports,
      '--no-color',
      '--output-truncate',
      'true',
    ],
    { ...process.env, SCHEMATHESIS_HOOKS: 'schemathesis_hooks', PYTHONPATH: join(packageRoot, 'test', 'python') },
    reports,
  );
  writeFileSync(join(reports, 'output.txt'), output);
  const summary = output.slice(output.lastIndexOf('SUMMARY') >= 0 ? output.lastIndexOf('SUMMARY') : -4000);
  for (const line of summary.trim().split('\n')) t.diagnostic(line);
  const junitFile = readdirSync(reports).find((f) => f.startsWith('junit'));
  const junit = junitFile ? readFileSync(join(reports, junitFile), 'utf8') : '';
  t.diagnostic(`junit: ${/<testsuites[^>]*>/.exec(junit)?.[0] ?? 'missing'}; full output: ${join(reports, 'output.txt')}`);
  const stats = reportStats(reports);
  t.diagnostic(`requests ${stats.requests}, checks ${stats.checks} (${stats.failedChecks} failed), statuses ${JSON.stringify(stats.statuses)}`);
  // The failures first (a CI log keeps only part of a long message), then the tail.
  const failures = output.indexOf('FAILURES');
  assert.equal(code, 0, `${failures >= 0 ? output.slice(failures, failures + 8_000) : ''}\n…\n${output.slice(-6_000)}`);
  const links = /API Links:\s+(\d+) covered \/ (\d+) selected/.exec(output);
  assert.ok(links, 'the stateful phase ran over the links');
  t.diagnostic(`stateful links: ${links[1]} covered of ${links[2]}`);
  assert.ok(Number(links[1]) >= 7, 'the stateful phase followed links from a started job');
  assert.equal(stats.failedChecks, 0);
});

/** Requests, checks and statuses from the NDJSON report. */
function reportStats(dir: string): { requests: number; checks: number; failedChecks: number; statuses: Record<string, number> } {
  const file = readdirSync(dir).find((f) => f.startsWith('ndjson'));
  const out = { requests: 0, checks: 0, failedChecks: 0, statuses: {} as Record<string, number> };
  if (!file) return out;
  for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
    if (!line.startsWith('{"ScenarioFinished"')) continue;
    const recorder = (JSON.parse(line) as { ScenarioFinished: { recorder: Recorder } }).ScenarioFinished.recorder;
    for (const interaction of Object.values(recorder.interactions ?? {})) {
      out.requests++;
      const status = String(interaction.response?.status_code ?? 'none');
      out.statuses[status] = (out.statuses[status] ?? 0) + 1;
    }
    for (const checks of Object.values(recorder.checks ?? {})) {
      for (const check of checks) {
        out.checks++;
        if (check.status !== 'success') out.failedChecks++;
      }
    }
  }
  return out;
}

interface Recorder {
  interactions?: Record<string, { response?: { status_code: number } }>;
  checks?: Record<string, Array<{ status: string }>>;
}
