/**
 * The pure parts of the job workflow, no server: `deriveJobState` for every phase/status
 * combination a job passes through, `jobResultOf`, `chainHead`, the late-outcome rule and the
 * budget arithmetic of a running turn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FollowInteractionResult } from '../../activities/types';
import type { TurnRecord } from '../../workflows/definitions';
import { followAccounting, wallBudgetLeftMs } from '../../workflows/accounting';
import { chainHead, deriveJobState, jobResultOf, jobStatusOf, type JobFacts, type JobRecord } from '../../workflows/job-state';
import { TurnLedger, duplicateOutcome, lateResultStands } from '../../workflows/turn/ledger';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const facts: JobFacts = { jobId: 'job-1', startedAtMs: T0, agent: 'deep-research-preview-04-2026' };

function ended(turn: number, over: Partial<TurnRecord> = {}): TurnRecord {
  return {
    turn,
    interactionId: `int-${turn}`,
    status: 'completed',
    upstreamStatus: 'completed',
    startedAt: iso(T0 + turn * 10_000),
    endedAt: iso(T0 + turn * 10_000 + 5_000),
    summary: `summary ${turn}`,
    ...over,
  };
}

const running = (turn: number, over: Partial<TurnRecord> = {}): TurnRecord => ({
  turn,
  interactionId: `int-${turn}`,
  status: 'running',
  upstreamStatus: 'in_progress',
  startedAt: iso(T0 + turn * 10_000),
  ...over,
});

test('a fresh job: creating, pending, turn 0, nothing about a turn yet', () => {
  const s = deriveJobState(facts, { turns: [], phase: 'creating' }, T0 + 250);
  assert.deepEqual(s, { jobId: 'job-1', phase: 'creating', status: 'pending', turn: 0, turns: [], startedAt: iso(T0), elapsedMs: 250, agent: 'deep-research-preview-04-2026' });
});

test('a turn being created: its number, start and deadline; no interaction, status or error', () => {
  const rec: TurnRecord = { turn: 1, status: 'pending', startedAt: iso(T0) };
  const s = deriveJobState({ ...facts, model: undefined, thread: 't-1' }, { turns: [rec], phase: 'creating', deadlineAtMs: T0 + 60_000 }, T0);
  assert.equal(s.status, 'pending');
  assert.equal(s.turn, 1);
  assert.equal(s.turnStartedAt, iso(T0));
  assert.equal(s.deadlineAt, iso(T0 + 60_000));
  assert.equal(s.thread, 't-1');
  for (const key of ['interactionId', 'upstreamStatus', 'error', 'usage', 'cost', 'spent', 'admission', 'followUpUntil', 'plan', 'progress', 'model'] as const)
    assert.equal(key in s, false, key);
});

test('queued for admission: the limiter key and the tenant, position 0 until JobsClient refreshes it', () => {
  const rec: TurnRecord = { turn: 1, status: 'pending', startedAt: iso(T0) };
  const s = deriveJobState({ ...facts, tenant: 'team-a' }, { turns: [rec], phase: 'queued', queuedOn: 'key-abc' }, T0);
  assert.equal(s.phase, 'queued');
  assert.deepEqual(s.admission, { position: 0, key: 'key-abc', tenant: 'team-a' });
  assert.deepEqual(deriveJobState(facts, { turns: [rec], phase: 'queued', queuedOn: 'key-abc' }, T0).admission, { position: 0, key: 'key-abc' });
});

test("running: the interaction and the create's status; an error or usage recorded mid-cancel is not the job's yet", () => {
  const first = ended(1, { usage: { total_tokens: 10 } });
  const rec = running(2, { error: { code: 'server_error', message: 'cancel failed' }, usage: { total_tokens: 99 } });
  const s = deriveJobState({ ...facts, budget: { maxTotalTokens: 1_000 } }, { turns: [first, rec], phase: 'cancelling' }, T0 + 30_000);
  assert.equal(s.status, 'running');
  assert.equal(s.phase, 'cancelling');
  assert.equal(s.interactionId, 'int-2');
  assert.equal(s.upstreamStatus, 'in_progress');
  assert.equal(s.error, undefined);
  assert.deepEqual(s.usage, { total_tokens: 10 }, 'a running turn counts once it ends');
  assert.equal(s.spent?.totalTokens, 10);
  assert.equal(s.spent?.wallMs, 5_000, 'spent covers the ended turns');
});

test('webhook-mode checks: upstream status, progress and usage of the running turn; the turn wins once it ends', () => {
  const rec = running(1);
  const record: JobRecord = {
    turns: [rec],
    phase: 'running',
    lastCheck: { turn: 1, upstreamStatus: 'in_progress_late', progress: { eventsApplied: 0, outputChars: 42, latestThought: 'reading' } },
    lastCheckUsage: { turn: 1, usage: { total_tokens: 7 } },
  };
  const live = deriveJobState(facts, record, T0 + 12_000);
  assert.equal(live.upstreamStatus, 'in_progress_late');
  assert.deepEqual(live.progress, { eventsApplied: 0, outputChars: 42, latestThought: 'reading' });
  assert.deepEqual(live.usage, { total_tokens: 7 });
  Object.assign(rec, { status: 'completed', upstreamStatus: 'completed', endedAt: iso(T0 + 20_000), usage: { total_tokens: 50 } });
  const done = deriveJobState(facts, { ...record, phase: 'done' }, T0 + 25_000);
  assert.equal(done.upstreamStatus, 'completed');
  assert.deepEqual(done.usage, { total_tokens: 50 });
  assert.deepEqual(done.progress, live.progress, 'the last check stays visible');
  // The next turn: a check of the earlier turn no longer speaks for it.
  const next = running(2, { upstreamStatus: 'queued' });
  const s2 = deriveJobState(facts, { ...record, turns: [rec, next] }, T0 + 30_000);
  assert.equal(s2.upstreamStatus, 'queued');
  assert.deepEqual(s2.usage, { total_tokens: 50 });
});

test("a check's usage stands in when no ended turn has usage", () => {
  const rec = ended(1, { upstreamStatus: 'failed', status: 'failed' });
  const s = deriveJobState(facts, { turns: [rec], phase: 'done', lastCheckUsage: { turn: 1, usage: { total_tokens: 3 } } }, T0 + 30_000);
  assert.deepEqual(s.usage, { total_tokens: 3 });
});

test("ended turns: completed has no error; failed, timed_out, cancelled and unknown carry the turn's error and raw status", () => {
  const cases: Array<Partial<TurnRecord>> = [
    { status: 'completed' },
    { status: 'failed', upstreamStatus: 'failed', error: { code: 'upstream_failed', message: 'boom' } },
    { status: 'timed_out', upstreamStatus: 'cancelled', error: { code: 'deadline_exceeded', message: 'late' } },
    { status: 'cancelled', upstreamStatus: 'cancelled' },
    { status: 'budget_exceeded', error: { code: 'budget_exceeded', message: 'over' } },
    { status: 'unknown', upstreamStatus: 'paused_for_review' },
    { status: 'requires_action', upstreamStatus: 'requires_action' },
    { status: 'failed', interactionId: undefined, upstreamStatus: undefined, error: { code: 'bad_request', message: 'bad' } },
  ];
  for (const over of cases) {
    const rec = ended(1, over);
    const s = deriveJobState(facts, { turns: [rec], phase: 'done' }, T0 + 60_000);
    assert.equal(s.status, over.status);
    assert.deepEqual(s.error, over.error, String(over.status));
    assert.equal(s.upstreamStatus, 'upstreamStatus' in over ? over.upstreamStatus : 'completed');
    assert.equal(s.interactionId, 'interactionId' in over ? undefined : 'int-1');
  }
});

test("cost and spent: the turns' estimates, and spent only with a budget", () => {
  const turns = [ended(1, { costUsd: 0.25, priceTable: '2026-01-01', usage: { total_tokens: 100 } }), ended(2)];
  const withBudget = deriveJobState({ ...facts, budget: { maxCostUsd: 1 } }, { turns, phase: 'done' }, T0 + 60_000);
  assert.deepEqual(withBudget.cost, { usd: 0.25, priceTable: '2026-01-01', unpricedTurns: 1 });
  assert.deepEqual(withBudget.budget, { maxCostUsd: 1 });
  assert.equal(withBudget.spent?.totalTokens, 100);
  assert.equal(withBudget.spent?.costUsd, 0.25);
  assert.equal(deriveJobState(facts, { turns, phase: 'done' }, T0 + 60_000).spent, undefined);
});

test('follow-up window: followUpUntil; the plan only while a plan-ready window is open, from the chain head', () => {
  const turns = [ended(1, { summary: 'PLAN' }), ended(2, { status: 'failed', interactionId: undefined, upstreamStatus: undefined, error: { code: 'bad_request', message: 'x' } })];
  const open = deriveJobState(facts, { turns, phase: 'plan-ready', followUpUntilMs: T0 + 900_000 }, T0 + 60_000);
  assert.equal(open.followUpUntil, iso(T0 + 900_000));
  assert.deepEqual(open.plan, { turn: 1, interactionId: 'int-1', text: 'PLAN' }, 'the failed follow-up without an interaction is skipped');
  assert.equal(open.status, 'plan_ready', 'the job waits for the plan, whatever became of a follow-up that created nothing');
  assert.equal(deriveJobState(facts, { turns, phase: 'plan-ready' }, T0).plan, undefined, 'window closed: no plan');
  assert.equal(deriveJobState(facts, { turns, phase: 'done', followUpUntilMs: T0 + 1 }, T0).plan, undefined);
  assert.equal(deriveJobState(facts, { turns: [ended(1, { summary: undefined })], phase: 'plan-ready', followUpUntilMs: T0 + 1 }, T0).plan?.text, '');
});

test('a continued run: the carried turns, no deadline until its first turn; the cancel reason', () => {
  const s = deriveJobState({ ...facts, startedAtMs: T0 - 3_600_000 }, { turns: [ended(1), ended(2)], phase: 'done', cancelReason: 'user' }, T0);
  assert.equal(s.turn, 2);
  assert.equal(s.turnStartedAt, ended(2).startedAt);
  assert.equal(s.deadlineAt, undefined);
  assert.equal(s.elapsedMs, 3_600_000);
  assert.equal(s.cancelReason, 'user');
});

test('the state holds copies of the turns', () => {
  const record: JobRecord = { turns: [ended(1)], phase: 'done' };
  const s = deriveJobState(facts, record, T0);
  s.turns[0]!.status = 'failed';
  assert.equal(record.turns[0]!.status, 'completed');
});

test("jobResultOf: the last turn's outcome, every interaction id, sums over the thread", () => {
  const turns = [
    ended(1, { usage: { total_tokens: 1 } }),
    ended(2, { status: 'failed', error: { code: 'upstream_failed', message: 'm' }, usage: { total_tokens: 2 }, report: { store: 's', key: 'k', bytes: 1, sha256: 'h' } }),
  ];
  const r = jobResultOf('job-1', turns, T0 + 60_000);
  assert.equal(r.status, 'failed');
  assert.deepEqual(r.interactionIds, ['int-1', 'int-2']);
  assert.equal(r.interactionId, 'int-2');
  assert.deepEqual(r.usage, { total_tokens: 3 });
  assert.equal(r.summary, 'summary 2');
  assert.deepEqual(r.error, { code: 'upstream_failed', message: 'm' });
  assert.equal(r.spent?.totalTokens, 3);
  const nothing = jobResultOf('job-2', [{ turn: 1, status: 'cancelled', startedAt: iso(T0), endedAt: iso(T0) }], T0);
  assert.deepEqual(nothing.interactionIds, []);
  assert.equal(nothing.interactionId, undefined);
});

test('chainHead: the last turn, skipping follow-ups that failed before creating anything (never the first turn)', () => {
  assert.equal(chainHead([]), undefined);
  const failedCreate = (turn: number): TurnRecord => ({ turn, status: 'failed', startedAt: iso(T0), endedAt: iso(T0) });
  assert.equal(chainHead([ended(1), failedCreate(2), failedCreate(3)])?.turn, 1);
  assert.equal(chainHead([failedCreate(1)])?.turn, 1);
  assert.equal(chainHead([ended(1), ended(2, { status: 'failed' })])?.turn, 2);
  assert.equal(chainHead([ended(1), running(2)])?.turn, 2);
});

test('late outcome: a result that arrived after the cancel stands, unless it says cancelled after our remote cancel', () => {
  const r = (upstreamStatus: string): FollowInteractionResult => ({
    status: 'completed',
    upstreamStatus,
    summary: '',
    outputChars: 0,
    report: { store: 's', key: 'k', bytes: 0, sha256: '' },
    eventsApplied: 0,
    streamVerified: false,
  });
  const sent = Promise.resolve({ upstreamStatus: 'cancelled', confirmed: true, cancelAnswer: 'accepted' as const });
  assert.equal(lateResultStands(r('completed'), sent), true);
  assert.equal(lateResultStands(r('cancelled'), sent), false);
  assert.equal(lateResultStands(r('cancelled'), undefined), true, 'v0.1.0 path: no remote cancel was sent yet');
});

/** A ledger over a one-turn record; `statuses` collects what it publishes. */
function ledgerOf(rec: TurnRecord, over: Partial<JobRecord> = {}) {
  const record: JobRecord = { turns: [rec], phase: 'running', ...over };
  const statuses: string[] = [];
  const ledger = new TurnLedger(record, rec, { deadlineMs: 4_000, budget: { maxWallTimeMs: 9_000 } }, (s) => statuses.push(s));
  return { record, ledger, statuses };
}

