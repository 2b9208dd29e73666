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
 * body names the interaction, names the signature scheme the delivery used (`v1a` Ed25519, `v1`
 * HMAC or a JWT) and verifies it exactly as the receiver would (`verify`: the JWKS and secrets
 * the receiver is configured with), so `ok` means the receiver will accept Google's deliveries.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTerminalStatus } from '../interactions/types';
import { DEFAULT_GEMINI_JWKS_URL, signatureSchemes, verifyDelivery, type VerifyOptions, type VerifyResult, type WebhookScheme } from '../interactions/webhook-signature';
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
  /** How the receiver verifies deliveries (its JWKS and secrets); without it the scheme is only named. */
  verify?: VerifyOptions;
}

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  raw: Buffer;
}

/**
 * The keys the receiver would use: `GEMINI_WEBHOOK_JWKS_URL` and `GEMINI_WEBHOOK_SECRET` as the
 * receiver reads them; without a JWKS URL, the set of the API origin the client talks to (Google's
 * published set, or an emulator's when `GEMINI_JOBS_BASE_URL` points there).
 */
export function receiverVerifyOptions(env: NodeJS.ProcessEnv, routing: { origin: string; originOverridden: boolean }): VerifyOptions {
  const jwksUrl = env.GEMINI_WEBHOOK_JWKS_URL?.trim() || (routing.originOverridden ? `${routing.origin.replace(/\/$/, '')}/.well-known/jwks.json` : DEFAULT_GEMINI_JWKS_URL);
  const secrets = (env.GEMINI_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => /^whsec_[A-Za-z0-9+/=]+$/.test(x));
  return { jwksUrl, secrets };
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

const SCHEME_NAMES: Record<WebhookScheme | 'unknown', string> = {
  v1a: 'v1a (Ed25519)',
  v1: 'v1 (HMAC-SHA256)',
  jwt: 'JWT',
  unknown: 'unrecognised',
};

/** Signature scheme(s) of a `webhook-signature` value (never the value). */
export function signatureScheme(value: string | undefined): string {
  const schemes = signatureSchemes(value);
  return schemes.length === 0 ? 'none' : schemes.map((s) => SCHEME_NAMES[s]).join(' + ');
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
        (raw) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
          this.deliveries.push({ headers, body: raw.toString('utf8'), raw });
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

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1024 * 1024) req.destroy(new Error('delivery too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
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
    const seen = await awaitDelivery(listener, (d) => d.body.includes(interactionId) || d.body.includes(nonce), opts);
    ctx.add(deliveryLine(seen, interactionId, nonce, listener.deliveries.length, opts, final.status));
  } catch (err) {
    ctx.add({ id: 'webhook', result: 'failed', detail: describeError(err), ...(id ? { where: id } : {}) });
  } finally {
    await listener.close();
    if (id) await ctx.delete(id).catch(() => false);
  }
}

interface Seen {
  delivery: Delivery;
  verified?: VerifyResult;
}

/** The first matching delivery that verifies, else the first matching one, within `waitMs`. */
async function awaitDelivery(listener: Listener, matches: (d: Delivery) => boolean, opts: WebhookProbeOptions): Promise<Seen | undefined> {
  const deadline = Date.now() + opts.waitMs;
  const checked = new Set<Delivery>();
  let first: Seen | undefined;
  while (Date.now() < deadline) {
    const d = await listener.waitFor((x) => matches(x) && !checked.has(x), deadline - Date.now());
    if (!d) break;
    checked.add(d);
    if (!opts.verify) return { delivery: d };
    const seen = { delivery: d, verified: await verifyDelivery(d.raw, d.headers, opts.verify) };
    if (seen.verified.ok) return seen;
    first ??= seen;
  }
  return first;
}

function deliveryLine(seen: Seen | undefined, id: string, nonce: string, total: number, opts: WebhookProbeOptions, status: string): Check {
  const waitMs = opts.waitMs;
  if (!seen) {
    return {
      id: 'webhook',
      result: 'differs',
      detail: `no delivery naming the interaction within ${Math.round(waitMs / 1000)} s after it ended ${status} (${total} other requests received)`,
      expected: 'a POST to the webhook_config URI when the interaction completes',
      where: id,
    };
  }
  const d = seen.delivery;
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
  const verified = seen.verified;
  if (verified && !verified.ok) {
    return {
      id: 'webhook',
      result: 'differs',
      detail: `delivered (type ${type}, signature ${scheme}, ${metadata}) but the receiver would refuse it: ${verified.reason}`,
      expected: `a signature the receiver verifies (v1a against ${opts.verify?.jwksUrl ?? 'the configured JWKS'}, or v1 with GEMINI_WEBHOOK_SECRET)`,
      where: id,
    };
  }
  const how = verified?.ok ? `, verified${verified.keyId ? ` (key ${verified.keyId})` : ''}` : ', not verified (no keys configured)';
  return { id: 'webhook', result: 'ok', detail: `delivered: type ${type}, Standard Webhooks headers, signature ${scheme}${how}, ${metadata}`, where: id };
}
