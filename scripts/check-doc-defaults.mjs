#!/usr/bin/env node
/**
 * Checks that every default and limit the docs quote is the code's: `npm run lint` runs it (after a
 * build, since it reads the built constants). A quoted figure is marked in the markdown, invisible
 * to readers, right before the figure:
 *
 *   <!-- default: AGENT_TURN_DEADLINE_MS -->70 minutes
 *
 * The name is a row of TABLE below (the constant it is read from); the figure is a number with an
 * optional unit (ms, s, min, h, KiB, MiB; `70m` and `24 s` alike), converted to the constant's
 * unit (milliseconds, bytes, a count). A figure that differs, an unknown name, an unreadable
 * figure, or (on the default files) a name of REQUIRED that no doc quotes fails the check.
 *
 *   node scripts/check-doc-defaults.mjs                 README.md, docs/*.md, workflows/README.md
 *   node scripts/check-doc-defaults.mjs --only a.md …   just these files, no coverage rule
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const dist = (path) => {
  const file = join(root, 'dist', path);
  if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing: run npm run build first`);
  return require(file);
};

/** Each documented figure: where its value lives in the built code. */
const TABLE = {
  // Turns and jobs (src/contract/constants.ts, workflows/helpers.ts).
  AGENT_TURN_DEADLINE_MS: () => dist('src/contract/constants.js').AGENT_TURN_DEADLINE_MS,
  MODEL_TURN_DEADLINE_MS: () => dist('src/contract/constants.js').MODEL_TURN_DEADLINE_MS,
  API_RUN_LIMIT_MS: () => dist('src/contract/constants.js').API_RUN_LIMIT_MS,
  FOLLOW_UP_WINDOW_MS: () => dist('src/contract/constants.js').DEFAULT_FOLLOW_UP_WINDOW_MS,
  INLINE_REPORT_MAX_BYTES: () => dist('src/contract/constants.js').INLINE_REPORT_MAX_BYTES,
  CHECKPOINT_FLUSH_MS: () => dist('src/contract/constants.js').CHECKPOINT_FLUSH_MS,
  WATCHED_FLUSH_MS: () => dist('src/contract/constants.js').WATCHED_FLUSH_MS,
  STREAM_IDLE_TIMEOUT_MS: () => dist('workflows/helpers.js').JOB_OPTION_DEFAULTS.streamIdleTimeoutMs,
  POLL_INITIAL_INTERVAL_MS: () => dist('workflows/helpers.js').JOB_OPTION_DEFAULTS.pollInitialIntervalMs,
  POLL_MAX_INTERVAL_MS: () => dist('workflows/helpers.js').JOB_OPTION_DEFAULTS.pollMaxIntervalMs,
  HEARTBEAT_TIMEOUT_MS: () => dist('workflows/helpers.js').JOB_OPTION_DEFAULTS.heartbeatTimeoutMs,
  NOT_FOUND_GRACE_MS: () => dist('workflows/helpers.js').JOB_OPTION_DEFAULTS.notFoundGraceMs,
  CONTINUE_AS_NEW_HISTORY_LENGTH: () => dist('workflows/helpers.js').CONTINUE_AS_NEW_HISTORY_LENGTH,
  // Webhook mode's backstop sweeper (activities/sweep.ts).
  WEBHOOK_SWEEP_MS: () => dist('activities/sweep.js').DEFAULT_SWEEP_INTERVAL_MS,
  // Retries: Temporal's activity retry policy (workflows/turn/activities.ts) and the in-attempt retries (activities/transient.ts).
  ACTIVITY_RETRY_INITIAL_MS: () => dist('workflows/turn/activities.js').RETRY.initialInterval,
  ACTIVITY_RETRY_MAX_INTERVAL_MS: () => dist('workflows/turn/activities.js').RETRY.maximumInterval,
  FOLLOW_RETRY_MAX_INTERVAL_MS: () => dist('workflows/turn/activities.js').FOLLOW_RETRY.maximumInterval,
  TRANSIENT_MAX_ATTEMPTS: () => dist('activities/transient.js').TRANSIENT_RETRY_DEFAULTS.maxAttempts,
  TRANSIENT_BUDGET_MS: () => dist('activities/transient.js').TRANSIENT_RETRY_DEFAULTS.budgetMs,
  TRANSIENT_MAX_RETRY_AFTER_MS: () => dist('activities/transient.js').TRANSIENT_RETRY_DEFAULTS.maxRetryAfterMs,
  TRANSIENT_BACKOFF_INITIAL_MS: () => dist('activities/transient.js').TRANSIENT_RETRY_DEFAULTS.backoff.initialMs,
  TRANSIENT_BACKOFF_MAX_MS: () => dist('activities/transient.js').TRANSIENT_RETRY_DEFAULTS.backoff.maxMs,
  // Admission control (src/worker/quota-settings.ts).
  ADMISSION_RATE: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.maxPerWindow,
  ADMISSION_WINDOW_MS: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.windowMs,
  ADMISSION_CONCURRENCY: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.maxConcurrent,
  ADMISSION_PER_TENANT: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.maxConcurrentPerTenant,
  ADMISSION_ORDER_GRACE_MS: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.orderGraceMs,
  ADMISSION_LEASE_CHECK_MS: () => dist('src/worker/quota-settings.js').ADMISSION_DEFAULTS.leaseCheckMs,
  // The worker (src/worker/run-worker.ts, create-worker.ts).
  MAX_ACTIVITIES: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.maxActivities,
  MAX_WORKFLOW_TASKS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.maxWorkflowTasks,
  WORKFLOW_THREADS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.workflowThreads,
  MAX_CACHED_WORKFLOWS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.maxCachedWorkflows,
  SHUTDOWN_GRACE_MS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.shutdownGraceMs,
  HEARTBEAT_FLUSH_MS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.heartbeatFlushMs,
  WATCH_REFRESH_MS: () => dist('src/worker/run-worker.js').WORKER_DEFAULTS.watchRefreshMs,
  STICKY_QUEUE_TIMEOUT_MS: () => dist('src/worker/create-worker.js').DEFAULT_STICKY_QUEUE_TIMEOUT_MS,
  // Connections (src/temporal/).
  CONNECT_TIMEOUT_MS: () => dist('src/temporal/connection.js').DEFAULT_TEMPORAL_CONNECT_TIMEOUT_MS,
  PROBE_TIMEOUT_MS: () => dist('src/temporal/probe.js').PROBE_TIMEOUT_MS,
  // serve (src/serve/, src/cli/commands/serve.ts) and the other listeners.
  SERVE_MAX_BODY_BYTES: () => dist('src/serve/body.js').DEFAULT_MAX_BODY_BYTES,
  SERVE_MAX_EVENT_STREAMS: () => dist('src/serve/handler.js').DEFAULT_MAX_EVENT_STREAMS,
  SERVE_MAX_CONNECTIONS: () => dist('src/serve/server.js').SERVE_CONNECTION_LIMITS.maxConnections,
  SERVE_MAX_UNAUTHENTICATED_CONNECTIONS: () => dist('src/serve/server.js').SERVE_CONNECTION_LIMITS.maxUnauthenticatedConnections,
  SERVE_HEADERS_TIMEOUT_MS: () => dist('src/serve/server.js').SERVE_CONNECTION_LIMITS.headersTimeoutMs,
  SERVE_REQUEST_TIMEOUT_MS: () => dist('src/serve/server.js').SERVE_CONNECTION_LIMITS.requestTimeoutMs,
  SERVE_IDLE_TIMEOUT_MS: () => dist('src/serve/server.js').SERVE_CONNECTION_LIMITS.idleTimeoutMs,
  SERVE_MIN_TOKEN_LENGTH: () => dist('src/serve/auth.js').MIN_TOKEN_LENGTH,
  SERVE_MAX_WAIT_MS: () => dist('src/serve/openapi.js').MAX_WAIT_MS,
  SERVE_PORT: () => dist('src/cli/commands/serve.js').DEFAULT_SERVE_PORT,
  WEBHOOKS_PORT: () => dist('src/cli/commands/webhooks.js').DEFAULT_WEBHOOKS_PORT,
  EMULATOR_PORT: () => dist('src/cli/commands/services.js').DEFAULT_EMULATOR_PORT,
  WEBHOOK_SIGNAL_TIMEOUT_MS: () => dist('src/webhooks/handler.js').DEFAULT_SIGNAL_TIMEOUT_MS,
  // Jobs client (src/jobs/).
  LIST_PAGE_SIZE: () => dist('src/jobs/listing.js').DEFAULT_LIST_PAGE_SIZE,
  USAGE_CONCURRENCY: () => dist('src/jobs/listing.js').DEFAULT_USAGE_CONCURRENCY,
  MAX_JOB_ID_LENGTH: () => dist('src/jobs/job-id.js').MAX_JOB_ID_LENGTH,
};

