"""Reading a turn's report from wherever it lives (as src/jobs/reports.ts does), in order:

1. the workflow history, when it was inlined (``ReportRef.store == "temporal"``, key
   ``<runId>/<activityId>``): the result of that ``followInteraction`` activity, whose JSON holds
   ``reportText``; its sha256 must match ``ReportRef.sha256``;
2. the result store directory (``GEMINI_JOBS_RESULTS_DIR``) for reports too large for Temporal
   (``store == "file"``, key a relative ``/``-separated path), sha256 checked too;
3. otherwise the report stays at the Interactions API (read it by interaction id with Gemini
   credentials); this client does not call the API and says so.

When a report exists and none of these has it, the error lists every place tried.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from temporalio.client import Client

from .contract import API_REPORT_STORE, TEMPORAL_REPORT_STORE, ReportRef, TurnRecord
from .errors import InlineReportError

ReportSource = Literal["history", "store", "none"]


@dataclass
class TurnReport:
    """A turn's report text and where it came from; ``looked`` says every place tried when it has none."""

    text: str | None
    source: ReportSource
    looked: list[str] = field(default_factory=list)
    problem: str | None = None


def parse_inline_key(key: str) -> tuple[str, str]:
    """Splits ``<runId>/<activityId>``."""
    slash = key.find("/")
    if slash <= 0 or slash == len(key) - 1:
        raise InlineReportError(f"inline report key {key!r} is not <runId>/<activityId>")
    return key[:slash], key[slash + 1 :]


async def read_inline_report(client: Client, job_id: str, ref: ReportRef) -> str:
    """The report text of ``ref`` from the history of the run named in its key: the result of the
    activity with that id (found through its scheduled event), sha256 checked."""
    run_id, activity_id = parse_inline_key(ref["key"])
    handle = client.get_workflow_handle(job_id, run_id=run_id)
    scheduled_event_id: int | None = None
    try:
        async for event in handle.fetch_history_events():
            if event.HasField("activity_task_scheduled_event_attributes"):
                if event.activity_task_scheduled_event_attributes.activity_id == activity_id:
                    scheduled_event_id = event.event_id
                continue
            if scheduled_event_id is None or not event.HasField("activity_task_completed_event_attributes"):
                continue
            completed = event.activity_task_completed_event_attributes
            if completed.scheduled_event_id != scheduled_event_id:
                continue
            payloads = list(completed.result.payloads)
            result = client.data_converter.payload_converter.from_payloads(payloads[:1])[0] if payloads else None
            text = result.get("reportText") if isinstance(result, dict) else None
            if not isinstance(text, str):
                raise InlineReportError(f"activity {activity_id} of job {job_id} run {run_id} has no inline report in its result")
            if hashlib.sha256(text.encode("utf-8")).hexdigest() != ref["sha256"]:
                raise InlineReportError(f"inline report of job {job_id} (activity {activity_id}) does not match its sha256")
            return text
    except InlineReportError:
        raise
    except Exception as err:
        raise InlineReportError(f"could not read the history of job {job_id} run {run_id}: {err}") from err
    raise InlineReportError(f"no completed activity {activity_id} in the history of job {job_id} run {run_id} (history retention may have removed it)")


def read_store_report(results_dir: str | Path, ref: ReportRef) -> str | None:
    """A report from a file result store (``None`` when the file does not exist), sha256 checked."""
    root = Path(results_dir).resolve()
    segments = ref["key"].split("/")
    if any(s in ("", ".", "..") for s in segments) or "\\" in ref["key"]:
        raise InlineReportError(f"result store key {ref['key']!r} is not a safe relative path")
    path = root.joinpath(*segments)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        return None
    if hashlib.sha256(body).hexdigest() != ref["sha256"]:
        raise InlineReportError(f"{path} does not match the report's sha256")
    return body.decode("utf-8")


async def read_report(client: Client, job_id: str, turn: TurnRecord, results_dir: str | Path | None) -> TurnReport:
    """The report of ``turn`` of ``job_id``: from history, else the result store; else where it looked."""
    looked: list[str] = []
    ref = turn.get("report")
    if ref and ref.get("store") == TEMPORAL_REPORT_STORE:
        try:
            return TurnReport(await read_inline_report(client, job_id, ref), "history")
        except InlineReportError as err:
            looked.append(f"workflow history of job {job_id} ({err})")
    elif ref and ref.get("store") != API_REPORT_STORE:
        if results_dir is None:
            looked.append(f"result store {ref.get('store')!r} key {ref['key']} (no results directory: set GEMINI_JOBS_RESULTS_DIR or pass results_dir)")
        else:
            where = Path(results_dir).resolve().joinpath(*ref["key"].split("/"))
            try:
                text = read_store_report(results_dir, ref)
                if text is not None:
                    return TurnReport(text, "store")
                looked.append(f"{where} (not found)")
            except (InlineReportError, OSError, UnicodeDecodeError) as err:
                looked.append(f"{where} ({err})")
    if turn.get("interactionId") and ref:
        looked.append(
            f"the Interactions API, interaction {turn['interactionId']} (not tried: this client holds no Gemini credentials; "
            "read it with GET /v1/jobs/{id}/result of `gemini-jobs serve`, or the API by interaction id)"
        )
    has_report = (ref is not None and ref.get("bytes", 0) > 0) or (turn.get("outputChars") or 0) > 0
    if not has_report:
        return TurnReport(None, "none")
    size = f"{ref['bytes']:,}-byte report" if ref else "report"
    return TurnReport(None, "none", looked, f"turn {turn.get('turn')} has a {size} that could not be read")
