/**
 * Steps: open or resume the stream, and decide after each connection.
 *
 * `readConnection` follows one connection (`GET …?stream=true&last_event_id=…`) with its quiet
 * probe and reports how it ended; `afterConnection` turns that into the next move: the turn's
 * outcome, reconnect, or hand over to polling. `followStream` loops the two until the run
 * settles or polling takes over (after `maxStreamFailures` connections without progress, or once
 * the stream lied about the end).
 */
import { backoffMs, withJitter } from '../../src/common/backoff';
import { retryVerdict } from '../../src/interactions/retry-table';
import type { InteractionEvent } from '../../src/interactions/types';
import { countStreamReconnect, recordResumeLag } from '../../src/telemetry/metrics';
import { errorCode, toActivityFailure } from '../failure-mapping';
import { sleep, throwIfCancelled, type FollowContext } from './context';
import { QuietProbe, type ProbeFinding } from './probe';
import { isNotFoundLike, readInteraction, waitOutNotFound } from './read';
import { commitLive, outcomeOf, type FollowState, type Outcome } from './state';
import type { BudgetExceeded } from '../../src/contract/budget';

/** How one connection ended. `claimedEnd`: an event on it said the run ended (a GET still confirms). */
export type ConnectionEnd =
  | { kind: 'read-to-end' }
  | { kind: 'probed'; finding: ProbeFinding; claimedEnd: boolean }
  | { kind: 'broken'; err: unknown; claimedEnd: boolean }
  | { kind: 'over-budget'; exceeded: BudgetExceeded };

/** What to do after a connection. */
export type NextMove = Outcome | { kind: 'reconnect' } | { kind: 'poll' };

/** Follows one stream connection from the checkpoint's cursor until it ends, breaks, or the probe or the budget ends it. */
export async function readConnection(ctx: FollowContext, st: FollowState): Promise<ConnectionEnd> {
  // One controller per connection: the probe may end it without cancelling the activity.
  const connection = new AbortController();
  const onCancel = () => connection.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  const probe = new QuietProbe(ctx, st, connection);
  st.progressed = false;
  try {
    ctx.checkpoints.beat(st.cp.streamFailures > 0 ? 'reconnecting' : 'streaming');
    // The stream object connects on iteration; its errors surface in the loop below.
    const stream = ctx.client.get(ctx.input.interactionId, {
      stream: true,
      ...(st.cp.lastEventId ? { lastEventId: st.cp.lastEventId } : {}),
      signal: connection.signal,
      maxRetries: 0,
      idleTimeoutMs: ctx.settings.stallMs,
    }) as AsyncIterable<InteractionEvent>;
    st.cp.mode = 'streaming';
    probe.arm();
    // Each new event once (a cursor the server ignored included); truncation throws.
    st.resume.beginConnection();
    for await (const ev of stream) {
      if (!st.resume.accept(ev)) continue;
      noteEvent(ctx, st, probe);
      // The last event of a run (it keeps its real outcome even if its last usage is over).
      if (ev.event_type === 'interaction.completed') break;
      const exceeded = ctx.guard.exceeded(st.resume.live.usage, st.resume.live.toolCalls);
      if (exceeded) {
        // The events applied so far count, the one that crossed the limit included.
        commitLive(st);
        return { kind: 'over-budget', exceeded };
      }
    }
    st.resume.endConnection();
    commitLive(st);
    return { kind: 'read-to-end' };
  } catch (err) {
    throwIfCancelled(ctx);
    const claimedEnd = st.resume.sawEnd;
    return probe.finding ? { kind: 'probed', finding: probe.finding, claimedEnd } : { kind: 'broken', err, claimedEnd };
  } finally {
    probe.stop();
    ctx.signal.removeEventListener('abort', onCancel);
    if (!connection.signal.aborted) connection.abort(new Error('connection done'));
  }
}

