/**
 * One job, the same at every face. Deep Research jobs are started with the documented minimal
 * input by each starter — JobsClient, the CLI (`gemini-jobs start`), the HTTP API (`gemini-jobs
 * serve`, POST /v1/jobs), the Python client and `temporal workflow start` (the block of
 * docs/job-contract.md, as printed) — and every face is read at each phase: `gemini-jobs list
 * --json`, `gemini-jobs status --json`, GET /v1/jobs/:id, GET /v1/jobs (what the dashboard lists),
 * the Python client's state, and the Temporal Web UI (the dev server's UI, its jobs-only link
 * loaded in Chromium; the page's own API answers are read, plus the describe and history calls
 * its detail page makes). Status, agent, question and deadline must agree at every face.
 *
 * Phases are reached deterministically: the emulator runs on a manual clock (a run stays
 * in_progress until the test advances it) and the worker admits 5 runs at once, so five holder
 * jobs keep the face jobs queued. Queued → running (holders cancelled) → cancelled (each
 * starter's face cancels its own job); a second set with collaborative planning: plan awaiting
 * approval → approved by each face → completed. The face × phase table is printed.
 *
 * GEMINI_JOBS_FACES_ROOT=<a built checkout> runs the CLI, worker, serve and JobsClient of that
 * build instead (and the Python face as the README printed it then: bare temporalio), and only
 * prints the table: how a job looked before.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/emulator';
import { jobsListUiUrl } from '../../src/dev/ui-links';
import { startDevServer, type DevServer } from '../../src/dev/temporal-server';
import { ManualClock } from '../helpers/manual-clock';
import { packageRoot, temporalCliPath } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { noVenv, pythonEnv, runProgram, venvPython } from './python-env';

const ROOT = process.env.GEMINI_JOBS_FACES_ROOT ?? packageRoot;
const BEFORE = ROOT !== packageRoot;
const AGENT = 'deep-research-preview-04-2026';
const DEADLINE_MS = 70 * 60_000;
const TASK_QUEUE = 'gemini-jobs';
const API_KEY = 'faces-test-key';
const TOKEN = 'faces-test-token-0123456789abcdef';
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const STARTERS = ['JobsClient', 'CLI', 'HTTP API', 'Python', 'temporal CLI'] as const;
type Starter = (typeof STARTERS)[number];
const FACES = ['gemini-jobs list', 'gemini-jobs status', 'GET /v1/jobs/:id', 'GET /v1/jobs (dashboard list)', 'Python state', 'Temporal Web UI'] as const;
type Face = (typeof FACES)[number];
const PHASES = ['queued', 'running', 'cancelled', 'plan awaiting approval', 'completed'] as const;
type Phase = (typeof PHASES)[number];
const EXPECTED_STATUS: Record<Phase, string> = {
  queued: 'queued',
  running: 'running',
  cancelled: 'cancelled',
  'plan awaiting approval': 'plan_ready',
  completed: 'completed',
};

/** What one face shows of one job. */
interface Shown {
  status?: string;
  agent?: string;
  question?: string;
  deadlineMs?: number;
  error?: string;
}
type Observations = Map<Phase, Map<Face, Map<Starter, Shown>>>;

let dir: string;
let server: DevServer;
let emulator: Emulator;
const clock = new ManualClock();
let client: Client;
let connection: Connection;
const children: ChildProcess[] = [];
let serveUrl: string;
let python: PythonFace;
let browser: Browser | undefined;
let page: Page | undefined;
/** The JobsClient of ROOT's build (any version). */
let jobs: any;

const cliJs = join(ROOT, 'dist', 'src', 'cli', 'main.js');

function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[key]) env[key] = process.env[key];
  return {
    ...env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    GEMINI_JOBS_TASK_QUEUE: TASK_QUEUE,
    GEMINI_JOBS_BASE_URL: emulator.url,
    GEMINI_API_KEY: API_KEY,
    ...extra,
  };
}

function cli(args: string[]) {
  return runProgram(process.execPath, [cliJs, ...args], { env: baseEnv(), cwd: dir, timeoutMs: 60_000 });
}

async function cliJson(args: string[]): Promise<unknown> {
  const run = await cli([...args, '--json']);
  if (run.code !== 0) throw new Error(`gemini-jobs ${args.join(' ')} exited ${run.code}: ${run.stderr.trim().slice(0, 300)}`);
  return JSON.parse(run.stdout);
}

