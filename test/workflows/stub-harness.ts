/**
 * Workflow tests with stub activities: the real job workflow (the bundled `workflows/index.js`) on
 * the real Temporal server, and a Worker whose activities are fakes registered under the real
 * activity names. Each job scripts its own fakes (looked up by job id), so one worker serves every
 * test of a file and every branch of the workflow is reached in seconds, not emulator minutes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CancelInteractionResult, CheckInteractionResult, CreateInteractionResult, FollowInteractionResult, JobActivities } from '../../activities/types';
import type { AdmissionActivities, RequestAdmissionResult } from '../../activities/admission-types';
import { interactionJob } from '../../workflows';
import { jobStatusKey, stateQuery, type JobInput, type JobRequest, type JobState } from '../../workflows/definitions';
import { historyToJson } from '../replay/history-json';
import { getTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';

/** The activities a job's script may fake; an activity it leaves out fails the test loudly. */
export type StubActivities = Partial<JobActivities & Pick<AdmissionActivities, 'requestAdmission'>>;

/** One recorded activity call: its name and input (as the workflow sent it). */
export interface StubCall {
  activity: string;
  input: Record<string, unknown>;
}

export interface StubHarness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** Starts a job whose activities are `stubs`; its workflow id is also its job id. */
  start(input: JobInput, stubs: StubActivities): Promise<WorkflowHandleWithFirstExecutionRunId<typeof interactionJob>>;
  /** Registers `stubs` for a job id started some other way (signalWithStart). */
  script(jobId: string, stubs: StubActivities): void;
  /** Every stub call of a job, in order. */
  calls(jobId: string, activity?: string): StubCall[];
  /** A fresh job id on this harness's task queue. */
  nextJobId(): string;
  close(): Promise<void>;
}

function quietRuntime(): void {
  if (process.env.TEST_VERBOSE) return;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') }); // stub failures are the point: not warnings
  } catch {
    // already installed in this process
  }
}

/** Fakes every job gets unless its script says otherwise: the worker limits no admission. */
const DEFAULTS: StubActivities = {
  requestAdmission: async () => ({ mode: 'off' }),
};

/** Starts one worker with stub activities on a private task queue. */
export async function stubHarness(name: string): Promise<StubHarness> {
  quietRuntime();
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue(`wf-${name}`);
  const scripts = new Map<string, StubActivities>();
  const log = new Map<string, StubCall[]>();

  const dispatch =
    (activity: keyof StubActivities) =>
    async (input: { jobId: string } & Record<string, unknown>): Promise<unknown> => {
      const jobId = input.jobId;
      (log.get(jobId) ?? log.set(jobId, []).get(jobId)!).push({ activity, input });
      const fake = (scripts.get(jobId)?.[activity] ?? DEFAULTS[activity]) as ((i: unknown) => Promise<unknown>) | undefined;
      if (!fake) throw ApplicationFailure.create({ type: 'stub_missing', message: `no stub for ${activity} of ${jobId}`, nonRetryable: true });
      return fake(input);
    };

  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      createInteraction: dispatch('createInteraction'),
      followInteraction: dispatch('followInteraction'),
      cancelInteraction: dispatch('cancelInteraction'),
      checkInteraction: dispatch('checkInteraction'),
      requestAdmission: dispatch('requestAdmission'),
    },
    // Heartbeats reach the server at once, so a cancel reaches a blocked stub within ~100 ms.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  let n = 0;
  const jobIds: string[] = [];

  return {
    env,
    taskQueue,
    async start(input, stubs) {
      const workflowId = `${taskQueue}-${++n}`;
      scripts.set(workflowId, stubs);
      jobIds.push(workflowId);
      const handle = await env.client.workflow.start(interactionJob, {
        taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [{ key: jobStatusKey, value: 'pending' }],
      });
      return handle;
    },
    script: (jobId, stubs) => {
      scripts.set(jobId, stubs);
      jobIds.push(jobId);
    },
    calls: (jobId, activity) => (log.get(jobId) ?? []).filter((c) => activity === undefined || c.activity === activity),
    nextJobId: () => `${taskQueue}-${++n}`,
    async close() {
      await saveHistories(env, jobIds);
      worker.shutdown();
      await running;
    },
  };
}

