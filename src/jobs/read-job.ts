/**
 * What a reader of a job gets: its current state (with the whole plan while one waits) and the
 * outcome of its latest finished turn with the report, optionally waiting for the turn to end.
 */
import type { JobState } from '../contract';
import { backoffMs } from '../common/backoff';
import { pause } from '../common/sleep';
import type { JobsContext } from './context';
import { JobNotFoundError, JobWaitTimeoutError } from './errors';
import { readReport } from './reports';
import { withCallbackDeliveries } from './callbacks';
import { readSnapshot, snapshotSettled } from './snapshot';
import type { JobOutcome, ResultOptions } from './types';
import { isSettledTurnStatus } from './watch';

/**
 * Current state: the `state` query merged with describe() (live progress from heartbeats). While
 * a plan waits, `plan.text` is the whole plan (the turn's report), not the workflow's summary.
 */
export async function readState(ctx: JobsContext, jobId: string): Promise<JobState> {
  let state = (await readSnapshot(ctx, jobId)).state;
  state = await withCallbackDeliveries(ctx, state);
  if (state.plan) {
    const turn = state.turns.find((t) => t.turn === state.plan!.turn);
    if (turn) {
      try {
        // With the job id: an inline report is read from the job's history.
        const report = await readReport(ctx, turn, jobId);
        if (report.text) state.plan = { ...state.plan, text: report.text };
      } catch {
        // The summary stays: the report store or the API may be out of reach from here.
      }
    }
  }
  return state;
}

/**
 * The latest turn that is over and its full report. With `wait`, first waits (polling the state
 * query with backoff) until the current turn is over.
 */
export async function readOutcome(ctx: JobsContext, jobId: string, options: ResultOptions = {}): Promise<JobOutcome> {
  const started = Date.now();
  let interval = options.pollInitialIntervalMs ?? 500;
  const maxInterval = options.pollMaxIntervalMs ?? 5_000;
  let snap = await readSnapshot(ctx, jobId);
  while (options.wait && !snapshotSettled(snap)) {
    if (options.signal?.aborted) throw new JobWaitTimeoutError(jobId, `Waiting for job ${jobId} was aborted`);
    if (options.timeoutMs !== undefined && Date.now() - started >= options.timeoutMs) {
      throw new JobWaitTimeoutError(jobId, `Job ${jobId} did not finish its turn within ${options.timeoutMs} ms`);
    }
    await pause(Math.min(interval, options.timeoutMs !== undefined ? Math.max(1, options.timeoutMs - (Date.now() - started)) : interval), options.signal);
    interval = backoffMs(1, interval, maxInterval, 1.5);
    try {
      snap = await readSnapshot(ctx, jobId);
    } catch (err) {
      if (err instanceof JobNotFoundError) throw err;
      // A worker restarting cannot answer queries for a moment: keep waiting.
    }
  }
  const { state, closed } = snap;
  const settled = snapshotSettled(snap);
  const turn = [...state.turns].reverse().find((t) => isSettledTurnStatus(t.status));
  const outcome: JobOutcome = {
    jobId,
    status: settled ? (turn?.status ?? state.status) : state.status,
    reportSource: 'none',
    settled,
    closed,
    state,
  };
  if (turn) {
    outcome.turn = turn;
    const report = await readReport(ctx, turn, jobId);
    if (report.text !== undefined) outcome.report = report.text;
    outcome.reportSource = report.source;
    if (report.problem) outcome.reportProblem = report.problem;
  }
  return outcome;
}
