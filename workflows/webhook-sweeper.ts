/**
 * The webhook backstop sweeper (see sweeper-definitions.ts): sleep, sweep, repeat while any
 * webhook-mode job waits on its task queue. Each sweep is one timer and one activity, shared by
 * every waiting job. Deterministic code only.
 */
import { continueAsNew, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { SweeperActivities } from '../activities/sweep-types';
import { sweeperWakeSignal, type WebhookSweeperInput } from './sweeper-definitions';

const { sweepWebhookJobs } = proxyActivities<SweeperActivities>({
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 },
});

/** Continue-as-new past this many sweeps (each is about ten history events). */
const SWEEPS_PER_RUN = 300;
const DEFAULT_IDLE_SWEEPS = 3;

/** Sweeps every `intervalMs` until `idleSweepsBeforeExit` sweeps in a row found no waiting job and no create woke it. */
export async function webhookSweeper(input: WebhookSweeperInput): Promise<void> {
  let woken = false;
  setHandler(sweeperWakeSignal, () => void (woken = true));
  let idle = 0;
  for (let sweeps = 0; ; sweeps++) {
    woken = false;
    await sleep(input.intervalMs);
    let waiting = 1;
    try {
      waiting = (await sweepWebhookJobs({ taskQueue: input.taskQueue })).waiting;
    } catch {
      // Visibility or the API is out of reach: the next sweep tries again.
    }
    idle = waiting === 0 && !woken ? idle + 1 : 0;
    // A create that signals while this run completes makes the server refuse the completion, and
    // the signal then counts: no waiting job is left without a sweeper.
    if (idle >= (input.idleSweepsBeforeExit ?? DEFAULT_IDLE_SWEEPS)) return;
    if (sweeps + 1 >= SWEEPS_PER_RUN || workflowInfo().continueAsNewSuggested) await continueAsNew<typeof webhookSweeper>(input);
  }
}
