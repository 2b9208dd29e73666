"""gemini-jobs from Python: start durable Gemini Interactions API jobs (Deep Research, model
turns) on Temporal, read their live state, watch, cancel, follow up, approve plans, and read
their reports. A gemini-jobs worker (TypeScript, ``gemini-jobs worker``) runs the jobs; this
package needs only ``temporalio``. The job contract: docs/job-contract.md in the repository.

    import asyncio
    from gemini_jobs import JobsClient

    async def main():
        jobs = await JobsClient.connect()  # TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, GEMINI_JOBS_TASK_QUEUE
        job = await jobs.start({"agent": "deep-research-preview-04-2026", "input": "How do heat pumps work?"})
        async for state in jobs.watch(job.job_id):
            print(state["status"], state["phase"])
        print(await jobs.report(job.job_id))

    asyncio.run(main())
"""

from .client import JobOutcome, JobsClient, Snapshot, StartedJob
from .contract import (
    DEFAULT_TASK_QUEUE,
    JOB_STATUS_MEANINGS,
    JOB_STATUSES,
    JOB_WORKFLOW_TYPE,
    SEARCH_ATTRIBUTES,
    FollowCheckpoint,
    FollowUpAccepted,
    JobInput,
    JobOptions,
    JobResult,
    JobState,
    ReportRef,
    TurnRecord,
)
from .errors import (
    GeminiJobsError,
    InlineReportError,
    InvalidJobIdError,
    InvalidThreadKeyError,
    JobClosedError,
    JobNotFoundError,
    JobQueryError,
    JobUpdateRejectedError,
    JobValidationError,
    JobWaitTimeoutError,
    ReportUnreadableError,
    SearchAttributesMissingError,
    TemporalConnectionError,
)
from .live_state import merge_live_state
from .reports import read_inline_report
from .validate import validate_start
from .visibility import question_of, visibility_of

__all__ = [
    "DEFAULT_TASK_QUEUE",
    "JOB_STATUS_MEANINGS",
    "JOB_STATUSES",
    "JOB_WORKFLOW_TYPE",
    "SEARCH_ATTRIBUTES",
    "FollowCheckpoint",
    "FollowUpAccepted",
    "GeminiJobsError",
    "InlineReportError",
    "InvalidJobIdError",
    "InvalidThreadKeyError",
    "JobClosedError",
    "JobInput",
    "JobNotFoundError",
    "JobOptions",
    "JobOutcome",
    "JobQueryError",
    "JobResult",
    "JobState",
    "JobUpdateRejectedError",
    "JobValidationError",
    "JobWaitTimeoutError",
    "JobsClient",
    "ReportRef",
    "ReportUnreadableError",
    "SearchAttributesMissingError",
    "Snapshot",
    "StartedJob",
    "TemporalConnectionError",
    "TurnRecord",
    "merge_live_state",
    "question_of",
    "read_inline_report",
    "validate_start",
    "visibility_of",
]
