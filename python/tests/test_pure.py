"""What needs no server: validation before anything is enqueued, and the listing values computed
exactly as the TypeScript contract computes them (``GEMINI_JOBS_PARITY_FIXTURES``: cases the node
side ran through src/contract/visibility.ts, src/jobs/ui-metadata.ts and JobsClient.validateStart)."""

from __future__ import annotations

import json
import os

import pytest

from gemini_jobs import InvalidJobIdError, JobValidationError, question_of, validate_start, visibility_of
from gemini_jobs.credentials import redact
from gemini_jobs.visibility import static_details, static_summary

AGENT = "deep-research-preview-04-2026"


def test_minimal_input_is_the_whole_workflow_input() -> None:
    assert validate_start({"agent": AGENT, "input": "How do heat pumps work?"}) == {"request": {"agent": AGENT, "input": "How do heat pumps work?"}}


@pytest.mark.parametrize(
    ("request_", "options", "field"),
    [
        ({"input": "q"}, None, "request.model"),
        ({"agent": AGENT}, None, "request.input"),
        ({"agent": AGENT, "input": "  "}, None, "request.input"),
        ({"agent": AGENT, "model": "m", "input": "q"}, None, "request.agent"),
        ({"agent": AGENT, "input": "q", "background": True}, None, "request.background"),
        ({"agent": AGENT, "input": "q", "tools": [{"type": "mcp", "headers": {"Authorization": "Bearer x"}}]}, None, "request.tools[0].headers.Authorization"),
        ({"agent": AGENT, "input": "my key is AIza" + "a" * 35}, None, "request.input"),
        ({"agent": AGENT, "input": "q"}, {"deadlineMs": 2 * 3_600_000}, "options.deadlineMs"),
        ({"agent": AGENT, "input": "q"}, {"mode": "push"}, "options.mode"),
        ({"agent": AGENT, "input": "q"}, {"deadline": 5}, "options.deadline"),
        ({"agent": AGENT, "input": "q"}, {"callback": {"url": "ftp://example.com/hook"}}, "options.callback.url"),
        ({"agent": AGENT, "input": "q"}, {"callback": {"url": "https://example.com/hook", "events": ["done"]}}, "options.callback.events"),
    ],
)
def test_a_bad_job_is_refused_by_field(request_: dict, options: dict | None, field: str) -> None:
    with pytest.raises(JobValidationError) as caught:
        validate_start(request_, options=options)
    assert caught.value.field == field
    assert caught.value.code == "invalid_job"
    assert "AIza" not in str(caught.value) and "Bearer x" not in str(caught.value)


def test_a_bad_job_id_is_refused() -> None:
    with pytest.raises(InvalidJobIdError) as caught:
        validate_start({"agent": AGENT, "input": "q"}, job_id="two words")
    assert caught.value.code == "invalid_job_id"


def test_redact_keeps_prefixes_and_drops_credentials() -> None:
    assert redact("GET /x?key=abc123def&y=1 Bearer abcdefghijklmnopqrstu") == "GET /x?key=[REDACTED]&y=1 Bearer [REDACTED]"


def test_question_is_folded_and_cut_like_the_workflow() -> None:
    assert question_of({"input": "  How \n do\theat pumps work? "}) == "How do heat pumps work?"
    long = question_of({"input": "x" * 300})
    assert long is not None and len(long) == 200 and long.endswith("…")
    assert question_of({"input": [{"type": "user_input", "content": [{"type": "text", "text": "From steps"}]}]}) == "From steps"
    assert visibility_of({"agent": AGENT, "input": "q"}) == {"status": "pending", "kind": "agent", "mode": "stream", "agent": AGENT, "question": "q"}


FIXTURES = os.environ.get("GEMINI_JOBS_PARITY_FIXTURES")


@pytest.mark.skipif(not FIXTURES, reason="GEMINI_JOBS_PARITY_FIXTURES not set (written by test/python-client)")
def test_listing_values_match_the_typescript_contract() -> None:
    cases = json.loads(open(FIXTURES or "", encoding="utf-8").read())
    assert len(cases) >= 10
    for case in cases:
        request, options = case["request"], case.get("options") or {}
        assert question_of(request) == case["question"], case
        assert visibility_of(request, options) == case["visibility"], case
        assert static_summary(request) == case["summary"], case
        assert static_details(request, options) == case["details"], case
        refused = None
        try:
            validate_start(request, options=options)
        except JobValidationError as err:
            refused = err.field
        assert refused == case["refusedField"], case
