/**
 * `npm run replay:record [-- --out <dir>] [--only name,name]`: runs one real job per path a job
 * can take (emulator over HTTP, real Temporal dev server, the workflow of this checkout) and saves
 * each workflow run's history as Temporal's standard JSON into
 * `test/replay/histories/v<package version>/`, plus a `manifest.json` naming the path, workflow id
 * and event count of each file. `test/replay/replay.test.ts` replays every file forever after.
 *
 * Record from the commit that is deployed (a release tag), never from a branch with unreleased
 * workflow changes: the corpus must be what running workers actually wrote.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { interactionJob } from '../../workflows';
import { admissionWorkflowId } from '../../workflows/admission-definitions';
import { approvePlanUpdate, cancelSignal, followUpUpdate, jobStatusKey, type JobInput, type JobRequest } from '../../workflows/definitions';
import { sweeperWorkflowId } from '../../workflows/sweeper-definitions';
import { callbackWorkflowId } from '../../src/contract/callback';
import { batchWorkflowId } from '../../src/contract/batch';
import { JobsClient } from '../../src/jobs/jobs-client';
import type { EmulatorOptions } from '../../src/emulator';
import { createWebhookHandler } from '../../src/webhooks';
import { admissionSettings } from '../../src/worker/quota-settings';
import { FAST, jobHarness, stateOf, waitFor, type JobHarness } from '../jobs/job-harness';
import { packageRoot, releaseTestEnv } from '../helpers/temporal';
import { historyToJson } from './history-json';

type JobHandle = WorkflowHandle<typeof interactionJob>;

/**
 * One path through the workflow: starts a job (workflow id given) and drives it to its end, or,
 * when `open`, to a point where a running job waits (its history is recorded as it stands there,
 * as a worker restarted at that point would replay it, then the job is terminated).
 */
interface Scenario {
  name: string;
  /** What the history covers, for the manifest and the replay test's names. */
  path: string;
  /** The workers and emulator the scenario needs (default `plain`). */
  group?: GroupName;
  open?: boolean;
  run(h: JobHarness, workflowId: string, ctx: GroupContext): Promise<JobHandle>;
  /** Helper workflows (the webhook sweeper, an admission limiter) whose histories are recorded too, as they stand. */
  companions?(h: JobHarness, workflowId: string): Array<{ suffix: string; workflowId: string; closed?: boolean }>;
}

type GroupName = 'plain' | 'webhook' | 'webhook-lost' | 'admission' | 'long' | 'callback';

interface GroupContext {
  /** The webhook receiver's URL (webhook groups). */
  receiverUrl?: string;
  /** A completion-callback receiver's URL: answers 503 to a message's first attempt, then 200 (callback group). */
  callbackUrl?: string;
}

const research = (input: string, extra: Record<string, unknown> = {}): JobRequest => ({ agent: 'deep-research-preview-04-2026', input, ...extra }) as JobRequest;
const model = (input: string, extra: Record<string, unknown> = {}): JobRequest => ({ model: 'gemini-3-flash-preview', input, ...extra }) as JobRequest;
const scenario = (name: string) => ({ labels: { 'emulator-scenario': name } });

async function finished(handle: JobHandle): Promise<JobHandle> {
  await handle.result().catch(() => undefined);
  return handle;
}

async function turnWaiting(handle: JobHandle, turn: number): Promise<void> {
  await waitFor(async () => {
    const s = await stateOf(handle);
    return s.turns[turn - 1]?.endedAt && s.followUpUntil ? s : undefined;
  }, `turn ${turn} ended and waiting for a follow-up`);
}

function start(h: JobHarness, workflowId: string, input: JobInput): Promise<JobHandle> {
  return h.start(input, workflowId);
}