/** Names some doc must quote (the figures users size and configure by). */
const REQUIRED = [
  'AGENT_TURN_DEADLINE_MS',
  'MODEL_TURN_DEADLINE_MS',
  'FOLLOW_UP_WINDOW_MS',
  'WEBHOOK_SWEEP_MS',
  'CHECKPOINT_FLUSH_MS',
  'HEARTBEAT_FLUSH_MS',
  'HEARTBEAT_TIMEOUT_MS',
  'ADMISSION_RATE',
  'ADMISSION_WINDOW_MS',
  'ADMISSION_CONCURRENCY',
  'SERVE_MAX_BODY_BYTES',
  'SERVE_MAX_CONNECTIONS',
  'SERVE_MAX_UNAUTHENTICATED_CONNECTIONS',
  'SERVE_MAX_EVENT_STREAMS',
  'ACTIVITY_RETRY_INITIAL_MS',
  'ACTIVITY_RETRY_MAX_INTERVAL_MS',
  'FOLLOW_RETRY_MAX_INTERVAL_MS',
  'TRANSIENT_MAX_RETRY_AFTER_MS',
  'MAX_ACTIVITIES',
  'INLINE_REPORT_MAX_BYTES',
];

const UNITS = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  KiB: 1024,
  MiB: 1024 * 1024,
};

