"""Google's Python SDK (google-genai) against the gemini-jobs emulator, on its defaults.

  python sdk_conformance.py drive <base_url> <webhook_sink_url>
      Drives every background operation through `genai.Client(api_key=..., http_options={"base_url": ...})`
      and prints one JSON object: what each operation returned or raised.
  python sdk_conformance.py check <records.json>
      Validates every recorded object (responses, SSE events, error bodies) with the SDK's own
      pydantic models, failing on any field the model does not declare, any union variant the SDK
      does not recognise and any enum value it does not list (recursively). Prints the failures and
      the SDK's variant lists (steps, deltas, tools, events, statuses, models, agents…) as JSON.
"""

import json
import sys
import time
import typing

from google import genai

RESEARCH = "deep-research-preview-04-2026"
MODEL = "gemini-3-flash-preview"


def plain(obj):
    return obj.model_dump(mode="json", by_alias=True, exclude_none=True) if hasattr(obj, "model_dump") else obj


def error_of(fn):
    try:
        fn()
    except Exception as err:  # the class, its module and status are what users catch
        return {"class": type(err).__name__, "module": type(err).__module__, "mro": [c.__name__ for c in type(err).__mro__], "status": getattr(err, "status_code", None)}
    return None


def settle(client, iid, timeout=60):
    deadline = time.time() + timeout
    while True:
        got = client.interactions.get(iid)
        if got.status not in ("in_progress", "queued") or time.time() > deadline:
            return got
        time.sleep(0.05)


