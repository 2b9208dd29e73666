"""Schemathesis hooks for test/serve/schemathesis.test.ts (loaded with SCHEMATHESIS_HOOKS).

JSON Schema cannot compare two values, so one documented rule of job options lives here:
`options.pollInitialIntervalMs` may not exceed `options.pollMaxIntervalMs` (JobOptionsRules says
so in its description). Job options appear in every body that starts jobs (a job, a schedule, a
batch and its items), so every `options` object of a generated body is checked; bodies that break
the rule are not sent as valid data.
"""
import schemathesis


def _options_ok(options):
    first, largest = options.get("pollInitialIntervalMs"), options.get("pollMaxIntervalMs")
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (first, largest))
    return not numbers or first <= largest


def _all_options_ok(value):
    if isinstance(value, dict):
        options = value.get("options")
        if isinstance(options, dict) and not _options_ok(options):
            return False
        return all(_all_options_ok(v) for v in value.values())
    if isinstance(value, list):
        return all(_all_options_ok(v) for v in value)
    return True


@schemathesis.hook
def filter_body(ctx, body):
    if ctx.operation is None or ctx.operation.method.upper() != "POST":
        return True
    return _all_options_ok(body)
