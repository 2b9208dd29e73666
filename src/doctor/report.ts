/**
 * The doctor's result model: one line per checked assumption, each `ok`, `differs` (what and
 * where), `skipped` (why) or `failed` (the probe itself could not run), plus spend and what was
 * observed on the wire. Rendering (table / JSON) and the exit code live here too.
 */
import { redact } from '../common/redact';

export type CheckResult = 'ok' | 'differs' | 'skipped' | 'failed';

export interface Check {
  /** Stable id, e.g. `model.stream`. */
  id: string;
  result: CheckResult;
  /** One line: what was seen (ok), what differs and where, or why skipped. */
  detail: string;
  /** Interaction id / request the finding refers to, when there is one. */
  where?: string;
  /** What the worker expects, when it differs (the documented behaviour). */
  expected?: string;
}

export interface Spend {
  /** HTTP requests sent (every attempt, retries included). */
  requests: number;
  /** Interactions created. */
  creates: number;
  /** Token totals read from the usage of the interactions created. */
  tokens: { input: number; output: number; thought: number; total: number };
  /** The cap on total tokens this run allowed itself. */
  maxTokens: number;
  /** Interactions created and deleted again / left behind (ids). */
  deleted: number;
  leftBehind: string[];
}

export interface Observed {
  statuses: string[];
  eventTypes: string[];
  stepTypes: string[];
  deltaTypes: string[];
  unknownStatuses: string[];
  unknownEventTypes: string[];
  unknownStepTypes: string[];
  unknownDeltaTypes: string[];
}

export interface DoctorReport {
  /** Where the probe went (no credentials): family, origin, version path. */
  target: { family: string; origin: string; prefix: string; apiVersion: string; backend: string; overridden: boolean };
  checks: Check[];
  spend: Spend;
  observed: Observed;
  /** Directory of the wire transcripts, when `--record` was given. */
  recordedTo?: string;
  exitCode: 0 | 1;
}

/** 0 when every line is ok or skipped, 1 when one differs or failed. */
export function exitCodeOf(checks: readonly Check[]): 0 | 1 {
  return checks.some((c) => c.result === 'differs' || c.result === 'failed') ? 1 : 0;
}

/** Every string that leaves the doctor goes through the package's redaction, plus the doctor's own tokens. */
export function scrub(text: string): string {
  return redact(text)
    .replace(/whsec_[0-9A-Za-z+/=_-]{8,}/g, 'whsec_[REDACTED]')
    .replace(/(doctor_token=)[^&#\s"']+/g, '$1[REDACTED]');
}

const WIDTH = { id: 18, result: 8 };

/** The table printed for people: CHECK, RESULT, DETAIL (details wrap under their own column). */
export function formatTable(report: DoctorReport, columns = 110): string {
  const lines: string[] = [];
  const t = report.target;
  lines.push(`gemini-jobs doctor: ${t.backend} → ${t.origin}${t.prefix}${t.overridden ? ' (origin overridden)' : ''}`);
  lines.push('');
  lines.push(`${'CHECK'.padEnd(WIDTH.id)} ${'RESULT'.padEnd(WIDTH.result)} DETAIL`);
  const detailWidth = Math.max(40, columns - WIDTH.id - WIDTH.result - 2);
  const indent = ' '.repeat(WIDTH.id + WIDTH.result + 2);
  for (const c of report.checks) {
    let detail = c.detail;
    if (c.expected && c.result === 'differs') detail += ` — expected: ${c.expected}`;
    if (c.where) detail += ` [${c.where}]`;
    const wrapped = wrap(scrub(detail), detailWidth);
    lines.push(`${c.id.padEnd(WIDTH.id)} ${c.result.padEnd(WIDTH.result)} ${wrapped[0] ?? ''}`);
    for (const more of wrapped.slice(1)) lines.push(indent + more);
  }
  lines.push('');
  const s = report.spend;
  lines.push(
    `spend: ${s.requests} requests, ${s.creates} interactions created (${s.deleted} deleted), ` +
      `${s.tokens.total} tokens (input ${s.tokens.input}, output ${s.tokens.output}, thought ${s.tokens.thought}; cap ${s.maxTokens})`,
  );
  if (s.leftBehind.length > 0) lines.push(`left behind (could not delete): ${s.leftBehind.join(', ')}`);
  if (report.recordedTo) lines.push(`wire transcripts (redacted): ${report.recordedTo}`);
  const counts = countResults(report.checks);
  lines.push(`result: ${counts.ok} ok, ${counts.differs} differs, ${counts.failed} failed, ${counts.skipped} skipped → exit ${report.exitCode}`);
  if (report.exitCode !== 0) lines.push('A "differs" means the API no longer behaves as the worker assumes: see docs/doctor.md.');
  return lines.join('\n');
}

export function countResults(checks: readonly Check[]): Record<CheckResult, number> {
  const out: Record<CheckResult, number> = { ok: 0, differs: 0, skipped: 0, failed: 0 };
  for (const c of checks) out[c.result]++;
  return out;
}

/** The JSON document of `--json` (credentials scrubbed). */
export function toJson(report: DoctorReport): string {
  return scrub(JSON.stringify(report, null, 2));
}

function wrap(text: string, width: number): string[] {
  const words = text.split(/\s+/);
  const out: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      out.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}
