/** Inputs and results of the admission activities. Types only (imported by workflows). */
import type { AdmissionLimits } from '../workflows/admission-definitions';

export interface RequestAdmissionInput {
  ticket: string;
  jobId: string;
  runId: string;
  /** When the job asked (workflow time, ms): its place in the FIFO queue. */
  enqueuedAtMs: number;
  tenant?: string;
  /** Agent runs (Deep Research) are admitted by default; model turns only with `appliesTo: 'all'`. */
  isAgent: boolean;
}

export type RequestAdmissionResult = { mode: 'off' } | { mode: 'queued'; key: string; limiterId: string };

export interface AdmissionLivenessInput {
  holders: Array<{ ticket: string; jobId: string; runId: string }>;
}

export interface AdmissionLivenessResult {
  /** Tickets whose job run is no longer running. */
  closed: string[];
}

/** What the worker admits, and under which limits (see `admissionSettingsFromEnv`). */
export interface AdmissionSettings {
  /** `agents` (default): Deep Research and other agent runs; `all`: model turns too. */
  appliesTo: 'agents' | 'all';
  /** Limiter key; default derived from the client's credential (`InteractionsClient.quotaKey()`). */
  key?: string;
  limits: AdmissionLimits;
}

export interface AdmissionActivities {
  requestAdmission(input: RequestAdmissionInput): Promise<RequestAdmissionResult>;
  admissionLiveness(input: AdmissionLivenessInput): Promise<AdmissionLivenessResult>;
}
