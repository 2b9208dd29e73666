/**
 * `cancelInteraction`: stops a remote run and confirms it. A cancel is confirmed only by reading a
 * terminal status back with GET: `POST …/cancel` has answered 404 "Method not found" for Deep
 * Research runs, and 400 for runs that already finished, so neither answer is trusted on its own.
 * While the status is not terminal the POST is repeated (with backoff) until `confirmTimeoutMs`.
 * The result says what the POST answered and, separately, what became of the run: a 200 for a
 * run that had already completed is `already_finished`, not a cancel.
 */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { Interaction } from '../src/interactions/types';
import { isSettledStatus } from '../src/interactions/types';
import { errorCode, toActivityFailure } from './failure-mapping';
import { backoffMs, withJitter } from '../src/common/backoff';
import { sleepMs, throwIfCancelled, type ResolvedDeps } from './deps';
import type { CancelInteractionInput, CancelInteractionResult } from './types';

const DEFAULT_CONFIRM_TIMEOUT_MS = 60_000;
/** Per-request timeout (ms), below the activity's 30 s heartbeat timeout. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The cancel POST's 200 answer, by the status of the run it returned. */
function answerOf(status: string): CancelInteractionResult['cancelAnswer'] {
  if (status === 'cancelled') return 'cancelled';
  return isSettledStatus(status) ? 'already_finished' : 'accepted';
}

export function makeCancelInteraction(deps: ResolvedDeps) {
  return async function cancelInteraction(input: CancelInteractionInput): Promise<CancelInteractionResult> {
    return cancelAndConfirm(deps, input, (details) => heartbeat(details));
  };
}

/**
 * Cancels and confirms by reading a terminal status back (the body of `cancelInteraction`).
 * `beat` is called once per round: the follow activity passes its own checkpoint heartbeat.
 */
export async function cancelAndConfirm(deps: ResolvedDeps, input: CancelInteractionInput, beat: (details: unknown) => void): Promise<CancelInteractionResult> {
  const client = deps.client();
  const signal = cancellationSignal();
  const info = activityInfo();
  const logFields = { jobId: input.jobId, interactionId: input.interactionId, attempt: info.attempt };
  const started = deps.now();
  const confirmTimeoutMs = input.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  let answer: CancelInteractionResult['cancelAnswer'] | undefined;
  let last: Interaction | undefined;

  for (let n = 0; ; n++) {
    throwIfCancelled();
    beat({ interactionId: input.interactionId, attemptInLoop: n, answer });
    if (answer === undefined || answer === 'not_supported') {
      try {
        last = await client.cancel(input.interactionId, { signal, maxRetries: 0, timeoutMs: REQUEST_TIMEOUT_MS });
        answer = answerOf(String(last.status));
      } catch (err) {
        throwIfCancelled();
        const code = errorCode(err);
        if (code === 'not_found') answer = 'not_supported';
        else if (code === 'bad_request' || code === 'conflict' || code === 'unprocessable') answer = 'already_finished';
        else throw toActivityFailure(err); // unauthenticated, permission_denied, 5xx, network: Temporal decides.
        deps.log.info('cancel: POST answered an error; confirming by GET', { ...logFields, code, answer });
      }
    }
    if (!last || !isSettledStatus(String(last.status))) {
      try {
        last = await client.get(input.interactionId, { signal, maxRetries: 0, timeoutMs: REQUEST_TIMEOUT_MS });
      } catch (err) {
        throwIfCancelled();
        const code = errorCode(err);
        if (code === 'not_found' && answer === 'not_supported' && n >= 2) {
          // Neither the cancel route nor the interaction exists (e.g. a refused, never-stored run).
          return { upstreamStatus: 'not_found', confirmed: true, cancelAnswer: 'not_found', outcome: 'not_found' };
        }
        if (code !== 'not_found' && code !== 'permission_denied') throw toActivityFailure(err);
      }
    }
    if (last && isSettledStatus(String(last.status))) {
      deps.log.info('cancel: confirmed', { ...logFields, upstreamStatus: last.status, answer });
      const upstreamStatus = String(last.status);
      const result: CancelInteractionResult = {
        upstreamStatus,
        confirmed: true,
        cancelAnswer: answer ?? 'accepted',
        outcome: upstreamStatus === 'cancelled' ? 'cancelled' : 'already_finished',
      };
      if (last.usage) result.usage = last.usage;
      return result;
    }
    if (deps.now() - started >= confirmTimeoutMs) {
      deps.log.warn('cancel: not confirmed in time; the remote run may still be running', { ...logFields, upstreamStatus: last?.status, answer });
      return { upstreamStatus: String(last?.status ?? 'unknown'), confirmed: false, cancelAnswer: answer ?? 'not_supported', outcome: 'unconfirmed' };
    }
    await sleepMs(withJitter(backoffMs(n, 250, 5_000)));
  }
}