/** A collaborative-planning job whose plan turn has ended: it waits for approval (or a revision). */
async function planWaiting(h: JobHarness, workflowId: string, topic: string, followUpWindowMs: number): Promise<JobHandle> {
  const handle = await start(h, workflowId, {
    request: research(topic, { agent_config: { type: 'deep-research', collaborative_planning: true } }),
    options: { ...FAST, followUpWindowMs },
  });
  await turnWaiting(handle, 1);
  return handle;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'stream-completed',
    path: 'Deep Research run followed by streaming, completed, follow-up window 0',
    run: async (h, id) => finished(await start(h, id, { request: research('How do heat pumps work?'), options: FAST })),
  },
  {
    name: 'model-completed',
    path: 'model turn, streamed, completed',
    run: async (h, id) => finished(await start(h, id, { request: model('Name three rivers.'), options: FAST })),
  },
  {
    name: 'poll-completed',
    path: 'Deep Research run followed in poll mode, completed',
    run: async (h, id) => finished(await start(h, id, { request: research('Polled topic'), options: { ...FAST, mode: 'poll' } })),
  },
  {
    name: 'stream-reconnected',
    path: 'stream cut with a raw JSON error, resumed with last_event_id inside the activity, completed',
    run: async (h, id) => finished(await start(h, id, { request: research('Cut topic', scenario('stream-cut')), options: FAST })),
  },
  {
    name: 'create-retried-429',
    path: 'create answered 429 with Retry-After, retried by Temporal, completed',
    run: async (h, id) => {
      const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 429, retryAfterSeconds: 1, count: 1 });
      try {
        return await finished(await start(h, id, { request: model('Hello'), options: FAST }));
      } finally {
        remove();
      }
    },
  },
  {
    name: 'cancel-before-create',
    path: 'signalWithStart with cancel: ends cancelled, nothing created',
    run: async (h, id) =>
      finished(
        await h.env.client.workflow.signalWithStart(interactionJob, {
          taskQueue: h.taskQueue,
          workflowId: id,
          args: [{ request: research('never run'), options: FAST }],
          signal: cancelSignal,
          signalArgs: [{ reason: 'changed my mind' }],
          typedSearchAttributes: [{ key: jobStatusKey, value: 'pending' }],
        }),
      ),
  },
  {
    name: 'cancel-during-create',
    path: 'cancel signal while the create activity runs: waits for the id, cancels that run',
    run: async (h, id) => {
      const remove = h.emulator.addFault({ kind: 'delay', route: 'create', delayMs: 100_000, count: 1 });
      try {
        const handle = await start(h, id, { request: research('slow create'), options: FAST });
        await waitFor(async () => (await handle.describe()).raw.pendingActivities?.some((a) => a.activityType?.name === 'createInteraction'), 'create running');
        await handle.signal(cancelSignal, { reason: 'stop' });
        return await finished(handle);
      } finally {
        remove();
      }
    },
  },
  {
    name: 'cancel-during-follow',
    path: 'cancel signal while following: follow cancelled, remote run cancelled and confirmed',
    run: async (h, id) => {
      const handle = await start(h, id, { request: research('cancel me midway'), options: FAST });
      await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
      await handle.signal(cancelSignal, { reason: 'user' });
      return finished(handle);
    },
  },
  {
    name: 'workflow-cancellation',
    path: 'Temporal workflow cancellation while following: same path as the cancel signal',
    run: async (h, id) => {
      const handle = await start(h, id, { request: research('cancel via temporal'), options: FAST });
      await waitFor(async () => (await stateOf(handle)).phase === 'running', 'running');
      await handle.cancel();
      return finished(handle);
    },
  },
  {
    name: 'cancel-after-remote-completed',
    path: 'cancel while the stream is stalled but the run already completed: collected with a poll follow, completed',
    run: async (h, id) => {
      const handle = await start(h, id, {
        request: research('finished unseen', scenario('stall-always')),
        options: { ...FAST, streamIdleTimeoutMs: 600_000, heartbeatTimeoutMs: 30_000 },
      });
      const interactionId = await waitFor(async () => (await stateOf(handle)).interactionId, 'created');
      await waitFor(() => h.emulator.interactions().find((i) => i.id === interactionId)?.status === 'completed', 'remote run completed');
      await handle.signal(cancelSignal, { reason: 'late cancel' });
      return finished(handle);
    },
  },
  {
    name: 'cancel-404-confirmed',
    path: 'cancel answered 404 "Method not found": confirmed by reading the status back',
    run: async (h, id) => {
      const handle = await start(h, id, { request: research('cancel 404', scenario('cancel-404')), options: FAST });
      await waitFor(async () => (await stateOf(handle)).interactionId, 'created');
      await handle.signal(cancelSignal, { reason: 'test' });
      return finished(handle);
    },
  },
  {
    name: 'deadline-timed-out',
    path: 'deadline timer fires while following: remote run cancelled, turn timed_out',
    run: async (h, id) => finished(await start(h, id, { request: research('too slow'), options: { ...FAST, deadlineMs: 1_500 } })),
  },
  {
    name: 'failed-upstream',
    path: 'run fails upstream: follow returns failed, turn failed with upstream_failed',
    run: async (h, id) => finished(await start(h, id, { request: research('doomed', scenario('fail')), options: FAST })),
  },
  {
    name: 'failed-create-bad-request',
    path: 'create answered 400: non-retryable, turn failed before anything runs',
    run: async (h, id) => {
      const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 400, count: 1 });
      try {
        return await finished(await start(h, id, { request: model('bad'), options: FAST }));
      } finally {
        remove();
      }
    },
  },
  {
    name: 'failed-follow-not-found',
    path: 'refusal never stored: follow activity fails not_found after the grace period, turn failed',
    run: async (h, id) => finished(await start(h, id, { request: research('refused', scenario('refusal')), options: { ...FAST, notFoundGraceMs: 1_500 } })),
  },
  {
    name: 'follow-up-window-expired',
    path: 'model turn, follow-up update with overrides accepted, second turn, follow-up window expires',
    run: async (h, id) => {
      const handle = await start(h, id, {
        request: model('Name three rivers.', { system_instruction: 'Answer briefly.' }),
        options: { ...FAST, followUpWindowMs: 4_000 },
      });
      await turnWaiting(handle, 1);
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Which is longest?', overrides: { system_instruction: 'One word.' } }] });
      return finished(handle);
    },
  },
  {
    name: 'follow-up-then-cancel',
    path: 'completed turn, follow-up turn, then cancel while waiting for a follow-up: job ends completed',
    run: async (h, id) => {
      const handle = await start(h, id, { request: model('Turn one'), options: { ...FAST, followUpWindowMs: 120_000 } });
      await turnWaiting(handle, 1);
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn two' }] });
      await turnWaiting(handle, 2);
      await handle.signal(cancelSignal, {});
      return finished(handle);
    },
  },
  {
    name: 'follow-up-create-failed',
    path: 'follow-up whose create is answered 400: the update fails, the job keeps waiting, then cancel',
    run: async (h, id) => {
      const handle = await start(h, id, { request: model('Turn one'), options: { ...FAST, followUpWindowMs: 120_000 } });
      await turnWaiting(handle, 1);
      const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 400, count: 1 });
      try {
        await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn two' }] }).catch(() => undefined);
      } finally {
        remove();
      }
      await turnWaiting(handle, 2);
      await handle.signal(cancelSignal, {});
      return finished(handle);
    },
  },
  {
    name: 'plan-approval',
    path: 'collaborative planning: plan turn ends requires_action, approvePlan update, research turn completed, window expires',
    run: async (h, id) => {
      const handle = await planWaiting(h, id, 'Battery storage economics', 4_000);
      await handle.executeUpdate(approvePlanUpdate, { args: [{ edit: 'Focus on Europe.' }] });
      return finished(handle);
    },
  },
  {
    name: 'plan-cancelled-while-waiting',
    path: 'collaborative planning: plan turn ends requires_action, cancel while waiting for approval',
    run: async (h, id) => {
      const handle = await planWaiting(h, id, 'Plan only', 120_000);
      await handle.signal(cancelSignal, { reason: 'not now' });
      return finished(handle);
    },
  },
  {
    name: 'continue-as-new',
    path: 'two turns, continue-as-new before the next wait (run 1), third turn in the new run, then cancel (run 2)',
    run: async (h, id) => {
      const handle = await start(h, id, {
        request: model('Turn one', { system_instruction: 'Be brief.' }),
        options: { ...FAST, followUpWindowMs: 120_000, continueAsNewAfterEvents: 25 },
      });
      const firstRunId = (await handle.describe()).runId;
      await turnWaiting(handle, 1);
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn two' }] });
      await waitFor(async () => {
        const d = await handle.describe();
        if (d.runId === firstRunId) return undefined;
        const s = await stateOf(handle).catch(() => undefined);
        return s?.followUpUntil ? s : undefined;
      }, 'continued as new and waiting');
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn three' }] });
      await turnWaiting(handle, 3);
      await handle.signal(cancelSignal, {});
      return finished(handle);
    },
  },
  {
    name: 'started-without-search-attributes',
    path: 'a job started with no search attributes (as Python or `temporal workflow start` may): the workflow publishes its own, completed',
    run: async (h, id) =>
      finished(await h.env.client.workflow.start(interactionJob, { taskQueue: h.taskQueue, workflowId: id, args: [{ request: research('Started bare'), options: FAST }] })),
  },
  {
    name: 'agent-default-deadline',
    path: 'Deep Research job with no deadline option: the workflow applies the agent default, completed',
    run: async (h, id) =>
      finished(await start(h, id, { request: research('Default deadline'), options: { heartbeatTimeoutMs: 3_000, pollInitialIntervalMs: 100, followUpWindowMs: 0 } })),
  },
  {
    name: 'plan-approved-chained',
    path: 'collaborative planning: plan revised by a follow-up, then approved; the research turn chains to the plan, completed',
    run: async (h, id) => {
      const handle = await planWaiting(h, id, 'Heat pump market', 120_000);
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Add a section on Japan.' }] });
      await turnWaiting(handle, 2);
      await handle.executeUpdate(approvePlanUpdate, { args: [{}] });
      await turnWaiting(handle, 3);
      await handle.signal(cancelSignal, {});
      return finished(handle);
    },
  },
  {
    name: 'open-plan-awaiting-approval',
    path: 'open: the plan turn ended requires_action and the job waits for approval',
    open: true,
    run: (h, id) => planWaiting(h, id, 'Plan awaiting', 3_600_000),
  },
  {
    name: 'open-follow-up-window',
    path: 'open: a model turn completed and the job waits in its follow-up window',
    open: true,
    run: async (h, id) => {
      const handle = await start(h, id, { request: model('Waiting turn'), options: { ...FAST, followUpWindowMs: 3_600_000 } });
      await turnWaiting(handle, 1);
      return handle;
    },
  },
  {
    name: 'open-continued-as-new',
    path: 'open: two turns, continued as new, the new run waits for a follow-up (run 1 closed, run 2 open)',
    open: true,
    run: async (h, id) => {
      const handle = await start(h, id, { request: model('Turn one'), options: { ...FAST, followUpWindowMs: 3_600_000, continueAsNewAfterEvents: 25 } });
      const firstRunId = (await handle.describe()).runId;
      await turnWaiting(handle, 1);
      await handle.executeUpdate(followUpUpdate, { args: [{ input: 'Turn two' }] });
      await waitFor(async () => {
        const d = await handle.describe();
        if (d.runId === firstRunId) return undefined;
        const s = await stateOf(handle).catch(() => undefined);
        return s?.followUpUntil ? s : undefined;
      }, 'continued as new and waiting');
      return handle;
    },
  },
  {
    name: 'open-mid-stream',
    path: 'open: a Deep Research run followed by streaming, mid-run',
    group: 'long',
    open: true,
    run: async (h, id) => {
      const handle = await start(h, id, { request: research('Long stream'), options: FAST });
      const interactionId = await waitFor(async () => (await stateOf(handle)).interactionId, 'created');
      await waitFor(
        () => ((h.emulator.interactions().find((i) => i.id === interactionId)?.events ?? 0) >= 3 && h.emulator.counters().streamsOpened > 0) || undefined,
        'events streamed',
      );
      return handle;
    },
  },
  {
    name: 'webhook-settled',
    path: 'webhook mode: the run settles by its webhook, one GET collects it, completed',
    group: 'webhook',
    run: async (h, id) => finished(await start(h, id, { request: research('Webhook topic'), options: { ...FAST, mode: 'webhook' } })),
  },
  {
    name: 'webhook-duplicate-create',
    path: 'webhook mode: the first create answer is lost, the retry creates a second run; the first to settle is kept, the other cancelled',
    group: 'webhook',
    run: async (h, id) => {
      const remove = h.emulator.addFault({ kind: 'http_error', route: 'create', status: 503, afterCreate: true, count: 1 });
      try {
        return await finished(await start(h, id, { request: research('Duplicate topic'), options: { ...FAST, mode: 'webhook' } }));
      } finally {
        remove();
      }
    },
  },
  {
    name: 'webhook-swept',
    path: 'webhook mode with every delivery lost: the per-task-queue sweeper finds the end and signals the job, completed',
    group: 'webhook-lost',
    run: async (h, id) => finished(await start(h, id, { request: research('Lost webhook'), options: { ...FAST, mode: 'webhook' } })),
    companions: (h) => [{ suffix: 'sweeper', workflowId: sweeperWorkflowId(h.taskQueue) }],
  },
  {
    name: 'open-webhook-wait',
    path: 'open: webhook mode, the run is in progress and the job waits for its webhook',
    group: 'long',
    open: true,
    run: async (h, id) => {
      const handle = await start(h, id, { request: research('Webhook wait'), options: { ...FAST, mode: 'webhook' } });
      await waitFor(async () => (await stateOf(handle)).interactionId, 'created');
      return handle;
    },
  },
  {
    name: 'admission-queued-then-admitted',
    path: 'admission: a job queued behind another on a quota of one, admitted when it ends, completed',
    group: 'admission',
    run: async (h, id) => {
      const first = await start(h, `${id}-ahead`, { request: research('Ahead in the queue'), options: FAST });
      const handle = await start(h, id, { request: research('Behind in the queue'), options: FAST });
      await finished(first);
      return finished(handle);
    },
    companions: (h) => [{ suffix: 'limiter', workflowId: admissionWorkflowId(ADMISSION_KEY(h)) }],
  },
  {
    name: 'open-admission-queued',
    path: 'open: a job queued for a quota permit behind a running one (quota of one)',
    group: 'long',
    open: true,
    run: async (h, id) => {
      const ahead = await start(h, `${id}-ahead`, { request: research('Holding the permit'), options: FAST });
      await waitFor(async () => ((await stateOf(ahead)).phase === 'running' ? true : undefined), 'the job ahead running');
      const handle = await start(h, id, { request: research('Queued'), options: FAST });
      await waitFor(async () => ((await stateOf(handle)).phase === 'queued' ? true : undefined), 'queued');
      return handle;
    },
    companions: (h) => [{ suffix: 'limiter', workflowId: admissionWorkflowId(ADMISSION_KEY(h)) }],
  },
  {
    name: 'callback-settled',
    path: 'a job with options.callback: its turn ends completed and it starts the settled delivery workflow (ABANDON), completed',
    group: 'callback',
    run: async (h, id, ctx) => finished(await start(h, id, { request: model('Call me back'), options: { ...FAST, callback: { url: ctx.callbackUrl! } } })),
    companions: (_h, id) => [{ suffix: 'delivery', workflowId: callbackWorkflowId(id, 1, 'settled'), closed: true }],
  },
  {
    name: 'schedule-chained-run',
    path: 'a scheduled run with chainSchedule: it looks up the previous run of its schedule and chains to its interaction, completed',
    group: 'callback',
    run: async (h, id) => {
      const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store, interactions: h.client });
      const scheduleId = `${id}-schedule`;
      await jobs.schedules.create({ scheduleId, everyMs: 3_600_000, request: model('What changed since last time?'), options: FAST, chain: true });
      try {
        await jobs.schedules.trigger(scheduleId);
        const first = await waitFor(async () => (await jobs.schedules.describe(scheduleId)).recentRuns[0]?.jobId, 'the first run', 60_000, 200);
        await h.env.client.workflow.getHandle(first).result();
        // The schedule sees the first run close a moment after it does (SKIP refuses a trigger until then).
        const second = await waitFor(
          async () => {
            const found = (await jobs.schedules.describe(scheduleId)).recentRuns.find((r) => r.jobId !== first)?.jobId;
            if (!found) await jobs.schedules.trigger(scheduleId);
            return found;
          },
          'the second run',
          60_000,
          1_000,
        );
        return finished(h.env.client.workflow.getHandle(second) as JobHandle);
      } finally {
        await jobs.schedules.delete(scheduleId).catch(() => undefined);
      }
    },
  },
  {
    name: 'batch-continued-as-new',
    path: 'a batch of three model questions, two at a time, continuing as new after two items: every item completed (run 1 continued as new, run 2 completed)',
    group: 'callback',
    run: async (h, id) => {
      const jobs = new JobsClient({ client: h.env.client, taskQueue: h.taskQueue, resultStore: h.store, interactions: h.client });
      await jobs.startBatch([model('Batch item one'), model('Batch item two'), model('Batch item three')], {
        batchId: id,
        options: { window: 2, continueAsNewEvery: 2, jobOptions: FAST },
      });
      return finished(h.env.client.workflow.getHandle(batchWorkflowId(id)) as unknown as JobHandle);
    },
    companions: (_h, id) => [{ suffix: 'item1', workflowId: `${id}-1`, closed: true }],
  },
];

