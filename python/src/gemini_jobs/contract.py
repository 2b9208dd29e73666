"""The job contract as Python names and types: the workflow type, its messages, the search
attributes, the status vocabulary and the shapes the workflow answers with. The source of truth is
the TypeScript contract (src/contract/ in the repository) and the JSON Schemas generated from it
(schemas/); docs/job-contract.md describes it for any language.

The shapes are ``TypedDict`` s: the workflow's answers arrive as JSON objects and stay plain dicts,
so fields a newer worker adds pass through untouched. Status and phase values are open sets.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, TypedDict, Union

JOB_WORKFLOW_TYPE = "interactionJob"
"""Workflow type of a job. The workflow id is the job id."""

DEFAULT_TASK_QUEUE = "gemini-jobs"
"""Task queue of job workflows and activities when ``GEMINI_JOBS_TASK_QUEUE`` is unset."""

STATE_QUERY = "state"
CANCEL_SIGNAL = "cancel"
FOLLOW_UP_UPDATE = "followUp"
APPROVE_PLAN_UPDATE = "approvePlan"
REFRESH_PROGRESS_UPDATE = "refreshProgress"

FOLLOW_ACTIVITY = "followInteraction"
"""The long activity whose heartbeat details (a ``FollowCheckpoint``) hold a turn's live progress."""
CREATE_ACTIVITY = "createInteraction"

JOB_RESULT_MEMO = "geminiJobResult"
#: Batches (src/contract/batch.ts): workflow type, query, signal and update; item n runs as job "<batchId>-<n>".
BATCH_WORKFLOW_TYPE = "geminiJobBatch"
#: A batch's workflow id is this prefix + the batch id (batch and job ids never collide).
BATCH_WORKFLOW_ID_PREFIX = "gemini-jobs-batch/"
BATCH_STATE_QUERY = "batchState"
BATCH_CANCEL_SIGNAL = "batchCancel"
BATCH_RETRY_UPDATE = "batchRetry"
MAX_BATCH_ITEMS = 5_000
MAX_BATCH_ITEMS_BYTES = 1_000_000
"""Memo key of the ``JobResult`` of a job that ended Temporal-cancelled (it has no result)."""

TEMPORAL_REPORT_STORE = "temporal"
"""``ReportRef.store`` of a report carried inline in the follow activity's result in history."""
API_REPORT_STORE = "api"
"""``ReportRef.store`` of a report left at the Interactions API (read it by interaction id)."""

WATCH_LEASE_WORKFLOW_TYPE = "watchLease"
WATCH_LEASE_SIGNAL = "watchLease"
WATCH_LEASE_PREFIX = "gemini-jobs-watch/"

SEARCH_ATTRIBUTES: Mapping[str, str] = {
    "status": "GeminiJobStatus",
    "agent": "GeminiJobAgent",
    "thread": "GeminiJobThread",
    "kind": "GeminiJobKind",
    "question": "GeminiJobQuestion",
    "mode": "GeminiJobMode",
    "interaction": "GeminiJobInteraction",
}
"""Keyword search attributes a job keeps current, by field. The workflow publishes them itself."""

AGENT_TURN_DEADLINE_MS = 70 * 60_000
"""The workflow's default turn deadline of an agent job: the API's 60-minute run limit plus 10."""
MODEL_TURN_DEADLINE_MS = 10 * 60_000
DEFAULT_JOB_MODE = "stream"
QUESTION_CHARS = 200
"""Longest question kept for listings (``GeminiJobQuestion``), in UTF-16 code units."""

JOB_STATUS_MEANINGS: Mapping[str, str] = {
    "pending": "starting: the interaction is being created",
    "queued": "queued: waiting for a quota permit on its credential, or queued by the API",
    "running": "running",
    "plan_ready": "waiting for plan approval (approve or refine the plan)",
    "requires_action": "waiting for a follow-up: the run asks for client action (function results)",
    "requires_continuation": "waiting for a follow-up: the output was cut and can be continued",
    "idle": "waiting for a follow-up: the agent is idle",
    "completed": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "incomplete": "incomplete: the run ended without a full answer (for example its token limit)",
    "budget_exceeded": "stopped: the job's budget was used up",
    "timed_out": "stopped: the turn passed its deadline and its run was cancelled",
    "unknown": "ended with a status this version does not know (see upstreamStatus)",
}
"""Every job status, in the order a job can pass through them, with what it means to a reader."""

