/**
 * Shared setup of the job tests: the real Temporal dev server (test/helpers/temporal.ts), the
 * emulator over real HTTP, a results directory, and an in-process worker from createJobsWorker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { FileResultStore } from '../../src/results/result-store';
import { createJobsWorker } from '../../src/worker/create-worker';
import { silentLogger, type AdmissionSettings, type CallbackSettings, type JobLogger } from '../../activities';
import { interactionJob } from '../../workflows';
import { jobAgentKey, jobStatusKey, stateQuery, type JobInput, type JobState } from '../../workflows/definitions';
import { getTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';

export const TEST_API_KEY = 'emulator-test-key';

export interface JobHarness {
  env: TestWorkflowEnvironment;
  emulator: Emulator;
  store: FileResultStore;
  resultsDir: string;
  taskQueue: string;
  client: InteractionsClient;
  newWorker(extra?: { log?: JobLogger; webhookUris?: string[]; webhookSweepMs?: number; admission?: AdmissionSettings; callbacks?: CallbackSettings }): Promise<Worker>;
  start(input: JobInput, workflowId?: string): Promise<WorkflowHandleWithFirstExecutionRunId<typeof interactionJob>>;
  close(): Promise<void>;
}

/** Quiet SDK logs (worker state changes) unless TEST_VERBOSE is set; must run before any connection. */
function quietRuntime(): void {
  if (process.env.TEST_VERBOSE) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another helper in this process
  }
}

export async function jobHarness(name: string, emulatorOptions: EmulatorOptions = {}): Promise<JobHarness> {
  quietRuntime();
  const env = await getTestEnv();
  const emulator = await startEmulator({ port: 0, timeScale: 100, deepResearchDurationMs: 5 * 60_000, apiKey: TEST_API_KEY, ...emulatorOptions });
  const resultsDir = await mkdtemp(join(tmpdir(), `gj-${name}-`));
  const store = new FileResultStore(resultsDir);
  const taskQueue = uniqueTaskQueue(`jobs-${name}`);
  const client = new InteractionsClient({ baseUrl: emulator.url, apiKey: TEST_API_KEY, maxRetries: 0 });
  const bundle = await workflowBundle();
  let n = 0;
  return {
    env,
    emulator,
    store,
    resultsDir,
    taskQueue,
    client,
    newWorker: (extra = {}) =>
      createJobsWorker({
        connection: env.nativeConnection,
        taskQueue,
        client,
        resultStore: store,
        // These suites check the external-store path (v0.1.0's only one); test/service/reports.test.ts checks inline reports.
        inlineReportMaxBytes: 0,
        log: extra.log ?? silentLogger,
        ...(extra.admission ? { admission: extra.admission } : {}),
        workflowBundle: bundle,
        ...(extra.webhookUris ? { webhookUris: extra.webhookUris } : {}),
        ...(extra.webhookSweepMs !== undefined ? { webhookSweepMs: extra.webhookSweepMs } : {}),
        ...(extra.callbacks ? { callbacks: extra.callbacks } : {}),
        // Fresh checkpoints and quick shutdowns keep the tests short.
        maxHeartbeatThrottleInterval: '300ms',
        shutdownGraceTime: '1s',
      }),
    start: (input, workflowId) => {
      const agent = (input.request as { agent?: string; model?: string }).agent ?? (input.request as { model?: string }).model ?? 'unknown';
      return env.client.workflow.start(interactionJob, {
        taskQueue,
        workflowId: workflowId ?? `${taskQueue}-${++n}`,
        args: [input],
        typedSearchAttributes: [
          { key: jobStatusKey, value: 'pending' },
          { key: jobAgentKey, value: agent },
        ],
      });
    },
    close: async () => {
      await emulator.close();
      await rm(resultsDir, { recursive: true, force: true });
    },
  };
}

export { waitFor } from '../helpers/wait';

/** The workflow's state query. */
export function stateOf(handle: WorkflowHandle<typeof interactionJob>): Promise<JobState> {
  return handle.query(stateQuery);
}

/** Number of events in a workflow's history. */
export async function historyLength(handle: WorkflowHandle): Promise<number> {
  const history = await handle.fetchHistory();
  return history.events?.length ?? 0;
}

/** Short options for tests: fast polling and dead-worker detection, no follow-up window. */
export const FAST = { heartbeatTimeoutMs: 3_000, pollInitialIntervalMs: 100, pollMaxIntervalMs: 500, streamIdleTimeoutMs: 2_000, notFoundGraceMs: 5_000, followUpWindowMs: 0 };