const ADMISSION_KEY = (h: JobHarness) => `${h.taskQueue}-replay`;
/** A throwaway Standard Webhooks secret for the recording's callback receiver. */
const CALLBACK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** The emulator and worker settings of each group of scenarios. */
const GROUPS: Record<GroupName, { emulator: EmulatorOptions; receiver?: boolean; worker(h: JobHarness, ctx: GroupContext): Parameters<JobHarness['newWorker']>[0] }> = {
  plain: { emulator: { scenarios: { 'stall-always': { faults: [{ kind: 'stall', afterEvents: 0 }] } } }, worker: () => ({}) },
  // Runs that outlast the recording; one quota permit, so the last open job queues.
  long: {
    emulator: { timeScale: 20, deepResearchDurationMs: 3_600_000 },
    receiver: true,
    worker: (h, ctx) => ({
      webhookUris: [ctx.receiverUrl!],
      admission: admissionSettings({ maxConcurrent: 1, orderGraceMs: 500, leaseCheckMs: 1_000 }, { key: ADMISSION_KEY(h) }),
    }),
  },
  webhook: { emulator: {}, receiver: true, worker: (_h, ctx) => ({ webhookUris: [ctx.receiverUrl!] }) },
  'webhook-lost': { emulator: { webhooks: { dropProbability: 1 } }, receiver: true, worker: (_h, ctx) => ({ webhookUris: [ctx.receiverUrl!], webhookSweepMs: 1_000 }) },
  callback: { emulator: {}, worker: () => ({ callbacks: { secret: CALLBACK_SECRET, retryInitialMs: 200, retryMaxMs: 1_000 } }) },
  admission: { emulator: {}, worker: (h) => ({ admission: admissionSettings({ maxConcurrent: 1, orderGraceMs: 500, leaseCheckMs: 1_000 }, { key: ADMISSION_KEY(h) }) }) },
};

