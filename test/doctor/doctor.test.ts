/**
 * `gemini-jobs doctor` as a child process against the emulator over real HTTP: the lines it
 * prints, its exit codes, its spend ledger against the emulator's own counters, cleanup, the
 * cost gate of --deep-research, the spend cap, and that no credential reaches its output or its
 * wire transcripts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '../../src/emulator';
import { runDoctor, type DoctorReport } from '../../src/doctor';
import { runCli as runCliInProcess } from '../../src/cli/run';
import type { CliIO } from '../../src/cli/context';
import { runCli } from '../helpers/cli';
import { fakeApiKey } from '../helpers/fake-credentials';
import { packageRoot } from '../helpers/temporal';

const KEY = fakeApiKey('SyDoctorProbeKey_0123456789abcdefghij');
let emu: Emulator;
let dir: string;

/** Emulated durations chosen so a model turn is still running when the cancel lands. */
async function emulator(extra: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  return startEmulator({ timeScale: 10, modelTurnDurationMs: 3_000, deepResearchDurationMs: 120_000, apiKey: KEY, ...extra });
}

function envFor(e: Emulator): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, GEMINI_JOBS_BASE_URL: e.url, GEMINI_API_KEY: KEY };
}

function line(report: DoctorReport, id: string) {
  const found = report.checks.find((c) => c.id === id);
  assert.ok(found, `line ${id} is reported`);
  return found;
}

const totalRequests = (e: Emulator) => Object.values(e.counters().requests).reduce((a, b) => a + b, 0);

before(async () => {
  emu = await emulator();
  dir = await mkdtemp(join(tmpdir(), 'doctor-test-'));
});
after(async () => {
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('default run: every assumption the emulator can answer is ok, spend matches the server, nothing is left behind', async () => {
  emu.resetCounters();
  const record = join(dir, 'wire');
  const run = await runCli(['doctor', '--json', '--record', record], envFor(emu), { timeoutMs: 120_000 });
  const report = JSON.parse(run.stdout) as DoctorReport;
  for (const id of ['credentials', 'quota-project', 'model.create', 'model.stream', 'model.get', 'model.delete', 'resume', 'cancel', 'unknown']) {
    assert.equal(line(report, id).result, 'ok', `${id}: ${line(report, id).detail}`);
  }
  assert.equal(line(report, 'planning').result, 'skipped');
  assert.match(line(report, 'planning').detail, /costs money/);
  assert.equal(line(report, 'webhook').result, 'skipped');
  assert.match(line(report, 'resume').detail, /equal the rest of an uninterrupted stream/);

  // The ledger is the server's truth: every request counted, every interaction deleted.
  assert.equal(report.spend.requests, totalRequests(emu));
  assert.equal(report.spend.creates, emu.counters().creates);
  assert.deepEqual(report.spend.leftBehind, []);
  assert.ok(emu.interactions().length >= 4 && emu.interactions().every((i) => i.deleted), 'everything created was deleted');
  assert.ok(report.spend.tokens.total > 0 && report.spend.tokens.total < 2_000, `tokens ${report.spend.tokens.total}`);
  assert.equal(emu.interactions().filter((i) => typeof i.request['agent'] === 'string').length, 0, 'model turns only by default');

  // Never a credential: not in stdout/stderr, not in any transcript; transcripts are usable.
  assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY));
  const files = await readdir(record);
  assert.ok(files.includes('index.json') && files.some((f) => f.endsWith('.sse')), files.join(', '));
  for (const f of files) {
    const text = await readFile(join(record, f), 'utf8');
    assert.ok(!text.includes(KEY) && !/AIza[0-9A-Za-z_-]{20,}/.test(text), `${f} holds no key`);
    if (f.endsWith('.json') && f !== 'index.json') {
      const ex = JSON.parse(text) as { requestHeaders: Record<string, string> };
      assert.equal(ex.requestHeaders['x-goog-api-key'], '[REDACTED]', f);
    }
  }
  assert.equal(run.code, report.exitCode);
});

