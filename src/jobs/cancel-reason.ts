/**
 * The reason a closed job was cancelled with, read back from its workflow history: the workflow's
 * result (and the memo of a Temporal-cancelled execution) does not carry it, its `cancel` signal
 * does. Best effort: undefined when the history is gone or holds no reason.
 */
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { CancelRequest } from '../contract';
import { cancelSignal } from '../../workflows/definitions';

/** The `reason` of the first `cancel` signal in the latest run of `jobId`. */
export async function readCancelReason(client: Client, jobId: string): Promise<string | undefined> {
  try {
    const history = await client.workflow.getHandle(jobId).fetchHistory();
    for (const event of history.events ?? []) {
      const signaled = event.workflowExecutionSignaledEventAttributes;
      if (signaled?.signalName !== cancelSignal.name) continue;
      const request = await decodeFromPayloadsAtIndex<CancelRequest | undefined>(client.workflow.options.loadedDataConverter, 0, signaled.input?.payloads);
      return typeof request?.reason === 'string' ? request.reason : undefined;
    }
  } catch {
    // History retention removed it, or a codec this process lacks: the state goes without it.
  }
  return undefined;
}