function noteEvent(ctx: FollowContext, st: FollowState, probe: QuietProbe): void {
  if (st.resumedFromMs !== undefined) {
    recordResumeLag(ctx.clock.now() - st.resumedFromMs);
    st.resumedFromMs = undefined;
  }
  delete st.cp.notFoundSince; // the stream opens lazily: only an event proves the interaction exists
  probe.heard();
}

/** The next move after a connection ended as `end` (GETs the status where the stream cannot tell). */
export async function afterConnection(ctx: FollowContext, st: FollowState, end: ConnectionEnd): Promise<NextMove> {
  if (end.kind === 'over-budget') return end;
  if (end.kind === 'probed' && end.finding.verdict === 'settled') {
    // The run ended and the stream missed it: the probe's GET is the truth.
    st.cp.streamedFromStart = false;
    return outcomeOf(end.finding.interaction) ?? { kind: 'unknown', interaction: end.finding.interaction };
  }
  let trustStream = end.kind === 'read-to-end' ? false : !end.claimedEnd;
  if (end.kind !== 'read-to-end') {
    const code = end.kind === 'probed' ? 'stream_stalled' : errorCode(end.err);
    if (end.kind === 'broken') {
      if (isNotFoundLike(code)) {
        await waitOutNotFound(ctx, st, end.err, st.cp.streamFailures);
        return { kind: 'reconnect' };
      }
      const verdict = retryVerdict(end.err);
      // A final error of the request itself goes to Temporal; a final error written INTO the
      // stream is the server's word on the run: a GET decides, and the stream is not tried again.
      if (verdict?.code === 'stream_error' && !verdict.retryable) trustStream = false;
      else if (verdict !== undefined && !verdict.retryable) throw toActivityFailure(end.err);
    }
    countFailure(ctx, st, code);
    // The probe proved the run alive and ahead of us: reconnect at once, no extra GET.
    if (end.kind === 'probed' && st.cp.streamFailures < ctx.settings.maxStreamFailures) return { kind: 'reconnect' };
  }
  // The stream said it ended (or broke): the status is only known once a GET reads it back.
  const interaction = await readInteraction(ctx, st);
  const outcome = outcomeOf(interaction);
  if (outcome) return outcome;
  if (!trustStream) {
    // The stream claimed an end (or sent a final error) but GET says running: poll from now on.
    st.cp.streamFailures = ctx.settings.maxStreamFailures;
    return { kind: 'poll' };
  }
  if (st.cp.streamFailures >= ctx.settings.maxStreamFailures) return { kind: 'poll' };
  await sleep(ctx, withJitter(backoffMs(st.cp.streamFailures - 1, 500, 5_000)));
  return { kind: 'reconnect' };
}

/** A connection ended without the run's end: one more failure, unless it made progress (then the count restarts at 1). */
function countFailure(ctx: FollowContext, st: FollowState, code: string | undefined): void {
  // Id-less events after the checkpoint come again on the next connection: the resume skips them.
  st.cp.streamFailures = st.progressed ? 1 : st.cp.streamFailures + 1;
  ctx.deps.log.info('follow: stream interrupted', { ...ctx.logFields, code: code ?? 'unknown', lastEventId: st.cp.lastEventId, failures: st.cp.streamFailures });
  countStreamReconnect();
}

/** The stream phase: connections until the run settles (its outcome), or undefined when polling takes over. */
export async function followStream(ctx: FollowContext, st: FollowState): Promise<Outcome | undefined> {
  while (st.cp.streamFailures < ctx.settings.maxStreamFailures && st.cp.mode !== 'polling') {
    throwIfCancelled(ctx);
    const next = await afterConnection(ctx, st, await readConnection(ctx, st));
    if (next.kind === 'poll') break;
    if (next.kind !== 'reconnect') return next;
  }
  st.cp.streamedFromStart = false;
  ctx.deps.log.info('follow: falling back to polling', { ...ctx.logFields, failures: st.cp.streamFailures });
  return undefined;
}
