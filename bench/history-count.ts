/**
 * Counts the history events of one emulated Deep Research job (one turn, no follow-up window)
 * with the production worker setup and default settings. Prints the event types.
 *
 *   node dist/bench/history-count.js
 */
import { Worker } from '@temporalio/worker';
import { startEmulator } from '../src/emulator';
import { InteractionsClient } from '../src/interactions/client';
import { JobsClient } from '../src/jobs/jobs-client';
import { createJobsWorker } from '../src/worker/create-worker';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../test/helpers/temporal';
import { runMain } from './lib/run-main';

async function main(): Promise<void> {
  const env = await getTestEnv();
  const emulator = await startEmulator({ port: 0, timeScale: 200, apiKey: 'k' });
  const taskQueue = uniqueTaskQueue('history-count');
  const worker: Worker = await createJobsWorker({
    connection: env.nativeConnection,
    taskQueue,
    client: new InteractionsClient({ baseUrl: emulator.url, apiKey: 'k' }),
    resultStore: undefined,
    workflowBundle: await workflowBundle(),
    log: { info: () => undefined, warn: () => undefined },
  });
  const jobs = new JobsClient({ client: env.client, taskQueue });
  const events = await worker.runUntil(async () => {
    const { jobId } = await jobs.start(
      { agent: 'deep-research-preview-04-2026', input: 'count my history', agent_config: { type: 'deep-research', thinking_summaries: 'auto' } },
      { options: { followUpWindowMs: 0 } },
    );
    await jobs.result(jobId, { wait: true });
    const history = await jobs.handle(jobId).fetchHistory();
    return (history.events ?? []).map(
      (e) =>
        String(e.eventType) +
        (e.upsertWorkflowSearchAttributesEventAttributes ? `:${Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {}).join(',')}` : ''),
    );
  });
  console.log(JSON.stringify({ events: events.length, types: events }, null, 1));
  await emulator.close();
  await releaseTestEnv();
}

runMain(main);