export interface ManifestEntry {
  file: string;
  workflowId: string;
  scenario: string;
  path: string;
  events: number;
  /** Temporal's status of the run (COMPLETED, CONTINUED_AS_NEW…). */
  status: string;
  /** The job's own status in the workflow result (completed, cancelled…); absent for a run that continued as new. */
  jobStatus?: string;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  const outDir = option('--out') ?? join(packageRoot, 'test', 'replay', 'histories', `v${version}`);
  const only = option('--only')?.split(',');
  if (existsSync(join(outDir, 'manifest.json')) && !process.argv.includes('--force')) {
    throw new Error(`${relative(packageRoot, outDir)} already holds a corpus; histories of a released version never change (pass --force to overwrite)`);
  }
  await mkdir(outDir, { recursive: true });
  const manifest: ManifestEntry[] = [];
  try {
    for (const group of Object.keys(GROUPS) as GroupName[]) {
      const scenarios = SCENARIOS.filter((s) => (s.group ?? 'plain') === group && (!only || only.includes(s.name)));
      if (scenarios.length > 0) await recordGroup(group, scenarios, outDir, manifest);
    }
  } finally {
    await releaseTestEnv();
  }
  await writeFile(join(outDir, 'manifest.json'), JSON.stringify({ version, recordedAt: new Date().toISOString(), histories: manifest }, null, 2) + '\n');
  process.stdout.write(`wrote ${manifest.length} histories to ${relative(packageRoot, outDir)}\n`);
}

