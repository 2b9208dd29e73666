/** Help text of `gemini-jobs` and each of its commands. */
import { AGENT_TURN_DEADLINE_MS } from '../contract/constants';

/** Defaults quoted below, from the constants the code uses. */
const AGENT_DEADLINE = `${AGENT_TURN_DEADLINE_MS / 60_000}m`;

const CONNECTION_FLAGS = `Connection (override TEMPORAL_* environment and TOML profiles):
  --address <host:port>   Temporal frontend (env TEMPORAL_ADDRESS, default localhost:7233)
  --namespace <name>      Temporal namespace (env TEMPORAL_NAMESPACE, default default)
  --task-queue <name>     Task queue (env GEMINI_JOBS_TASK_QUEUE, default gemini-jobs)
  --profile <name>        TOML profile (env TEMPORAL_PROFILE, file TEMPORAL_CONFIG_FILE)
  --json                  Machine-readable output
  -h, --help              Show help`;

export const MAIN_HELP = `gemini-jobs: durable Gemini Interactions API jobs (Deep Research, model turns) on Temporal

Usage: gemini-jobs <command> [options]

Jobs:
  start [question]           Start a job (returns at once; --wait / --watch to follow it)
  status <jobId>             Show a job's state
  watch <jobId>              Follow a job live, then print its report
  result <jobId>             Print a job's report (markdown) to stdout or --out file
  cancel <jobId>             Cancel a job
  follow-up <jobId> <text>   Ask a follow-up question in the job's thread
  approve-plan <jobId>       Run the plan a collaborative-planning turn proposed
  refine-plan <jobId> <text> Ask for a revised plan (the new plan replaces the old)
  list                       List jobs by --status, --agent, --thread
  schedule <subcommand>      Recurring jobs: create, list, describe, pause, resume, trigger, delete
  batch <sub> ...            Run a list of questions as one batch: start, status, cancel, retry,
                             results, list (see batch --help)

Services:
  worker                     Run a worker (credentials from the environment)
  dev                        Local stack: Temporal dev server + worker (+ emulator) + a sample job
  emulator                   Run the local Interactions API emulator
  doctor                     Check the API the worker's credentials reach against what the worker assumes
  webhooks                   Run the webhook receiver for jobs in webhook mode
  serve                      HTTP API (bearer tokens) and live jobs dashboard

Exit codes: 0 ok, 1 job failed/cancelled/timed out (or other error), 2 usage error, 3 connection error.

${CONNECTION_FLAGS}

Run "gemini-jobs <command> --help" for a command's options.`;