test('the table: one line per check with ok / differs / skipped, the spend, and exit code 1 on a differs', async () => {
  const e = await emulator({ faults: [{ kind: 'unknown_events' }] });
  try {
    const run = await runCli(['doctor'], envFor(e), { timeoutMs: 120_000 });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^CHECK\s+RESULT\s+DETAIL$/m);
    assert.match(run.stdout, /^unknown\s+differs\s+seen but unknown to the client.*interaction\.emulator_future_event/m);
    assert.match(run.stdout, /^model\.stream\s+ok\s/m);
    assert.match(run.stdout, /^spend: \d+ requests, \d+ interactions created \(\d+ deleted\), \d+ tokens/m);
    assert.ok(!run.stdout.includes(KEY) && !run.stderr.includes(KEY));
  } finally {
    await e.close();
  }
});

test('reads that answer 404 for a while after a create are tolerated, as the worker does, and noted', async () => {
  const e = await emulator({ faults: [{ kind: 'get_not_found', requests: 2 }], modelTurnDurationMs: 20_000 });
  try {
    const run = await runCli(['doctor', '--json'], envFor(e), { timeoutMs: 120_000 });
    const report = JSON.parse(run.stdout) as DoctorReport;
    for (const id of ['model.get', 'resume', 'cancel']) {
      assert.equal(line(report, id).result, 'ok', `${id}: ${line(report, id).detail}`);
      assert.match(line(report, id).detail, /answered 404\/403 for \d+\.\d s after the create/, id);
    }
    assert.ok((e.counters().faults['get_not_found'] ?? 0) >= 6, 'the fault fired for each probe');
  } finally {
    await e.close();
  }
});

test('cancel: a 404 "Method not found" is tolerated when the status confirms it, and a differs when the run goes on', async () => {
  for (const [stillCancel, expected] of [
    [true, 'ok'],
    [false, 'differs'],
  ] as const) {
    const e = await emulator({ faults: [{ kind: 'cancel_not_found', stillCancel }] });
    try {
      const run = await runCli(['doctor', '--json'], envFor(e), { timeoutMs: 120_000 });
      const cancel = line(JSON.parse(run.stdout) as DoctorReport, 'cancel');
      assert.equal(cancel.result, expected, cancel.detail);
      assert.match(cancel.detail, /cancel answered 404/);
      if (!stillCancel) {
        assert.match(cancel.detail, /GET then reads completed/);
        assert.equal(run.code, 1);
      }
    } finally {
      await e.close();
    }
  }
});

test('--deep-research without --yes and without a terminal is refused: skipped, no agent run created', async () => {
  emu.resetCounters();
  const before = emu.interactions().length;
  const run = await runCli(['doctor', '--json', '--deep-research'], envFor(emu), { timeoutMs: 120_000 });
  const report = JSON.parse(run.stdout) as DoctorReport;
  assert.equal(line(report, 'planning').result, 'skipped');
  assert.match(line(report, 'planning').detail, /--yes/);
  const created = emu.interactions().slice(before);
  assert.ok(created.length > 0 && created.every((i) => typeof i.request['agent'] !== 'string'));
});

test('the spend cap stops creating: later probes are skipped, saying so', async () => {
  const run = await runCli(['doctor', '--json', '--max-tokens', '1'], envFor(emu), { timeoutMs: 120_000 });
  const report = JSON.parse(run.stdout) as DoctorReport;
  assert.equal(line(report, 'model.create').result, 'ok');
  for (const id of ['resume', 'cancel']) {
    assert.equal(line(report, id).result, 'skipped');
    assert.match(line(report, id).detail, /spend cap reached/);
  }
  assert.equal(report.spend.creates, 2, 'only the two tiny turns');
});

