/**
 * What the activities close over: the Interactions client (credentials come from the worker's
 * environment through it, never from job input), the result store and a logger. Plus the small
 * shared helpers every activity uses for cancellation and sleeping.
 */
import { CancelledFailure } from '@temporalio/common';
import { cancellationSignal, sleep as activitySleep } from '@temporalio/activity';
import { createJsonLogger } from '../src/common/json-logger';
import type { InteractionsClient } from '../src/interactions/client';
import { activityContextLogger, type JobLogger } from './activity-logger';
import type { ResultStore } from '../src/results/result-store';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './pricing';
import type { AdmissionSettings } from './admission-types';
import { INLINE_REPORT_MAX_BYTES } from '../src/contract/constants';
import type { Client } from '@temporalio/client';
import type { CallbackSettings } from './callback-types';

export type { JobLogger } from './activity-logger';

/** Re-exported from the contract (the jobs client and the worker use it too). */
export { INLINE_REPORT_MAX_BYTES };

export interface ActivityDeps {
  /** A client, or a factory called once per activity execution (e.g. to refresh credentials). */
  client: InteractionsClient | (() => InteractionsClient);
  /** External store for reports too large to inline. Default none: such reports stay at the API (store: true). */
  resultStore?: ResultStore | undefined;
  /** Inline limit in bytes (see INLINE_REPORT_MAX_BYTES); 0 sends every report to `resultStore`. */
  inlineReportMaxBytes?: number;
  log?: JobLogger;
  /** Clock for tests; default Date.now. */
  now?: () => number;
  /** Longest wait of a follow checkpoint change before it is heartbeated, from the change (ms). Default 20 s. */
  checkpointFlushMs?: number;
  /** The checkpoint flush while someone watches the job (ms). Default 5 s. */
  watchedFlushMs?: number;
  /** Whether someone watches `jobId` live right now (faster checkpoint flush). Default: never. */
  watched?: (jobId: string) => boolean;
  /**
   * Asks for `watched(jobId)` answers while a follow activity of `jobId` runs; `onChange` runs when
   * the answer changes. Returns the unsubscribe. Default: no-op (src/worker/watched-jobs.ts).
   */
  onWatchedChange?: (jobId: string, onChange: () => void) => () => void;
  /** Worker settings for webhook mode (from the worker's environment, never from job input). */
  webhooks?: WebhookDeliverySettings;
  /** Admission control of creates (quota); absent = every create goes at once. */
  admission?: AdmissionSettings;
  /** Prices for cost estimates and `maxCostUsd` budgets; default `DEFAULT_PRICE_TABLE`. */
  priceTable?: PriceTable;
  /** Completion callbacks: the signing secret and retry pacing (from the worker's environment). */
  callbacks?: CallbackSettings;
  /** A Temporal client of the worker's namespace (schedule lookups of `--chain` runs). */
  temporal?: () => Client;
}

/** Where the API should deliver per-request webhooks for jobs in `webhook` mode. */
export interface WebhookDeliverySettings {
  /** Receiver URL(s) put in `webhook_config.uris` (e.g. `https://jobs.example.com/webhooks/gemini`). */
  uris: string[];
  /** Time between the backstop sweeper's sweeps (ms); default 5 minutes (activities/sweep.ts). */
  sweepIntervalMs?: number;
}

export interface ResolvedDeps {
  client: () => InteractionsClient;
  resultStore: ResultStore | undefined;
  inlineReportMaxBytes: number;
  log: JobLogger;
  now: () => number;
  checkpointFlushMs?: number;
  watchedFlushMs?: number;
  watched: (jobId: string) => boolean;
  onWatchedChange: (jobId: string, onChange: () => void) => () => void;
  webhooks?: WebhookDeliverySettings;
  admission?: AdmissionSettings;
  priceTable: PriceTable;
  callbacks?: CallbackSettings;
  temporal?: () => Client;
}

/** The package's JSON-lines logger (src/common/json-logger.ts) on stderr. */
export const jsonLogger: JobLogger = createJsonLogger(process.stderr);

export const silentLogger: JobLogger = { info: () => undefined, warn: () => undefined };

export function resolveDeps(deps: ActivityDeps): ResolvedDeps {
  const { client } = deps;
  return {
    client: typeof client === 'function' ? (client as () => InteractionsClient) : () => client,
    resultStore: deps.resultStore,
    inlineReportMaxBytes: deps.inlineReportMaxBytes ?? INLINE_REPORT_MAX_BYTES,
    // Inside an activity, through Temporal's activity logger (its context on every line).
    log: deps.log ?? activityContextLogger(jsonLogger),
    now: deps.now ?? Date.now,
    ...(deps.checkpointFlushMs !== undefined ? { checkpointFlushMs: deps.checkpointFlushMs } : {}),
    ...(deps.watchedFlushMs !== undefined ? { watchedFlushMs: deps.watchedFlushMs } : {}),
    watched: deps.watched ?? (() => false),
    onWatchedChange: deps.onWatchedChange ?? (() => () => undefined),
    ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
    ...(deps.admission ? { admission: deps.admission } : {}),
    priceTable: deps.priceTable ?? DEFAULT_PRICE_TABLE,
    ...(deps.callbacks ? { callbacks: deps.callbacks } : {}),
    ...(deps.temporal ? { temporal: deps.temporal } : {}),
  };
}

/**
 * If this activity was cancelled (workflow cancel, heartbeat timeout, worker shutdown), throw the
 * SDK's own CancelledFailure, unwrapped: the worker reports "cancelled" only for that, and on
 * worker shutdown the server keeps the last heartbeat for the next attempt.
 */
export function throwIfCancelled(): void {
  const signal = cancellationSignal();
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof CancelledFailure ? reason : new CancelledFailure(String(reason ?? 'cancelled'));
  }
}

/** Sleeps `ms` milliseconds; rejects with CancelledFailure if the activity is cancelled meanwhile. */
export async function sleepMs(ms: number): Promise<void> {
  await activitySleep(Math.max(0, Math.round(ms)));
}
