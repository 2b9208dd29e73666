/**
 * Workflow entry point (the module the worker bundles: `workflowsPath`). Deterministic code only;
 * see workflows/job.ts. The definitions are re-exported for callers that import `gemini-jobs/workflows`.
 */
export { interactionJob } from './job';
export { geminiJobBatch } from './batch';
export * from './definitions';
export { admissionLimiter } from './admission';
export { watchLease } from './watch-lease';
export { webhookSweeper } from './webhook-sweeper';
export { jobCallback } from './callback';
export * from './sweeper-definitions';
export * from './watch-lease-definitions';