JOB_STATUSES = tuple(JOB_STATUS_MEANINGS)
WAITING_JOB_STATUSES = ("plan_ready", "requires_action", "requires_continuation", "idle")
ACTIVE_UPSTREAM_STATUSES = ("queued", "in_progress")

JobStatus = str
"""One of :data:`JOB_STATUSES`, or a value a newer worker introduced (an open set)."""
JobPhase = str
"""``queued``, ``creating``, ``running``, ``streaming``, ``polling``, ``reconnecting``,
``waiting-for-input``, ``plan-ready``, ``cancelling``, ``done`` (an open set)."""
JobMode = Literal["stream", "poll", "webhook"]
JobRequest = Mapping[str, Any]
"""The Interactions API create request: ``{"agent" | "model": ..., "input": ..., ...}``."""


class ReportRef(TypedDict):
    store: str
    key: str
    bytes: int
    sha256: str


class JobError(TypedDict, total=False):
    code: str
    message: str
    retryable: bool
    rawCode: str


class TurnRecord(TypedDict, total=False):
    turn: int
    interactionId: str
    previousInteractionId: str
    status: JobStatus
    upstreamStatus: str
    usage: dict[str, Any]
    summary: str
    outputChars: int
    report: ReportRef
    error: JobError
    startedAt: str
    endedAt: str


class JobProgress(TypedDict, total=False):
    eventsApplied: int
    outputChars: int
    latestThought: str
    lastEventId: str
    lastEventAt: str


class PendingPlan(TypedDict):
    turn: int
    interactionId: str
    text: str


class RetryingStep(TypedDict, total=False):
    activity: str
    attempt: int
    lastFailure: str
    lastFailureType: str
    nextAttemptAt: str


class JobState(TypedDict, total=False):
    """The ``state`` query's answer, with live progress merged in (see :mod:`gemini_jobs.live_state`)."""

    jobId: str
    phase: JobPhase
    status: JobStatus
    question: str
    mode: str
    turnDeadlineMs: int
    upstreamStatus: str
    interactionId: str
    turn: int
    turns: list[TurnRecord]
    agent: str
    model: str
    thread: str
    startedAt: str
    turnStartedAt: str
    deadlineAt: str
    elapsedMs: int
    turnElapsedMs: int
    progress: JobProgress
    attempt: int
    usage: dict[str, Any]
    error: JobError
    cancelReason: str
    followUpUntil: str
    admission: dict[str, Any]
    cost: dict[str, Any]
    retrying: RetryingStep
    plan: PendingPlan


class JobResult(TypedDict, total=False):
    """The workflow's result: small by design; the report is read by its ``ReportRef``."""

    jobId: str
    status: JobStatus
    upstreamStatus: str
    interactionId: str
    interactionIds: list[str]
    turns: list[TurnRecord]
    usage: dict[str, Any]
    summary: str
    report: ReportRef
    error: JobError


class JobOptions(TypedDict, total=False):
    """How a job follows its interaction; durations in milliseconds. Leave a field out for the
    workflow's default (agents: a 70-minute turn deadline; a 15-minute follow-up window)."""

    mode: JobMode
    deadlineMs: int
    streamIdleTimeoutMs: int
    pollInitialIntervalMs: int
    pollMaxIntervalMs: int
    heartbeatTimeoutMs: int
    notFoundGraceMs: int
    followUpWindowMs: int
    thread: str
    tenant: str
    budget: dict[str, Any]
    continueAsNewAfterEvents: int
    callback: dict[str, Any]
    """Completion callbacks: ``{"url": "https://…", "events": ["settled"]}`` (docs/callbacks.md)."""
    chainSchedule: str
    """Set by a chained schedule: the first turn continues the schedule's previous run."""


class JobInput(TypedDict, total=False):
    request: JobRequest
    options: JobOptions


class FollowUpAccepted(TypedDict):
    turn: int
    interactionId: str


class FollowCheckpoint(TypedDict, total=False):
    """Heartbeat details of the pending ``followInteraction`` activity (first payload)."""

    interactionId: str
    lastEventId: str
    progress: dict[str, Any]
    usage: dict[str, Any]
    mode: Literal["streaming", "polling", "reconnecting"]
    streamedFromStart: bool
    streamFailures: int
    at: str


JsonValue = Union[None, bool, int, float, str, list[Any], dict[str, Any]]


def is_settled_turn_status(status: str | None) -> bool:
    """True when a turn with this status is over: terminal, waiting for the caller, or unknown."""
    return status is not None and status not in ("pending", "running") and status not in ACTIVE_UPSTREAM_STATUSES