/** A long-running child whose first stdout JSON line (with `field`) is awaited. */
async function spawnService(args: string[], env: NodeJS.ProcessEnv, ready: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, [cliJs, ...args], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gemini-jobs ${args[0]} not ready: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`gemini-jobs ${args[0]} exited ${code}: ${stderr}`)));
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (ready(parsed)) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not a JSON line
      }
    });
  });
}

/** The Python face: test/python/face_driver.py, one JSON command and answer per line. */
class PythonFace {
  private readonly child: ChildProcess;
  private readonly answers: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(venvPython!, [join(packageRoot, 'test', 'python', 'face_driver.py')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(this.child);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.answers.push(line);
    });
  }
  private next(): Promise<string> {
    const line = this.answers.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => (this.waiting = resolve));
  }
  async ready(): Promise<void> {
    assert.equal(JSON.parse(await this.next()).value, 'ready');
  }
  async call(op: string, fields: Record<string, unknown>): Promise<unknown> {
    this.child.stdin!.write(JSON.stringify({ op, ...fields }) + '\n');
    const answer = JSON.parse(await this.next()) as { ok: boolean; value?: unknown; error?: string };
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  }
}

async function http(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${serveUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function temporalCli(args: string[]) {
  return temporalCliPath().then((path) => runProgram(path, [...args, '--address', server.address], { cwd: dir, timeoutMs: 60_000 }));
}

before(async () => {
  if (noVenv) return;
  dir = await mkdtemp(join(tmpdir(), 'gj-faces-'));
  server = await startDevServer({ cliPath: await temporalCliPath(), port: 0, uiPort: 0, dbFilename: join(dir, 'temporal.sqlite') });
  emulator = await startEmulator({ port: 0, apiKey: API_KEY, clock, timeScale: 1, deepResearchDurationMs: 20 * 60_000 });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, namespace: 'default' });
  // Five runs at once on the credential key: five holder jobs keep the face jobs queued.
  await spawnService(
    ['worker'],
    baseEnv({
      GEMINI_JOBS_ADMISSION_CONCURRENCY: '5',
      GEMINI_JOBS_ADMISSION_RATE: '1000',
      GEMINI_JOBS_ADMISSION_KEY: 'faces',
      GEMINI_JOBS_ADMISSION_ORDER_GRACE_MS: '0',
      GEMINI_JOBS_CHECKPOINT_FLUSH_MS: '500',
      GEMINI_JOBS_SHUTDOWN_GRACE_MS: '1000',
    }),
    (line) => line['msg'] === 'worker started',
  );
  const served = await spawnService(['serve', '--port', '0', '--json'], baseEnv({ GEMINI_JOBS_SERVE_TOKENS: TOKEN }), (line) => line['type'] === 'serve');
  serveUrl = String(served['url']);
  const { JobsClient } = (await import(join(ROOT, 'dist', 'src', 'index.js'))) as { JobsClient: new (o: object) => unknown };
  jobs = new JobsClient({ client, taskQueue: TASK_QUEUE });
  python = new PythonFace(pythonEnv({ ...baseEnv(), GEMINI_JOBS_FACE_MODE: BEFORE ? 'raw' : 'package' }));
  await python.ready();
  if (chromiumPath) {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
  }
});

after(async () => {
  await browser?.close().catch(() => undefined);
  for (const child of children.reverse()) {
    if (child.exitCode === null) child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode !== null ? done(undefined) : child.once('exit', done)));
  }
  await connection?.close().catch(() => undefined);
  await emulator?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---- starting and steering from each face ------------------------------------------------------

/** The `temporal workflow start` block of docs/job-contract.md, exactly as printed. */
async function documentedTemporalStart(): Promise<{ command: string; jobId: string; question: string }> {
  const doc = await readFile(join(packageRoot, 'docs', 'job-contract.md'), 'utf8');
  const marker = doc.indexOf('<!-- temporal-start-example');
  assert.ok(marker >= 0, 'docs/job-contract.md has the temporal-start-example marker');
  const start = doc.indexOf('```sh\n', marker) + '```sh\n'.length;
  const command = doc.slice(start, doc.indexOf('\n```', start));
  const jobId = /--workflow-id (\S+)/.exec(command)![1]!;
  const input = JSON.parse(/--input '([^']+)'/.exec(command)![1]!) as { request: { input: string } };
  return { command, jobId, question: input.request.input };
}

