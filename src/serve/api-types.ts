/**
 * Every body the HTTP API takes or answers, and every event its stream carries, as TypeScript
 * types. `npm run schemas` generates their JSON Schemas (with the job contract's) into
 * schemas/openapi.json, adding the rules types cannot state (lengths, patterns, ranges: the
 * `RULES` of ./openapi.ts); the server validates requests against that same document.
 */
import type { BatchOptions, BatchState, FollowUpAccepted, FollowUpRequest, JobOptions, JobRequest, JobState, PendingPlan } from '../contract';
import type { JobOutcome, JobScheduleDescription, JobScheduleSummary, JobSummary, ScheduleOverlap, StartedBatch, StartedJob } from '../jobs/jobs-client';
import type { DoneEvent, OutputEvent, PhaseEvent, ProgressEvent, ThoughtEvent, TurnCompletedEvent } from '../jobs/watch';

/** `POST /v1/jobs`. */
export interface StartJobBody {
  /** Your idempotency key: the same jobId again enqueues nothing (`existing: true`). Default `job_<uuid>`. */
  jobId?: string;
  /** Thread key for listing related jobs (same as `options.thread`). */
  thread?: string;
  /** The Interactions create request, without the fields the workflow owns (background, store, stream, previous_interaction_id). */
  request: JobRequest;
  options?: JobOptions;
}

/** `POST /v1/jobs/{jobId}/follow-up`. */
export interface FollowUpBody {
  /** The next question: text, a content object, or a list of contents or steps. */
  input: FollowUpRequest['input'];
  /** Request fields to change for this and later turns; `null` removes one. */
  overrides?: FollowUpRequest['overrides'];
}

/** `POST /v1/jobs/{jobId}/cancel` (the body is optional). */
export interface CancelBody {
  /** Why, kept in the job's state. */
  reason?: string;
}

/** `POST /v1/jobs/{jobId}/plan/approve` (the body is optional and empty). */
export type ApprovePlanBody = Record<string, never>;

/** `POST /v1/jobs/{jobId}/plan/refine`. */
export interface RefinePlanBody {
  /** How the plan should change, or an edited plan. */
  instructions: string;
}

/** `POST /v1/jobs` answer (202 enqueued, 200 already there). */
export type StartJobAnswer = StartedJob;

/** `GET /v1/jobs` answer, newest first. */
export interface JobListAnswer {
  jobs: JobSummary[];
}

/** `GET /v1/jobs/{jobId}` answer: the job state plus its question. */
export interface JobStateAnswer extends JobState {
  /** The start of the job's first question (from the start memo), for titles. */
  question?: string;
}

/** `GET /v1/jobs/{jobId}/result` answer (JSON). */
export type JobOutcomeAnswer = JobOutcome;

/** `POST /v1/jobs/{jobId}/cancel` answer. */
export interface CancelAnswer {
  jobId: string;
  /** False when the job had already ended. */
  cancelRequested: boolean;
}

/** `POST /v1/jobs/{jobId}/follow-up` and `plan/approve` answer: the new turn. */
export type TurnAccepted = FollowUpAccepted;

/** `POST /v1/jobs/{jobId}/plan/refine` answer: the new turn, and the revised plan once it is ready. */
export interface PlanRefined extends FollowUpAccepted {
  plan?: PendingPlan;
}

/** `POST /v1/batches`. */
export interface StartBatchBody {
  /** Your idempotency key: the same batchId again enqueues nothing (`existing: true`). Default `batch_<uuid>`. Item n runs as job `<batchId>-<n>`. */
  batchId?: string;
  /** One job request per item (the fields of `POST /v1/jobs`'s `request`). */
  items: JobRequest[];
  options?: BatchOptions;
}

/** `POST /v1/batches` answer (202 enqueued, 200 already there). */
export type StartBatchAnswer = StartedBatch;

/** `GET /v1/batches/{batchId}` answer: counts, tokens, estimated cost and each item's record. */
export type BatchStateAnswer = BatchState;

/** `POST /v1/batches/{batchId}/cancel` (the body is optional). */
export interface CancelBatchBody {
  /** Cancel only this item (1-based); absent = the whole batch. */
  item?: number;
  /** Why, kept in the batch's state. */
  reason?: string;
}

/** `POST /v1/batches/{batchId}/cancel` answer. */
export interface CancelBatchAnswer {
  batchId: string;
  item?: number;
  /** False when the batch had already ended. */
  cancelRequested: boolean;
}

/** Every failure: a stable `code`, a message for people, and the field at fault when there is one. */
export interface ErrorAnswer {
  error: {
    code: string;
    message: string;
    field?: string;
  };
}

/** The last event of a stream that failed after its headers were sent (then the stream ends). */
export interface StreamErrorEvent {
  /** The error code (as in `ErrorAnswer`). */
  code: string;
}

/** The event stream's events, by SSE event name. */
export interface StreamEvents {
  phase: PhaseEvent;
  progress: ProgressEvent;
  thought: ThoughtEvent;
  output: OutputEvent;
  'turn-completed': TurnCompletedEvent;
  done: DoneEvent;
  error: StreamErrorEvent;
}

/** `POST /v1/schedules`: a recurring job. Exactly one of `cron` or `everyMs`. */
export interface CreateScheduleBody {
  /** Default `sched_<uuid>`; each run's job id is `<scheduleId>-<ISO time>`. */
  scheduleId?: string;
  /** Five-field cron in UTC (`0 8 * * MON`), or `@daily`, `@hourly`, `@weekly`… */
  cron?: string;
  /** Time between runs in milliseconds (1,000 or more). */
  everyMs?: number;
  /** The create request every run sends. */
  request: JobRequest;
  /** Each run's job options (default `followUpWindowMs: 0`). */
  options?: JobOptions;
  /** Each run continues the thread of the schedule's latest earlier run (`previous_interaction_id`). */
  chain?: boolean;
  /** A run due while the previous one still runs: `skip` (default), `buffer_one`, `buffer_all`, `cancel_other`, `allow_all`. */
  overlap?: ScheduleOverlap;
  /** Create it paused. */
  paused?: boolean;
  /** A note describe shows. */
  note?: string;
}

/** `POST /v1/schedules/{scheduleId}/pause` and `/resume` (the body is optional). */
export interface ScheduleNoteBody {
  /** Why (shown by describe). */
  note?: string;
}

/** `GET /v1/schedules/{scheduleId}` and `POST /v1/schedules` answer. */
export type ScheduleAnswer = JobScheduleDescription;

/** `GET /v1/schedules` answer. */
export interface ScheduleListAnswer {
  schedules: JobScheduleSummary[];
}

/** Answer of pause, resume, trigger and delete. */
export interface ScheduleActionAnswer {
  scheduleId: string;
  /** What was done. */
  action: 'paused' | 'resumed' | 'triggered' | 'deleted';
}
