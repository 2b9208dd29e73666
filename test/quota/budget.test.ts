/**
 * Budgets and usage accounting: a Deep Research run that crosses its tool-call budget is
 * cancelled remotely and ends `budget_exceeded` with the figures; a thread's budget carries into
 * follow-ups; every usage field the emulator reports is kept per turn and summed per job, with a
 * dated cost estimate; bad budget fields are refused before anything is enqueued.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { releaseTestEnv } from '../helpers/temporal';
import { JobsClient } from '../../src/jobs/jobs-client';
import { JobValidationError } from '../../src/jobs/validate-job';
import { DEFAULT_PRICE_TABLE } from '../../activities/pricing';
import { followUpUpdate, type JobRequest } from '../../workflows/definitions';
import { FAST, jobHarness, type JobHarness } from '../jobs/job-harness';

let h: JobHarness;
let jobs: JobsClient;
before(async () => {
  // `long`: an hour-long run (12 s real), so the budget cancel lands long before its natural end.
  h = await jobHarness('budget', { timeScale: 300, scenarios: { long: { deepResearchDurationMs: 60 * 60_000 } } });
  jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store });
});
after(async () => {
  await h?.close();
  await releaseTestEnv();
});

const research = (input: string): JobRequest => ({ agent: 'deep-research-preview-04-2026', input }) as JobRequest;

test('crossing maxToolCalls cancels the remote run and ends the job budget_exceeded with the figures', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const request = { ...research('heat pumps in cold climates'), labels: { 'emulator-scenario': 'long' } } as JobRequest;
    const { jobId } = await jobs.start(request, { options: { ...FAST, budget: { maxToolCalls: 2 } } });
    const result = await h.env.client.workflow.getHandle(jobId).result();
    assert.equal(result.status, 'budget_exceeded');
    const turn = result.turns[0]!;
    assert.equal(turn.budgetExceeded?.limit, 'maxToolCalls');
    assert.equal(turn.budgetExceeded?.max, 2);
    assert.equal(turn.budgetExceeded?.used, 3, 'stopped at the first call over the limit');
    assert.equal(result.error?.code, 'budget_exceeded');
    assert.match(result.error!.message, /maxToolCalls 2 exceeded: 3 used .*the remote run was cancelled \(confirmed/);
    // The remote run really was cancelled, before its natural end.
    const remote = h.emulator.interactions().find((i) => i.id === turn.interactionId)!;
    assert.equal(remote.status, 'cancelled');
    assert.equal(h.emulator.counters().interactions[turn.interactionId!]!.cancels, 1);
    assert.equal(turn.upstreamStatus, 'cancelled');
    // The figures are kept: usage up to the cancel and its estimated cost.
    assert.ok((turn.usage?.total_tokens ?? 0) > 0);
    assert.equal(turn.priceTable, DEFAULT_PRICE_TABLE.date);
    assert.ok(result.spent && result.spent.toolCalls >= 3);
    const state = await jobs.state(jobId);
    assert.equal(state.status, 'budget_exceeded');
  });
});

test('every usage field is kept per turn and summed over the thread, with a dated cost estimate; the thread budget carries over', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const budget = { maxTotalTokens: 1_000_000 };
    const { jobId } = await jobs.start(research('district heating'), { options: { ...FAST, followUpWindowMs: 60_000, budget } });
    const handle = h.env.client.workflow.getHandle(jobId);
    await jobs.result(jobId, { wait: true });
    await handle.executeUpdate(followUpUpdate, { args: [{ input: 'And in Denmark?' }] });
    await jobs.result(jobId, { wait: true });
    const state = await jobs.state(jobId);
    const [t1, t2] = state.turns;
    for (const t of [t1!, t2!]) {
      const u = t.usage!;
      for (const k of ['total_input_tokens', 'total_output_tokens', 'total_thought_tokens', 'total_cached_tokens', 'total_tool_use_tokens', 'total_tokens']) {
        assert.equal(typeof u[k], 'number', `turn ${t.turn} ${k}`);
      }
      for (const k of ['input_tokens_by_modality', 'output_tokens_by_modality', 'cached_tokens_by_modality', 'tool_use_tokens_by_modality', 'grounding_tool_count']) {
        assert.ok(Array.isArray(u[k]) && (u[k] as unknown[]).length > 0, `turn ${t.turn} ${k}`);
      }
      assert.ok((t.costUsd ?? 0) > 0 && t.priceTable === DEFAULT_PRICE_TABLE.date);
      assert.ok((t.toolCalls ?? 0) > 0);
    }
    // Job totals are the field-by-field sums of the turns (lists merged by modality / type).
    const sum = (k: string) => (t1!.usage![k] as number) + (t2!.usage![k] as number);
    assert.equal(state.usage!.total_tokens, sum('total_tokens'));
    assert.equal(state.usage!.total_tool_use_tokens, sum('total_tool_use_tokens'));
    assert.equal(state.usage!.total_cached_tokens, sum('total_cached_tokens'));
    const searches = (u: typeof t1.usage) => u!.grounding_tool_count!.find((g) => g.type === 'google_search')!.count!;
    assert.equal(searches(state.usage), searches(t1!.usage) + searches(t2!.usage));
    assert.equal(state.usage!.output_tokens_by_modality![0]!.tokens, sum('total_output_tokens'));
    assert.equal(state.cost!.usd, Math.round((t1!.costUsd! + t2!.costUsd!) * 1e6) / 1e6);
    assert.equal(state.cost!.priceTable, DEFAULT_PRICE_TABLE.date);
    assert.equal(state.spent!.totalTokens, sum('total_tokens'), 'the budget counts both turns');
    await handle.signal('cancel', { reason: 'done' });
  });
});

test('a thread whose budget is used up refuses the next follow-up, naming the limit', async () => {
  const worker = await h.newWorker();
  await worker.runUntil(async () => {
    const request = { model: 'gemini-3-flash-preview', input: 'hi' } as JobRequest;
    // The emulator is deterministic: learn what this turn costs, then give a job exactly that.
    const probe = await jobs.start(request, { options: FAST });
    const tokens = (await h.env.client.workflow.getHandle(probe.jobId).result()).usage!.total_tokens!;
    const { jobId } = await jobs.start(request, { options: { ...FAST, followUpWindowMs: 60_000, budget: { maxTotalTokens: tokens } } });
    const outcome = await jobs.result(jobId, { wait: true });
    assert.equal(outcome.status, 'completed', 'reaching the limit is not crossing it');
    await assert.rejects(jobs.followUp(jobId, 'more'), new RegExp(`budget is used up \\(maxTotalTokens ${tokens} reached`));
    await h.env.client.workflow.getHandle(jobId).signal('cancel', { reason: 'done' });
  });
});

test('bad budget fields are refused before enqueue, naming the field and the fix', async () => {
  for (const [budget, field] of [
    [{ maxCostUsd: -1 }, 'options.budget.maxCostUsd'],
    [{ maxTokens: 5 }, 'options.budget.maxTokens'],
    [{ maxToolCalls: 1.5 }, 'options.budget.maxToolCalls'],
    ['lots', 'options.budget'],
  ] as const) {
    await assert.rejects(
      jobs.start(research('x'), { options: { budget: budget as never } }),
      (err: unknown) => err instanceof JobValidationError && err.field === field && /Pass|Use/.test(err.fix),
    );
  }
});
