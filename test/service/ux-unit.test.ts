/**
 * Pure parts of issue 13, no server: thought text at word boundaries, Deep Research thoughts on
 * by default, the dev data lock (live and stale holders), UI summaries, the create "nothing was
 * created" classification, the connection probe's causes, and failure text for `status`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { THOUGHT_CHARS, thoughtSummary } from '../../activities/progress';
import { createdNothing } from '../../activities/create';
import { APIConnectionError, APITimeoutError, BadRequestError, InternalServerError } from '../../src/interactions/errors';
import { buildStartRequest, KNOWN_LIST_STATUSES } from '../../src/cli/commands/jobs';
import type { CommandContext } from '../../src/cli/context';
import { fitWords } from '../../src/view/render';
import { DataDirLockedError, lockDataFile } from '../../src/dev/data-lock';
import { jobStaticSummary } from '../../src/jobs/ui-metadata';
import { retryingStepOf, withElapsed } from '../../src/jobs/live-state';
import { probeAddress } from '../../src/temporal/probe';
import type { JobRequest, JobState } from '../../workflows/definitions';

const FAKE_KEY = 'AIza' + 'Sy'.padEnd(35, 'x'); // shaped like a Google API key, not a real one

test('thought summaries start and end at word boundaries', () => {
  const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
  const summary = thoughtSummary(words, true);
  assert.ok(summary.length <= THOUGHT_CHARS);
  assert.match(summary, /^word0 .* word\d+…$/, 'starts at the start, ends on a whole word');
  assert.equal(thoughtSummary('short thought', true), 'short thought');
  const line = fitWords('alpha beta gamma delta epsilon', 17);
  assert.equal(line, 'alpha beta gamma…');
});

test('start: Deep Research shows thought summaries by default; --thinking-summaries none opts out', async () => {
  const ctx = (values: Record<string, string | boolean>) => ({ values, positionals: [], io: {} }) as unknown as CommandContext;
  const auto = (await buildStartRequest(ctx({}), 'q')) as unknown as { agent_config: Record<string, unknown> };
  assert.equal(auto.agent_config.thinking_summaries, 'auto');
  const none = (await buildStartRequest(ctx({ 'thinking-summaries': 'none' }), 'q')) as unknown as { agent_config: Record<string, unknown> };
  assert.equal(none.agent_config.thinking_summaries, 'none');
  const model = (await buildStartRequest(ctx({ model: 'gemini-3-flash-preview' }), 'q')) as unknown as Record<string, unknown>;
  assert.equal(model.agent_config, undefined);
  assert.ok(KNOWN_LIST_STATUSES.includes('completed') && !KNOWN_LIST_STATUSES.includes('bogus'));
});

test('dev data lock: a live holder is named, a dead one is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gj-lock-'));
  try {
    const db = join(dir, 'temporal.sqlite');
    const lock = lockDataFile(db);
    assert.throws(
      () => lockDataFile(db),
      (err: unknown) => err instanceof DataDirLockedError && err.message.includes(`process ${process.pid}`),
    );
    lock.release();
    // A lock left by a process that has exited is stale.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await writeFile(`${db}.lock`, JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), startedAt: 'earlier' }));
    const taken = lockDataFile(db);
    taken.release();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('UI summary: the question, cut at a word', () => {
  assert.equal(jobStaticSummary({ agent: 'a', input: 'How do heat pumps work?' } as JobRequest), 'How do heat pumps work?');
  const long = jobStaticSummary({ agent: 'a', input: 'word '.repeat(100) } as JobRequest);
  assert.ok(long.length <= 200 && long.endsWith('word…'));
  assert.equal(jobStaticSummary({ model: 'm', input: [{ type: 'text', text: 'From content' }] } as unknown as JobRequest), 'From content');
});

test('a failed create created nothing only when the request never left or was refused with a 4xx', () => {
  assert.equal(createdNothing(new APIConnectionError('getaddrinfo ENOTFOUND', { beforeSend: true })), true);
  assert.equal(createdNothing(new APITimeoutError('connect', 1000)), true);
  assert.equal(createdNothing(new BadRequestError({ status: 400 })), true);
  assert.equal(createdNothing(new APIConnectionError('socket hang up')), false);
  assert.equal(createdNothing(new APITimeoutError('headers', 1000)), false);
  assert.equal(createdNothing(new InternalServerError({ status: 500 })), false);
});

test('probe: refused, DNS and timeout are told apart', async () => {
  assert.equal((await probeAddress('127.0.0.1:1'))?.kind, 'refused');
  assert.equal((await probeAddress('no-such-host.invalid:7233'))?.kind, 'dns');
  assert.equal((await probeAddress('not an address'))?.kind, 'address');
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as { port: number }).port;
    assert.equal(await probeAddress(`127.0.0.1:${port}`), undefined);
    // A plain TCP server does not speak TLS: the handshake fails and says so.
    assert.equal((await probeAddress(`127.0.0.1:${port}`, { tls: true }))?.kind, 'tls');
  } finally {
    server.close();
  }
});

test('retrying step: the failure chain, redacted; elapsed from start times', () => {
  const step = retryingStepOf({
    activityType: { name: 'createInteraction' },
    attempt: 7,
    lastFailure: { message: 'activity failed', cause: { message: `connection failed (ENOTFOUND) key=${FAKE_KEY}`, applicationFailureInfo: { type: 'connection_error' } } },
  } as never)!;
  assert.equal(step.attempt, 7);
  assert.equal(step.lastFailureType, 'connection_error');
  assert.match(step.lastFailure, /ENOTFOUND/);
  assert.doesNotMatch(step.lastFailure, /AIza/);
  const state = {
    jobId: 'j',
    phase: 'running',
    status: 'running',
    turn: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    elapsedMs: 76,
    turns: [{ turn: 1, status: 'running', startedAt: '2026-01-01T00:00:05.000Z' }],
  } as JobState;
  const out = withElapsed(state, Date.parse('2026-01-01T00:00:10.000Z'));
  assert.equal(out.elapsedMs, 10_000);
  assert.equal(out.turnElapsedMs, 5_000);
});
