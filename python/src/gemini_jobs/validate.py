"""Checks a job before it is enqueued, with the rules of the TypeScript client
(src/jobs/validate-job.ts, src/jobs/job-id.ts, src/common/redact.ts): a bad job fails here with
the field and the fix, not inside the workflow minutes later. Job input is written to Temporal
history, so any credential in it is refused (the worker has its own).
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from .contract import AGENT_TURN_DEADLINE_MS, JobInput, JobOptions
from .credentials import find_secrets
from .errors import InvalidJobIdError, InvalidThreadKeyError, JobValidationError

MAX_JOB_ID_LENGTH = 200
MAX_THREAD_LENGTH = 255
MAX_INPUT_BYTES = 1_500_000
_MAX_DEADLINE_MS = 7 * 24 * 3_600_000
_WORKFLOW_OWNED = ("background", "store", "stream", "previous_interaction_id")
OPTION_KEYS = (
    "mode",
    "deadlineMs",
    "streamIdleTimeoutMs",
    "pollInitialIntervalMs",
    "pollMaxIntervalMs",
    "heartbeatTimeoutMs",
    "notFoundGraceMs",
    "followUpWindowMs",
    "thread",
    "tenant",
    "budget",
    "continueAsNewAfterEvents",
    "callback",
    "chainSchedule",
)
CALLBACK_EVENTS = ("settled", "plan_ready", "failed", "budget_exceeded")
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
def assert_job_id(job_id: Any, field: str = "job_id") -> None:
    """Raises :class:`InvalidJobIdError` for an id Temporal or a log line cannot carry safely."""
    if not isinstance(job_id, str) or job_id == "":
        raise InvalidJobIdError(field, "must be a non-empty string")
    if len(job_id) > MAX_JOB_ID_LENGTH:
        raise InvalidJobIdError(field, f"must be at most {MAX_JOB_ID_LENGTH} characters")
    if re.search(f"[{_JS_SPACE}\u0000-\u001f\u007f]", job_id):
        raise InvalidJobIdError(field, "must not contain whitespace or control characters")


def assert_thread_key(thread: Any, field: str = "thread") -> None:
    """Raises :class:`InvalidThreadKeyError` for a thread key a visibility query cannot match exactly."""
    if not isinstance(thread, str) or thread == "":
        raise InvalidThreadKeyError(field, "must be a non-empty string")
    if len(thread) > MAX_THREAD_LENGTH:
        raise InvalidThreadKeyError(field, f"must be at most {MAX_THREAD_LENGTH} characters")
    if re.search('["\\\\\u0000-\u001f\u007f]', thread):
        raise InvalidThreadKeyError(field, "must not contain double quotes, backslashes or control characters")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _check_request(request: Mapping[str, Any]) -> None:
    """The create request's shape, as the Interactions API would judge it (src/interactions/validate.ts)."""

    def has(key: str) -> bool:
        return request.get(key) is not None

    def fail(field: str, problem: str, fix: str) -> None:
        raise JobValidationError(f"request.{field}", problem, fix)

    if has("model") and has("agent"):
        fail("agent", "`model` and `agent` cannot both be set", "send `model` for a model turn or `agent` for an agent run (e.g. Deep Research), not both")
    if has("model") and has("agent_config"):
        fail("agent_config", "`agent_config` cannot be used with `model`", "use `generation_config` for model turns, or send `agent` instead of `model`")
    if has("agent") and has("generation_config"):
        fail("generation_config", "`generation_config` cannot be used with `agent`", "use `agent_config` for agent runs, or send `model` instead of `agent`")
    if not has("model") and not has("agent"):
        fail("model", "neither `model` nor `agent` is set", 'send `model` (e.g. "gemini-3-flash-preview") or `agent` (e.g. "deep-research-preview-04-2026")')
    for key in ("model", "agent"):
        if has(key) and (not isinstance(request[key], str) or request[key] == ""):
            fail(key, f"`{key}` must be a non-empty string, got {_type_name(request[key])}", f"send the {key} id as a string")
    if not has("input"):
        fail("input", "`input` is missing", "send `input` (a string, content, content[] or steps[])")
    value = request["input"]
    if not isinstance(value, (str, dict, list)):
        fail("input", f"`input` must be a string, a content object or an array, got {_type_name(value)}", "send text as a string, or content/steps as objects")
    if isinstance(value, str) and value.strip() == "":
        fail("input", "`input` is an empty string", "send the question or instruction as non-empty text")
    if isinstance(value, list):
        if not value:
            fail("input", "`input` is an empty list", "send at least one content block or step, or send text as a string")
        for i, item in enumerate(value):
            if not isinstance(item, dict) or not isinstance(item.get("type"), str):
                fail(f"input[{i}]", f"`input[{i}]` must be a content block or step with a string `type`", 'e.g. `{ "type": "text", "text": "…" }`')
    elif isinstance(value, dict) and not isinstance(value.get("type"), str):
        fail("input", "`input` object must have a string `type`", 'e.g. `{ "type": "text", "text": "…" }`')
    if has("agent_config"):
        config = request["agent_config"]
        if not isinstance(config, dict) or not isinstance(config.get("type"), str):
            fail("agent_config", "`agent_config` must be an object with a string `type`", 'e.g. `{ "type": "deep-research", "thinking_summaries": "auto" }`')


