/**
 * Worker settings of quota and cost control, read from the environment: admission control of
 * creates per credential key (`GEMINI_JOBS_ADMISSION_*`) and the price table of cost estimates
 * (`GEMINI_JOBS_PRICE_TABLE`). See docs/quota.md for the defaults and where they come from.
 */
import { readFileSync } from 'node:fs';
import type { AdmissionSettings } from '../../activities/admission-types';
import type { AdmissionLimits } from '../../workflows/admission-definitions';
import { DEFAULT_PRICE_TABLE, priceTableProblem, type PriceTable } from '../../activities/pricing';
import { ConfigError } from '../common/errors';

/**
 * Default limits per key. Google publishes no fixed Deep Research figures: limits are per
 * project, per model and per tier (AI Studio shows the active ones; on Vertex the per-minute
 * "Stateful Gen AI Interaction Creation" quota of the Cloud console). These defaults sit below
 * what users report for preview agents on a paid tier; set yours from those pages.
 */
export const ADMISSION_DEFAULTS: AdmissionLimits = {
  maxPerWindow: 10,
  windowMs: 60_000,
  maxConcurrent: 10,
  maxConcurrentPerTenant: 0,
  orderGraceMs: 1_000,
  leaseCheckMs: 60_000,
  idleExitMs: 10 * 60_000,
};

/** A bad quota setting, naming the variable and the fix. */
export class QuotaConfigError extends ConfigError {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) {
    throw new QuotaConfigError(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(text)}); unset it for the default ${fallback}`);
  }
  return Number(text);
}

/**
 * Admission settings from the environment, or undefined when `GEMINI_JOBS_ADMISSION=off`.
 * `GEMINI_JOBS_ADMISSION`: `agents` (default; Deep Research and other agents), `all`, `off`.
 */
export function admissionSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AdmissionSettings | undefined {
  const mode = (env.GEMINI_JOBS_ADMISSION ?? '').trim().toLowerCase() || 'agents';
  if (mode === 'off') return undefined;
  if (mode !== 'agents' && mode !== 'all') {
    throw new QuotaConfigError(`GEMINI_JOBS_ADMISSION must be agents, all or off (got ${JSON.stringify(env.GEMINI_JOBS_ADMISSION)})`);
  }
  const d = ADMISSION_DEFAULTS;
  const limits: AdmissionLimits = {
    maxPerWindow: int(env, 'GEMINI_JOBS_ADMISSION_RATE', d.maxPerWindow, 1),
    windowMs: int(env, 'GEMINI_JOBS_ADMISSION_WINDOW_MS', d.windowMs, 100),
    maxConcurrent: int(env, 'GEMINI_JOBS_ADMISSION_CONCURRENCY', d.maxConcurrent, 1),
    maxConcurrentPerTenant: int(env, 'GEMINI_JOBS_ADMISSION_PER_TENANT', d.maxConcurrentPerTenant, 0),
    orderGraceMs: int(env, 'GEMINI_JOBS_ADMISSION_ORDER_GRACE_MS', d.orderGraceMs, 0),
    leaseCheckMs: int(env, 'GEMINI_JOBS_ADMISSION_LEASE_CHECK_MS', d.leaseCheckMs, 1_000),
    idleExitMs: d.idleExitMs,
  };
  const settings: AdmissionSettings = { appliesTo: mode, limits };
  const key = env.GEMINI_JOBS_ADMISSION_KEY?.trim();
  if (key) {
    if (!/^[A-Za-z0-9:/._-]{1,100}$/.test(key))
      throw new QuotaConfigError('GEMINI_JOBS_ADMISSION_KEY must be 1-100 characters of letters, digits and : / . _ -; use a project name, never a credential');
    settings.key = key;
  }
  return settings;
}

/** Builds complete admission settings from partial limits (tests, embedding). */
export function admissionSettings(limits: Partial<AdmissionLimits> = {}, extra: Partial<Omit<AdmissionSettings, 'limits'>> = {}): AdmissionSettings {
  return { appliesTo: extra.appliesTo ?? 'agents', ...(extra.key ? { key: extra.key } : {}), limits: { ...ADMISSION_DEFAULTS, ...limits } };
}

/** The price table: the JSON file at `GEMINI_JOBS_PRICE_TABLE`, else the built-in one. */
export function priceTableFromEnv(env: NodeJS.ProcessEnv = process.env): PriceTable {
  const path = env.GEMINI_JOBS_PRICE_TABLE?.trim();
  if (!path) return DEFAULT_PRICE_TABLE;
  let table: unknown;
  try {
    table = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new QuotaConfigError(`GEMINI_JOBS_PRICE_TABLE: cannot read ${path} as JSON (${(err as Error).message})`);
  }
  const problem = priceTableProblem(table);
  if (problem) throw new QuotaConfigError(`GEMINI_JOBS_PRICE_TABLE (${path}): ${problem}`);
  return table as PriceTable;
}