const followResult = (over: Partial<FollowInteractionResult> = {}): FollowInteractionResult => ({
  status: 'completed',
  upstreamStatus: 'completed',
  summary: 'x'.repeat(500),
  outputChars: 500,
  report: { store: 's', key: 'k', bytes: 500, sha256: 'h' },
  eventsApplied: 9,
  streamVerified: true,
  costUsd: 0.5,
  toolCalls: 3,
  ...over,
});

test('ledger: a follow result ends the turn with its status; summary cut to 280 characters; the phase rests', () => {
  const rec: TurnRecord = { turn: 1, status: 'running', startedAt: iso(T0) };
  const { record, ledger, statuses } = ledgerOf(rec);
  ledger.end({ kind: 'result', result: followResult() }, T0 + 1_000);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.endedAt, iso(T0 + 1_000));
  assert.equal(rec.summary?.length, 280);
  assert.equal(rec.costUsd, 0.5);
  assert.equal(rec.toolCalls, 3);
  assert.equal(rec.error, undefined);
  assert.equal(record.phase, 'done');
  assert.deepEqual(statuses, ['completed']);
  const waiting: TurnRecord = { turn: 1, status: 'running', startedAt: iso(T0) };
  const w = ledgerOf(waiting);
  w.ledger.end({ kind: 'result', result: followResult({ status: 'requires_action', upstreamStatus: 'requires_action' }) }, T0);
  assert.equal(w.record.phase, 'waiting-for-input');
});