def _ms(options: Mapping[str, Any], key: str, low: int, high: int = _MAX_DEADLINE_MS) -> None:
    value = options.get(key)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or not low <= value <= high:
        raise JobValidationError(
            f"options.{key}",
            f"must be a number of milliseconds between {low} and {high}, got {json.dumps(value)}",
            f"Pass a duration in milliseconds (e.g. {key} = {max(low, 60_000)}) or leave it out for the default.",
        )


def _check_options(options: Mapping[str, Any]) -> None:
    if not isinstance(options, dict):
        raise JobValidationError("options", "must be an object", "Pass { mode?, deadlineMs?, … } or leave it out.")
    mode = options.get("mode")
    if mode is not None and mode not in ("stream", "poll", "webhook"):
        raise JobValidationError(
            "options.mode",
            f'must be "stream", "poll" or "webhook", got {json.dumps(mode)}',
            'Use "stream" (default), "poll", or "webhook" (needs GEMINI_JOBS_WEBHOOK_URL on the worker and a webhook receiver).',
        )
    unknown = next((k for k in options if k not in OPTION_KEYS), None)
    if unknown is not None:
        raise JobValidationError(f"options.{unknown}", "is not a job option", f"Remove it; the options are {', '.join(OPTION_KEYS)}.")
    deadline = options.get("deadlineMs")
    if isinstance(deadline, (int, float)) and not isinstance(deadline, bool) and deadline > AGENT_TURN_DEADLINE_MS:
        raise JobValidationError(
            "options.deadlineMs",
            f"is {deadline} ms, past the API's 60-minute run limit plus a 10-minute margin; the API ends a run by then, so a longer deadline never applies",
            f"Leave it out (agents get 70 minutes) or pass at most {AGENT_TURN_DEADLINE_MS}.",
        )
    _ms(options, "deadlineMs", 1_000)
    for key, low in (("streamIdleTimeoutMs", 100), ("pollInitialIntervalMs", 10), ("pollMaxIntervalMs", 10), ("heartbeatTimeoutMs", 1_000), ("notFoundGraceMs", 0)):
        _ms(options, key, low, 3_600_000)
    _ms(options, "followUpWindowMs", 0)
    for key, what in (("thread", "a conversation or ticket id"), ("tenant", "a tenant or customer id (never a credential)")):
        value = options.get(key)
        if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 256):
            raise JobValidationError(f"options.{key}", "must be a non-empty string of at most 256 characters", f"Use a short key such as {what}.")
    if options.get("callback") is not None:
        _check_callback(options["callback"])