/** Starts one job per starter; returns job id and question by starter. */
async function startAll(set: string, planning: boolean): Promise<Map<Starter, { jobId: string; question: string }>> {
  const out = new Map<Starter, { jobId: string; question: string }>();
  const request = (question: string) => ({
    agent: AGENT,
    input: question,
    ...(planning ? { agent_config: { type: 'deep-research', collaborative_planning: true } } : {}),
  });
  for (const starter of STARTERS) {
    const jobId = `${set}-${starter.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    const question = `How do heat pumps work? (${set}, started by ${starter})`;
    switch (starter) {
      case 'JobsClient':
        await jobs.start(request(question), { jobId });
        break;
      case 'CLI': {
        const run = await cli(['start', '--job-id', jobId, ...(planning ? ['--collaborative-planning'] : []), question]);
        assert.equal(run.code, 0, run.stderr);
        break;
      }
      case 'HTTP API':
        await http('POST', '/v1/jobs', { jobId, request: request(question) });
        break;
      case 'Python':
        await python.call('start', { jobId, request: request(question) });
        break;
      case 'temporal CLI': {
        if (!planning) {
          // The documented command, as printed: the address comes from TEMPORAL_ADDRESS.
          const documented = await documentedTemporalStart();
          const path = await temporalCliPath();
          const run = await runProgram('sh', ['-c', documented.command], {
            cwd: dir,
            env: { PATH: `${dirname(path)}:${process.env.PATH}`, HOME: process.env.HOME, TEMPORAL_ADDRESS: server.address },
          });
          assert.equal(run.code, 0, `${documented.command}\n${run.stderr}`);
          out.set(starter, { jobId: documented.jobId, question: documented.question });
          continue;
        }
        const input = JSON.stringify({ request: request(question) });
        const run = await temporalCli(['workflow', 'start', '--type', 'interactionJob', '--task-queue', TASK_QUEUE, '--workflow-id', jobId, '--input', input]);
        assert.equal(run.code, 0, run.stderr);
        break;
      }
    }
    out.set(starter, { jobId, question });
  }
  return out;
}

/** Cancels (or approves the plan of) each starter's job through that starter's own face. */
async function steerAll(ids: Map<Starter, { jobId: string }>, action: 'cancel' | 'approve'): Promise<void> {
  for (const [starter, { jobId }] of ids) {
    const fail = (what: string, run: { code: number | null; stderr: string }) => assert.equal(run.code, 0, `${starter} ${what}: ${run.stderr}`);
    switch (starter) {
      case 'JobsClient':
        await (action === 'cancel' ? jobs.cancel(jobId, 'cancelled from JobsClient') : jobs.approvePlan(jobId));
        break;
      case 'CLI':
        fail(action, await cli(action === 'cancel' ? ['cancel', jobId, '--reason', 'cancelled from the CLI'] : ['approve-plan', jobId]));
        break;
      case 'HTTP API':
        await http(
          'POST',
          `/v1/jobs/${encodeURIComponent(jobId)}/${action === 'cancel' ? 'cancel' : 'plan/approve'}`,
          action === 'cancel' ? { reason: 'cancelled over HTTP' } : {},
        );
        break;
      case 'Python':
        await python.call(action, { jobId });
        break;
      case 'temporal CLI':
        fail(
          action,
          await temporalCli(
            action === 'cancel'
              ? ['workflow', 'cancel', '--workflow-id', jobId]
              : ['workflow', 'update', 'execute', '--workflow-id', jobId, '--name', 'approvePlan', '--input', '{}'],
          ),
        );
        break;
    }
  }
}

// ---- reading each face -------------------------------------------------------------------------

function fromState(state: Record<string, unknown>): Shown {
  const shown: Shown = {};
  if (typeof state['status'] === 'string') shown.status = state['status'];
  if (typeof state['agent'] === 'string') shown.agent = state['agent'];
  if (typeof state['question'] === 'string') shown.question = state['question'];
  if (typeof state['turnDeadlineMs'] === 'number') shown.deadlineMs = state['turnDeadlineMs'];
  return shown;
}

function fromSummary(row: Record<string, unknown> | undefined): Shown {
  if (!row) return { error: 'not listed' };
  const shown: Shown = {};
  if (typeof row['status'] === 'string') shown.status = row['status'];
  else if (typeof row['executionStatus'] === 'string') shown.status = `(${String(row['executionStatus']).toLowerCase()})`;
  if (typeof row['agent'] === 'string') shown.agent = row['agent'];
  if (typeof row['question'] === 'string') shown.question = row['question'];
  return shown;
}

/** A payload of the UI's JSON API (base64 JSON data). */
function decodePayload(payload: { data?: string } | undefined): unknown {
  return payload?.data ? JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) : undefined;
}

interface UiExecution {
  execution: { workflowId: string };
  type: { name: string };
  searchAttributes?: { indexedFields?: Record<string, { data?: string }> };
}

/** The Web UI's jobs-only list: loaded in Chromium, the answer of the page's own list call. */
async function uiList(): Promise<UiExecution[]> {
  const url = jobsListUiUrl(server.uiUrl!, 'default');
  if (!page) {
    const api = new URL(url);
    const res = await fetch(`${api.origin}/api/v1/namespaces/default/workflows?query=${encodeURIComponent(api.searchParams.get('query')!)}`);
    return ((await res.json()) as { executions?: UiExecution[] }).executions ?? [];
  }
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/namespaces/default/workflows?') && r.url().includes('query='));
  await page.goto(url);
  return ((await (await answer).json()) as { executions?: UiExecution[] }).executions ?? [];
}

async function uiGet(path: string): Promise<Record<string, unknown>> {
  const url = `${server.uiUrl}/api/v1/namespaces/default/${path}`;
  const res = page ? await page.request.get(url) : await fetch(url);
  return (await res.json()) as Record<string, unknown>;
}

/** Status, agent, question (search attributes: the columns) and the deadline timer of the event history. */
async function uiShown(execution: UiExecution | undefined): Promise<Shown> {
  if (!execution) return { error: 'not listed' };
  const fields = execution.searchAttributes?.indexedFields ?? {};
  const shown: Shown = {};
  const status = decodePayload(fields['GeminiJobStatus']);
  const agent = decodePayload(fields['GeminiJobAgent']);
  const question = decodePayload(fields['GeminiJobQuestion']);
  if (typeof status === 'string') shown.status = status;
  if (typeof agent === 'string') shown.agent = agent;
  if (typeof question === 'string') shown.question = question;
  const history = (await uiGet(`workflows/${encodeURIComponent(execution.execution.workflowId)}/history?maximumPageSize=1000`)) as {
    history?: { events?: Array<{ timerStartedEventAttributes?: { startToFireTimeout?: string } }> };
  };
  const timers = (history.history?.events ?? []).flatMap((e) =>
    e.timerStartedEventAttributes?.startToFireTimeout ? [parseFloat(e.timerStartedEventAttributes.startToFireTimeout) * 1000] : [],
  );
  if (timers.length > 0) shown.deadlineMs = Math.max(...timers);
  return shown;
}

async function readFaces(ids: Map<Starter, { jobId: string }>): Promise<Map<Face, Map<Starter, Shown>>> {
  const faces = new Map<Face, Map<Starter, Shown>>(FACES.map((f) => [f, new Map()]));
  const guard = async (face: Face, starter: Starter, read: () => Promise<Shown>) => {
    try {
      faces.get(face)!.set(starter, await read());
    } catch (err) {
      faces.get(face)!.set(starter, { error: (err as Error).message.slice(0, 120) });
    }
  };
  const listed = ((await cliJson(['list', '--limit', '100'])) as Array<Record<string, unknown>>) ?? [];
  const dashboard = ((await http('GET', '/v1/jobs?limit=100')) as { jobs: Array<Record<string, unknown>> }).jobs;
  const ui = await uiList();
  for (const [starter, { jobId }] of ids) {
    await guard('gemini-jobs list', starter, async () => fromSummary(listed.find((j) => j['jobId'] === jobId)));
    await guard('gemini-jobs status', starter, async () => fromState((await cliJson(['status', jobId])) as Record<string, unknown>));
    await guard('GET /v1/jobs/:id', starter, async () => fromState((await http('GET', `/v1/jobs/${encodeURIComponent(jobId)}`)) as Record<string, unknown>));
    await guard('GET /v1/jobs (dashboard list)', starter, async () => fromSummary(dashboard.find((j) => j['jobId'] === jobId)));
    await guard('Python state', starter, async () => fromState((await python.call('state', { jobId })) as Record<string, unknown>));
    await guard('Temporal Web UI', starter, () => uiShown(ui.find((e) => e.execution.workflowId === jobId)));
  }
  return faces;
}

/** Reads every face until each shows `status` for every job (visibility lags by about a second), or gives up and keeps what they show. */
async function observe(phase: Phase, ids: Map<Starter, { jobId: string }>, seen: Observations): Promise<void> {
  const want = EXPECTED_STATUS[phase];
  const settleBy = Date.now() + 20_000;
  let faces = await readFaces(ids);
  while (Date.now() < settleBy && ![...faces.values()].every((byStarter) => [...byStarter.values()].every((s) => s.status === want))) {
    await new Promise((r) => setTimeout(r, 1_000));
    faces = await readFaces(ids);
  }
  seen.set(phase, faces);
}

/** Waits until the state query of every job satisfies `ok`. */
async function untilStates(ids: Map<Starter, { jobId: string }>, what: string, ok: (s: Record<string, unknown>) => boolean): Promise<void> {
  const handle = (jobId: string) => client.workflow.getHandle(jobId);
  await waitFor(
    async () => {
      for (const { jobId } of ids.values()) {
        const state = await handle(jobId)
          .query<Record<string, unknown>>('state')
          .catch(() => undefined);
        if (!state || !ok(state)) return false;
      }
      return true;
    },
    what,
    120_000,
    250,
  );
}

/** The current turn's interaction was created (and the job is past any admission queue). */
function created(state: Record<string, unknown>): boolean {
  return typeof state['interactionId'] === 'string' && state['phase'] !== 'queued' && state['phase'] !== 'creating';
}

/** Turn `n` has ended. */
function ended(n: number): (state: Record<string, unknown>) => boolean {
  return (state) => ((state['turns'] as Array<{ turn: number; endedAt?: string }> | undefined) ?? []).some((t) => t.turn === n && t.endedAt !== undefined);
}

// ---- the table ---------------------------------------------------------------------------------

function cell(byStarter: Map<Starter, Shown>, questions: Map<Starter, string>): string {
  const shown = [...byStarter.entries()];
  const statuses = [...new Set(shown.map(([, s]) => s.error ?? s.status ?? '–'))];
  const status = statuses.length === 1 ? statuses[0]! : shown.map(([st, s]) => `${st}:${s.error ?? s.status ?? '–'}`).join(' ');
  const mark = (ok: (s: Shown, st: Starter) => boolean | undefined) => {
    const marks = shown.map(([st, s]) => ok(s, st));
    if (marks.every((m) => m === undefined)) return '–';
    if (marks.every((m) => m === true)) return '✓';
    const wrong = shown.filter((_, k) => marks[k] === false).map(([st]) => st);
    const missing = shown.filter((_, k) => marks[k] === undefined).map(([st]) => st);
    return (wrong.length ? `✗(${wrong.join(',')})` : '') + (missing.length ? `–(${missing.join(',')})` : '');
  };
  const agent = mark((s) => (s.agent === undefined ? undefined : s.agent === AGENT));
  const question = mark((s, st) => (s.question === undefined ? undefined : s.question === questions.get(st)));
  const deadline = mark((s) => (s.deadlineMs === undefined ? undefined : s.deadlineMs === DEADLINE_MS));
  return `${status} A${agent} Q${question} D${deadline}`;
}

function table(seen: Observations, questions: Map<Phase, Map<Starter, string>>): string {
  const rows = [['face \\ phase', ...PHASES]];
  for (const face of FACES) rows.push([face, ...PHASES.map((p) => (seen.get(p) ? cell(seen.get(p)!.get(face)!, questions.get(p)!) : 'not reached'))]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')).join('\n');
}

// ---- the test ----------------------------------------------------------------------------------

test('a Deep Research job looks the same at every face, whoever started it, at every phase', { skip: noVenv, timeout: 900_000 }, async (t) => {
  const seen: Observations = new Map();
  const questions = new Map<Phase, Map<Starter, string>>();
  const summaries = new Map<Starter, string>();
  const questionsOf = (ids: Map<Starter, { question: string }>) => new Map([...ids].map(([s, v]) => [s, v.question]));
  try {
    // Five holders take the five permits; their runs stay in progress on the manual clock.
    const holders = new Map<Starter, { jobId: string }>();
    for (let i = 0; i < 5; i++) {
      const jobId = `holder-${i}`;
      await jobs.start({ agent: AGENT, input: `Holder ${i}` }, { jobId });
      holders.set(STARTERS[i]!, { jobId });
    }
    await untilStates(holders, 'the holders admitted and running', created);

    const first = await startAll('minimal', false);
    questions.set('queued', questionsOf(first));
    await untilStates(first, 'the face jobs queued', (s) => s['phase'] === 'queued');
    await observe('queued', first, seen);

    for (const { jobId } of holders.values()) await client.workflow.getHandle(jobId).signal('cancel', { reason: 'make room' });
    await untilStates(first, 'the face jobs running', created);
    questions.set('running', questionsOf(first));
    await observe('running', first, seen);
    if (!BEFORE) {
      // A watcher holds a watch lease (a helper workflow) while it watches.
      for await (const event of jobs.watch(first.get('JobsClient')!.jobId)) if (event) break;
    }

    await steerAll(first, 'cancel');
    questions.set('cancelled', questionsOf(first));
    await observe('cancelled', first, seen);

    const second = await startAll('plan', true);
    await untilStates(second, 'the plan turns running', created);
    clock.advance(3 * 3_600_000); // every plan run completes
    await untilStates(second, 'the plans ready', ended(1));
    questions.set('plan awaiting approval', questionsOf(second));
    await observe('plan awaiting approval', second, seen);

    await steerAll(second, 'approve');
    await untilStates(second, 'the approved turns running', (s) => s['turn'] === 2 && created(s));
    clock.advance(3 * 3_600_000); // every research run completes
    await untilStates(second, 'the research done', ended(2));
    questions.set('completed', questionsOf(second));
    await observe('completed', second, seen);
    // The Web UI's summary line (user metadata, set at start only): the question, by starter.
    for (const [starter, { jobId, question }] of second) {
      const summary = await (await client.workflow.getHandle(jobId).describe()).staticSummary();
      summaries.set(starter, summary === undefined ? '–' : summary === question ? '✓' : `✗ ${summary.slice(0, 40)}`);
    }
  } finally {
    const title = `${BEFORE ? `BEFORE (${ROOT})` : 'AFTER'}: status shown, A = agent, Q = question, D = deadline (70 min); ✓ right for all five starters, ✗(starters) wrong, –(starters) not shown`;
    const printed = [title, table(seen, questions), `Web UI summary line = the question: ${[...summaries].map(([s, v]) => `${s} ${v}`).join(', ')}`];
    for (const line of printed.join('\n').split('\n')) t.diagnostic(line);
  }
  if (BEFORE) return;
  for (const starter of ['JobsClient', 'CLI', 'HTTP API', 'Python'] as const) assert.equal(summaries.get(starter), '✓', `${starter} sets the summary line`);

  for (const [phase, faces] of seen) {
    for (const [face, byStarter] of faces) {
      for (const [starter, shown] of byStarter) {
        const where = `${phase} / ${face} / started by ${starter}`;
        assert.equal(shown.error, undefined, where);
        assert.equal(shown.status, EXPECTED_STATUS[phase], `${where}: status`);
        assert.equal(shown.agent, AGENT, `${where}: agent`);
        assert.equal(shown.question, questions.get(phase)!.get(starter), `${where}: question`);
        if (shown.deadlineMs !== undefined) assert.equal(shown.deadlineMs, DEADLINE_MS, `${where}: deadline`);
      }
      // The faces that read the job's state show its deadline while it is open.
      if (['gemini-jobs status', 'GET /v1/jobs/:id', 'Python state'].includes(face) && phase !== 'cancelled') {
        for (const [starter, shown] of byStarter) assert.equal(shown.deadlineMs, DEADLINE_MS, `${phase} / ${face} / ${starter}: deadline shown`);
      }
    }
  }

  // Helpers are told apart: the jobs-only link lists jobs only, and every other workflow says what it is.
  const listedTypes = new Set((await uiList()).map((e) => e.type.name));
  assert.deepEqual([...listedTypes], ['interactionJob']);
  const helperTypes = new Set<string>();
  for await (const execution of client.workflow.list({ query: "WorkflowType != 'interactionJob'" })) {
    const summary = await (await client.workflow.getHandle(execution.workflowId, execution.runId).describe()).staticSummary();
    helperTypes.add(execution.type);
    assert.match(summary ?? '', /^gemini-jobs helper \(not a job\): /, `${execution.type} ${execution.workflowId}`);
  }
  assert.ok(helperTypes.has('admissionLimiter') && helperTypes.has('watchLease'), `helpers seen: ${[...helperTypes].join(', ')}`);
});