test('ledger: stopped by the deadline names it; a failed cancel is kept unless the deadline message replaces it', () => {
  const rec: TurnRecord = { turn: 2, status: 'running', startedAt: iso(T0), interactionId: 'int-2' };
  const { ledger } = ledgerOf(rec);
  ledger.end({ kind: 'stopped', reason: 'cancelled', cancelError: { code: 'server_error', message: 'boom' } }, T0);
  assert.equal(rec.status, 'cancelled');
  assert.equal(rec.error?.message, 'cancelling the remote run failed: boom');
  const late: TurnRecord = { turn: 2, status: 'running', startedAt: iso(T0), interactionId: 'int-2' };
  ledgerOf(late).ledger.end(
    { kind: 'stopped', reason: 'timed_out', cancel: { upstreamStatus: 'cancelled', confirmed: true, cancelAnswer: 'accepted', usage: { total_tokens: 4 } } },
    T0,
  );
  assert.equal(late.status, 'timed_out');
  assert.equal(late.error?.code, 'deadline_exceeded');
  assert.match(late.error!.message, /turn 2 passed its deadline of 4000 ms/);
  assert.deepEqual(late.usage, { total_tokens: 4 });
  assert.equal(late.upstreamStatus, 'cancelled');
});

test('ledger: a budget stop records the wall time spent against the limit', () => {
  const rec: TurnRecord = { turn: 1, status: 'running', startedAt: iso(T0), admittedAt: iso(T0) };
  const { ledger } = ledgerOf(rec);
  ledger.end({ kind: 'stopped', reason: 'budget_exceeded' }, T0 + 10_000);
  assert.equal(rec.status, 'budget_exceeded');
  assert.equal(rec.budgetExceeded?.limit, 'maxWallTimeMs');
  assert.equal(rec.budgetExceeded?.used, 10_000);
  assert.match(rec.error!.message, /the remote run was cancelled/);
});