def _check_callback(callback: Any) -> None:
    """The same checks as the TypeScript client's ``callbackProblem`` (src/contract/callback.ts)."""
    from urllib.parse import urlsplit

    fix_url = "Pass an absolute http:// or https:// URL such as https://example.com/hooks/gemini-jobs."
    if not isinstance(callback, dict):
        raise JobValidationError("options.callback", "must be an object", 'Pass { url: "https://…", events?: ["settled"] } or leave it out.')
    extra = next((k for k in callback if k not in ("url", "events")), None)
    if extra is not None:
        raise JobValidationError(f"options.callback.{extra}", "is not a callback option", "Remove it; a callback has url and events.")
    url = callback.get("url")
    if not isinstance(url, str) or url == "":
        raise JobValidationError("options.callback.url", "is required", "Pass the receiver URL, e.g. https://example.com/hooks/gemini-jobs.")
    if len(url) > 2048:
        raise JobValidationError("options.callback.url", "is longer than 2048 characters", fix_url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise JobValidationError("options.callback.url", f"must be http or https, got {json.dumps(url)}", fix_url)
    if parts.username or parts.password:
        raise JobValidationError("options.callback.url", "must not carry a user or password (it would be written to Temporal history)", fix_url)
    events = callback.get("events")
    if events is not None:
        if not isinstance(events, list) or not events:
            raise JobValidationError("options.callback.events", "must be a non-empty list", f"Pick from {', '.join(CALLBACK_EVENTS)}, or leave it out.")
        bad = next((e for e in events if e not in CALLBACK_EVENTS), None)
        if bad is not None:
            raise JobValidationError("options.callback.events", f"{json.dumps(bad)} is not a callback event", f"Use {', '.join(CALLBACK_EVENTS)}.")


def validate_start(
    request: Mapping[str, Any],
    *,
    job_id: str | None = None,
    options: JobOptions | Mapping[str, Any] | None = None,
    thread: str | None = None,
) -> JobInput:
    """Checks a job exactly as :meth:`JobsClient.start` does, without connecting: returns the
    workflow input, or raises :class:`JobValidationError` (``field``, ``problem``, ``fix``),
    :class:`InvalidJobIdError` or :class:`InvalidThreadKeyError`. Applies no defaults: those are
    the workflow's, so a job looks the same whoever starts it."""
    if job_id is not None:
        assert_job_id(job_id, "job_id")
    merged: dict[str, Any] = dict(options or {})
    if thread is not None:
        merged["thread"] = thread
    if merged.get("thread") is not None:
        assert_thread_key(merged["thread"], "thread" if thread is not None else "options.thread")
    if not isinstance(request, Mapping):
        raise JobValidationError("request", "is required", "Pass the create request: { model | agent, input, … }.")
    job_input: dict[str, Any] = {"request": dict(request)}
    if merged:
        job_input["options"] = merged
    secrets = find_secrets(job_input, "input")
    if secrets:
        path, kind = secrets[0]
        more = f" and {len(secrets) - 1} more" if len(secrets) > 1 else ""
        raise JobValidationError(
            re.sub(r"^input\.", "", path),
            f"holds a credential ({kind}){more}; job input is stored in Temporal history and must never contain one",
            "Remove it. The worker authenticates with credentials from its own environment (GEMINI_API_KEY, or Vertex AI "
            "application-default credentials); tools that need their own secret must get it on the worker side.",
        )
    for key in _WORKFLOW_OWNED:
        if request.get(key) is not None:
            raise JobValidationError(
                f"request.{key}",
                "is set by the job workflow (background: true, store: true, no stream, previous_interaction_id from the thread)",
                f"Remove request.{key}; use a follow-up to continue a thread.",
            )
    _check_request(request)
    _check_options(merged)
    size = len(json.dumps(job_input, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > MAX_INPUT_BYTES:
        raise JobValidationError(
            "request.input",
            f"the job input is {size} bytes; Temporal payloads fail at 2 MB",
            f"Keep job input under {MAX_INPUT_BYTES} bytes: reference large documents by uri instead of inlining data.",
        )
    return job_input  # type: ignore[return-value]
