/**
 * Reading a turn's report from wherever it lives, in order: the workflow history (reports inlined
 * in the follow activity's result), the result store (reports too large for Temporal), the
 * Interactions API by interaction id (when the client has credentials). When a report exists but
 * none of them has it, the answer says every place tried.
 */
import type { TurnRecord } from '../contract';
import { reportText } from '../interactions/accumulator';
import { API_REPORT_STORE, TEMPORAL_REPORT_STORE, describeLocation } from '../results/result-store';
import type { JobsContext } from './context';
import { readInlineReport } from './history-report';
import type { TurnReport } from './types';

/**
 * Reads the report text of a turn: from the workflow history when it was inlined (needs `jobId`),
 * else from the result store, else from the API by interaction id (when given `interactions`).
 */
export async function readReport(ctx: JobsContext, turn: TurnRecord, jobId?: string): Promise<TurnReport> {
  const looked: string[] = [];
  const ref = turn.report;
  if (ref?.store === TEMPORAL_REPORT_STORE) {
    if (jobId) {
      try {
        return { text: await readInlineReport(ctx.client, jobId, ref), source: 'history' };
      } catch (err) {
        looked.push(`workflow history of job ${jobId} (${(err as Error).message})`);
      }
    } else {
      looked.push('workflow history (no job id given to report())');
    }
  } else if (ref && ref.store !== API_REPORT_STORE) {
    const where = describeLocation(ctx.resultStore, ref);
    try {
      const body = await ctx.resultStore.get(ref);
      if (body !== undefined) return { text: body.toString('utf8'), source: 'store' };
      looked.push(`${where} (not found)`);
    } catch (err) {
      looked.push(`${where} (${(err as Error).message})`);
    }
  }
  if (turn.interactionId && ctx.interactions) {
    try {
      const interaction = await ctx.interactions.get(turn.interactionId);
      return { text: reportText(interaction), source: 'api' };
    } catch (err) {
      looked.push(`the Interactions API, interaction ${turn.interactionId} (${(err as Error).message})`);
    }
  } else if (turn.interactionId && ref) {
    looked.push(`the Interactions API, interaction ${turn.interactionId} (not tried: no Gemini credentials or GEMINI_JOBS_BASE_URL in this process)`);
  }
  const hasReport = (ref !== undefined && ref.bytes > 0) || (turn.outputChars ?? 0) > 0;
  if (!hasReport) return { source: 'none' };
  const bytes = ref ? `${ref.bytes.toLocaleString('en-US')}-byte report` : 'report';
  return { source: 'none', problem: { message: `turn ${turn.turn} has a ${bytes} that could not be read`, looked } };
}