test('ledger: queued, admitted, created publish queued then running; not-created ends cancelled', () => {
  const rec: TurnRecord = { turn: 1, status: 'pending', startedAt: iso(T0) };
  const { record, ledger, statuses } = ledgerOf(rec, { phase: 'creating' });
  ledger.queued('key-1');
  assert.equal(record.phase, 'queued');
  assert.equal(jobStatusOf(record), 'queued');
  ledger.admitted(T0 + 500);
  assert.equal(record.queuedOn, undefined);
  assert.equal(rec.admittedAt, iso(T0 + 500));
  ledger.created({ interactionId: 'int-1', status: 'in_progress', recovered: false, ambiguous: true });
  assert.equal(rec.createAmbiguous, true);
  assert.equal(jobStatusOf(record), 'running');
  assert.deepEqual(statuses, ['queued', 'running']);
  const never: TurnRecord = { turn: 1, status: 'pending', startedAt: iso(T0) };
  ledgerOf(never).ledger.end({ kind: 'not-created' }, T0);
  assert.equal(never.status, 'cancelled');
});

test('ledger: adopting a duplicate that settled first swaps the interaction and records both', () => {
  const rec: TurnRecord = { turn: 1, status: 'running', startedAt: iso(T0), interactionId: 'int-a' };
  const { ledger } = ledgerOf(rec);
  const replaced = ledger.adopt('int-b', 'interaction.completed', T0 + 5);
  assert.equal(rec.interactionId, 'int-b');
  Object.assign(replaced, duplicateOutcome({ upstreamStatus: 'cancelled', confirmed: true, cancelAnswer: 'accepted', usage: { total_tokens: 9 } }));
  assert.deepEqual(
    rec.duplicateCreates?.map((d) => [d.interactionId, d.outcome, d.finalStatus ?? null]),
    [
      ['int-b', 'kept', null],
      ['int-a', 'cancelled', 'cancelled'],
    ],
  );
  assert.deepEqual(duplicateOutcome({ upstreamStatus: 'completed', confirmed: true, cancelAnswer: 'accepted' }), { outcome: 'already_finished', finalStatus: 'completed' });
  assert.deepEqual(duplicateOutcome(undefined), { outcome: 'cancel_failed' });
  assert.deepEqual(duplicateOutcome({ upstreamStatus: 'in_progress', confirmed: false, cancelAnswer: 'accepted' }), { outcome: 'cancel_failed', finalStatus: 'in_progress' });
});

