"""A Python service on the gemini-jobs job contract, with nothing but `temporalio` (PyPI) and the
checked-in JSON Schemas: start a Deep Research job, query its state, read its result and report,
and cancel a second job. Run by test/serve/python-contract.test.ts against the real Temporal dev
server, a gemini-jobs worker and the emulator. Prints one JSON line with what it saw.

Environment: TEMPORAL_ADDRESS, GEMINI_JOBS_TASK_QUEUE, GEMINI_JOBS_RESULTS_DIR, GEMINI_JOBS_SCHEMAS.
"""
import asyncio
import hashlib
import json
import os
import uuid
from pathlib import Path

import jsonschema
from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

SCHEMAS = Path(os.environ["GEMINI_JOBS_SCHEMAS"])
CONTRACT = json.loads((SCHEMAS / "job-contract.json").read_text())
AGENT = "deep-research-preview-04-2026"
FAST = {"heartbeatTimeoutMs": 3000, "pollInitialIntervalMs": 100, "pollMaxIntervalMs": 500, "streamIdleTimeoutMs": 2000, "followUpWindowMs": 0}


def check(value, schema_file):
    """Validates a payload against one of the contract's schemas (refs resolve inside the file)."""
    jsonschema.validate(value, json.loads((SCHEMAS / schema_file).read_text()))


def attributes(agent):
    keys = {k: SearchAttributeKey.for_keyword(v["name"]) for k, v in CONTRACT["searchAttributes"].items()}
    return TypedSearchAttributes([SearchAttributePair(keys["status"], "pending"), SearchAttributePair(keys["agent"], agent)])


async def start(client, question, labels=None):
    job_id = f"py_{uuid.uuid4()}"
    request = {"agent": AGENT, "input": question, "agent_config": {"type": "deep-research", "thinking_summaries": "auto"}}
    if labels:
        request["labels"] = labels
    job_input = {"request": request, "options": FAST}
    check(job_input, CONTRACT["input"]["schema"])
    handle = await client.start_workflow(
        CONTRACT["workflowType"],
        job_input,
        id=job_id,
        task_queue=os.environ.get("GEMINI_JOBS_TASK_QUEUE", CONTRACT["defaultTaskQueue"]),
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=attributes(AGENT),
    )
    return handle


async def wait_state(handle, predicate, timeout_s=60.0):
    """Polls the `state` query until `predicate(state)` holds."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        state = await handle.query(next(n for n, h in CONTRACT["handlers"].items() if h["kind"] == "query"))
        check(state, CONTRACT["handlers"]["state"]["result"])
        if predicate(state):
            return state
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"state never matched; last phase {state.get('phase')}")
        await asyncio.sleep(0.2)


def read_report(ref):
    """The report of a turn from the shared file result store, checked against its sha256."""
    if ref is None:
        return None
    if isinstance(ref.get("text"), str):  # a report carried inline in the result
        body = ref["text"].encode("utf-8")
    else:
        body = Path(os.environ["GEMINI_JOBS_RESULTS_DIR"], *ref["key"].split("/")).read_bytes()
    assert hashlib.sha256(body).hexdigest() == ref["sha256"], "report bytes match the result's sha256"
    return body.decode("utf-8")


async def main():
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"], namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"))
    out = {}

    job = await start(client, "How do heat pumps work? (python)")
    running = await wait_state(job, lambda s: s["phase"] in ("streaming", "polling", "done") or s["status"] != "pending")
    out["liveState"] = {"phase": running["phase"], "status": running["status"], "turn": running["turn"]}
    result = await job.result()
    check(result, CONTRACT["result"]["schema"])
    report = read_report(result.get("report"))
    out["completed"] = {"jobId": result["jobId"], "status": result["status"], "interactionId": result["interactionId"], "reportChars": len(report or ""), "reportStart": (report or "")[:40]}

    doomed = await start(client, "A long question to cancel (python)", labels={"emulator-scenario": "long"})
    await wait_state(doomed, lambda s: s.get("interactionId") is not None)
    cancel = next(n for n, h in CONTRACT["handlers"].items() if h["kind"] == "signal")
    await doomed.signal(cancel, {"reason": "cancelled from python"})
    cancelled = await doomed.result()
    check(cancelled, CONTRACT["result"]["schema"])
    out["cancelled"] = {"jobId": cancelled["jobId"], "status": cancelled["status"]}
    print(json.dumps(out))


asyncio.run(main())