/** Runs one group's scenarios one at a time (several install emulator-wide faults) on its own emulator and worker. */
async function recordGroup(group: GroupName, scenarios: Scenario[], outDir: string, manifest: ManifestEntry[]): Promise<void> {
  const settings = GROUPS[group];
  const h = await jobHarness(`replay-record-${group}`, settings.emulator);
  const receiver = settings.receiver ? await startReceiver(h) : undefined;
  const callbackReceiver = group === 'callback' ? await startCallbackReceiver() : undefined;
  const ctx: GroupContext = { ...(receiver ? { receiverUrl: receiver.url } : {}), ...(callbackReceiver ? { callbackUrl: callbackReceiver.url } : {}) };
  try {
    const worker = await h.newWorker(settings.worker(h, ctx));
    await worker.runUntil(async () => {
      for (const s of scenarios) {
        const workflowId = `replay-${s.name}`;
        const handle = await s.run(h, workflowId, ctx);
        const outcome = s.open ? undefined : await handle.result().catch(() => undefined);
        // A scenario may drive a job of another id (a scheduled run): record the job it returns.
        const jobId = handle.workflowId;
        const runs = await runsOf(h, jobId, !s.open);
        for (const [i, runId] of runs.entries()) {
          const file = runs.length > 1 ? `${s.name}.run${i + 1}.json` : `${s.name}.json`;
          const entry = await recordRun(h, outDir, file, jobId, runId, s);
          if (i === runs.length - 1 && outcome) entry.jobStatus = outcome.status;
          manifest.push(entry);
        }
        for (const c of s.companions?.(h, workflowId) ?? []) {
          const companion = h.env.client.workflow.getHandle(c.workflowId);
          if (c.closed) await companion.result().catch(() => undefined);
          const runId = (await companion.describe()).runId;
          manifest.push(await recordRun(h, outDir, `${s.name}.${c.suffix}.json`, c.workflowId, runId, s));
        }
        if (s.open) await handle.terminate('recorded open for the replay corpus').catch(() => undefined);
      }
    });
  } finally {
    for (const r of [receiver, callbackReceiver]) if (r) await new Promise<void>((resolve) => r.server.close(() => resolve()));
    await h.close();
  }
}