test('jobStatusOf: named for what the job waits on (queued, plan_ready), else the last turn', () => {
  assert.equal(jobStatusOf({ turns: [], phase: 'creating' }), 'pending');
  assert.equal(jobStatusOf({ turns: [ended(1)], phase: 'plan-ready' }), 'plan_ready');
  assert.equal(jobStatusOf({ turns: [ended(1)], phase: 'done' }), 'completed');
  assert.equal(jobStatusOf({ turns: [ended(1), { turn: 2, status: 'pending', startedAt: iso(T0) }], phase: 'queued' }), 'queued');
});

test("wall-time budget of a running turn: earlier turns' running time and this turn's since admission", () => {
  const first = ended(1); // 5 s
  const rec: TurnRecord = { turn: 2, status: 'running', startedAt: iso(T0 + 100_000), admittedAt: iso(T0 + 110_000) };
  assert.equal(wallBudgetLeftMs(undefined, [first, rec], rec, T0 + 120_000), undefined);
  assert.equal(wallBudgetLeftMs({ maxWallTimeMs: 60_000 }, [first, rec], rec, T0 + 120_000), 60_000 - 5_000 - 10_000);
  const acc = followAccounting('gemini-3-flash-preview', { maxWallTimeMs: 60_000 }, [first, rec], rec, T0 + 120_000);
  assert.equal(acc.priceName, 'gemini-3-flash-preview');
  assert.equal(acc.budget?.spentBefore.wallMs, 5_000);
  assert.equal(acc.budget?.turnStartedAtMs, T0 + 110_000);
  assert.deepEqual(followAccounting(undefined, undefined, [rec], rec, T0), {});
});
