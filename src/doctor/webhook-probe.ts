/**
 * Webhook round trip: a tiny background model turn created with
 * `webhook_config: { uris: [<url>], user_metadata: {…} }`, then the delivery is awaited on a
 * listener the doctor runs itself. The URL is the one given (`--webhook-url`); the listener binds
 * where that URL leads on this machine: the URL's own host and port when it is loopback (port 0
 * picks a free one), else `--webhook-listen [host:]port` (e.g. the local end of a tunnel).
 *
 * The listener accepts only requests carrying this run's random token (added to the URL as
 * `doctor_token=`), answers 204 at once, and keeps headers and body. The line checks the
 * Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and that the
 * body names the interaction; it reports the signature scheme seen (it cannot verify a dynamic
 * delivery's signature without Google's keys, which `src/webhooks/` handles).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTerminalStatus } from '../interactions/types';
import { TINY_MAX_OUTPUT_TOKENS, cheap } from './model-probe';
import { describeError, type ProbeContext } from './context';
import type { Check } from './report';

export interface WebhookProbeOptions {
  /** Where the API should deliver. */
  url: string;
  /** Where to listen for it (`host:port` or `port`), when the URL is not loopback. */
  listen?: string;
  /** Longest wait for a delivery after the turn completed, in milliseconds. */
  waitMs: number;
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Where to bind for `url` / `listen`, or why the delivery cannot be observed. */
export function listenAddress(url: URL, listen: string | undefined): { host: string; port: number } | string {
  if (listen) {
    const m = /^(?:(.+):)?(\d+)$/.exec(listen.trim());
    if (!m) return `--webhook-listen must be [host:]port (got ${JSON.stringify(listen)})`;
    return { host: m[1] ?? '127.0.0.1', port: Number(m[2]) };
  }
  if (LOOPBACK.has(url.hostname))
    return { host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 };
  return `cannot observe deliveries to ${url.host}: pass --webhook-listen [host:]port where that URL forwards on this machine`;
}

/** Signature scheme of a `webhook-signature` value (never the value). */
export function signatureScheme(value: string | undefined): string {
  if (!value) return 'none';
  const first = value.trim().split(/\s+/)[0] ?? '';
  if (/^v1,/.test(first)) return 'v1 (HMAC-SHA256, Standard Webhooks)';
  if (/^v1a,/.test(first)) return 'v1a (Ed25519)';
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(first)) return 'JWT';
  return 'unrecognised';
}

class Listener {
  readonly deliveries: Delivery[] = [];
  private waiters: Array<() => void> = [];
  private server: Server | undefined;
  port = 0;

  constructor(private readonly token: string) {}

  async start(host: string, port: number): Promise<void> {
    const expected = Buffer.from(this.token);
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://doctor');
      const given = Buffer.from(url.searchParams.get('doctor_token') ?? '');
      if (req.method !== 'POST' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        res.writeHead(401).end();
        req.resume();
        return;
      }
      readBody(req).then(
        (body) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
          this.deliveries.push({ headers, body });
          res.writeHead(204).end();
          for (const w of this.waiters.splice(0)) w();
        },
        () => res.writeHead(400).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Resolves when a delivery matches `pred` or after `ms` milliseconds. */
  async waitFor(pred: (d: Delivery) => boolean, ms: number): Promise<Delivery | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.deliveries.find(pred);
      if (hit || Date.now() >= deadline) return hit;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy(new Error('delivery too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Runs the `webhook` line (skipped without a URL). */
export async function webhookProbe(ctx: ProbeContext, opts: WebhookProbeOptions | undefined): Promise<void> {
  if (!opts) {
    ctx.add({ id: 'webhook', result: 'skipped', detail: 'no --webhook-url given (a receiver URL the API can reach)' });
    return;
  }
  const over = ctx.overBudget();
  if (over) {
    ctx.add({ id: 'webhook', result: 'skipped', detail: over });
    return;
  }
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    ctx.add({ id: 'webhook', result: 'failed', detail: `--webhook-url is not a URL: ${JSON.stringify(opts.url)}` });
    return;
  }
  const where = listenAddress(url, opts.listen);
  const token = randomBytes(18).toString('base64url');
  const listener = new Listener(token);
  let id: string | undefined;
  ctx.step('webhook');
  try {
    if (typeof where !== 'string') {
      await listener.start(where.host, where.port);
      if (url.port === '0') url.port = String(listener.port);
    }
    url.searchParams.set('doctor_token', token);
    const nonce = randomBytes(8).toString('hex');
    const created = await ctx.create(
      {
        model: ctx.settings.model,
        input: 'Reply with the single word OK.',
        background: true,
        store: true,
        generation_config: cheap(TINY_MAX_OUTPUT_TOKENS),
        webhook_config: { uris: [url.toString()], user_metadata: { 'gemini-jobs-doctor': nonce } },
      },
      'webhook',
    );
    id = created.id;
    const final = await ctx.waitSettled(id, 'webhook', ctx.settings.turnTimeoutMs, isTerminalStatus);
    if (typeof where === 'string') {
      ctx.add({ id: 'webhook', result: 'skipped', detail: `the API accepted webhook_config (turn ${final.status}); ${where}`, where: id });
      return;
    }
    const interactionId = id;
    const delivery = await listener.waitFor((d) => d.body.includes(interactionId) || d.body.includes(nonce), opts.waitMs);
    ctx.add(deliveryLine(delivery, interactionId, nonce, listener.deliveries.length, opts.waitMs, final.status));
  } catch (err) {
    ctx.add({ id: 'webhook', result: 'failed', detail: describeError(err), ...(id ? { where: id } : {}) });
  } finally {
    await listener.close();
    if (id) await ctx.delete(id).catch(() => false);
  }
}

function deliveryLine(d: Delivery | undefined, id: string, nonce: string, total: number, waitMs: number, status: string): Check {
  if (!d) {
    return {
      id: 'webhook',
      result: 'differs',
      detail: `no delivery naming the interaction within ${Math.round(waitMs / 1000)} s after it ended ${status} (${total} other requests received)`,
      expected: 'a POST to the webhook_config URI when the interaction completes',
      where: id,
    };
  }
  const missing = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].filter((h) => !d.headers[h]);
  let type = 'unknown';
  try {
    const parsed = JSON.parse(d.body) as Record<string, unknown>;
    type = String(parsed['type'] ?? parsed['event_type'] ?? 'none');
  } catch {
    missing.push('a JSON body');
  }
  const metadata = d.body.includes(nonce) ? 'user_metadata echoed' : 'user_metadata not echoed';
  const scheme = signatureScheme(d.headers['webhook-signature']);
  if (missing.length > 0) {
    return {
      id: 'webhook',
      result: 'differs',
      detail: `delivery (type ${type}) lacks ${missing.join(', ')}; signature ${scheme}; ${metadata}`,
      expected: 'Standard Webhooks headers and a JSON body',
      where: id,
    };
  }
  return { id: 'webhook', result: 'ok', detail: `delivered: type ${type}, Standard Webhooks headers, signature ${scheme}, ${metadata}`, where: id };
}