/** A figure as written (`70 minutes`, `` `24000` ``, `2 MiB`, `1,000`) or a duration string (`'2s'`), in base units; undefined if unreadable. */
export function parseFigure(text) {
  if (typeof text === 'number') return text;
  const m = /^[\s`'"*]*(\d[\d,_]*(?:\.\d+)?)(?:\s*-?\s*([A-Za-z]+))?/.exec(String(text));
  if (!m) return undefined;
  const n = Number(m[1].replace(/[,_]/g, ''));
  if (m[2] === undefined) return n;
  const unit = UNITS[m[2]];
  // A word that is no unit ("10 per minute", "8 attempts") leaves the number as it is.
  return unit === undefined ? n : n * unit;
}

/** A marker and the text after it, up to the line's end or the next marker. */
const MARKER = /<!-- default: ([A-Za-z0-9_]+) -->((?:(?!<!--)[^\n])*)/g;

/** Problems of one markdown text; `seen` collects the names it quotes. */
export function checkText(text, source, seen = new Set(), counted = { markers: 0 }) {
  const problems = [];
  for (const match of text.matchAll(MARKER)) {
    counted.markers++;
    const [, name, after] = match;
    const line = text.slice(0, match.index).split('\n').length;
    const where = `${source}:${line}`;
    const read = TABLE[name];
    if (!read) {
      problems.push(`${where}: unknown default ${name} (add it to TABLE in scripts/check-doc-defaults.mjs)`);
      continue;
    }
    seen.add(name);
    const quoted = parseFigure(after);
    if (quoted === undefined) {
      problems.push(`${where}: no figure after the ${name} marker (got ${JSON.stringify(after.slice(0, 40))})`);
      continue;
    }
    const actual = parseFigure(read());
    if (actual === undefined || Math.abs(quoted - actual) > 1e-9) {
      problems.push(`${where}: the doc says ${name} is ${JSON.stringify(after.trim().slice(0, 30))} (${quoted}), the code says ${actual}`);
    }
  }
  return problems;
}

function defaultFiles() {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join('docs', f));
  return ['README.md', ...docs, join('workflows', 'README.md')];
}

function main(argv) {
  const only = argv[0] === '--only';
  const files = only ? argv.slice(1) : defaultFiles();
  const seen = new Set();
  const counted = { markers: 0 };
  const problems = files.flatMap((f) => checkText(readFileSync(resolve(root, f), 'utf8'), f, seen, counted));
  if (!only) for (const name of REQUIRED) if (!seen.has(name)) problems.push(`no doc quotes ${name} with a <!-- default: ${name} --> marker`);
  if (problems.length > 0) {
    console.error(`Documented defaults that differ from the code (scripts/check-doc-defaults.mjs):\n  ${problems.join('\n  ')}`);
    return 1;
  }
  console.log(`doc defaults: ${counted.markers} figures (${seen.size} defaults) checked in ${files.length} files`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
