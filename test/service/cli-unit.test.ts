/**
 * The CLI's own rules, in process and without a server: "did you mean" for mistyped commands,
 * flags and statuses; --deadline refused at 0, below 0 and past the API's run limit plus the
 * margin, saying why; help quoting the code's defaults; --version from package.json; status
 * text cut with an ellipsis and the cancel reason shown; list's question column and order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { AGENT_TURN_DEADLINE_MS } from '../../src/contract/constants';
import { describeState, listTable, parseDeadline } from '../../src/cli/commands/jobs';
import type { CliIO } from '../../src/cli/context';
import { COMMAND_HELP } from '../../src/cli/help';
import { runCli } from '../../src/cli/run';
import { closest } from '../../src/cli/suggest';
import type { JobSummary } from '../../src/jobs/jobs-client';
import type { JobState } from '../../workflows/definitions';
import { packageRoot } from '../helpers/temporal';

/** Runs the CLI in this process with captured streams; Temporal at a port nothing listens on. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const err = new PassThrough().on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const io: CliIO = { stdout: out, stderr: err, stdin: new PassThrough(), env: { TEMPORAL_ADDRESS: '127.0.0.1:1' }, onStop: () => () => undefined };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

test('a mistyped command, flag or status gets the closest one; an unrelated word gets none', async () => {
  const command = await cli(['stauts', 'job_1']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /unknown command "stauts"\. Did you mean "status"\?/);
  const flag = await cli(['start', '--thred', 'x', 'q']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--thred'\. Did you mean --thread\?/);
  const status = await cli(['list', '--status', 'complted']);
  assert.match(status.stderr, /Did you mean "completed"\?/);
  const unrelated = await cli(['frobnicate']);
  assert.match(unrelated.stderr, /unknown command "frobnicate"\n/);
  assert.doesNotMatch(unrelated.stderr, /Did you mean/);
  assert.equal(closest('wacth', ['watch', 'worker']), 'watch', 'a swap of two letters is one edit');
  assert.equal(closest('foll', ['follow-up', 'list']), 'follow-up', 'a unique prefix');
});

test('--deadline: 0 and negative values are refused by name; past the run limit plus the margin is refused with the reason', async () => {
  for (const [value, message] of [
    ['0s', /--deadline must be longer than 0 \(got "0s"\)/],
    ['-5m', /--deadline must be positive \(got "-5m"\)/],
    ['60', /--deadline must be a duration with a unit/],
    ['2h', /--deadline 2h is past the API's 60-minute run limit plus a 10-minute margin: the API ends a run after 60 minutes.*at most 70m/],
  ] as const) {
    const run = await cli(['start', '--deadline', value, 'q']);
    assert.equal(run.code, 2, `${value}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /ambiguous/);
  }
  const equals = await cli(['start', '--deadline=-5m', 'q']);
  assert.match(equals.stderr, /--deadline must be positive/);
  assert.equal(parseDeadline('70m'), AGENT_TURN_DEADLINE_MS, 'the limit itself is accepted');
  assert.equal(parseDeadline('20m'), 20 * 60_000);
});

test("help quotes the agents default deadline from the code; --version is package.json's", async () => {
  assert.ok(COMMAND_HELP.start!.includes(`default ${AGENT_TURN_DEADLINE_MS / 60_000}m agents`), COMMAND_HELP.start);
  const version = await cli(['--version']);
  assert.equal(version.stdout.trim(), (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version);
});

test('status cuts long text at a word with an ellipsis and shows why a job was cancelled', () => {
  const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
  const state: JobState = {
    jobId: 'job_1',
    phase: 'done',
    status: 'cancelled',
    turn: 1,
    turns: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    elapsedMs: 1_000,
    progress: { eventsApplied: 3, outputChars: 10, latestThought: words },
    error: { code: 'cancelled', message: words },
    cancelReason: 'user closed the tab',
  };
  const lines = describeState(state, true);
  const thought = lines.find((l) => l.includes('thought:'))!;
  const error = lines.find((l) => l.includes('error:'))!;
  for (const line of [thought, error]) {
    assert.ok(line.endsWith('…'), line);
    assert.match(line, /word\d+…$/, 'cut after a whole word');
  }
  assert.ok(lines.includes('  cancelled:    user closed the tab'));
});

test('list shows the question and when each job ended, in visibility order', () => {
  const job = (id: string, startTime: string, closeTime?: string, question?: string): JobSummary => ({
    jobId: id,
    runId: 'r',
    executionStatus: closeTime ? 'COMPLETED' : 'RUNNING',
    status: closeTime ? 'completed' : 'running',
    startTime,
    ...(closeTime ? { closeTime } : {}),
    ...(question ? { question } : {}),
  });
  const long = 'How do heat pumps work in cold climates, and what do they cost to run compared with gas boilers over ten years?';
  const rows = listTable(
    [
      job('job_open', '2026-01-01T10:00:00.000Z'),
      job('job_late', '2026-01-01T08:00:00.000Z', '2026-01-01T09:30:00.000Z', long),
      job('job_early', '2026-01-01T09:00:00.000Z', '2026-01-01T09:10:00.000Z', 'Short?'),
    ],
    false,
    120,
  );
  assert.match(rows[0]!, /^JOB ID +STATUS +AGENT +THREAD +STARTED +ENDED +QUESTION$/);
  assert.deepEqual(
    rows.slice(1).map((r) => r.split(' ')[0]),
    ['job_open', 'job_late', 'job_early'],
    'the order visibility returned: open first, then most recently ended',
  );
  assert.match(rows[2]!, /2026-01-01T09:30:00\.000Z +How do heat pumps/);
  assert.ok(rows[2]!.endsWith('…') && rows[2]!.length <= 120, rows[2]);
  assert.ok(rows[3]!.endsWith('Short?'));
});

test('schedule and callback flags are refused by name before connecting: bad cron, no timing, both timings, unknown subcommand, ftp callback', async () => {
  const cron = await cli(['schedule', 'create', '--cron', '0 25 * * *', 'q']);
  assert.equal(cron.code, 2);
  assert.match(cron.stderr, /cron: hour "25" is outside 0–23\. Use five fields/);
  const none = await cli(['schedule', 'create', 'q']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /pass --cron .* or --every <duration>/);
  const both = await cli(['schedule', 'create', '--cron', '@daily', '--every', '1h', 'q']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --cron or --every, not both/);
  const every = await cli(['schedule', 'create', '--every', '500ms', 'q']);
  assert.equal(every.code, 2);
  assert.match(every.stderr, /everyMs: must be a whole number of milliseconds from 1000/);
  const sub = await cli(['schedule', 'pase', 'x']);
  assert.equal(sub.code, 2);
  assert.match(sub.stderr, /unknown subcommand "pase"\. Did you mean "pause"\?/);
  const callback = await cli(['start', '--callback-url', 'ftp://example.com/x', 'q']);
  assert.equal(callback.code, 2);
  assert.match(callback.stderr, /--callback-url: must be http or https, got ftp/);
  const events = await cli(['start', '--callback-url', 'https://example.com/x', '--callback-events', 'settled,done', 'q']);
  assert.equal(events.code, 2);
  assert.match(events.stderr, /--callback-events: "done" is not a callback event/);
  assert.match(COMMAND_HELP.schedule!, /--chain/);
});