test('no credentials: exit 2 and what to set; a bad flag: exit 2', async () => {
  const none = await runCli(['doctor'], { PATH: process.env.PATH }, { timeoutMs: 30_000 });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /GEMINI_API_KEY/);
  const bad = await runCli(['doctor', '--webhook-url', 'ftp://x'], envFor(emu), { timeoutMs: 30_000 });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--webhook-url must be an http\(s\) URL/);
});

// CI's requirement: against the emulator every line is ok, Deep Research planning included
// (plans as chained turns, the client on /v1); a webhook line is skipped (no URL given).
test('all ok against the emulator, including --deep-research --yes', async () => {
  const run = await runCli(['doctor', '--json', '--deep-research', '--yes'], envFor(emu), { timeoutMs: 240_000 });
  const report = JSON.parse(run.stdout) as DoctorReport;
  const notOk = report.checks.filter((c) => c.result !== 'ok' && !(c.id === 'webhook' && c.result === 'skipped'));
  assert.deepEqual(notOk, []);
  assert.equal(run.code, 0);
});

test('npm run test:live without credentials says it skipped and exits 0, sending nothing', () => {
  const run = spawnSync(process.execPath, [join(packageRoot, 'scripts', 'test-live.mjs')], { env: { PATH: process.env.PATH, GEMINI_JOBS_BASE_URL: emu.url }, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^test:live skipped: no GEMINI_API_KEY.*nothing was sent/m);
});

/** The CLI in this process with terminal-like streams: stdin answers `answer`. */
async function onTerminal(args: string[], env: NodeJS.ProcessEnv, answer: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const stdin = Object.assign(Readable.from([answer]), { isTTY: true });
  const io: CliIO = { stdout, stderr, stdin, env, onStop: () => () => undefined };
  const code = await runCliInProcess(args, io);
  return { code, stdout: out, stderr: err };
}

test('--deep-research on a terminal states the cost and asks; "n" declines (no agent run), "y" runs it', async () => {
  const before = emu.interactions().length;
  const no = await onTerminal(['doctor', '--json', '--deep-research'], envFor(emu), 'n\n');
  assert.match(no.stderr, /billed per run[\s\S]*Continue\? \[y\/N\]/);
  const declined = JSON.parse(no.stdout) as DoctorReport;
  assert.equal(line(declined, 'planning').result, 'skipped');
  assert.match(line(declined, 'planning').detail, /declined/);
  assert.ok(
    emu
      .interactions()
      .slice(before)
      .every((i) => typeof i.request['agent'] !== 'string'),
  );

  const mark = emu.interactions().length;
  const yes = await onTerminal(['doctor', '--json', '--deep-research'], envFor(emu), 'y\n');
  const ran = JSON.parse(yes.stdout) as DoctorReport;
  assert.ok(ran.checks.some((c) => c.id === 'planning.plan'));
  const agentRuns = emu
    .interactions()
    .slice(mark)
    .filter((i) => typeof i.request['agent'] === 'string');
  assert.equal(agentRuns.length, 3, 'plan, refine, execute');
  assert.ok(
    agentRuns.every((i) => i.deleted),
    'the agent runs were deleted',
  );
  assert.ok(!yes.stdout.includes(KEY) && !yes.stderr.includes(KEY));
});

test('a stop request (Ctrl-C) after the model turn: nothing new is created, everything created is deleted', async () => {
  const stop = new AbortController();
  const mark = emu.interactions().length;
  const report = await runDoctor({
    env: envFor(emu),
    signal: stop.signal,
    pollIntervalMs: 100,
    onStep: (step) => {
      if (step.startsWith('resume')) stop.abort();
    },
  });
  assert.equal(line(report, 'model.get').result, 'ok');
  for (const id of ['resume', 'cancel']) assert.match(line(report, id).detail, /stopped by the user/, id);
  const created = emu.interactions().slice(mark);
  assert.equal(created.length, 2, 'only the two model-turn interactions');
  assert.ok(created.every((i) => i.deleted));
  assert.deepEqual(report.spend.leftBehind, []);
});