/**
 * With WORKFLOW_TEST_HISTORY_DIR set, writes every job's history there (one JSON file per run),
 * so histories written by one build can be replayed on another (a refactor's proof that no
 * command moved).
 */
async function saveHistories(env: TestWorkflowEnvironment, jobIds: string[]): Promise<void> {
  const dir = process.env.WORKFLOW_TEST_HISTORY_DIR;
  if (!dir) return;
  await mkdir(dir, { recursive: true });
  for (const jobId of jobIds) {
    const history = await env.client.workflow.getHandle(jobId).fetchHistory();
    await writeFile(join(dir, `${jobId}.json`), historyToJson(history));
  }
}

/** Replays a finished job's history on the current bundle; resolves the error, if any. */
export async function replayError(env: TestWorkflowEnvironment, workflowId: string): Promise<string | undefined> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: 'stub-replay' }, [{ workflowId, history }])) {
    if (r.error) return `${r.error.name}: ${r.error.message}`;
  }
  return undefined;
}

export function stateOf(handle: WorkflowHandle<typeof interactionJob>): Promise<JobState> {
  return handle.query(stateQuery);
}

// ---- fakes -------------------------------------------------------------------------------------

export const model = (input = 'hello'): JobRequest => ({ model: 'gemini-3-flash-preview', input }) as JobRequest;
export const agent = (input = 'research this', planning = false): JobRequest =>
  ({ agent: 'deep-research-preview-04-2026', input, ...(planning ? { agent_config: { type: 'deep-research', collaborative_planning: true } } : {}) }) as JobRequest;

/** Options that keep a stub job short: no follow-up window unless a test opens one. */
export const QUICK = { followUpWindowMs: 0, heartbeatTimeoutMs: 5_000 };

/** A create that answers at once with `id`. */
export const created =
  (id: string, status = 'in_progress') =>
  async (): Promise<CreateInteractionResult> => ({ interactionId: id, status, recovered: false });

/** A follow activity result (defaults: completed, one stored report). */
export function followResult(over: Partial<FollowInteractionResult> = {}): FollowInteractionResult {
  return {
    status: 'completed',
    upstreamStatus: 'completed',
    summary: 'the report',
    outputChars: 10,
    report: { store: 'temporal', key: 'k', bytes: 10, sha256: 'abc' },
    eventsApplied: 3,
    streamVerified: true,
    ...over,
  };
}

export const followed =
  (over: Partial<FollowInteractionResult> = {}) =>
  async (): Promise<FollowInteractionResult> =>
    followResult(over);

export const cancelResult = (over: Partial<CancelInteractionResult> = {}): CancelInteractionResult => ({
  upstreamStatus: 'cancelled',
  confirmed: true,
  cancelAnswer: 'accepted',
  ...over,
});
export const cancelled =
  (over: Partial<CancelInteractionResult> = {}) =>
  async (): Promise<CancelInteractionResult> =>
    cancelResult(over);

export const checkResult = (over: Partial<CheckInteractionResult> = {}): CheckInteractionResult => ({
  upstreamStatus: 'in_progress',
  settled: false,
  outputChars: 0,
  steps: 0,
  ...over,
});

export const queued =
  (key = 'key-test') =>
  async (input: { jobId: string }): Promise<RequestAdmissionResult> => ({ mode: 'queued', key, limiterId: `no-such-limiter-${input.jobId}` });

/**
 * An activity that heartbeats until Temporal cancels it, then runs `onCancel` (default: rethrow
 * the cancellation, as a real activity does). `started` is called once it is running.
 */
export function blocksUntilCancelled<T>(onCancel?: () => T, started?: () => void): () => Promise<T> {
  return async () => {
    const ctx = Context.current();
    started?.();
    try {
      for (;;) {
        ctx.heartbeat();
        await ctx.sleep(50);
      }
    } catch (err) {
      if (onCancel) return onCancel();
      throw err;
    }
  };
}

/** A non-retryable activity failure of type `type` (as the activities' failure mapping throws). */
export function fails(type: string, message = `${type} (stub)`): () => Promise<never> {
  return async () => {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
  };
}
