/**
 * Estimated cost of a turn from a dated price table. An ESTIMATE: list prices per million tokens
 * applied to the usage the API reported; it ignores free tiers, discounts, batch/flex/priority
 * tiers, long-context surcharges, taxes and anything billed outside `usage`. The invoice is the
 * truth. Pure: no I/O (the worker loads a custom table from a file, see `loadPriceTable`).
 */
import type { Usage } from '../src/interactions/types';

/** Prices of one model or agent, in USD. */
export interface ModelPrice {
  /** Per million input tokens (uncached part of `total_input_tokens`, plus `total_tool_use_tokens`). */
  inputPerMTok: number;
  /** Per million output tokens; thought tokens are billed as output unless `thoughtPerMTok` is set. */
  outputPerMTok: number;
  thoughtPerMTok?: number;
  /** Per million cached input tokens (default: the input price). */
  cachedPerMTok?: number;
  /** Per million tool-use tokens (default: the input price). */
  toolUsePerMTok?: number;
  /** Per 1,000 grounding calls, by `grounding_tool_count` type (e.g. `google_search`). */
  groundingPer1k?: Record<string, number>;
}

export interface PriceTable {
  /** The day these prices were read (ISO date); reported with every estimate. */
  date: string;
  /** Where the figures come from, and how sure they are. */
  source: string;
  /** Prices by model or agent name; a key ending in `*` matches by prefix (longest wins). */
  models: Record<string, ModelPrice>;
  /** For names the table does not list (absent: such turns have no estimate). */
  fallback?: ModelPrice;
}

export interface CostEstimate {
  usd: number;
  /** `date` of the table used. */
  priceTable: string;
  /** The table entry used (`fallback` when the name was not listed). */
  priceKey: string;
}

const GEMINI_3_PRO: ModelPrice = { inputPerMTok: 2, outputPerMTok: 12, cachedPerMTok: 0.2, groundingPer1k: { google_search: 14, google_maps: 14 } };

/**
 * Built-in table. The token prices are Google's published list prices for prompts up to 200k
 * tokens as read on the date below; the Deep Research agents are priced as the Gemini 3 Pro tokens
 * and search queries they consume, which is how Google describes their billing. Per-run figures
 * quoted elsewhere ($1–3 standard, $3–7 Max) are third-party. Check the pricing page and pass
 * your own table (`GEMINI_JOBS_PRICE_TABLE`) for anything that matters.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  date: '2026-12-01',
  source: 'ai.google.dev/gemini-api/docs/pricing (list prices, <=200k-token prompts); agent pricing as underlying model tokens + grounding; unverified offline',
  models: {
    'gemini-3-pro*': GEMINI_3_PRO,
    'gemini-3-flash*': { inputPerMTok: 0.5, outputPerMTok: 3, cachedPerMTok: 0.05, groundingPer1k: { google_search: 14, google_maps: 14 } },
    'gemini-2.5-pro*': { inputPerMTok: 1.25, outputPerMTok: 10, cachedPerMTok: 0.125, groundingPer1k: { google_search: 35 } },
    'gemini-2.5-flash*': { inputPerMTok: 0.3, outputPerMTok: 2.5, cachedPerMTok: 0.03, groundingPer1k: { google_search: 35 } },
    'deep-research*': GEMINI_3_PRO,
  },
  fallback: GEMINI_3_PRO,
};

/** The table entry for a model or agent name: exact, then the longest matching `prefix*`, then the fallback. */
export function priceFor(name: string | undefined, table: PriceTable): { key: string; price: ModelPrice } | undefined {
  if (name !== undefined) {
    const exact = table.models[name];
    if (exact) return { key: name, price: exact };
    let best: string | undefined;
    for (const key of Object.keys(table.models)) {
      if (key.endsWith('*') && name.startsWith(key.slice(0, -1)) && (!best || key.length > best.length)) best = key;
    }
    if (best) return { key: best, price: table.models[best]! };
  }
  return table.fallback ? { key: 'fallback', price: table.fallback } : undefined;
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Estimated USD cost of `usage` for model/agent `name`; undefined when the table has no price for it. */
export function estimateCost(usage: Usage | undefined, name: string | undefined, table: PriceTable): CostEstimate | undefined {
  const found = priceFor(name, table);
  if (!found) return undefined;
  const p = found.price;
  const u = usage ?? {};
  const cached = Math.min(n(u.total_cached_tokens), n(u.total_input_tokens));
  let usd =
    ((n(u.total_input_tokens) - cached) * p.inputPerMTok +
      cached * (p.cachedPerMTok ?? p.inputPerMTok) +
      n(u.total_output_tokens) * p.outputPerMTok +
      n(u.total_thought_tokens) * (p.thoughtPerMTok ?? p.outputPerMTok) +
      n(u.total_tool_use_tokens) * (p.toolUsePerMTok ?? p.inputPerMTok)) /
    1_000_000;
  for (const g of u.grounding_tool_count ?? []) {
    const rate = g?.type ? p.groundingPer1k?.[String(g.type)] : undefined;
    if (rate !== undefined) usd += (n(g.count) * rate) / 1000;
  }
  return { usd: Math.round(usd * 1e6) / 1e6, priceTable: table.date, priceKey: found.key };
}

/** Why a price table is unusable (names the field), or undefined when it is fine. */
export function priceTableProblem(table: unknown): string | undefined {
  if (!table || typeof table !== 'object') return 'the price table must be a JSON object { date, source, models, fallback? }';
  const t = table as Partial<PriceTable>;
  if (typeof t.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(t.date)) return 'date must be the ISO day the prices were read (YYYY-MM-DD)';
  if (!t.models || typeof t.models !== 'object') return 'models must map model or agent names to prices';
  const entries: Array<[string, unknown]> = [...Object.entries(t.models), ...(t.fallback ? [['fallback', t.fallback] as [string, unknown]] : [])];
  for (const [name, price] of entries) {
    const p = price as Partial<ModelPrice>;
    for (const field of ['inputPerMTok', 'outputPerMTok'] as const) {
      if (typeof p?.[field] !== 'number' || !(p[field]! >= 0)) return `models.${name}.${field} must be a non-negative number of USD per million tokens`;
    }
  }
  return undefined;
}
