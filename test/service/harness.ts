/**
 * Shared setup of the service tests: the real Temporal dev server (test/helpers/temporal.ts), the
 * emulator over real HTTP, a results directory, a `JobsClient`, an in-process worker, and the
 * environment a CLI child process needs to reach all of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startEmulator } from '../../src/emulator';
import type { Emulator, EmulatorOptions } from '../../src/emulator';
import { InteractionsClient } from '../../src/interactions/client';
import { JobsClient } from '../../src/jobs/jobs-client';
import { FileResultStore } from '../../src/results/result-store';
import { createJobsWorker } from '../../src/worker/create-worker';
import type { JobOptions } from '../../workflows/definitions';
import { getTestEnv, uniqueTaskQueue, workflowBundle } from '../helpers/temporal';

export const TEST_API_KEY = 'service-test-key';
/** Short options: fast polling and dead-worker detection, no follow-up window. */
export const FAST: JobOptions = {
  heartbeatTimeoutMs: 3_000,
  pollInitialIntervalMs: 100,
  pollMaxIntervalMs: 500,
  streamIdleTimeoutMs: 2_000,
  notFoundGraceMs: 5_000,
  followUpWindowMs: 0,
};

export const DR_AGENT = 'deep-research-preview-04-2026';

export interface ServiceHarness {
  env: TestWorkflowEnvironment;
  emulator: Emulator;
  store: FileResultStore;
  resultsDir: string;
  taskQueue: string;
  interactions: InteractionsClient;
  jobs: JobsClient;
  /** Starts an in-process worker (stopped by close()). */
  startWorker(): Promise<Worker>;
  /** Environment for a CLI child process pointed at this server, emulator and results dir. */
  cliEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export async function serviceHarness(name: string, emulatorOptions: EmulatorOptions = {}): Promise<ServiceHarness> {
  const env = await getTestEnv();
  const emulator = await startEmulator({
    port: 0,
    timeScale: 100,
    deepResearchDurationMs: 4 * 60_000,
    apiKey: TEST_API_KEY,
    scenarios: { long: { deepResearchDurationMs: 60 * 60_000 } },
    ...emulatorOptions,
  });
  const resultsDir = await mkdtemp(join(tmpdir(), `gj-svc-${name}-`));
  const store = new FileResultStore(resultsDir);
  const taskQueue = uniqueTaskQueue(`svc-${name}`);
  const interactions = new InteractionsClient({ baseUrl: emulator.url, apiKey: TEST_API_KEY, maxRetries: 0 });
  const jobs = new JobsClient({ client: env.client, taskQueue, resultStore: store, interactions });
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  return {
    env,
    emulator,
    store,
    resultsDir,
    taskQueue,
    interactions,
    jobs,
    async startWorker() {
      const worker = await createJobsWorker({
        connection: env.nativeConnection,
        taskQueue,
        client: interactions,
        resultStore: store,
        // These suites check the external-store path (v0.1.0's only one); test/service/reports.test.ts checks inline reports.
        inlineReportMaxBytes: 0,
        log: { info: () => undefined, warn: () => undefined },
        workflowBundle: await workflowBundle(),
        maxHeartbeatThrottleInterval: '300ms',
        // Live progress every 300 ms: these suites (the dashboard's live thoughts among them) watch
        // emulated runs of seconds, far shorter than the production flush of 28 s.
        checkpointFlushMs: 300,
        shutdownGraceTime: '1s',
      });
      workers.push({ worker, running: worker.run() });
      return worker;
    },
    cliEnv(extra = {}) {
      const base: NodeJS.ProcessEnv = {};
      for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) if (process.env[key]) base[key] = process.env[key];
      return {
        ...base,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: 'default',
        GEMINI_JOBS_TASK_QUEUE: taskQueue,
        GEMINI_JOBS_RESULTS_DIR: resultsDir,
        GEMINI_JOBS_BASE_URL: emulator.url,
        GEMINI_API_KEY: TEST_API_KEY,
        ...extra,
      };
    },
    async close() {
      for (const { worker, running } of workers) {
        try {
          worker.shutdown();
        } catch {
          // already stopped
        }
        await running.catch(() => undefined);
      }
      await emulator.close();
      await rm(resultsDir, { recursive: true, force: true });
    },
  };
}

export { CLI, runCli, type CliRun } from '../helpers/cli';

export { waitFor } from '../helpers/wait';
