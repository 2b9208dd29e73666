"""JobsClient against the real stack: a Temporal dev server, a gemini-jobs worker and the
Interactions API emulator (provided by test/python-client/python-client.test.ts). Each test
records what it saw (``record``) so the node side can hold it against the emulator and the
TypeScript client."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import pytest

from conftest import AGENT, FAST, needs_stack, record, run, wait_state
from gemini_jobs import (
    SEARCH_ATTRIBUTES,
    InlineReportError,
    JobClosedError,
    JobNotFoundError,
    JobsClient,
    JobUpdateRejectedError,
    JobValidationError,
    ReportUnreadableError,
    read_inline_report,
    visibility_of,
)
from temporalio.common import SearchAttributeKey

pytestmark = needs_stack


def new_id(name: str) -> str:
    return f"py-{name}-{uuid.uuid4().hex[:10]}"


def test_a_job_started_from_python_looks_like_any_other() -> None:
    """The documented minimal input; state and describe() show what every face shows."""
    question = f"How do heat pumps work? {uuid.uuid4().hex[:6]}"
    request = {"agent": AGENT, "input": question}

    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start(request, job_id=new_id("same"))
        again = await jobs.start(request, job_id=started.job_id)
        state = await wait_state(jobs, started.job_id, lambda s: s["status"] != "pending", "a status past pending")
        description = await jobs.client.get_workflow_handle(started.job_id).describe()
        attrs = {field: description.typed_search_attributes.get(SearchAttributeKey.for_keyword(name)) for field, name in SEARCH_ATTRIBUTES.items()}
        outcome = await jobs.result(started.job_id, timeout=120)
        return {
            "jobId": started.job_id,
            "existing": [started.existing, again.existing],
            "state": {k: state.get(k) for k in ("status", "agent", "question", "turnDeadlineMs", "mode")},
            "attrs": attrs,
            "summary": await description.static_summary(),
            "expected": visibility_of(request),
            "outcome": {"status": outcome.status, "closed": outcome.closed, "settled": outcome.settled},
        }

    seen = run(go)
    record("same", seen)
    assert seen["existing"] == [False, True], "the same job id again enqueues nothing"
    assert seen["state"]["agent"] == AGENT and seen["state"]["question"] == seen["expected"]["question"]
    assert seen["state"]["turnDeadlineMs"] == 70 * 60_000, "the workflow's own agent default"
    assert seen["state"]["status"] in ("queued", "running", "completed")
    for field in ("agent", "kind", "question", "mode"):
        assert seen["attrs"][field] == seen["expected"][field], field
    assert seen["attrs"]["interaction"], "the workflow published its interaction"
    assert seen["summary"] == seen["expected"]["question"], "the Web UI's summary is the question"
    # The turn is over but the job stays open for follow-ups: result() did not wait for the window.
    assert seen["outcome"] == {"status": "completed", "closed": False, "settled": True}


def test_watch_shows_live_progress_and_the_report_comes_from_history() -> None:
    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start({"agent": AGENT, "input": "Live progress from Python"}, job_id=new_id("watch"), options=FAST)
        phases: list[str] = []
        chars: list[int] = []
        async for state in jobs.watch(started.job_id, poll_interval=0.2, timeout=120):
            phases.append(state["phase"])
            chars.append((state.get("progress") or {}).get("outputChars", 0))
        outcome = await jobs.result(started.job_id)
        return {
            "jobId": started.job_id,
            "phases": phases,
            "chars": chars,
            "report": outcome.report,
            "source": outcome.report_source,
            "interactionId": (outcome.turn or {}).get("interactionId"),
        }

    seen = run(go)
    record("watch", seen)
    assert "streaming" in seen["phases"], f"the live phase from the follow heartbeat: {seen['phases']}"
    assert seen["chars"] == sorted(seen["chars"]), "progress only grows"
    assert seen["source"] == "history" and len(seen["report"]) > 500


def test_follow_up_chains_a_second_turn() -> None:
    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start({"agent": AGENT, "input": "First question"}, job_id=new_id("follow"), options=FAST)
        first = await jobs.result(started.job_id, timeout=120)
        with pytest.raises(JobUpdateRejectedError) as refused:
            await jobs.approve_plan(started.job_id)
        accepted = await jobs.follow_up(started.job_id, "Now compare running costs.")
        second = await jobs.result(started.job_id, timeout=120)
        return {
            "first": (first.turn or {}).get("turn"),
            "accepted": dict(accepted),
            "second": (second.turn or {}).get("turn"),
            "status": second.status,
            "refusal": refused.value.message,
            "report": second.report,
        }

    seen = run(go)
    assert seen["first"] == 1 and seen["accepted"]["turn"] == 2 and seen["second"] == 2
    assert seen["status"] == "completed" and seen["report"]
    assert "approvePlan rejected" in seen["refusal"]


def test_a_plan_waits_whole_then_is_refined_and_approved() -> None:
    request = {"agent": AGENT, "input": "Plan a study of heat pumps", "agent_config": {"type": "deep-research", "collaborative_planning": True}}

    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start(request, job_id=new_id("plan"), options=FAST)
        await jobs.result(started.job_id, timeout=120)
        waiting = await jobs.state(started.job_id)
        refined = await jobs.refine_plan(started.job_id, "Focus on Europe.")
        await jobs.result(started.job_id, timeout=120)
        revised = await jobs.state(started.job_id)
        approved = await jobs.approve_plan(started.job_id)
        done = await jobs.result(started.job_id, timeout=120)
        return {
            "jobId": started.job_id,
            "waiting": {k: waiting.get(k) for k in ("status", "phase")},
            "plan": waiting.get("plan"),
            "refined": dict(refined),
            "revised": revised.get("plan"),
            "approved": dict(approved),
            "final": {"status": done.status, "turn": (done.turn or {}).get("turn")},
        }

    seen = run(go)
    record("plan", seen)
    assert seen["waiting"] == {"status": "plan_ready", "phase": "plan-ready"}
    assert len(seen["plan"]["text"]) > 280, "the whole plan, not the 280-character summary"
    assert seen["refined"]["turn"] == 2 and seen["revised"]["turn"] == 2
    assert seen["approved"]["turn"] == 3 and seen["final"] == {"status": "completed", "turn": 3}


def test_cancel_and_the_errors_of_a_closed_or_missing_job() -> None:
    request = {"agent": AGENT, "input": "A long question to cancel", "labels": {"emulator-scenario": "long"}}

    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start(request, job_id=new_id("cancel"), options=FAST)
        await wait_state(jobs, started.job_id, lambda s: s.get("interactionId") is not None, "the interaction created")
        first = await jobs.cancel(started.job_id, "cancelled from python")
        state = await wait_state(jobs, started.job_id, lambda s: s["phase"] == "done", "the job ended")
        second = await jobs.cancel(started.job_id)
        with pytest.raises(JobClosedError):
            await jobs.follow_up(started.job_id, "too late")
        with pytest.raises(JobNotFoundError):
            await jobs.state(new_id("missing"))
        with pytest.raises(JobValidationError):
            await jobs.start({"agent": AGENT, "input": "q", "api_key": "secret-value"})
        return {"jobId": started.job_id, "first": first, "second": second, "status": state["status"], "reason": state.get("cancelReason")}

    seen = run(go)
    record("cancel", seen)
    assert seen["first"] is True and seen["second"] is False
    assert seen["status"] == "cancelled"


def test_a_tampered_inline_report_is_refused() -> None:
    async def go(jobs: JobsClient) -> str:
        started = await jobs.start({"agent": AGENT, "input": "Tamper check"}, job_id=new_id("sha"), options={**FAST, "followUpWindowMs": 0})
        outcome = await jobs.result(started.job_id, timeout=120)
        ref = dict((outcome.turn or {})["report"])
        assert ref["store"] == "temporal" and ref["key"].count("/") == 1
        good = await read_inline_report(jobs.client, started.job_id, ref)  # type: ignore[arg-type]
        with pytest.raises(InlineReportError, match="sha256"):
            await read_inline_report(jobs.client, started.job_id, {**ref, "sha256": "0" * 64})  # type: ignore[arg-type]
        return good

    assert len(run(go)) > 500


STORE_QUEUE = os.environ.get("GEMINI_JOBS_STORE_TASK_QUEUE")


@pytest.mark.skipif(not STORE_QUEUE, reason="no worker with an external result store")
def test_a_report_in_the_result_store_and_where_it_looked_without_one() -> None:
    async def go(jobs: JobsClient) -> dict[str, Any]:
        started = await jobs.start({"agent": AGENT, "input": "Stored outside Temporal"}, job_id=new_id("store"), options={**FAST, "followUpWindowMs": 0})
        outcome = await jobs.result(started.job_id, timeout=120)
        blind = JobsClient(jobs.client, task_queue=STORE_QUEUE, results_dir="/nonexistent-gemini-jobs-results")
        with pytest.raises(ReportUnreadableError) as caught:
            await blind.report(started.job_id)
        return {"jobId": started.job_id, "source": outcome.report_source, "report": outcome.report, "looked": caught.value.looked}

    seen = run(go, task_queue=STORE_QUEUE)
    record("store", seen)
    assert seen["source"] == "store" and seen["report"]
    assert any("nonexistent-gemini-jobs-results" in place for place in seen["looked"])
    assert any("Interactions API" in place for place in seen["looked"])


@needs_stack
def test_a_schedule_created_from_python_runs_jobs_and_is_listed() -> None:
    from datetime import timedelta

    async def main(jobs: JobsClient) -> dict[str, Any]:
        schedule_id = f"py-sched-{uuid.uuid4().hex[:8]}"
        await jobs.create_schedule(schedule_id, {"model": "gemini-3-flash-preview", "input": "What changed?"}, every=timedelta(hours=1), options=FAST, chain=True, paused=True)
        handle = jobs.client.get_schedule_handle(schedule_id)
        try:
            await handle.trigger()
            listed: dict[str, Any] = {}
            for _ in range(150):
                rows = [r for r in await jobs.list_schedules() if r["scheduleId"] == schedule_id]
                if rows and rows[0]["recentRuns"]:
                    listed = rows[0]
                    break
                await asyncio.sleep(0.2)
            assert listed, "the schedule is listed with its triggered run"
            outcome = await jobs.result(listed["recentRuns"][0], timeout=60)
            return {"listed": listed, "status": outcome.status}
        finally:
            await handle.delete()

    got = run(main)
    assert got["status"] == "completed"
    assert got["listed"]["everyMs"] == 3_600_000 and got["listed"]["chain"] is True and got["listed"]["paused"] is True
    assert got["listed"]["recentRuns"][0].startswith(got["listed"]["scheduleId"] + "-")
