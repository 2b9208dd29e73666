/**
 * Reads a report carried inline in the follow activity's result (`ReportRef.store === 'temporal'`,
 * key `<runId>/<activityId>`) back out of the workflow history. Any client of the namespace can do
 * this: no shared filesystem, no Gemini credentials.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { ReportRef } from '../contract';
import { GeminiJobsError } from '../common/errors';

/** Why an inline report could not be read (for messages that say where we looked). */
export class InlineReportError extends GeminiJobsError<'report_unreadable'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('report_unreadable', message, options);
  }
}

/** Splits `<runId>/<activityId>`. */
export function parseInlineKey(key: string): { runId: string; activityId: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1) throw new InlineReportError(`inline report key ${JSON.stringify(key)} is not <runId>/<activityId>`);
  return { runId: key.slice(0, slash), activityId: key.slice(slash + 1) };
}

/**
 * The report text of `ref` from the history of run `runId` of `jobId`: the result of the activity
 * whose id is `activityId`. Checks the sha256 recorded in the ref.
 */
export async function readInlineReport(client: Client, jobId: string, ref: ReportRef): Promise<string> {
  const { runId, activityId } = parseInlineKey(ref.key);
  let history;
  try {
    history = await client.workflow.getHandle(jobId, runId).fetchHistory();
  } catch (err) {
    throw new InlineReportError(`could not read the history of job ${jobId} run ${runId}: ${(err as Error).message}`, { cause: err });
  }
  let scheduledEventId: string | undefined;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled && scheduled.activityId === activityId) {
      scheduledEventId = String(event.eventId);
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (scheduledEventId !== undefined && completed && String(completed.scheduledEventId) === scheduledEventId) {
      const converter = client.workflow.options.loadedDataConverter;
      const result = await decodeFromPayloadsAtIndex<{ reportText?: unknown }>(converter, 0, completed.result?.payloads);
      if (typeof result?.reportText !== 'string') {
        throw new InlineReportError(`activity ${activityId} of job ${jobId} run ${runId} has no inline report in its result`);
      }
      const sha = createHash('sha256').update(result.reportText, 'utf8').digest('hex');
      if (sha !== ref.sha256) throw new InlineReportError(`inline report of job ${jobId} (activity ${activityId}) does not match its sha256`);
      return result.reportText;
    }
  }
  throw new InlineReportError(`no completed activity ${activityId} in the history of job ${jobId} run ${runId} (history retention may have removed it)`);
}
