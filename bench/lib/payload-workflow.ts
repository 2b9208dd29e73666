/** Workflow of bench/payload-limit.ts: runs one activity whose result is `bytes` long and reports whether Temporal accepted it. */
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';

const { sizedResult } = proxyActivities<{ sizedResult(bytes: number): Promise<{ reportText: string }> }>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 1 },
});

/** 'accepted' when the activity's result reached the workflow, else the failure message. */
export async function payloadProbe(bytes: number): Promise<string> {
  try {
    const r = await sizedResult(bytes);
    return r.reportText.length === bytes - 17 ? 'accepted' : `accepted, but length ${r.reportText.length}`;
  } catch (err) {
    return err instanceof ActivityFailure ? `refused: ${err.cause?.message ?? err.message}` : `refused: ${String(err)}`;
  }
}
