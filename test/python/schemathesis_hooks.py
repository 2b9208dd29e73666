"""Schemathesis hooks for test/serve/schemathesis.test.ts (loaded with SCHEMATHESIS_HOOKS).

JSON Schema cannot compare two values, so one documented rule of the start request lives here:
`options.pollInitialIntervalMs` may not exceed `options.pollMaxIntervalMs` (JobOptionsRules says
so in its description), for a job's options and a batch's `options.jobOptions`. Generated bodies
that break it are not sent as valid data.
"""
import schemathesis


@schemathesis.hook
def filter_body(ctx, body):
    if ctx.operation is None or ctx.operation.label not in ("POST /v1/jobs", "POST /v1/batches") or not isinstance(body, dict):
        return True
    options = body.get("options")
    if ctx.operation.label == "POST /v1/batches":
        options = options.get("jobOptions") if isinstance(options, dict) else None
    if not isinstance(options, dict):
        return True
    first, largest = options.get("pollInitialIntervalMs"), options.get("pollMaxIntervalMs")
    if isinstance(first, (int, float)) and isinstance(largest, (int, float)) and not isinstance(first, bool) and not isinstance(largest, bool):
        return first <= largest
    return True
