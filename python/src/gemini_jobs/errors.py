"""The errors the client raises on purpose, each with a stable ``code``: the codes of
docs/errors.md where the TypeScript client has the same error. Switch on ``code`` (or use the
class), never on the message. Messages never carry credentials.
"""

from __future__ import annotations


class GeminiJobsError(Exception):
    """Base of every error this package raises on purpose; ``code`` is stable."""

    code: str = "internal"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        """``{"code", "message", ...fields}``: safe to log or return to a caller."""
        return {"code": self.code, "message": self.message}


class JobValidationError(GeminiJobsError):
    """The job is refused before anything is enqueued; ``field`` names the problem, ``fix`` the way out."""

    code = "invalid_job"

    def __init__(self, field: str, problem: str, fix: str) -> None:
        super().__init__(f"{field}: {problem}. {fix}")
        self.field, self.problem, self.fix = field, problem, fix

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "field": self.field, "problem": self.problem, "fix": self.fix}


class InvalidJobIdError(GeminiJobsError):
    code = "invalid_job_id"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")
        self.field = field

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "field": self.field}


class InvalidThreadKeyError(InvalidJobIdError):
    code = "invalid_thread"


class TemporalConnectionError(GeminiJobsError):
    """Temporal could not be reached (or its settings could not be loaded)."""

    code = "temporal_connection"


class JobNotFoundError(GeminiJobsError):
    code = "job_not_found"

    def __init__(self, job_id: str) -> None:
        super().__init__(f"No job with id {job_id!r} (no workflow with that id in this namespace)")
        self.job_id = job_id


class JobClosedError(GeminiJobsError):
    """A follow-up or plan approval sent to a job that has ended."""

    code = "job_closed"

    def __init__(self, job_id: str, status: str) -> None:
        super().__init__(f"Job {job_id} has ended ({status}); it takes no more turns: start a new job")
        self.job_id, self.status = job_id, status


class JobUpdateRejectedError(GeminiJobsError):
    """The workflow refused a follow-up, plan approval or progress refresh; the message is its reason.
    ``reason`` is the turn's job error code when the update was accepted but its turn could not start."""

    code = "update_rejected"

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class JobWaitTimeoutError(GeminiJobsError):
    code = "wait_timeout"


class JobQueryError(GeminiJobsError):
    """A running job did not answer its ``state`` query: is a worker polling its task queue?"""

    code = "query_failed"

    def __init__(self, job_id: str, task_queue: str, cause: BaseException) -> None:
        super().__init__(
            f"Job {job_id} did not answer its state query ({cause}); is a gemini-jobs worker polling task queue {task_queue!r}?"
        )
        self.job_id, self.task_queue = job_id, task_queue


class SearchAttributesMissingError(GeminiJobsError):
    code = "search_attributes_missing"

    def __init__(self, namespace: str, detail: str) -> None:
        super().__init__(
            f"Namespace {namespace!r} lacks the gemini-jobs search attributes ({detail}); register them with "
            "`temporal operator search-attribute create --name GeminiJobStatus --type Keyword` (and GeminiJobAgent, "
            "GeminiJobThread, GeminiJobKind, GeminiJobQuestion, GeminiJobMode, GeminiJobInteraction)"
        )


class InlineReportError(GeminiJobsError):
    """A report inlined in the workflow history could not be read (or failed its sha256 check)."""

    code = "report_unreadable"


class ReportUnreadableError(InlineReportError):
    """The turn has a report, but no place tried had it; ``looked`` lists every place and why."""

    def __init__(self, message: str, looked: list[str]) -> None:
        super().__init__(message + ": " + "; ".join(looked))
        self.looked = looked

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "looked": self.looked}