export const COMMAND_HELP: Record<string, string> = {
  schedule: `Usage: gemini-jobs schedule <subcommand> [options]

Recurring research on Temporal Schedules: each run is a job (id <scheduleId>-<time>). See docs/schedules.md.

  create [question]   --cron "<min hour dom month dow>" (UTC, e.g. "0 8 * * MON") or --every <dur> (e.g. 1h)
  list                Every job schedule with its next run
  describe <id>       Timing, next and recent runs (their job ids), counts
  pause <id>          Stop further runs (--note <why>); a run going on is not touched
  resume <id>         Run again on the timing
  trigger <id>        Start a run now (also while paused)
  delete <id>         Delete the schedule (its jobs stay)

create options:
  --chain                      Each run continues the previous run's thread (previous_interaction_id):
                               ask "what changed since last time?"
  --id <scheduleId>            Schedule id (default sched_<uuid>)
  --overlap <policy>           skip (default), buffer-one, buffer-all, cancel-other, allow-all
  --paused                     Create it paused
  --note <text>                A note describe shows
  --agent, --model, --request, --system, --thinking-summaries, --collaborative-planning,
  --thread, --mode, --deadline, --callback-url, --callback-events
                               As for start; each run's job gets them
  --follow-up-window <dur>     Default 0s for scheduled runs (an open run would make the next one skip)

${CONNECTION_FLAGS}`,
  start: `Usage: gemini-jobs start [options] [question]

Starts a job and prints its id at once. Starting an existing --job-id enqueues nothing
("existing": true). The question may also come from stdin ("-").

Request:
  --agent <name>               Agent (default deep-research-preview-04-2026 unless --model)
  --model <name>               Model instead of an agent (e.g. gemini-3-flash-preview)
  --request <file.json>        Full create request body (JSON) instead of the flags above
  --system <text>              System instruction
  --thinking-summaries <mode>  auto | none (Deep Research default auto: thoughts shown live;
                               none opts out)
  --collaborative-planning     Deep Research proposes a plan first (see approve-plan)
Job:
  --job-id <id>                Job id (default job_<uuid>); reuse it to make start idempotent
  --thread <key>               Thread key for listing related jobs
  --mode <stream|poll|webhook> How the worker follows the run (default stream; webhook needs a receiver)
  --deadline <duration>        Whole-turn deadline, e.g. 20m, 1h (default ${AGENT_DEADLINE} agents, 10m models;
                               at most ${AGENT_DEADLINE}: the API ends a run at its own limit)
  --follow-up-window <dur>     How long the job stays open for follow-ups (default 15m; 0s closes at once)
  --callback-url <url>         POST a signed callback (Standard Webhooks) here when a turn ends
                               (worker needs GEMINI_JOBS_CALLBACK_SECRET; see docs/callbacks.md)
  --callback-events <list>     settled, plan_ready, failed, budget_exceeded (default settled;
                               repeat or separate with commas)
  --wait                       Wait for the turn to end, then print the report
  --watch                      Show live progress, then print the report

${CONNECTION_FLAGS}`,
  status: `Usage: gemini-jobs status [options] <jobId>

Prints the job's phase, status, turns and live progress. Exit code 0 whatever the job's status.

${CONNECTION_FLAGS}`,
  watch: `Usage: gemini-jobs watch [options] <jobId>

Follows a job: on a terminal a spinner with phase, elapsed time vs deadline and the latest thought
summary; plain lines otherwise. The report is written to stdout when the turn ends, progress to
stderr. With --json, one event per line (seq, type, ...), resumable with --from.

  --from <seq>                 Resume after this event position
  --until <turn|close>         Stop after the current turn (default) or when the job closes
  --poll-interval <duration>   Time between state reads (default 1s)

Exit code 1 when the turn ends failed, cancelled, timed out or incomplete.

${CONNECTION_FLAGS}`,
  result: `Usage: gemini-jobs result [options] <jobId>

Prints the report (markdown) of the job's latest finished turn. Reports up to 1 MiB travel
through Temporal (read from the workflow history: works from any directory or host); larger ones
are read from the result store (GEMINI_JOBS_RESULTS_DIR, absolute) or from the API by interaction
id. When a report exists but cannot be read, says where it looked and exits 1.

  --out <file>                 Write the report to a file instead of stdout
  --wait                       Wait for the current turn to end first
  --timeout <duration>         Give up waiting after this long

Exit code 1 when the turn did not complete (or is still running without --wait).

${CONNECTION_FLAGS}`,
  cancel: `Usage: gemini-jobs cancel [options] <jobId>

Asks the job to cancel its running interaction and end.

  --reason <text>              Recorded in the job state

${CONNECTION_FLAGS}`,
  'follow-up': `Usage: gemini-jobs follow-up [options] <jobId> <question>

Starts the next turn of the job's thread (previous_interaction_id chaining).

  --wait                       Wait for the new turn, then print its report
  --watch                      Show live progress, then print the report

${CONNECTION_FLAGS}`,
  'approve-plan': `Usage: gemini-jobs approve-plan [options] <jobId>

Runs the plan a --collaborative-planning Deep Research turn proposed: the next turn chains to it
with agent_config.collaborative_planning: false, as Google documents the flow.

  --edit <text>                Refine the plan instead (same as refine-plan)
  --wait                       Wait for the research turn, then print its report
  --watch                      Show live progress, then print the report

${CONNECTION_FLAGS}`,
  'refine-plan': `Usage: gemini-jobs refine-plan [options] <jobId> <instructions>

Asks Deep Research for a revised plan: a turn chained to the plan with collaborative_planning still
true and <instructions> as input (\`-\` reads them from stdin). The revised plan becomes the one
approve-plan runs.

  --wait                       Wait for the revised plan, then print it
  --watch                      Show live progress, then print the plan

${CONNECTION_FLAGS}`,
  list: `Usage: gemini-jobs list [options]

Lists jobs in the order Temporal's visibility store returns them: open jobs first (newest
started first), then ended jobs, most recently ended first. Visibility is eventually consistent:
a job started a moment ago may be missing for a second.

  --status <status>            pending, running, requires_action, completed, failed, cancelled,
                               incomplete, budget_exceeded, timed_out, unknown (others: exit 2)
  --agent <name>               Agent or model name
  --thread <key>               Thread key
  --limit <n>                  At most n jobs (default 50)
  --usage                      Also read each job's tokens and estimated cost (one state read
                               per job; in --json output too)

${CONNECTION_FLAGS}`,
  batch: `Usage: gemini-jobs batch <start|status|cancel|retry|results|list> [options]

  batch start <questions.jsonl|.csv>   Start a batch; prints its id at once
  batch status <batchId>               Counts, tokens, estimated cost, items not completed
  batch cancel <batchId> [--item <n>]  Cancel the whole batch, or one item
  batch retry <batchId> [--item <n>]   Run failed items again (or the named ones)
  batch results <batchId> --out <dir>  Write <n>.md per item, index.json and index.csv
  batch list                           Recent batches

JSON lines: one "question", {"question": "..."} or a job request {"agent": ..., "input": ...} per
line. CSV: a header with a question (or input) column, optional agent and model columns.

Start:
  --agent <name> | --model <name>  For items that name neither (default ${'deep-research-preview-04-2026'})
  --batch-id <id>              Batch id (default batch_<uuid>); item n runs as job <batchId>-<n>
  --window <n>                 Items running at once (default 20; admission control still applies)
  --continue-as-new-every <n>  Items per workflow run (default 100)
  --max-tokens <n>             Batch budget: total tokens; when crossed, no new item starts and
  --max-cost <usd>             running ones are cancelled
  --mode, --deadline, --follow-up-window   Job options of every item (follow-up window default 0s)
Other:
  --item <n>                   cancel / retry: the item (1-based; retry takes several)
  --reason <text>              cancel: the reason recorded
  --out <dir>                  results: the directory
  --limit <n>                  list: at most n batches (default 50)

${CONNECTION_FLAGS}`,
  worker: `Usage: gemini-jobs worker [options]

Runs a worker for job workflows and activities. Gemini credentials are read from the environment
(GEMINI_API_KEY / GOOGLE_API_KEY, or Vertex AI: GOOGLE_GENAI_USE_VERTEXAI=true with
GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION), or GEMINI_JOBS_BASE_URL points at an emulator.
Logs are JSON lines on stdout. SIGTERM/SIGINT shut down gracefully: running activities get
--shutdown-grace to finish, then hand over to another worker through their heartbeats.

  --max-activities <n>         Concurrent activities (env GEMINI_JOBS_MAX_ACTIVITIES, default 1000)
  --max-workflow-tasks <n>     Concurrent workflow tasks (env GEMINI_JOBS_MAX_WORKFLOW_TASKS, default 40)
  --shutdown-grace <duration>  Grace time on shutdown (env GEMINI_JOBS_SHUTDOWN_GRACE_MS, default 10s)

${CONNECTION_FLAGS}`,
  dev: `Usage: gemini-jobs dev [options]

One-command local stack: a Temporal dev server (persisted in .gemini-jobs/temporal.sqlite), a
worker in this process, and, when no Gemini credentials are set, the Interactions API emulator.
Then runs a sample Deep Research job with live progress and prints its report.

  --no-sample                  Do not run the sample job (implies --keep-running)
  --question <text>            Question of the sample job
  --keep-running               Keep serving after the sample until Ctrl-C
  --port <n>                   Temporal gRPC port (default 7233, or a free one)
  --ui-port <n>                Temporal Web UI port (default 8233, or a free one)
  --db-file <path>             SQLite file (env GEMINI_JOBS_DEV_DB, default .gemini-jobs/temporal.sqlite)
  --time-scale <x>             Emulator speed-up (default 60: a 20-minute run takes 20 s)
  --emulator                   Use the emulator even when credentials are set
  --serve-port <n>             Port of the jobs dashboard / HTTP API (default: a free port; its URL
                               with a token generated for this run is printed)
  --namespace <name>           Namespace the dev server creates (default default)
  --task-queue <name>          Task queue of the worker (env GEMINI_JOBS_TASK_QUEUE, default gemini-jobs)
  --json                       Print the stack's addresses as one JSON line
  -h, --help                   Show help

dev starts its own Temporal server, so --address and --profile do not apply. One dev stack per
data directory: a second one on the same --db-file is refused while the first runs.`,
  serve: `Usage: gemini-jobs serve [options]

Serves the job operations over HTTP (start, state, result, cancel, follow-up, plan approval,
list, live events as SSE) and the jobs dashboard at /. Every API route needs
Authorization: Bearer <token>, a token from GEMINI_JOBS_SERVE_TOKENS (comma-separated, at least
16 characters each). Without one the server generates a token for this process and prints the
dashboard URL with it, and refuses any --host other than loopback. OpenAPI: /v1/openapi.json.

  --host <ip>                  Interface (env GEMINI_JOBS_SERVE_HOST, default 127.0.0.1)
  --port <n>                   Port (env GEMINI_JOBS_SERVE_PORT, default 8788; 0 for any free port)
  --max-body-bytes <n>         Largest request body (default 2097152)
  --no-dashboard               Serve the API only
  --no-webhooks                Do not mount the webhook receiver at POST /webhooks/gemini (mounted by
                               default; it authenticates deliveries by signature, see
                               gemini-jobs webhooks --help for its settings)
  --allowed-hosts <list>       Host names answered besides loopback ones, comma-separated, e.g. a
                               proxy's (env GEMINI_JOBS_SERVE_ALLOWED_HOSTS; .example.com for a
                               domain and its subdomains; * for any)
  --max-connections <n>        Open connections, a fifth of them without a token yet (default 1000)
  --max-streams <n>            Event streams at once (default 200)
  --max-stream-seconds <n>     Life of one event stream; clients resume after it (default 3600)
  --max-wait-seconds <n>       Longest result?wait=1 (default and most 300)

${CONNECTION_FLAGS}`,
  doctor: `Usage: gemini-jobs doctor [options]

Runs a short, cheap probe of the Interactions API with the worker's own settings (GEMINI_API_KEY,
Vertex variables or GEMINI_JOBS_BASE_URL; Temporal is not needed) and prints one line per
assumption the worker makes: ok, differs (what and where), skipped (why), failed. Checks the
credentials and route (API version, Vertex host and path, quota project header), a tiny model
turn (create, stream, get, delete), a resume by last_event_id after a cut, a cancel confirmed by
status, and the statuses and event types seen that the client does not know. Everything it
creates is deleted; by default it runs model turns only and prints the requests and tokens used.

  --model <name>               Model of the probe turns (default gemini-3-flash-preview)
  --deep-research              Also run a collaborative-planning turn of the Deep Research agent
                               (costs money: asks first on a terminal; skipped off one without --yes)
  --agent <name>               Agent of --deep-research (default deep-research-preview-04-2026)
  -y, --yes                    Do not ask before the costly --deep-research step
  --webhook-url <url>          Also check a webhook delivery to this URL (webhook_config)
  --webhook-listen <[host:]port>  Where that URL reaches this machine (default: the URL itself
                               when it is loopback; port 0 picks a free port)
  --webhook-wait <duration>    How long to wait for the delivery (default 60s)
  --record <dir>               Save redacted wire transcripts (fixtures; see docs/doctor.md)
  --max-tokens <n>             Stop creating interactions past this many tokens (default 20000)
  --turn-timeout <duration>    Longest wait for a background model turn (default 2m)
  --plan-timeout <duration>    Longest wait for a Deep Research plan turn (default 15m)
  --json                       Machine-readable report
  -h, --help                   Show help

Exit codes: 0 every line ok or skipped, 1 a line differs or failed, 2 usage error or no
credentials.`,
  emulator: `Usage: gemini-jobs emulator [options]

Runs the local Interactions API emulator until Ctrl-C. Point a worker at it with
GEMINI_JOBS_BASE_URL=<url>.

  --port <n>                   Port (default 8787; 0 for any free port)
  --host <ip>                  Host (default 127.0.0.1)
  --time-scale <x>             Speed-up of simulated run times (default 60)

  --json                       Print {"url": ...} instead of the banner line
  -h, --help                   Show help`,
  webhooks: `Usage: gemini-jobs webhooks [options]

Runs the Gemini webhook receiver until Ctrl-C: POST <path> verifies each delivery's signature,
refuses stale, replayed or unsigned ones (401) and signals the job it names (jobs started with
options.mode "webhook"). Point workers at its public URL with GEMINI_JOBS_WEBHOOK_URL.

  --port <n>                   Port (default 8789; 0 for any free port)
  --host <ip>                  Host (default 127.0.0.1)
  --path <p>                   Path (default /webhooks/gemini)
  --max-connections <n>        Open connections, half of them not yet verified (default 500)

Environment (secrets only from here):
  GEMINI_WEBHOOK_SECRET        whsec_ secret(s) of static subscriptions, comma-separated for rotation
  GEMINI_WEBHOOK_JWKS_URL      JWKS of per-request deliveries (v1a Ed25519, or the documented JWT form;
                               default Google's published keys)
  GEMINI_WEBHOOK_JWT_ISSUER, GEMINI_WEBHOOK_JWT_AUDIENCE   expected iss / aud (optional)
  GEMINI_WEBHOOK_TOLERANCE_SECONDS   largest timestamp skew accepted (default 300)
  GEMINI_WEBHOOK_SCHEMES       v1a, v1, jwt (default all three)

  --json                       Print {"url": ...} instead of the banner line
  -h, --help                   Show help

${CONNECTION_FLAGS}`,
};
