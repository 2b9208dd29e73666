"""What a job shows in every listing, computed from its input exactly as the TypeScript contract
does (src/contract/visibility.ts, src/contract/question.ts, src/jobs/ui-metadata.ts): the values
of its search attributes and the Temporal Web UI's summary and details. The workflow publishes
the search attributes itself; a starter that sets the same values at start saves it an upsert.

Strings are measured and cut in UTF-16 code units and white space is JavaScript's, so a question
cut here is byte-for-byte the one the workflow publishes.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .contract import DEFAULT_JOB_MODE, QUESTION_CHARS

_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_JS_SPACES = re.compile(f"[{_JS_SPACE}]+")
SUMMARY_MAX_CHARS = 200


def _js_trim(text: str) -> str:
    return re.sub(f"^[{_JS_SPACE}]+|[{_JS_SPACE}]+$", "", text)


def _js_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _js_slice(text: str, end: int) -> str:
    return text.encode("utf-16-le", "surrogatepass")[: 2 * max(0, end)].decode("utf-16-le", "surrogatepass")


def _first_text(value: Any) -> str | None:
    """The first text of a request input: a string, content parts or steps (question.ts)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, list):
        return None
    for part in value:
        if not isinstance(part, dict):
            continue
        text = part.get("text")
        if isinstance(text, str):
            return text
        content = part.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            for c in content:
                inner = c.get("text") if isinstance(c, dict) else None
                if isinstance(inner, str):
                    return inner
    return None


def question_of(request: Mapping[str, Any]) -> str | None:
    """The question a job asks, as every face lists it: the first text of ``request["input"]``,
    white space folded, cut to 200 characters with an ellipsis; ``None`` when it has no text."""
    text = _first_text(request.get("input"))
    if text is None:
        return None
    flat = _js_trim(_JS_SPACES.sub(" ", text))
    if flat == "":
        return None
    return _js_slice(flat, QUESTION_CHARS - 1) + "…" if _js_length(flat) > QUESTION_CHARS else flat


def visibility_of(request: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The search-attribute values that follow from a job's input, by field (``kind``, ``mode``,
    ``agent``, ``thread``, ``question``); ``status`` starts as ``pending``."""
    options = options or {}
    agent = request.get("agent")
    model = request.get("model")
    shown: dict[str, str] = {
        "status": "pending",
        "kind": "agent" if isinstance(agent, str) else "model",
        "mode": options.get("mode", DEFAULT_JOB_MODE),
    }
    name = agent if isinstance(agent, str) and agent else model if isinstance(model, str) and model else None
    if name is not None:
        shown["agent"] = name
    if options.get("thread") is not None:
        shown["thread"] = options["thread"]
    question = question_of(request)
    if question is not None:
        shown["question"] = question
    return shown


def _question_text(value: Any) -> str | None:
    """The first text of an input for the Web UI's summary (ui-metadata.ts: any nesting)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _question_text(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        text = value.get("text")
        if isinstance(text, str):
            return text
        if value.get("content") is not None:
            return _question_text(value["content"])
    return None


def _cut_at_word(text: str, limit: int) -> str:
    flat = _js_trim(_JS_SPACES.sub(" ", text))
    if _js_length(flat) <= limit:
        return flat
    cut = _js_slice(flat, limit - 1)
    if _js_slice(flat, limit)[-1:] == " ":
        return _js_trim_end(cut) + "…"
    units = cut.encode("utf-16-le", "surrogatepass")
    space = max((i // 2 for i in range(0, len(units), 2) if units[i : i + 2] == b" \x00"), default=-1)
    head = _js_slice(cut, space) if space > limit / 2 else cut
    return _js_trim_end(head) + "…"


def _js_trim_end(text: str) -> str:
    return re.sub(f"[{_JS_SPACE}]+$", "", text)


def static_summary(request: Mapping[str, Any]) -> str:
    """The Web UI's one-line summary of a job: its question cut at a word, else the agent or model."""
    question = _question_text(request.get("input"))
    if question and _js_trim(question):
        return _cut_at_word(question, SUMMARY_MAX_CHARS)
    name = request.get("agent")
    if name is None:
        name = request.get("model")
    return f"gemini-jobs {name if name is not None else 'job'}"


def _js_string(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join("" if v is None else _js_string(v) for v in value)
    return str(value)


def static_details(request: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> str:
    """The Web UI's details of a job (markdown): agent or model, thread and the options given."""
    options = options or {}
    agent = request.get("agent")
    lines = [f"**Agent:** {agent}" if agent else f"**Model:** {request.get('model') or 'unknown'}"]
    if options.get("thread"):
        lines.append(f"**Thread:** {options['thread']}")
    given = [(k, v) for k, v in options.items() if k != "thread" and v is not None]
    if given:
        lines.append("**Options:** " + ", ".join(f"{k}={_js_string(v)}" for k, v in given))
    lines.append("Job status: search attribute `GeminiJobStatus` (add it as a column); live progress: `gemini-jobs status <jobId>`.")
    return "\n\n".join(lines)
