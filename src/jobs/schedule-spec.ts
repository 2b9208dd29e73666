/**
 * Checks a schedule's timing before anything is created: a cron expression (five fields, or
 * Temporal's `@daily`-style names) or an interval. Pure: the jobs client, the CLI and the HTTP API
 * all ask it, so a bad spec fails with the same field and fix everywhere.
 */
import { JobValidationError } from './validate-job';

/** Shortest interval between runs (ms). */
export const MIN_SCHEDULE_INTERVAL_MS = 1_000;
/** Longest interval between runs (ms): a year. */
export const MAX_SCHEDULE_INTERVAL_MS = 366 * 24 * 3_600_000;

const NAMED = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  namesFrom?: number;
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  // 7 is Sunday too, as in most crons.
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

function valueOf(text: string, field: Field): number | undefined {
  const upper = text.toUpperCase();
  const named = field.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (field.namesFrom ?? 0);
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}

/** Why one cron field is wrong, or undefined. */
function fieldProblem(text: string, field: Field): string | undefined {
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') return `${field.name} ${JSON.stringify(text)} is not a list of values, ranges or steps`;
    if (step !== undefined && !/^[1-9]\d{0,2}$/.test(step)) return `${field.name} step ${JSON.stringify(step)} must be a positive number`;
    if (range === '*' || range === '?') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${field.name} ${JSON.stringify(range)} is not a range`;
    const values = bounds.map((b) => valueOf(b, field));
    if (values.some((v) => v === undefined)) {
      const names = field.names ? ` or ${field.names[0]}–${field.names[field.names.length - 1]}` : '';
      return `${field.name} ${JSON.stringify(range)} is outside ${field.min}–${field.max}${names}`;
    }
    if (values.length === 2 && values[0]! > values[1]!) return `${field.name} range ${JSON.stringify(range)} runs backwards`;
  }
  return undefined;
}

/** Throws `JobValidationError` (field `field`) unless `cron` is a five-field cron or a named one. */
export function assertCron(cron: unknown, field = 'cron'): asserts cron is string {
  const fix = 'Use five fields "minute hour day-of-month month day-of-week", e.g. "0 8 * * MON" (08:00 UTC every Monday), or @daily / @hourly / @weekly.';
  if (typeof cron !== 'string' || cron.trim() === '') throw new JobValidationError(field, 'is required', fix);
  const text = cron.trim();
  if (text.startsWith('@')) {
    if (NAMED.has(text.toLowerCase())) return;
    throw new JobValidationError(field, `${JSON.stringify(text)} is not a named schedule`, `${fix} For a fixed interval use every (e.g. --every 1h).`);
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) throw new JobValidationError(field, `has ${parts.length} field${parts.length === 1 ? '' : 's'}, not 5`, fix);
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i]!, FIELDS[i]!);
    if (problem) throw new JobValidationError(field, problem, fix);
  }
}

/** Throws `JobValidationError` unless `everyMs` is a whole number of ms between 1 s and a year. */
export function assertInterval(everyMs: unknown, field = 'everyMs'): asserts everyMs is number {
  if (typeof everyMs !== 'number' || !Number.isInteger(everyMs) || everyMs < MIN_SCHEDULE_INTERVAL_MS || everyMs > MAX_SCHEDULE_INTERVAL_MS) {
    throw new JobValidationError(
      field,
      `must be a whole number of milliseconds from ${MIN_SCHEDULE_INTERVAL_MS} to ${MAX_SCHEDULE_INTERVAL_MS}, got ${JSON.stringify(everyMs)}`,
      'Pass the time between runs, e.g. 3600000 for hourly (CLI: --every 1h), or use a cron expression.',
    );
  }
}
