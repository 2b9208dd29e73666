/**
 * The webhook receiver: verify, de-duplicate, signal the job, answer fast.
 *
 * `createWebhookHandler(opts)` returns a plain Node `(req, res)` handler, usable as is with
 * `http.createServer`, mounted in Express (`app.post('/webhooks/gemini', handler)`; put it before
 * any JSON body parser, or use `express.raw({ type: '*\/*' })`), in Fastify (`reply.hijack()` then
 * `handler(request.raw, reply.raw)`) or in Hono on @hono/node-server (`c.env.incoming`,
 * `c.env.outgoing`). `handler.process(rawBody, headers)` is the same logic for frameworks that have
 * already read the body.
 *
 * Answers: 202 signalled; 200 duplicate or not for a job (nothing to do, do not retry);
 * 401 bad/stale/replayed signature (nothing signalled); 400 a signed body that is not usable JSON;
 * 405/413; 503 when Temporal cannot be reached within `signalTimeoutMs` (default 5 s) or the
 * signing keys cannot be fetched, so the API delivers again later (deliveries are retried for a
 * day). A delivery is answered as handled only once its signal was accepted: its id is remembered
 * only then, and a second delivery of an id whose signal is still in flight waits for that one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { WebhookNotice } from '../contract';
import { webhookSignal } from '../../workflows/definitions';
import { RecentIds } from './dedupe';
import { deliveryFacts } from './payload';
import { verifyDelivery, type VerifyOptions } from './verify';
import { WebhookConfigError } from './env';

export type Deliver = (jobId: string, notice: WebhookNotice, deadline: number) => Promise<'delivered' | 'job_not_found'>;

export type WebhookLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface WebhookHandlerOptions extends VerifyOptions {
  /** Temporal client used to signal `interactionWebhook` to the job's workflow (workflow id = job id). */
  client?: Client;
  /** Custom delivery instead of `client` (tests, queues): `job_not_found` when the job is gone; `deadline` in ms since epoch. */
  deliver?: Deliver;
  /** Largest body accepted (bytes). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Recently seen webhook ids (default: 24 h, 100,000 ids, in memory). */
  dedupe?: RecentIds;
  /**
   * Longest wait for the signal to be accepted (ms) before answering 503. Default 5,000: below
   * the 10 s a Standard Webhooks sender waits for an answer, so the sender sees the 503 and retries.
   */
  signalTimeoutMs?: number;
  log?: WebhookLog;
}

export interface WebhookResponse {
  status: number;
  body: { ok: boolean; result: string; reason?: string };
}

/** Counters of a handler, for tests and metrics. */
export interface WebhookHandlerStats {
  received: number;
  signalled: number;
  duplicates: number;
  rejected: number;
  ignored: number;
  jobNotFound: number;
  unavailable: number;
}