async function recordRun(h: JobHarness, outDir: string, file: string, workflowId: string, runId: string, s: Scenario): Promise<ManifestEntry> {
  const handle = h.env.client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  await writeFile(join(outDir, file), historyToJson(history) + '\n');
  const description = await handle.describe();
  const entry: ManifestEntry = { file, workflowId, scenario: s.name, path: s.path, events: history.events?.length ?? 0, status: description.status.name };
  process.stdout.write(`${file}: ${entry.events} events, ${entry.status}\n`);
  return entry;
}

/** A completion-callback receiver: 503 to each message's first attempt (so a retry is recorded), 200 after. */
async function startCallbackReceiver(): Promise<{ server: Server; url: string }> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      res.writeHead(seen.has(id) ? 200 : 503).end();
      seen.add(id);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks` };
}

/** A webhook receiver verifying the emulator's v1a deliveries, signalling the jobs. */
async function startReceiver(h: JobHarness): Promise<{ server: Server; url: string }> {
  const handler = createWebhookHandler({ client: h.env.client, jwksUrl: `${h.emulator.url}/.well-known/jwks.json` });
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/gemini` };
}

/** Run ids of a workflow id, oldest first (continue-as-new makes several). */
async function runsOf(h: JobHarness, workflowId: string, closed: boolean): Promise<string[]> {
  const runs: { runId: string; start: number }[] = [];
  // Visibility is eventually consistent: wait until every run of the chain is listed and closed.
  await waitFor(async () => {
    runs.length = 0;
    for await (const w of h.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      runs.push({ runId: w.runId, start: w.startTime.getTime() });
    }
    const latest = await h.env.client.workflow.getHandle(workflowId).describe();
    return runs.some((r) => r.runId === latest.runId) && (!closed || latest.status.name !== 'RUNNING');
  }, `runs of ${workflowId} listed`);
  return runs.sort((a, b) => a.start - b.start).map((r) => r.runId);
}

main().catch((err) => {
  process.stderr.write(`replay:record failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
