/**
 * Search attributes (Keyword) a job keeps current so every face lists and filters it the same way:
 * the Temporal UI (add them as columns), `gemini-jobs list`, the HTTP API and the dashboard, and any
 * language's client. Names only: the typed keys (`defineSearchAttributeKey`) live in
 * workflows/definitions.ts beside the other Temporal definitions; the dev server, the cluster
 * setup and `temporal operator search-attribute create` register these names, and the worker
 * refuses to start on a namespace that lacks one (an upsert of a missing attribute would fail
 * every workflow task).
 */
export const SEARCH_ATTRIBUTE_NAMES = {
  /** The job status (`JobStatus`): pending, queued, running, plan_ready, completed, … */
  status: 'GeminiJobStatus',
  /** The agent or, for a model turn, the model. */
  agent: 'GeminiJobAgent',
  /** The thread key (`JobOptions.thread`). */
  thread: 'GeminiJobThread',
  /** `agent` or `model` (see `JobKind`). */
  kind: 'GeminiJobKind',
  /** The question, shortened to QUESTION_CHARS. */
  question: 'GeminiJobQuestion',
  /** How the job follows its runs: stream, poll or webhook. */
  mode: 'GeminiJobMode',
  /** The current turn's interaction id, once created (webhook mode's backstop sweeper reads it). */
  interaction: 'GeminiJobInteraction',
} as const;

/** What a job is: an agent run (Deep Research) or a model turn. */
export type JobKind = 'agent' | 'model';
