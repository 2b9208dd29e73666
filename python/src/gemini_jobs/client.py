"""``JobsClient``: gemini-jobs from Python, on nothing but ``temporalio``. A job is one workflow
execution whose workflow id is the job id; a gemini-jobs worker (TypeScript) runs it. This client
starts jobs, reads their state with live progress, watches them, steers them (cancel, follow-up,
plan approval) and reads their reports, the way the TypeScript ``JobsClient`` does.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, AsyncIterator, Literal, Mapping, cast

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleListActionStartWorkflow,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    WorkflowExecutionDescription,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.envconfig import ClientConfig
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from . import contract as c
from .contract import FollowUpAccepted, JobOptions, JobRequest, JobResult, JobState, TurnRecord
from .errors import (
    GeminiJobsError,
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
from .live_state import iso_ms, merge_live_state, with_elapsed
from .reports import ReportSource, read_report
from .validate import assert_job_id, validate_start
from .visibility import static_details, static_summary, visibility_of

_KEYS = {field: SearchAttributeKey.for_keyword(name) for field, name in c.SEARCH_ATTRIBUTES.items()}
_CLOSED_STATUS = {
    WorkflowExecutionStatus.CANCELED: "cancelled",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.TERMINATED: "failed",
}
_WATCH_LEASE_MS = 120_000
HELPER_SUMMARY_PREFIX = "gemini-jobs helper (not a job): "


class ConfigError(GeminiJobsError):
    """A setting that cannot be used (e.g. a relative ``GEMINI_JOBS_RESULTS_DIR``)."""

    code = "invalid_config"


@dataclass
class StartedJob:
    job_id: str
    run_id: str
    existing: bool
    """True when a job with this id already existed: nothing new was enqueued."""


@dataclass
class Snapshot:
    """One read of a job: its state, whether the execution has closed, and the describe() it came from."""

    state: JobState
    closed: bool
    description: WorkflowExecutionDescription

    @property
    def settled(self) -> bool:
        """True when the current turn is over (or the job waits for input, or has ended)."""
        if self.closed or self.state.get("phase") in ("waiting-for-input", "done"):
            return True
        current = _current_turn(self.state)
        return current is not None and c.is_settled_turn_status(current.get("status"))


@dataclass
class JobOutcome:
    """The latest turn that is over and its report (see :meth:`JobsClient.result`)."""

    job_id: str
    status: str
    """Status of the reported turn (or of the job when no turn has ended yet)."""
    state: JobState
    settled: bool
    closed: bool
    turn: TurnRecord | None = None
    report: str | None = None
    report_source: ReportSource = "none"
    report_problem: str | None = None
    looked: list[str] = field(default_factory=list)
    """Every place tried, when a report exists but could not be read."""


def _current_turn(state: Mapping[str, Any]) -> TurnRecord | None:
    return next((t for t in state.get("turns", []) if t.get("turn") == state.get("turn")), None)


def _env(name: str, env: Mapping[str, str]) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _not_found(err: BaseException) -> bool:
    return isinstance(err, RPCError) and err.status == RPCStatusCode.NOT_FOUND


class JobsClient:
    """Jobs on a Temporal namespace and task queue. Build it with :meth:`connect`, or around a
    ``temporalio`` ``Client`` you already have: ``JobsClient(client, task_queue="gemini-jobs")``.

    Args:
        client: a connected ``temporalio.client.Client`` (its namespace is used).
        task_queue: where jobs are started. Default ``GEMINI_JOBS_TASK_QUEUE``, else ``gemini-jobs``.
        results_dir: the worker's external result store directory, for reports over 1 MiB.
            Default ``GEMINI_JOBS_RESULTS_DIR``; reports that fit in Temporal need none.
        query_timeout: seconds one ``state`` query may take.
    """

    def __init__(
        self,
        client: Client,
        *,
        task_queue: str | None = None,
        results_dir: str | None = None,
        query_timeout: float = 10.0,
        env: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if env is None else env
        self.client = client
        self.task_queue = task_queue or _env("GEMINI_JOBS_TASK_QUEUE", env) or c.DEFAULT_TASK_QUEUE
        self.results_dir = results_dir if results_dir is not None else _env("GEMINI_JOBS_RESULTS_DIR", env)
        if self.results_dir is not None and not os.path.isabs(self.results_dir):
            raise ConfigError(f"GEMINI_JOBS_RESULTS_DIR must be an absolute directory, got {self.results_dir!r}")
        self.query_timeout = query_timeout

    @classmethod
    async def connect(
        cls,
        address: str | None = None,
        namespace: str | None = None,
        *,
        task_queue: str | None = None,
        profile: str | None = None,
        results_dir: str | None = None,
        query_timeout: float = 10.0,
        env: Mapping[str, str] | None = None,
    ) -> "JobsClient":
        """Connects like the Temporal CLI and the TypeScript client: a TOML profile
        (``TEMPORAL_CONFIG_FILE``, ``TEMPORAL_PROFILE``), then ``TEMPORAL_ADDRESS``,
        ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, TLS variables; then these arguments.
        Default ``localhost:7233``, namespace ``default``. Raises :class:`TemporalConnectionError`."""
        env = dict(os.environ if env is None else env)
        # An empty variable counts as unset (compose's ${VAR:-}).
        env = {k: v for k, v in env.items() if not (k.startswith("TEMPORAL_") and v.strip() == "")}
        try:
            config: dict[str, Any] = dict(ClientConfig.load_client_connect_config(profile=profile, override_env_vars=env))
        except Exception as err:
            raise TemporalConnectionError(f"could not load the Temporal connection settings: {err}") from err
        config["target_host"] = address or config.get("target_host") or "localhost:7233"
        config["namespace"] = namespace or config.get("namespace") or "default"
        try:
            client = await Client.connect(**config)
        except Exception as err:
            raise TemporalConnectionError(f"could not reach Temporal at {config['target_host']}: {err}") from err
        return cls(client, task_queue=task_queue, results_dir=results_dir, query_timeout=query_timeout, env=env)

    # ---- start --------------------------------------------------------------------------------

    @staticmethod
    def validate_start(
        request: JobRequest, *, job_id: str | None = None, options: JobOptions | Mapping[str, Any] | None = None, thread: str | None = None
    ) -> c.JobInput:
        """Checks a job as :meth:`start` does, without connecting; returns the workflow input."""
        return validate_start(request, job_id=job_id, options=options, thread=thread)

    async def start(
        self,
        request: JobRequest,
        *,
        job_id: str | None = None,
        options: JobOptions | Mapping[str, Any] | None = None,
        thread: str | None = None,
    ) -> StartedJob:
        """Validates and enqueues a job, and returns at once. ``request`` is the Interactions API
        create request (``{"agent": ..., "input": ...}``); leave ``options`` out for the workflow's
        defaults. The same ``job_id`` again enqueues nothing and returns ``existing=True``.
        Raises :class:`JobValidationError` (nothing enqueued) or :class:`SearchAttributesMissingError`."""
        job_id = job_id if job_id is not None else f"job_{uuid.uuid4()}"
        job_input = validate_start(request, job_id=job_id, options=options, thread=thread)
        job_options = dict(job_input.get("options", {}))
        shown = visibility_of(request, job_options)
        attributes = TypedSearchAttributes([SearchAttributePair(_KEYS[k], v) for k, v in shown.items()])
        # A token only this call knows: USE_EXISTING answers with the running execution either way.
        token = str(uuid.uuid4())
        try:
            handle = await self.client.start_workflow(
                c.JOB_WORKFLOW_TYPE,
                job_input,
                id=job_id,
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=attributes,
                memo={"startToken": token},
                static_summary=static_summary(request),
                static_details=static_details(request, job_options),
            )
        except WorkflowAlreadyStartedError:
            # A closed job with this id: REJECT_DUPLICATE keeps its id unique forever.
            description = await self.client.get_workflow_handle(job_id).describe()
            return StartedJob(job_id, description.run_id or "", True)
        except RPCError as err:
            if "search attribute" in str(err).lower():
                raise SearchAttributesMissingError(self.client.namespace, str(err)) from err
            raise
        run_id = handle.first_execution_run_id or handle.result_run_id or ""
        description = await self.client.get_workflow_handle(job_id, run_id=run_id).describe()
        memo = await description.memo()
        return StartedJob(job_id, run_id, memo.get("startToken") != token)

    # ---- read ---------------------------------------------------------------------------------

    def _handle(self, job_id: str, run_id: str | None = None) -> WorkflowHandle[Any, Any]:
        assert_job_id(job_id, "job_id")
        return self.client.get_workflow_handle(job_id, run_id=run_id)

    async def snapshot(self, job_id: str) -> Snapshot:
        """One read: the ``state`` query merged with describe()'s live progress for an open job;
        the result (or the memo of a cancelled one) and search attributes for a closed one, so a
        closed job needs no worker."""
        handle = self._handle(job_id)
        try:
            description = await handle.describe()
        except RPCError as err:
            if _not_found(err):
                raise JobNotFoundError(job_id) from err
            raise
        status = description.status
        if status in (WorkflowExecutionStatus.RUNNING, WorkflowExecutionStatus.CONTINUED_AS_NEW):
            return await self._open_snapshot(job_id, description)
        memo = await description.memo()
        memo_result = memo.get(c.JOB_RESULT_MEMO)
        if status == WorkflowExecutionStatus.COMPLETED or (
            status == WorkflowExecutionStatus.CANCELED and isinstance(memo_result, dict) and isinstance(memo_result.get("turns"), list)
        ):
            result = cast(JobResult, await handle.result() if status == WorkflowExecutionStatus.COMPLETED else memo_result)
            close_ms = (description.close_time.timestamp() if description.close_time else time.time()) * 1000
            return Snapshot(with_elapsed(_state_from_result(job_id, result, description, memo), close_ms), True, description)
        return await self._abnormal_snapshot(job_id, description)

    async def _query_state(self, job_id: str, timeout: float) -> JobState:
        return cast(JobState, await self._handle(job_id).query(c.STATE_QUERY, rpc_timeout=timedelta(seconds=timeout)))

    async def _open_snapshot(self, job_id: str, description: WorkflowExecutionDescription) -> Snapshot:
        try:
            state = await self._query_state(job_id, self.query_timeout)
        except RPCError as err:
            if _not_found(err):
                raise JobNotFoundError(job_id) from err
            raise JobQueryError(job_id, description.task_queue or self.task_queue, err) from err
        except Exception as err:
            raise JobQueryError(job_id, description.task_queue or self.task_queue, err) from err
        pending = list(description.raw_description.pending_activities)
        merged = with_elapsed(merge_live_state(state, pending, self.client.data_converter.payload_converter), time.time() * 1000)
        if merged.get("phase") == "queued" and (merged.get("admission") or {}).get("key"):
            await self._refresh_admission(merged)
        return Snapshot(merged, False, description)

    async def _refresh_admission(self, state: JobState) -> None:
        """A queued job's live place in its limiter's queue (best effort)."""
        admission = dict(state["admission"])
        try:
            limiter = self.client.get_workflow_handle(f"gemini-jobs-admission/{admission['key']}")
            answer = await limiter.query("admissionPosition", f"{state['jobId']}#{state['turn']}", rpc_timeout=timedelta(seconds=self.query_timeout))
            if answer.get("position", -1) >= 0:
                admission["position"] = answer["position"]
            admission["waiting"] = answer.get("waiting")
            if answer.get("pausedUntil"):
                admission["pausedUntil"] = answer["pausedUntil"]
            state["admission"] = admission
        except Exception:
            pass  # the limiter is busy or between runs: the next read refreshes it

    async def _abnormal_snapshot(self, job_id: str, description: WorkflowExecutionDescription) -> Snapshot:
        """A job that failed, was terminated, cancelled or timed out at the Temporal level."""
        status = _CLOSED_STATUS.get(description.status, "failed") if description.status else "failed"
        name = description.status.name.lower() if description.status else "failed"
        close_ms = (description.close_time.timestamp() if description.close_time else time.time()) * 1000
        try:
            state: JobState = await self._query_state(job_id, 2.0)
        except Exception:
            state = {
                "jobId": job_id,
                "phase": "done",
                "status": status,
                "turn": 0,
                "turns": [],
                "startedAt": iso_ms(description.start_time.timestamp() * 1000),
            }
        state = {**state, "phase": "done"}
        if not c.is_settled_turn_status(state.get("status")) or state.get("status") == "requires_action":
            state["status"] = status
        state.setdefault("error", {"code": f"workflow_{'cancelled' if name == 'canceled' else name}", "message": f"The job workflow ended {name}"})
        return Snapshot(with_elapsed(state, close_ms), True, description)

    async def state(self, job_id: str) -> JobState:
        """Current state: phase, status, question, agent, deadline, turns, live progress
        (``progress``, phase ``streaming`` / ``polling`` / ``reconnecting``), and while a plan
        waits, ``plan["text"]`` is the whole plan (its report), not the workflow's summary."""
        state = (await self.snapshot(job_id)).state
        plan = state.get("plan")
        if plan:
            turn = next((t for t in state.get("turns", []) if t.get("turn") == plan.get("turn")), None)
            if turn is not None:
                report = await read_report(self.client, job_id, turn, self.results_dir)
                if report.text is not None:
                    state["plan"] = {**plan, "text": report.text}
        return state

    async def _wait_settled(self, job_id: str, timeout: float | None, poll_interval: float) -> Snapshot:
        started = time.monotonic()
        interval = poll_interval
        snap = await self.snapshot(job_id)
        while not snap.settled:
            if timeout is not None and time.monotonic() - started >= timeout:
                raise JobWaitTimeoutError(f"Job {job_id} did not finish its turn within {timeout} s")
            await asyncio.sleep(min(interval, timeout - (time.monotonic() - started)) if timeout is not None else interval)
            interval = min(interval * 1.5, 5.0)
            try:
                snap = await self.snapshot(job_id)
            except JobQueryError:
                pass  # a worker restarting cannot answer queries for a moment: keep waiting
        return snap

    async def result(self, job_id: str, *, wait: bool = True, timeout: float | None = None, poll_interval: float = 0.5) -> JobOutcome:
        """The latest turn that is over and its full report. With ``wait`` (default) it first waits
        until the current TURN is over, not the workflow: a job stays open for follow-ups after a
        turn (15 minutes by default) and for plan approval. Raises :class:`JobWaitTimeoutError`."""
        snap = await self._wait_settled(job_id, timeout, poll_interval) if wait else await self.snapshot(job_id)
        state = snap.state
        turn = next((t for t in reversed(state.get("turns", [])) if c.is_settled_turn_status(t.get("status"))), None)
        settled = snap.settled
        outcome = JobOutcome(
            job_id=job_id,
            status=(turn or {}).get("status", state.get("status", "unknown")) if settled else state.get("status", "unknown"),
            state=state,
            settled=settled,
            closed=snap.closed,
            turn=turn,
        )
        if turn is not None:
            report = await read_report(self.client, job_id, turn, self.results_dir)
            outcome.report, outcome.report_source = report.text, report.source
            outcome.report_problem, outcome.looked = report.problem, report.looked
        return outcome

    async def report(self, job_id: str, *, timeout: float | None = None) -> str | None:
        """Waits for the current turn to end and returns its report (markdown), read from the
        workflow history (sha256 checked) or the result store; ``None`` when the turn produced
        none (see :meth:`result` for why). Raises :class:`ReportUnreadableError` (with ``looked``,
        every place tried) when a report exists but could not be read."""
        outcome = await self.result(job_id, wait=True, timeout=timeout)
        if outcome.report_problem:
            raise ReportUnreadableError(outcome.report_problem, outcome.looked)
        return outcome.report

    async def watch(
        self, job_id: str, *, until: Literal["turn", "close"] = "turn", poll_interval: float = 1.0, timeout: float | None = None
    ) -> AsyncIterator[JobState]:
        """Yields the job's state each time it changes (phase, status, progress, thought, turn)
        until the current turn is over (``until="turn"``, the default) or the job has closed
        (``until="close"``). While it runs it holds the job's watch lease, so workers send live
        progress every 5 s instead of 20 s (best effort)."""
        assert_job_id(job_id, "job_id")
        started = time.monotonic()
        lease = _WatchLease(self.client, job_id)
        last: tuple[Any, ...] | None = None
        try:
            while True:
                try:
                    snap = await self.snapshot(job_id)
                except JobQueryError:
                    snap = None
                if snap is not None:
                    if not snap.closed:
                        await lease.hold(snap.description.task_queue or self.task_queue)
                    key = _change_key(snap.state)
                    if key != last:
                        last = key
                        yield snap.state
                    if snap.closed or (until == "turn" and snap.settled):
                        return
                if timeout is not None and time.monotonic() - started >= timeout:
                    raise JobWaitTimeoutError(f"Watching job {job_id} ran past {timeout} s")
                await asyncio.sleep(poll_interval)
        finally:
            await lease.release()

    # ---- steer --------------------------------------------------------------------------------

    async def cancel(self, job_id: str, reason: str | None = None) -> bool:
        """Asks the job to cancel its running interaction (the API confirms it) and end.
        ``False`` when the job had already ended; :class:`JobNotFoundError` when it never existed."""
        handle = self._handle(job_id)
        try:
            await handle.signal(c.CANCEL_SIGNAL, {"reason": reason} if reason is not None else {})
        except RPCError as err:
            if not _not_found(err):
                raise
            try:
                await handle.describe()
            except RPCError as inner:
                if _not_found(inner):
                    raise JobNotFoundError(job_id) from inner
                raise
            return False
        try:
            await handle.cancel()  # the signal alone already cancels; this makes the UI say Canceled
        except RPCError:
            pass
        return True

    async def _update(self, job_id: str, name: str, arg: Any) -> Any:
        try:
            return await self._handle(job_id).execute_update(name, arg)
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            kind = cause.type if isinstance(cause, ApplicationError) else None
            reason = None if not kind or kind in ("Error", "update_rejected") else kind
            raise JobUpdateRejectedError(str(cause.message if isinstance(cause, ApplicationError) else cause or err), reason) from err
        except RPCError as err:
            if not _not_found(err):
                raise
            snap = await self.snapshot(job_id)  # raises JobNotFoundError for a job that never existed
            if snap.closed:
                raise JobClosedError(job_id, snap.state.get("status", "unknown")) from err
            raise JobNotFoundError(job_id) from err

    async def follow_up(self, job_id: str, input: Any, overrides: Mapping[str, Any] | None = None) -> FollowUpAccepted:
        """Starts the next turn of the job's thread (chained with ``previous_interaction_id``);
        returns ``{"turn", "interactionId"}`` once it was created. Refused
        (:class:`JobUpdateRejectedError`) while a turn runs; :class:`JobClosedError` once the job ended."""
        request: dict[str, Any] = {"input": input}
        if overrides:
            request["overrides"] = dict(overrides)
        return cast(FollowUpAccepted, await self._update(job_id, c.FOLLOW_UP_UPDATE, request))

    async def approve_plan(self, job_id: str, *, edit: str | None = None, approve: bool | None = None) -> FollowUpAccepted:
        """Runs the plan waiting for approval (phase ``plan-ready``, status ``plan_ready``); with
        ``edit`` (or ``approve=False``) refines it instead. Refused unless a plan waits."""
        approval: dict[str, Any] = {}
        if edit is not None:
            approval["edit"] = edit
        if approve is not None:
            approval["approve"] = approve
        return cast(FollowUpAccepted, await self._update(job_id, c.APPROVE_PLAN_UPDATE, approval))

    async def refine_plan(self, job_id: str, instructions: str) -> FollowUpAccepted:
        """Asks for a revised plan: a turn chained to the plan with ``instructions`` as input; its
        output becomes the new ``state["plan"]``."""
        if not isinstance(instructions, str) or not instructions.strip():
            raise JobValidationError("instructions", "refine_plan needs the change to make as non-empty text", 'pass e.g. "Focus on Europe"')
        return await self.approve_plan(job_id, edit=instructions)

    # ---- schedules ----------------------------------------------------------------------------

    async def create_schedule(
        self,
        schedule_id: str,
        request: JobRequest,
        *,
        cron: str | None = None,
        every: timedelta | None = None,
        options: JobOptions | Mapping[str, Any] | None = None,
        chain: bool = False,
        paused: bool = False,
    ) -> str:
        """Creates a Temporal Schedule whose every run is a job (id ``<schedule_id>-<time>``), as
        ``jobs.schedules.create`` of the TypeScript client does (docs/schedules.md): exactly one of
        ``cron`` (five fields, UTC) or ``every``; overlap SKIP; each run's follow-up window 0 unless
        given; ``chain`` continues the previous run's interaction. The server checks the cron."""
        assert_job_id(schedule_id, "schedule_id")
        if (cron is None) == (every is None):
            raise JobValidationError("cron", "exactly one of cron or every is required", 'Pass cron="0 8 * * MON" or every=timedelta(hours=1).')
        if every is not None and every < timedelta(seconds=1):
            raise JobValidationError("every", "must be at least 1 second", "Pass e.g. every=timedelta(hours=1).")
        merged: dict[str, Any] = {"followUpWindowMs": 0, **dict(options or {})}
        if chain:
            merged["chainSchedule"] = schedule_id
        job_input = validate_start(request, options=merged)
        shown = visibility_of(request, dict(job_input.get("options", {})))
        spec = ScheduleSpec(cron_expressions=[cron]) if cron is not None else ScheduleSpec(intervals=[ScheduleIntervalSpec(every=cast(timedelta, every))])
        memo = {"cron": cron} if cron is not None else {"everyMs": int(cast(timedelta, every).total_seconds() * 1000)}
        await self.client.create_schedule(
            schedule_id,
            Schedule(
                action=ScheduleActionStartWorkflow(
                    c.JOB_WORKFLOW_TYPE,
                    job_input,
                    id=schedule_id,
                    task_queue=self.task_queue,
                    typed_search_attributes=TypedSearchAttributes([SearchAttributePair(_KEYS[k], v) for k, v in shown.items()]),
                ),
                spec=spec,
                policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
                state=ScheduleState(paused=paused),
            ),
            memo={"geminiJobSchedule": {**memo, "question": shown.get("question"), "chain": chain}},
        )
        return schedule_id

    async def list_schedules(self) -> list[dict[str, Any]]:
        """Every job schedule (visibility, eventually consistent): ``scheduleId``, ``paused``,
        ``cron`` or ``everyMs``, ``chain``, ``question``, ``nextRuns``, ``recentRuns`` (job ids)."""
        out: list[dict[str, Any]] = []
        async for s in await self.client.list_schedules():
            action = s.schedule.action if s.schedule else None
            if not isinstance(action, ScheduleListActionStartWorkflow) or action.workflow != c.JOB_WORKFLOW_TYPE:
                continue
            memo = (await s.memo()).get("geminiJobSchedule") or {}
            paused = bool(s.schedule.state.paused)
            row: dict[str, Any] = {"scheduleId": s.id, "paused": paused, "chain": bool(memo.get("chain"))}
            for key in ("cron", "everyMs", "question"):
                if memo.get(key) is not None:
                    row[key] = memo[key]
            row["nextRuns"] = [] if paused else [iso_ms(t.timestamp() * 1000) for t in s.info.next_action_times] if s.info else []
            row["recentRuns"] = [a.action.workflow_id for a in s.info.recent_actions if hasattr(a.action, "workflow_id")] if s.info else []
            out.append(row)
        return sorted(out, key=lambda r: r["scheduleId"])

    # ---- batches ------------------------------------------------------------------------------

    async def start_batch(
        self,
        items: list[JobRequest],
        *,
        batch_id: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Validates every item as a job (with ``options["jobOptions"]``), then enqueues the batch
        (workflow ``geminiJobBatch``) and returns at once: ``{"batchId", "runId", "existing", "items"}``.
        Item n runs as job ``<batchId>-<n>`` under the worker's admission control. Raises
        :class:`JobValidationError` naming ``items[i]`` or ``options.<field>`` (nothing enqueued)."""
        batch_id = batch_id if batch_id is not None else f"batch_{uuid.uuid4()}"
        assert_job_id(batch_id, "batch_id")
        if len(batch_id) > 180:
            raise JobValidationError("batch_id", "must be at most 180 characters", "use a shorter id: item job ids add a suffix")
        if not isinstance(items, list) or not items:
            raise JobValidationError("items", "must be a non-empty list of job requests", 'pass [{"agent": ..., "input": ...}, ...]')
        if len(items) > c.MAX_BATCH_ITEMS:
            raise JobValidationError("items", f"has {len(items)} items; at most {c.MAX_BATCH_ITEMS}", "split the list into several batches")
        opts = dict(options or {})
        unknown = sorted(set(opts) - {"jobOptions", "window", "continueAsNewEvery", "budget"})
        if unknown:
            raise JobValidationError(f"options.{unknown[0]}", "is not a batch option", "use jobOptions, window, continueAsNewEvery or budget")
        for key in ("window", "continueAsNewEvery"):
            value = opts.get(key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000):
                raise JobValidationError(f"options.{key}", "must be an integer from 1 to 10000", "pass e.g. 20")
        job_options = opts.get("jobOptions")
        for i, item in enumerate(items):
            try:
                validate_start(item, job_id=f"{batch_id}-{i + 1}", options=job_options)
            except JobValidationError as err:
                field = f"options.jobOptions{err.field[len('options'):]}" if err.field.startswith("options") else f"items[{i}].{err.field.removeprefix('request.')}"
                raise JobValidationError(field, err.problem, err.fix) from err
        size = len(json.dumps(items, separators=(",", ":"), ensure_ascii=False).encode())
        if size > c.MAX_BATCH_ITEMS_BYTES:
            raise JobValidationError("items", f"are {size} bytes of JSON; at most {c.MAX_BATCH_ITEMS_BYTES}", "split the list into several batches")
        batch_input: dict[str, Any] = {"items": list(items), **({"options": opts} if opts else {})}
        token = str(uuid.uuid4())
        try:
            handle = await self.client.start_workflow(
                c.BATCH_WORKFLOW_TYPE,
                batch_input,
                id=c.BATCH_WORKFLOW_ID_PREFIX + batch_id,
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                memo={"startToken": token},
                static_summary=f"gemini-jobs batch of {len(items)} items",
            )
        except WorkflowAlreadyStartedError:
            description = await self.client.get_workflow_handle(c.BATCH_WORKFLOW_ID_PREFIX + batch_id).describe()
            return {"batchId": batch_id, "runId": description.run_id or "", "existing": True, "items": len(items)}
        run_id = handle.first_execution_run_id or handle.result_run_id or ""
        memo = await (await self.client.get_workflow_handle(c.BATCH_WORKFLOW_ID_PREFIX + batch_id, run_id=run_id).describe()).memo()
        return {"batchId": batch_id, "runId": run_id, "existing": memo.get("startToken") != token, "items": len(items)}

    async def batch_status(self, batch_id: str) -> dict[str, Any]:
        """The batch's progress (the ``batchState`` query while it runs, its result once closed):
        ``status``, ``counts`` (pending, running, completed, failed, cancelled), ``totalTokens``,
        ``costUsd`` and ``items`` (each with ``item``, ``jobId``, ``status``, ``interactionId``...)."""
        assert_job_id(batch_id, "batch_id")
        handle = self.client.get_workflow_handle(c.BATCH_WORKFLOW_ID_PREFIX + batch_id)
        try:
            description = await handle.describe()
        except RPCError as err:
            if _not_found(err):
                raise JobNotFoundError(batch_id) from err
            raise
        if description.status == WorkflowExecutionStatus.RUNNING:
            return cast(dict[str, Any], await handle.query(c.BATCH_STATE_QUERY))
        return cast(dict[str, Any], await handle.result())

    async def cancel_batch(self, batch_id: str, *, item: int | None = None, reason: str | None = None) -> bool:
        """Cancels the whole batch, or only ``item`` (1-based). ``False`` when it had already ended."""
        assert_job_id(batch_id, "batch_id")
        handle = self.client.get_workflow_handle(c.BATCH_WORKFLOW_ID_PREFIX + batch_id)
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            return False
        arg: dict[str, Any] = {}
        if item is not None:
            arg["item"] = item
        if reason is not None:
            arg["reason"] = reason
        await handle.signal(c.BATCH_CANCEL_SIGNAL, arg)
        return True

    # ---- list ---------------------------------------------------------------------------------

    async def list(self, *, status: str | None = None, agent: str | None = None, thread: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """Jobs from Temporal visibility (eventually consistent, about a second), newest first:
        ``jobId``, ``status``, ``agent``, ``question``, ``thread``, ``startTime``, ``closeTime``."""
        query = f"WorkflowType = {_quote(c.JOB_WORKFLOW_TYPE)}"
        for name, value in (("status", status), ("agent", agent), ("thread", thread)):
            if value:
                query += f" AND {c.SEARCH_ATTRIBUTES[name]} = {_quote(value)}"
        jobs: list[dict[str, Any]] = []
        async for execution in self.client.list_workflows(query, limit=limit):
            attrs = execution.typed_search_attributes
            row: dict[str, Any] = {"jobId": execution.id, "runId": execution.run_id, "executionStatus": execution.status.name if execution.status else None}
            row["startTime"] = iso_ms(execution.start_time.timestamp() * 1000)
            for name in ("status", "agent", "kind", "mode", "thread", "question"):
                value = attrs.get(_KEYS[name])
                if value:
                    row[name] = value
            if execution.close_time:
                row["closeTime"] = iso_ms(execution.close_time.timestamp() * 1000)
            jobs.append(row)
        return jobs


def _quote(value: str) -> str:
    if any(ch in value for ch in '"\\') or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise JobValidationError("filter", f"list filter value {value!r} holds a double quote, backslash or control character", "Filter by a plain value.")
    return "'" + value.replace("'", "''") + "'"


def _change_key(state: Mapping[str, Any]) -> tuple[Any, ...]:
    progress = state.get("progress") or {}
    plan = state.get("plan") or {}
    return (
        state.get("phase"),
        state.get("status"),
        state.get("turn"),
        state.get("interactionId"),
        progress.get("eventsApplied"),
        progress.get("outputChars"),
        progress.get("latestThought"),
        plan.get("turn"),
        (state.get("admission") or {}).get("position"),
    )


def _state_from_result(job_id: str, result: Mapping[str, Any], description: WorkflowExecutionDescription, memo: Mapping[str, Any]) -> JobState:
    """A ``JobState`` for a closed execution, from its result and search attributes (no worker needed)."""
    turns = list(result.get("turns", []))
    last = turns[-1] if turns else {}
    start_ms = description.start_time.timestamp() * 1000
    state: JobState = {
        "jobId": job_id,
        "phase": "done",
        "status": result.get("status", "unknown"),
        "turn": last.get("turn", 0),
        "turns": turns,
        "startedAt": turns[0].get("startedAt", iso_ms(start_ms)) if turns else iso_ms(start_ms),
    }
    for key in ("upstreamStatus", "interactionId", "usage", "error", "question", "mode", "turnDeadlineMs"):
        if result.get(key) is not None:
            state[key] = result[key]
    if last.get("startedAt"):
        state["turnStartedAt"] = last["startedAt"]
    attrs = description.typed_search_attributes
    agent = attrs.get(_KEYS["agent"])
    if agent and attrs.get(_KEYS["kind"]) == "model":
        state["model"] = agent
    elif agent:
        state["agent"] = agent
    thread = attrs.get(_KEYS["thread"])
    if thread:
        state["thread"] = thread
    question = attrs.get(_KEYS["question"]) or memo.get("question")
    if isinstance(question, str) and "question" not in state:
        state["question"] = question
    mode = attrs.get(_KEYS["mode"])
    if mode and "mode" not in state:
        state["mode"] = mode
    return state


class _WatchLease:
    """A watcher's hold on ``gemini-jobs-watch/<jobId>``: workers flush the job's live progress
    faster while it runs (docs/watch-lease.md). Best effort: a failed call never fails the watch."""

    def __init__(self, client: Client, job_id: str) -> None:
        self.client, self.job_id = client, job_id
        self.holder = str(uuid.uuid4())
        self.renewed_at: float | None = None
        self.workflow_id = c.WATCH_LEASE_PREFIX + job_id

    async def hold(self, task_queue: str) -> None:
        if self.renewed_at is not None and time.monotonic() - self.renewed_at < _WATCH_LEASE_MS / 2000:
            return
        self.renewed_at = time.monotonic()
        request = {"holder": self.holder, "leaseMs": _WATCH_LEASE_MS}
        try:
            await self.client.start_workflow(
                c.WATCH_LEASE_WORKFLOW_TYPE,
                {"jobId": self.job_id, "first": request},
                id=self.workflow_id,
                task_queue=task_queue,
                start_signal=c.WATCH_LEASE_SIGNAL,
                start_signal_args=[request],
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=f"{HELPER_SUMMARY_PREFIX}watch lease of job {self.job_id}",
            )
        except Exception:
            pass

    async def release(self) -> None:
        if self.renewed_at is None:
            return
        try:
            await self.client.get_workflow_handle(self.workflow_id).signal(c.WATCH_LEASE_SIGNAL, {"holder": self.holder, "leaseMs": 0})
        except Exception:
            pass  # already ended, or the server is away: it lapses on its own
