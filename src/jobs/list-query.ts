/**
 * Builds Temporal visibility (List Filter) queries for `JobsClient.list`. Every value is quoted
 * here, never concatenated by callers: a thread or agent name comes from users.
 */
import { JOB_WORKFLOW_TYPE, SEARCH_ATTRIBUTE_NAMES } from '../contract';
import { InvalidListFilterError } from './errors';

export interface JobListFilter {
  /** Job status (search attribute GeminiJobStatus), e.g. `running`, `completed`. One value or any of several. */
  status?: string | string[];
  /** Agent or model name (GeminiJobAgent). */
  agent?: string | string[];
  /** Thread key (GeminiJobThread). */
  thread?: string | string[];
}

/**
 * Quotes a string literal for a visibility query. A single quote is doubled (standard SQL, which
 * the server's parser accepts for every visibility store). Double quotes, backslashes and control
 * characters are refused: the server's parser cannot match them exactly, so a filter holding one
 * would silently match nothing (thread keys are validated against the same rule at start).
 */
export function quoteVisibilityValue(value: string): string {
  if (typeof value !== 'string') throw new TypeError('visibility query values must be strings');
  if (/["\\\u0000-\u001f\u007f]/.test(value)) {
    throw new InvalidListFilterError(`list filter value ${JSON.stringify(value)} must not contain double quotes, backslashes or control characters`);
  }
  return `'${value.replace(/'/g, "''")}'`;
}

function clause(attribute: string, value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== '');
  if (values.length === 0) return undefined;
  if (values.length === 1) return `${attribute} = ${quoteVisibilityValue(values[0]!)}`;
  return `${attribute} IN (${values.map(quoteVisibilityValue).join(', ')})`;
}

/** The visibility query for a filter; always restricted to job workflows. */
export function buildListQuery(filter: JobListFilter = {}): string {
  const parts = [
    `WorkflowType = ${quoteVisibilityValue(JOB_WORKFLOW_TYPE)}`,
    clause(SEARCH_ATTRIBUTE_NAMES.status, filter.status),
    clause(SEARCH_ATTRIBUTE_NAMES.agent, filter.agent),
    clause(SEARCH_ATTRIBUTE_NAMES.thread, filter.thread),
  ].filter((p): p is string => p !== undefined);
  return parts.join(' AND ');
}
