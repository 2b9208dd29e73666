"""Shared set-up of the package's tests. The integration tests need a Temporal server with a
gemini-jobs worker polling ``GEMINI_JOBS_TASK_QUEUE`` (reports inline in history) and, for the
result-store test, one polling ``GEMINI_JOBS_STORE_TASK_QUEUE`` (reports in
``GEMINI_JOBS_RESULTS_DIR``); test/python-client/python-client.test.ts provides all of it (the
real dev server, the emulator over HTTP, real workers) and runs pytest. Without
``TEMPORAL_ADDRESS`` they are skipped; the pure tests always run.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any, Awaitable, Callable, TypeVar

import pytest

from gemini_jobs import JobsClient

T = TypeVar("T")
AGENT = "deep-research-preview-04-2026"
FAST = {"pollInitialIntervalMs": 100, "pollMaxIntervalMs": 500, "heartbeatTimeoutMs": 3000, "streamIdleTimeoutMs": 2000}

needs_stack = pytest.mark.skipif(not os.environ.get("TEMPORAL_ADDRESS"), reason="needs TEMPORAL_ADDRESS and a gemini-jobs worker (run test/python-client)")


def run(make: Callable[[JobsClient], Awaitable[T]], **kwargs: Any) -> T:
    """Runs ``make(jobs)`` on a fresh event loop with a client connected from the environment."""

    async def main() -> T:
        jobs = await JobsClient.connect(**kwargs)
        return await make(jobs)

    return asyncio.run(main())


def record(name: str, value: Any) -> None:
    """Appends what a test saw to ``GEMINI_JOBS_PYTEST_OUT`` (JSON lines) for the node side to check."""
    out = os.environ.get("GEMINI_JOBS_PYTEST_OUT")
    if out:
        with open(out, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": name, "value": value}) + "\n")


async def wait_state(jobs: JobsClient, job_id: str, predicate: Callable[[dict[str, Any]], bool], what: str, timeout: float = 90.0) -> dict[str, Any]:
    """Polls ``state`` until ``predicate`` holds (counts reads, no wall-clock assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: dict[str, Any] = {}
    while loop.time() < deadline:
        last = dict(await jobs.state(job_id))
        if predicate(last):
            return last
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: never seen; last state {json.dumps({k: last.get(k) for k in ('phase', 'status', 'turn')})}")
