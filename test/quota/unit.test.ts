/** Pure parts of quota and cost control: usage sums, the cost estimate, budget checks, settings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sumUsage } from '../../src/contract/usage';
import { DEFAULT_PRICE_TABLE, estimateCost, priceFor, priceTableProblem } from '../../activities/pricing';
import { budgetProblem, exceededLimit, exhaustedLimit, ZERO_SPENT } from '../../src/contract/budget';
import { admissionSettingsFromEnv, QuotaConfigError } from '../../src/worker/quota-settings';
import { InteractionsClient } from '../../src/interactions/client';
import { fakeApiKey } from '../helpers/fake-credentials';

test('sumUsage adds every numeric field, merges lists by modality and tool type, keeps unknown fields', () => {
  const a = {
    total_tokens: 10,
    total_tool_use_tokens: 3,
    future_tokens: 1,
    input_tokens_by_modality: [{ modality: 'text', tokens: 4 }],
    grounding_tool_count: [{ type: 'google_search', count: 2 }],
  };
  const b = {
    total_tokens: 5,
    input_tokens_by_modality: [
      { modality: 'text', tokens: 1 },
      { modality: 'image', tokens: 7 },
    ],
    grounding_tool_count: [
      { type: 'google_search', count: 1 },
      { type: 'google_maps', count: 4 },
    ],
  };
  assert.deepEqual(sumUsage([a, undefined, b]), {
    total_tokens: 15,
    total_tool_use_tokens: 3,
    future_tokens: 1,
    input_tokens_by_modality: [
      { modality: 'text', tokens: 5 },
      { modality: 'image', tokens: 7 },
    ],
    grounding_tool_count: [
      { type: 'google_search', count: 3 },
      { type: 'google_maps', count: 4 },
    ],
  });
  assert.equal(sumUsage([undefined]), undefined);
});

test('the cost estimate prices each token class and grounding call, by the longest matching name', () => {
  assert.equal(priceFor('deep-research-max-preview-04-2026', DEFAULT_PRICE_TABLE)?.key, 'deep-research*');
  assert.equal(priceFor('gemini-3-flash-preview', DEFAULT_PRICE_TABLE)?.key, 'gemini-3-flash*');
  const table = { date: '2026-01-01', source: 't', models: { m: { inputPerMTok: 1, outputPerMTok: 10, cachedPerMTok: 0.1, groundingPer1k: { google_search: 20 } } } };
  const usage = {
    total_input_tokens: 1_000_000,
    total_cached_tokens: 500_000,
    total_output_tokens: 100_000,
    total_thought_tokens: 100_000,
    total_tool_use_tokens: 200_000,
    grounding_tool_count: [{ type: 'google_search', count: 50 }],
  };
  // 0.5 M uncached × 1 + 0.5 M cached × 0.1 + 0.2 M output+thought × 10 + 0.2 M tool use × 1 + 50 searches × 0.02
  assert.deepEqual(estimateCost(usage, 'm', table), { usd: 0.5 + 0.05 + 2 + 0.2 + 1, priceTable: '2026-01-01', priceKey: 'm' });
  assert.equal(estimateCost(usage, 'other', table), undefined, 'no fallback: no estimate');
  assert.match(priceTableProblem({ date: 'today', models: {} })!, /date/);
  assert.match(priceTableProblem({ date: '2026-01-01', models: { x: { inputPerMTok: -1, outputPerMTok: 1 } } })!, /models\.x\.inputPerMTok/);
  assert.equal(priceTableProblem(DEFAULT_PRICE_TABLE), undefined);
});

test('budgets: crossing is strictly more, used up is reaching; problems name the field', () => {
  const spent = { ...ZERO_SPENT, totalTokens: 100, toolCalls: 3 };
  assert.equal(exceededLimit({ maxTotalTokens: 100 }, spent), undefined);
  assert.deepEqual(exceededLimit({ maxTotalTokens: 200, maxToolCalls: 2 }, spent), { limit: 'maxToolCalls', max: 2, used: 3, spent });
  assert.equal(exhaustedLimit({ maxTotalTokens: 100 }, spent)?.limit, 'maxTotalTokens');
  assert.equal(budgetProblem({ maxWallTimeMs: 0 })?.field, 'options.budget.maxWallTimeMs');
  assert.equal(budgetProblem({ maxCostUsd: 0.5 }), undefined);
});

test('admission settings: defaults, off, and a refused key that looks like a credential', () => {
  assert.equal(admissionSettingsFromEnv({ GEMINI_JOBS_ADMISSION: 'off' }), undefined);
  const d = admissionSettingsFromEnv({});
  assert.equal(d?.appliesTo, 'agents');
  assert.equal(d?.limits.maxConcurrent, 10);
  assert.throws(
    () => admissionSettingsFromEnv({ GEMINI_JOBS_ADMISSION_RATE: 'fast' }),
    (e: unknown) => e instanceof QuotaConfigError && /GEMINI_JOBS_ADMISSION_RATE/.test((e as Error).message),
  );
  assert.throws(() => admissionSettingsFromEnv({ GEMINI_JOBS_ADMISSION_KEY: 'has space' }), QuotaConfigError);
});

test('the quota key never contains the credential', () => {
  const key = fakeApiKey('SyQuotaKeyTest0123456789abcdefghij');
  const q = new InteractionsClient({ apiKey: key }).quotaKey();
  assert.match(q, /^key-[0-9a-f]{12}$/);
  assert.ok(!q.includes(key.slice(4, 14)));
  assert.equal(new InteractionsClient({ vertexai: true, project: 'p1', location: 'global', accessToken: 'x' }).quotaKey(), 'vertex:p1/global');
});
