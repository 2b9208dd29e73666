/**
 * Measures the largest activity result the Temporal server accepts (the limit an inline report
 * must stay under): bisects the encoded size of `{"reportText":"…"}` between 256 KiB and 4 MiB
 * on a real dev server. Prints the last accepted and first refused sizes in bytes.
 *
 *   node dist/bench/payload-limit.js
 */
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { getTestEnv, releaseTestEnv, uniqueTaskQueue, workflowBundle } from '../test/helpers/temporal';
import { runMain } from './lib/run-main';

async function main(): Promise<void> {
  const env = await getTestEnv();
  const taskQueue = uniqueTaskQueue('payload-limit');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(join(__dirname, 'lib', 'payload-workflow.js')),
    // JSON of {"reportText":"x…x"} is the text plus 17 bytes: the payload data is exactly `bytes`.
    activities: { sizedResult: async (bytes: number) => ({ reportText: 'x'.repeat(bytes - 17) }) },
  });
  const probe = (bytes: number) =>
    env.client.workflow.execute('payloadProbe', { taskQueue, workflowId: `${taskQueue}-${bytes}`, args: [bytes], workflowExecutionTimeout: '60s' }) as Promise<string>;
  const outcome = await worker.runUntil(async () => {
    let lo = 256 * 1024; // known accepted
    let hi = 4 * 1024 * 1024; // known refused (gRPC message limit at the latest)
    const first = await probe(lo);
    if (first !== 'accepted') throw new Error(`256 KiB refused: ${first}`);
    let refusal = '';
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      const answer = await probe(mid);
      if (answer === 'accepted') lo = mid;
      else {
        hi = mid;
        refusal = answer;
      }
    }
    return { lastAccepted: lo, firstRefused: hi, refusal };
  });
  console.log(JSON.stringify({ ...outcome, note: 'bytes of the JSON payload data of one activity result' }, null, 2));
  await releaseTestEnv();
}

runMain(main);
