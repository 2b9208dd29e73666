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
 * 401 bad/stale/replayed signature (nothing signalled); 400 unusable body; 405/413; 503 when
 * Temporal or the signing keys cannot be reached, so the API delivers again later (deliveries are
 * retried for a day).
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

export type WebhookLog = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;

export interface WebhookHandlerOptions extends VerifyOptions {
  /** Temporal client used to signal `interactionWebhook` to the job's workflow (workflow id = job id). */
  client?: Client;
  /** Custom delivery instead of `client` (tests, queues): `job_not_found` when the job is gone. */
  deliver?: (jobId: string, notice: WebhookNotice) => Promise<'delivered' | 'job_not_found'>;
  /** Largest body accepted (bytes). Default 1 MiB. */
  maxBodyBytes?: number;
  /** Recently seen webhook ids (default: 24 h, 100,000 ids, in memory). */
  dedupe?: RecentIds;
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

/** Signals `interactionWebhook` through a Temporal client. */
export function signalThroughClient(client: Client): (jobId: string, notice: WebhookNotice) => Promise<'delivered' | 'job_not_found'> {
  return async (jobId, notice) => {
    try {
      await client.workflow.getHandle(jobId).signal(webhookSignal, notice);
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
    const h = (name: string) => String((Array.isArray(headers[name]) ? headers[name]![0] : headers[name]) ?? '');
    const seen = dedupe.check(verified.webhookId, `${h('webhook-timestamp')} ${h('webhook-signature')}`);
    if (seen === 'replay') {
      stats.rejected++;
      log('warn', 'webhook rejected', { reason: 'replay of a delivery already received' });
      return { status: 401, body: { ok: false, result: 'rejected', reason: 'replay of a delivery already received' } };
    }
    if (seen === 'duplicate') {
      stats.duplicates++;
      return { status: 200, body: { ok: true, result: 'duplicate' } };
    }
    const notice: WebhookNotice = { webhookId: verified.webhookId, eventType: facts.eventType, interactionId: facts.interactionId };
    if (facts.turn !== undefined) notice.turn = facts.turn;
    if (facts.status !== undefined) notice.status = facts.status;
    try {
      const outcome = await deliver(facts.jobId, notice);
      if (outcome === 'job_not_found') {
        stats.jobNotFound++;
        log('info', 'webhook for a job that is not running', { jobId: facts.jobId, interactionId: facts.interactionId, eventType: facts.eventType });
        return { status: 200, body: { ok: true, result: 'job_not_found' } };
      }
      stats.signalled++;
      return { status: 202, body: { ok: true, result: 'signalled' } };
    } catch (err) {
      dedupe.forget(verified.webhookId);
      stats.unavailable++;
      log('warn', 'webhook could not be signalled; the sender will retry', { jobId: facts.jobId, error: (err as Error).message });
      return { status: 503, body: { ok: false, result: 'unavailable', reason: 'Temporal could not be reached; retry later' } };
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
