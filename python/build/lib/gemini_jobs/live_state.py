"""Live job state without history cost, as the TypeScript client computes it
(src/jobs/live-state.ts). The workflow's ``state`` query knows phases, turns and results; what
changes per stream event lives only in the heartbeat of the pending ``followInteraction``
activity (a ``FollowCheckpoint``), which ``describe()`` returns. :func:`merge_live_state`
combines the two. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Sequence

from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadConverter

from .contract import CREATE_ACTIVITY, FOLLOW_ACTIVITY, JobState, RetryingStep
from .credentials import redact

_PHASE_OF_MODE = {"streaming": "streaming", "polling": "polling", "reconnecting": "reconnecting"}


def iso_ms(ms: float) -> str:
    """An epoch time in ms as JavaScript's ``toISOString()`` writes it (``2026-12-03T10:00:00.000Z``)."""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ms % 1000):03d}Z"


def parse_iso_ms(text: str | None) -> float | None:
    """Milliseconds since the epoch of an ISO time, or ``None``."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000
    except ValueError:
        return None


def _decode_first(activity: Any, converter: PayloadConverter) -> Any:
    payloads: Sequence[Payload] = list(activity.heartbeat_details.payloads) if activity.HasField("heartbeat_details") else []
    if not payloads:
        return None
    try:
        return converter.from_payloads(payloads[:1])[0]
    except Exception:  # encrypted by a codec, or not ours: show the state without live fields
        return None


def _failure_text(failure: Any) -> tuple[str, str | None] | None:
    """The messages of a failure chain joined innermost-last, credentials redacted, and its type."""
    parts: list[str] = []
    kind: str | None = None
    depth = 0
    while failure is not None and depth < 5:
        if failure.message and failure.message not in parts:
            parts.append(failure.message)
        if kind is None and failure.HasField("application_failure_info") and failure.application_failure_info.type:
            kind = failure.application_failure_info.type
        failure = failure.cause if failure.HasField("cause") else None
        depth += 1
    if not parts:
        return None
    return redact(": ".join(parts))[:500], kind


def retrying_step_of(activity: Any) -> RetryingStep | None:
    """The pending activity that failed at least once, as a ``RetryingStep`` (or ``None``)."""
    if activity is None or not activity.HasField("last_failure"):
        return None
    failure = _failure_text(activity.last_failure)
    if failure is None:
        return None
    step: RetryingStep = {"activity": activity.activity_type.name or "unknown", "attempt": activity.attempt or 1, "lastFailure": failure[0]}
    if failure[1]:
        step["lastFailureType"] = failure[1]
    if activity.HasField("next_attempt_schedule_time") and activity.next_attempt_schedule_time.seconds > 0:
        t = activity.next_attempt_schedule_time
        step["nextAttemptAt"] = iso_ms(t.seconds * 1000 + t.nanos // 1_000_000)
    return step


def with_elapsed(state: JobState, now_ms: float) -> JobState:
    """Elapsed figures by the reader's clock (the query only knows the time of the workflow's last
    task): ``elapsedMs`` of the job and ``turnElapsedMs`` of the current turn (its duration once over)."""
    out: JobState = dict(state)  # type: ignore[assignment]
    started = parse_iso_ms(state.get("startedAt"))
    if started is not None:
        out["elapsedMs"] = int(max(0, now_ms - started))
    current = next((t for t in state.get("turns", []) if t.get("turn") == state.get("turn")), None)
    turn_started = parse_iso_ms((current or {}).get("startedAt") or state.get("turnStartedAt"))
    ended = parse_iso_ms((current or {}).get("endedAt"))
    if turn_started is not None:
        out["turnElapsedMs"] = int(max(0, (ended if ended is not None else now_ms) - turn_started))
    return out


def merge_live_state(state: JobState, pending_activities: Sequence[Any], converter: PayloadConverter) -> JobState:
    """``state`` with the running turn's live fields from the pending activities of ``describe()``
    (``description.raw_description.pending_activities``): ``progress`` (eventsApplied,
    outputChars, latestThought, lastEventId, lastEventAt), ``attempt``, ``retrying``, and a
    ``phase`` of ``streaming`` / ``polling`` / ``reconnecting`` while the follow activity runs."""
    merged: JobState = dict(state)  # type: ignore[assignment]
    follow = next((a for a in pending_activities if a.activity_type.name == FOLLOW_ACTIVITY), None)
    create = next((a for a in pending_activities if a.activity_type.name == CREATE_ACTIVITY), None)
    current = create or follow or (pending_activities[0] if pending_activities else None)
    if current is not None and current.attempt:
        merged["attempt"] = current.attempt
    retrying = retrying_step_of(current)
    if retrying:
        merged["retrying"] = retrying
    if follow is None:
        return merged
    checkpoint = _decode_first(follow, converter)
    if not isinstance(checkpoint, dict) or checkpoint.get("interactionId") != state.get("interactionId"):
        return merged
    progress = checkpoint.get("progress")
    if isinstance(progress, dict):
        live: dict[str, Any] = {"eventsApplied": progress.get("eventsApplied", 0), "outputChars": progress.get("outputChars", 0)}
        for key in ("latestThought", "lastEventAt"):
            if progress.get(key) is not None:
                live[key] = progress[key]
        if checkpoint.get("lastEventId") is not None:
            live["lastEventId"] = checkpoint["lastEventId"]
        merged["progress"] = live  # type: ignore[typeddict-item]
        if progress.get("status") and (not merged.get("upstreamStatus") or state.get("phase") == "running"):
            merged["upstreamStatus"] = progress["status"]
    if checkpoint.get("usage") and not merged.get("usage"):
        merged["usage"] = checkpoint["usage"]
    # Only refine "running": never override creating / cancelling / done from a stale heartbeat.
    if state.get("phase") == "running" and checkpoint.get("mode") in _PHASE_OF_MODE:
        merged["phase"] = _PHASE_OF_MODE[checkpoint["mode"]]
    return merged
