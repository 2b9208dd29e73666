/**
 * Search attributes (Keyword) the job keeps current so services can list jobs. Names only: the
 * typed keys (`defineSearchAttributeKey`) live in workflows/definitions.ts, beside the other
 * Temporal definitions; the dev server and `temporal operator` register these names.
 */
export const SEARCH_ATTRIBUTE_NAMES = {
  status: 'GeminiJobStatus',
  agent: 'GeminiJobAgent',
  thread: 'GeminiJobThread',
} as const;