def drive(base, sink):
    client = genai.Client(api_key="conformance-key", http_options={"base_url": base})
    out = {}

    # create (background model turn) -> get, include_input
    bg = client.interactions.create(model=MODEL, input="python background hello", background=True)
    out["create_background"] = bg.status
    out["get_settled"] = settle(client, bg.id).status
    out["get_include_input"] = plain(client.interactions.get(bg.id, include_input=True)).get("input")

    # create (agent, background, stream) -> resume with last_event_id
    events = list(client.interactions.create(agent=RESEARCH, input="python research stream", background=True, stream=True,
                                             agent_config={"type": "deep-research", "thinking_summaries": "auto"}))
    iid = events[0].interaction.id
    ids = [e.event_id for e in events if getattr(e, "event_id", None)]
    cursor = ids[4]
    rest = list(client.interactions.get(iid, stream=True, last_event_id=cursor))
    at = [getattr(e, "event_id", None) for e in events].index(cursor)
    out["stream"] = {"events": len(events), "first": events[0].event_type, "last": events[-1].event_type,
                     "resumed_equal": [plain(e) for e in rest] == [plain(e) for e in events[at + 1:]]}

    # cancel a running run, delete it, read it back
    run = client.interactions.create(agent=RESEARCH, input="python to cancel", background=True, labels={"emulator-scenario": "zombie"})
    out["cancel"] = client.interactions.cancel(run.id).status
    client.interactions.delete(run.id)
    out["get_deleted"] = error_of(lambda: client.interactions.get(run.id))

    # previous_interaction_id chaining
    first = settle(client, client.interactions.create(model=MODEL, input="python first turn", background=True).id)
    second = settle(client, client.interactions.create(model=MODEL, input="python second turn", background=True, previous_interaction_id=first.id).id)
    out["chain"] = {"status": second.status, "previous": second.previous_interaction_id == first.id}

    # collaborative planning: plan, refine (flag still true), execute (flag false)
    plan_cfg = {"type": "deep-research", "collaborative_planning": True}
    plan = settle(client, client.interactions.create(agent=RESEARCH, input="python: research heat pumps", background=True, agent_config=plan_cfg).id)
    refined = settle(client, client.interactions.create(agent=RESEARCH, input="add costs", background=True, agent_config=plan_cfg, previous_interaction_id=plan.id).id)
    executed = settle(client, client.interactions.create(agent=RESEARCH, input="go ahead", background=True,
                                                         agent_config={"type": "deep-research", "collaborative_planning": False},
                                                         previous_interaction_id=refined.id).id)
    out["planning"] = [plan.status, refined.status, executed.status]

    # webhook_config
    hooked = client.interactions.create(model=MODEL, input="python webhook", background=True,
                                        webhook_config={"uris": [sink], "user_metadata": {"sdk": "python"}})
    out["webhook_config"] = settle(client, hooked.id).status

    # function calling, then the function_result turn
    tools = [{"type": "function", "name": "lookup", "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}]
    called = settle(client, client.interactions.create(model=MODEL, input="python look it up", background=True, tools=tools).id)
    call = next(s for s in called.steps if s.type == "function_call")
    answered = settle(client, client.interactions.create(model=MODEL, background=True, tools=tools, previous_interaction_id=called.id,
                                                         input=[{"type": "function_result", "call_id": call.id, "name": call.name, "result": "found"}]).id)
    out["function_call"] = [called.status, answered.status]

    # the newest variants and every status, streamed
    out["scenarios"] = {}
    for scenario in ["new-variants", "queued", "idle", "budget-exceeded", "token-exhaustion", "fail"]:
        evs = list(client.interactions.create(agent=RESEARCH, input=f"python {scenario}", background=True, stream=True,
                                              agent_config={"type": "deep-research", "thinking_summaries": "auto"},
                                              labels={"emulator-scenario": scenario}))
        out["scenarios"][scenario] = settle(client, evs[0].interaction.id).status

    # errors: how the SDK raises them
    out["errors"] = {
        "get_unknown": error_of(lambda: client.interactions.get("v1_doesnotexist0000000000000")),
        "retired_agent": error_of(lambda: client.interactions.create(agent="deep-research-pro-preview-12-2025", input="x", background=True)),
        "unknown_model": error_of(lambda: client.interactions.create(model="gemini-3-flash", input="x")),
        "bad_request": error_of(lambda: client.interactions.create(agent=RESEARCH, input="x")),
    }

    # webhooks resource
    created = client.webhooks.create(uri="https://example.com/python-hook", subscribed_events=["interaction.completed"])
    client.webhooks.list()
    client.webhooks.get(created.id)
    client.webhooks.update(created.id, uri="https://example.com/python-hook2", update_mask="uri")
    client.webhooks.ping(created.id)
    client.webhooks.rotate_signing_secret(created.id)
    client.webhooks.delete(created.id)
    out["webhooks"] = "ok"
    print(json.dumps(out))


# ---- check ------------------------------------------------------------------------------------

def sdk_types():
    from pydantic import BaseModel, TypeAdapter
    from google.genai._gaos.types import basemodel
    from google.genai._gaos.types.interactions import interactionsseevent, step, stepdeltadata, tool, content, annotation, interaction, empty, model, agentoption
    from google.genai._gaos.types.webhooks import webhook, webhooklistresponse, webhookpingresponse, webhookrotatesigningsecretresponse
    from google.genai._gaos.errors import getinteractionbyid

    def literals(t):
        out = []
        for a in typing.get_args(t):
            if typing.get_origin(a) is typing.Literal:
                out.extend(typing.get_args(a))
        return out

    lists = {
        "steps": list(step._STEP_VARIANTS),
        "deltas": list(stepdeltadata._STEP_DELTA_DATA_VARIANTS),
        "tools": list(tool._TOOL_VARIANTS),
        "events": list(interactionsseevent._INTERACTION_SSE_EVENT_VARIANTS),
        "statuses": literals(interaction.InteractionStatus),
        "contents": list(content._CONTENT_VARIANTS),
        "annotations": list(annotation._ANNOTATION_VARIANTS),
        "models": literals(model.Model),
        "agents": literals(agentoption.AgentOption),
        "webhookEvents": literals(webhook.WebhookSubscribedEvent),
    }
    by_operation = {
        "event": TypeAdapter(interactionsseevent.InteractionSSEEvent),
        "create": TypeAdapter(interaction.Interaction),
        "get": TypeAdapter(interaction.Interaction),
        "cancel": TypeAdapter(interaction.Interaction),
        "delete": TypeAdapter(empty.Empty),
        "webhook.create": TypeAdapter(webhook.Webhook),
        "webhook.get": TypeAdapter(webhook.Webhook),
        "webhook.update": TypeAdapter(webhook.Webhook),
        "webhook.list": TypeAdapter(webhooklistresponse.WebhookListResponse),
        "webhook.ping": TypeAdapter(webhookpingresponse.WebhookPingResponse),
        "webhook.rotate": TypeAdapter(webhookrotatesigningsecretresponse.WebhookRotateSigningSecretResponse),
        "webhook.delete": TypeAdapter(empty.Empty),
        "error": TypeAdapter(getinteractionbyid.GetInteractionByIDClientErrorData),
    }
    return lists, by_operation, BaseModel, basemodel.UnrecognizedStr


def strict_walk(value, path, failures, BaseModel, UnrecognizedStr):
    """Everything the SDK accepted only through its forward-compatibility doors is a failure."""
    if isinstance(value, BaseModel):
        if getattr(value, "is_unknown", False) is True:
            failures.append(f"{path}: a variant the SDK does not recognise ({json.dumps(getattr(value, 'raw', None))[:160]})")
            return
        for key in (value.model_extra or {}):
            failures.append(f"{path}.{key}: a field the SDK model {type(value).__name__} does not declare")
        for name in type(value).model_fields:
            strict_walk(getattr(value, name), f"{path}.{name}", failures, BaseModel, UnrecognizedStr)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            strict_walk(item, f"{path}[{i}]", failures, BaseModel, UnrecognizedStr)
    elif isinstance(value, UnrecognizedStr):
        failures.append(f"{path}: {str(value)!r} is not a value the SDK lists")


def live_error_envelope(body):
    """The documented allowance (see js-sdk-types.ts): the live envelope's integer code and status."""
    err = dict(body.get("error", {}))
    if isinstance(err.get("code"), int):
        err["code"] = str(err["code"])
    err.pop("status", None)
    err.pop("details", None)
    return {**body, "error": err}


def check(path):
    from pydantic import ValidationError
    lists, by_operation, BaseModel, UnrecognizedStr = sdk_types()
    records = json.load(open(path))
    failures = []
    for i, rec in enumerate(records):
        key = "event" if rec["kind"] == "event" else "error" if rec["kind"] == "error" else rec["operation"]
        adapter = by_operation.get(key)
        label = f"#{i} {rec['session']} {rec['operation']} {rec['kind']}"
        if adapter is None:
            failures.append(f"{label}: no SDK type for this operation")
            continue
        body = live_error_envelope(rec["body"]) if key == "error" else rec["body"]
        try:
            parsed = adapter.validate_python(body)
        except ValidationError as err:
            for e in err.errors()[:5]:
                where = ".".join(str(p) for p in e["loc"] if not str(p).startswith("function-"))
                failures.append(f"{label} $.{where}: {e['msg']}")
            continue
        found = []
        strict_walk(parsed, "$", found, BaseModel, UnrecognizedStr)
        failures.extend(f"{label} {f}" for f in found)
    print(json.dumps({"checked": len(records), "failures": failures, "lists": lists}))


if __name__ == "__main__":
    if sys.argv[1] == "drive":
        drive(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        raise SystemExit(__doc__)
