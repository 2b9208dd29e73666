/**
 * Contract of the admission limiter: one small durable workflow per credential key that admits
 * creates in FIFO order at a configured rate and concurrency. Pure: imported by workflows, the
 * admission activity and the jobs client.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';

/** Workflow type of the limiter. */
export const ADMISSION_WORKFLOW_TYPE = 'admissionLimiter';

/** Limiter workflow id for a key (`gemini-jobs-admission/<key>`). */
export function admissionWorkflowId(key: string): string {
  return `gemini-jobs-admission/${key}`;
}

/** Limits of one key. Durations in milliseconds. */
export interface AdmissionLimits {
  /** Creates admitted per `windowMs` (sliding window). */
  maxPerWindow: number;
  windowMs: number;
  /** Turns holding a permit at once (a permit lasts from admission to the end of the turn). */
  maxConcurrent: number;
  /** Turns holding a permit at once per tenant; 0 = no per-tenant limit. */
  maxConcurrentPerTenant: number;
  /**
   * A request is admitted no earlier than this long after its job asked (its `enqueuedAtMs`), so
   * requests of jobs started in order but delivered slightly out of order are still admitted in
   * order. Costs at most this much latency when the queue is empty.
   */
  orderGraceMs: number;
  /** Check that permit holders are still running this often while someone waits (ms). */
  leaseCheckMs: number;
  /** The limiter ends after this long with no waiter and no holder (ms); the next request restarts it. */
  idleExitMs: number;
}

export interface AcquireRequest {
  /** `<jobId>#<turn>`: dedupes a repeated request. */
  ticket: string;
  jobId: string;
  /** The job run to signal and to check for liveness. */
  runId: string;
  /** When the job asked (its workflow time), for FIFO order. */
  enqueuedAtMs: number;
  tenant?: string;
  /** The worker's current limits: the limiter adopts the latest ones. */
  limits: AdmissionLimits;
}

export interface ReleaseRequest {
  ticket: string;
}

/** A 429 with Retry-After on this key: pause admission for everyone. */
export interface ThrottleRequest {
  retryAfterMs: number;
  ticket?: string;
}

export interface AdmissionGrant {
  ticket: string;
  key: string;
}

export interface PositionAnswer {
  /** 1-based place of the ticket among waiters; 0 = holds a permit; -1 = unknown ticket. */
  position: number;
  waiting: number;
  holding: number;
  pausedUntil?: string;
}

export interface Waiter {
  ticket: string;
  jobId: string;
  runId: string;
  enqueuedAtMs: number;
  seq: number;
  tenant?: string;
}

export interface Holder {
  ticket: string;
  jobId: string;
  runId: string;
  tenant?: string;
  grantedAtMs: number;
}

/** Everything a limiter carries into its next run (continue-as-new). */
export interface LimiterState {
  waiters: Waiter[];
  holders: Holder[];
  /** Admission times (ms) still inside the rate window. */
  recent: number[];
  pausedUntilMs: number;
  seq: number;
  /** Totals for the lifetime of the key. */
  admitted: number;
  throttles: number;
  leaked: number;
}

export interface AdmissionLimiterInput {
  key: string;
  limits: AdmissionLimits;
  carried?: LimiterState;
  /**
   * The waiters of `carried`, compacted (`workflows/admission-pack.ts`); `carried.waiters` is then
   * empty. Absent in inputs written before it existed, and when the queue cannot be packed.
   */
  packedWaiters?: PackedWaiters;
}

/** Waiters in the compact continue-as-new form (see the module comment). */
export interface PackedWaiters {
  v: 1;
  n: number;
  shapes: string;
  uuids: string;
  enqBase: number;
  enq: string;
  seqBase: number;
  seq: string;
  jobIds?: Record<string, string>;
  tenants?: Record<string, string>;
}

export const acquireSignal = defineSignal<[AcquireRequest]>('admissionAcquire');
export const releaseSignal = defineSignal<[ReleaseRequest]>('admissionRelease');
export const throttleSignal = defineSignal<[ThrottleRequest]>('admissionThrottle');
/** Sent by the limiter to the job run that may now create. */
export const grantSignal = defineSignal<[AdmissionGrant]>('admissionGranted');
export const positionQuery = defineQuery<PositionAnswer, [string]>('admissionPosition');
export const limiterStateQuery = defineQuery<LimiterState & { key: string; limits: AdmissionLimits }>('admissionState');