export interface WebhookHandler {
  (req: IncomingMessage & { body?: unknown; rawBody?: unknown }, res: ServerResponse): Promise<void>;
  /** The same logic on an already-read raw body. */
  process(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookResponse>;
  readonly stats: WebhookHandlerStats;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
export const DEFAULT_SIGNAL_TIMEOUT_MS = 5_000;

class SignalTimeout extends Error {}

/** `p`, or a SignalTimeout after `ms` (a hung `deliver` must not hold the sender past its own timeout). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SignalTimeout(`not accepted within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

class BodyTooLarge extends Error {}

function readRaw(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, r: WebhookResponse): void {
  if (res.headersSent) return;
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Signals `interactionWebhook` through a Temporal client, with `deadline` as the RPC's deadline. */
export function signalThroughClient(client: Client): Deliver {
  return async (jobId, notice, deadline) => {
    try {
      await client.connection.withDeadline(deadline, () => client.workflow.getHandle(jobId).signal(webhookSignal, notice));
      return 'delivered';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'job_not_found';
      throw err;
    }
  };
}

/** Builds the receiver (see the module comment). */
export function createWebhookHandler(opts: WebhookHandlerOptions): WebhookHandler {
  const deliver = opts.deliver ?? (opts.client ? signalThroughClient(opts.client) : undefined);
  if (!deliver) throw new WebhookConfigError('createWebhookHandler needs `client` (a Temporal Client) or `deliver`');
  if ((opts.secrets?.length ?? 0) === 0 && !opts.jwksUrl && !opts.jwks) {
    throw new WebhookConfigError(
      'createWebhookHandler needs a signing secret (GEMINI_WEBHOOK_SECRET) or a JWKS (GEMINI_WEBHOOK_JWKS_URL): unverified deliveries are never accepted',
    );
  }
  const dedupe = opts.dedupe ?? new RecentIds();
  const log: WebhookLog = opts.log ?? (() => undefined);
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const stats: WebhookHandlerStats = { received: 0, signalled: 0, duplicates: 0, rejected: 0, ignored: 0, jobNotFound: 0, unavailable: 0 };

  const signalTimeoutMs = opts.signalTimeoutMs ?? DEFAULT_SIGNAL_TIMEOUT_MS;
  /** Signals in flight by webhook id: a second delivery of the id waits for the first's outcome. */
  const inflight = new Map<string, Promise<WebhookResponse>>();

  const signal = async (jobId: string, notice: WebhookNotice, fingerprint: string): Promise<WebhookResponse> => {
    try {
      const outcome = await within(deliver(jobId, notice, Date.now() + signalTimeoutMs), signalTimeoutMs);
      dedupe.remember(notice.webhookId, fingerprint);
      if (outcome === 'job_not_found') {
        stats.jobNotFound++;
        log('info', 'webhook for a job that is not running', { jobId, interactionId: notice.interactionId, eventType: notice.eventType });
        return { status: 200, body: { ok: true, result: 'job_not_found' } };
      }
      stats.signalled++;
      return { status: 202, body: { ok: true, result: 'signalled' } };
    } catch (err) {
      stats.unavailable++;
      log('warn', 'webhook could not be signalled; the sender will retry', { jobId, error: (err as Error).message });
      return { status: 503, body: { ok: false, result: 'unavailable', reason: 'Temporal could not be reached in time; retry later' } };
    }
  };

  const process = async (rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookResponse> => {
    stats.received++;
    const verified = await verifyDelivery(rawBody, headers, opts);
    if (!verified.ok) {
      if (verified.retryable) {
        stats.unavailable++;
        log('warn', 'webhook not judged: signing keys unavailable; the sender will retry', { reason: verified.reason });
        return { status: 503, body: { ok: false, result: 'unavailable', reason: verified.reason } };
      }
      stats.rejected++;
      log('warn', 'webhook rejected', { reason: verified.reason });
      return { status: 401, body: { ok: false, result: 'rejected', reason: verified.reason } };
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      stats.rejected++;
      return { status: 400, body: { ok: false, result: 'bad_body', reason: 'the body is not JSON' } };
    }
    const facts = deliveryFacts(json);
    if ('problem' in facts) {
      stats.ignored++;
      return { status: 200, body: { ok: true, result: 'ignored', reason: facts.problem } };
    }
    if (!facts.jobId || !facts.interactionId) {
      // A subscription event that is not about a gemini-jobs job: acknowledged, nothing to do.
      stats.ignored++;
      return { status: 200, body: { ok: true, result: 'ignored', reason: 'no job named in user_metadata' } };
    }
    const id = verified.webhookId;
    const h = (name: string) => String((Array.isArray(headers[name]) ? headers[name]![0] : headers[name]) ?? '');
    const fingerprint = `${h('webhook-timestamp')} ${h('webhook-signature')}`;
    // Another delivery of this id is being signalled: its outcome decides (a failure: try again).
    for (let pending = inflight.get(id); pending; pending = inflight.get(id)) await pending.catch(() => undefined);
    const seen = dedupe.classify(id, fingerprint);
    if (seen === 'replay') {
      stats.rejected++;
      log('warn', 'webhook rejected', { reason: 'replay of a delivery already received' });
      return { status: 401, body: { ok: false, result: 'rejected', reason: 'replay of a delivery already received' } };
    }
    if (seen === 'duplicate') {
      dedupe.remember(id, fingerprint);
      stats.duplicates++;
      return { status: 200, body: { ok: true, result: 'duplicate' } };
    }
    const notice: WebhookNotice = { webhookId: id, eventType: facts.eventType, interactionId: facts.interactionId };
    if (facts.turn !== undefined) notice.turn = facts.turn;
    if (facts.status !== undefined) notice.status = facts.status;
    const attempt = signal(facts.jobId, notice, fingerprint);
    inflight.set(id, attempt);
    try {
      return await attempt;
    } finally {
      if (inflight.get(id) === attempt) inflight.delete(id);
    }
  };

  const handler = (async (req, res) => {
    try {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return send(res, { status: 405, body: { ok: false, result: 'method_not_allowed' } });
      }
      let raw: Buffer;
      const pre = req.rawBody ?? req.body;
      if (Buffer.isBuffer(pre)) raw = pre;
      else if (typeof pre === 'string') raw = Buffer.from(pre, 'utf8');
      else if (pre !== undefined && pre !== null && typeof pre === 'object' && Object.keys(pre).length > 0) {
        // A framework parsed the JSON already: the exact bytes that were signed are gone.
        return send(res, {
          status: 400,
          body: { ok: false, result: 'bad_body', reason: 'the body was parsed before the webhook handler; mount it before JSON parsers (express.raw)' },
        });
      } else raw = await readRaw(req, max);
      if (raw.length > max) return send(res, { status: 413, body: { ok: false, result: 'too_large' } });
      send(res, await process(raw, req.headers));
    } catch (err) {
      if (err instanceof BodyTooLarge) return send(res, { status: 413, body: { ok: false, result: 'too_large' } });
      send(res, { status: 500, body: { ok: false, result: 'error' } });
    }
  }) as WebhookHandler;
  handler.process = process;
  Object.defineProperty(handler, 'stats', { value: stats });
  return handler;
}
