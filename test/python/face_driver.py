"""A Python service as one face of a job, driven over stdin/stdout (one JSON command per line, one
JSON answer per line) by test/python-client/one-job-every-face.test.ts.

Mode ``package`` (default) uses the ``gemini_jobs`` package; mode ``raw`` uses bare ``temporalio``
the way the README printed it before the package existed (start without search attributes, the
raw ``state`` query), to measure what a job looked like then.

Commands: {"op": "start", "jobId", "request"}, {"op": "state", "jobId"}, {"op": "cancel", "jobId"},
{"op": "approve", "jobId"}. Environment: TEMPORAL_ADDRESS, GEMINI_JOBS_TASK_QUEUE, GEMINI_JOBS_FACE_MODE.
"""

import asyncio
import json
import os
import sys

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

MODE = os.environ.get("GEMINI_JOBS_FACE_MODE", "package")
TASK_QUEUE = os.environ.get("GEMINI_JOBS_TASK_QUEUE", "gemini-jobs")


async def package_face():
    from gemini_jobs import JobsClient

    jobs = await JobsClient.connect()

    async def start(cmd):
        started = await jobs.start(cmd["request"], job_id=cmd["jobId"])
        return {"jobId": started.job_id, "existing": started.existing}

    return {
        "start": start,
        "state": lambda cmd: jobs.state(cmd["jobId"]),
        "cancel": lambda cmd: jobs.cancel(cmd["jobId"], "cancelled from python"),
        "approve": lambda cmd: jobs.approve_plan(cmd["jobId"]),
    }


async def raw_face():
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"])

    async def start(cmd):
        await client.start_workflow(
            "interactionJob",
            {"request": cmd["request"]},
            id=cmd["jobId"],
            task_queue=TASK_QUEUE,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        return {"jobId": cmd["jobId"]}

    async def cancel(cmd):
        await client.get_workflow_handle(cmd["jobId"]).signal("cancel", {"reason": "cancelled from python"})
        return True

    return {
        "start": start,
        "state": lambda cmd: client.get_workflow_handle(cmd["jobId"]).query("state"),
        "cancel": cancel,
        "approve": lambda cmd: client.get_workflow_handle(cmd["jobId"]).execute_update("approvePlan", {}),
    }


async def main():
    ops = await (raw_face() if MODE == "raw" else package_face())
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    print(json.dumps({"ok": True, "value": "ready"}), flush=True)
    while line := await reader.readline():
        cmd = json.loads(line)
        try:
            value = await ops[cmd["op"]](cmd)
            print(json.dumps({"ok": True, "value": value}, default=str), flush=True)
        except Exception as err:  # the test reports it as what this face showed
            print(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}), flush=True)


asyncio.run(main())
