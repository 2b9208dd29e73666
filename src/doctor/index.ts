/** `gemini-jobs doctor` as a library: `runDoctor(opts)` → a report of ok / differs / skipped lines. */
export { runDoctor, DoctorConfigError, DEFAULT_DOCTOR_AGENT, DEFAULT_DOCTOR_MODEL, DEFAULT_MAX_TOKENS } from './doctor';
export type { DoctorOptions } from './doctor';
export { formatTable, toJson, exitCodeOf, countResults } from './report';
export type { Check, CheckResult, DoctorReport, Observed, Spend } from './report';
export { DEEP_RESEARCH_COST_WARNING } from './planning-probe';
export type { WebhookProbeOptions } from './webhook-probe';
