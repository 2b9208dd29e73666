/**
 * `createInteraction`: the one non-idempotent call of a job (POST /interactions has no idempotency
 * key). It is made so that Temporal never repeats it once its answer is known:
 *
 * - the client's own retries are off (`maxRetries: 0`), so only Temporal retries, and only on a
 *   failure that left no interaction id behind;
 * - the returned id is heartbeated the instant the response arrives; a retried attempt finds it in
 *   `heartbeatDetails` and returns it without creating again.
 *
 * Remaining duplicate window (for the README): if the worker dies after the server accepted the
 * POST but before either the id heartbeat or the activity result reached Temporal (about one
 * round trip), the retry creates a second interaction; the first one keeps running unobserved.
 * A create whose answer is lost to a timeout or a reset connection is ambiguous in the same way.
 */
import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { CreateInteractionRequest } from '../src/interactions/types';
import { toActivityFailure } from './failure-mapping';
import { hadNoEffect } from '../src/interactions/retry-table';
import { reportThrottle } from './admission';
import { throwIfCancelled, type ResolvedDeps } from './deps';
import { webhookConfigFor } from './webhook-config';
import { ensureSweeper } from './sweep';
import type { CreateCheckpoint, CreateInteractionInput, CreateInteractionResult } from './types';

/** Per-request timeout of the create POST (ms); below the activity's 2-minute startToClose. */
export const CREATE_TIMEOUT_MS = 90_000;
/** Keepalive heartbeat while a slow POST is in flight (ms), well inside the 15 s heartbeat timeout. */
const CREATE_KEEPALIVE_MS = 4_000;
/**
 * When the job is cancelled while the POST is in flight, how long its answer may still arrive (ms):
 * an answer with an id lets the workflow cancel that interaction instead of leaving it unobserved.
 */
export const CREATE_CANCEL_GRACE_MS = 3_000;

/**
 * True when a failed create provably created nothing (the retry table's `noEffect`): the request
 * never left (validation, DNS, refused, TLS, connect timeout), or the API answered with a 4xx
 * refusal. Anything else (a 5xx, a reset or timeout after sending, a crash) may have created an
 * interaction.
 */
export function createdNothing(err: unknown): boolean {
  return hadNoEffect(err);
}

export function makeCreateInteraction(deps: ResolvedDeps) {
  return async function createInteraction(input: CreateInteractionInput): Promise<CreateInteractionResult> {
    const info = activityInfo();
    const previous = info.heartbeatDetails as CreateCheckpoint | undefined;
    const logFields = { jobId: input.jobId, turn: input.turn, attempt: info.attempt };
    if (previous && previous.phase === 'created' && previous.interactionId) {
      deps.log.info('create: recovered interaction id from heartbeat, not creating again', { ...logFields, interactionId: previous.interactionId });
      if (input.webhook) await ensureSweeper(deps, input.jobId);
      return { interactionId: previous.interactionId, status: previous.status, recovered: true };
    }
    // An earlier attempt that did not record `not-created` may have reached the API: its answer
    // was lost (a crash, a reset connection, a timeout), so a second interaction may exist.
    const ambiguous = info.attempt > 1 && previous?.phase !== 'not-created';
    if (ambiguous) deps.log.warn('create: a previous attempt may have created an interaction whose answer was lost; a duplicate interaction may exist', logFields);

    const body = {
      ...(input.request as Record<string, unknown>),
      background: true,
      store: true,
      ...(input.previousInteractionId ? { previous_interaction_id: input.previousInteractionId } : {}),
    } as Record<string, unknown>;
    delete body.stream; // a create never streams: the follow activity attaches to the stored run.
    if (input.webhook) body.webhook_config = webhookConfigFor(deps, input, body.webhook_config);
    // No heartbeat before the POST (each one is a billable action): the attempt number tells a
    // retry that a POST may have gone out. A slow POST still beats, to stay inside the heartbeat timeout.
    const checkpoint: CreateCheckpoint = { phase: 'creating' };
    const keepalive = setInterval(() => heartbeat(checkpoint), CREATE_KEEPALIVE_MS);
    // A cancel does not abort the POST at once: its answer may still name the interaction to cancel.
    const request = new AbortController();
    const cancelled = cancellationSignal();
    let grace: NodeJS.Timeout | undefined;
    const onCancel = () => (grace = setTimeout(() => request.abort(cancelled.reason), CREATE_CANCEL_GRACE_MS));
    if (cancelled.aborted) onCancel();
    else cancelled.addEventListener('abort', onCancel, { once: true });
    let interaction;
    try {
      interaction = await deps.client().create(body as unknown as CreateInteractionRequest & { stream?: false }, {
        signal: request.signal,
        maxRetries: 0,
        timeoutMs: CREATE_TIMEOUT_MS,
      });
    } catch (err) {
      if (createdNothing(err)) {
        // Tell the next attempt that nothing was created, so it does not warn about a duplicate.
        heartbeat({ phase: 'not-created' } satisfies CreateCheckpoint);
      }
      throwIfCancelled();
      deps.log.warn('create: failed', { ...logFields, code: (err as { code?: string }).code, createdNothing: createdNothing(err) });
      // A quota refusal slows admission for every job on this credential, not just this one.
      const e = err as { status?: number; retryAfterMs?: number };
      if (input.admission && e.status === 429) await reportThrottle(deps, input.admission.limiterId, input.admission.ticket, e.retryAfterMs ?? 1_000);
      throw toActivityFailure(err);
    } finally {
      clearInterval(keepalive);
      if (grace) clearTimeout(grace);
      cancelled.removeEventListener('abort', onCancel);
    }
    const created: CreateCheckpoint = { phase: 'created', interactionId: interaction.id, status: String(interaction.status) };
    heartbeat(created);
    deps.log.info('create: interaction created', { ...logFields, interactionId: interaction.id, status: interaction.status });
    // The job is about to wait for its webhook: the backstop sweeper must be running.
    if (input.webhook) await ensureSweeper(deps, input.jobId);
    return { interactionId: interaction.id, status: String(interaction.status), recovered: false, ...(ambiguous ? { ambiguous } : {}) };
  };
}
