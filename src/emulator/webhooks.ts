/** In-memory Gemini webhooks resource (CRUD, `:ping`, `:rotateSigningSecret`); delivery is in delivery.ts. */
import { randomBytes } from 'node:crypto';
import { invalid, notFound } from './errors';
import { isRecord, type JsonRecord } from './wire';

interface StoredWebhook {
  id: string;
  name?: string;
  uri: string;
  subscribed_events: string[];
  state: string;
  secrets: Array<{ secret: string; expire_time?: string }>;
  create_time: string;
  update_time: string;
  pings: number;
}

function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class WebhookStore {
  private readonly hooks = new Map<string, StoredWebhook>();
  private seq = 0;

  private view(h: StoredWebhook): JsonRecord {
    const out: JsonRecord = {
      id: h.id,
      uri: h.uri,
      subscribed_events: h.subscribed_events,
      state: h.state,
      signing_secrets: h.secrets.map((s) => ({ truncated_secret: `${s.secret.slice(0, 10)}…`, ...(s.expire_time ? { expire_time: s.expire_time } : {}) })),
      create_time: h.create_time,
      update_time: h.update_time,
    };
    if (h.name !== undefined) out['name'] = h.name;
    return out;
  }

  private get(id: string): StoredWebhook {
    const h = this.hooks.get(id);
    if (!h) throw notFound(`Webhook ${id} not found.`);
    return h;
  }

  /** Enabled subscriptions of `eventType` and their live secrets (delivery.ts signs with every one). */
  targetsFor(eventType: string, nowMs = Date.now()): Array<{ uri: string; secrets: string[] }> {
    return [...this.hooks.values()]
      .filter((h) => h.state === 'enabled' && h.subscribed_events.includes(eventType))
      .map((h) => ({ uri: h.uri, secrets: h.secrets.filter((s) => !s.expire_time || Date.parse(s.expire_time) > nowMs).map((s) => s.secret) }));
  }

  /** Handles `rest` = `webhooks`, `webhooks/{id}`, `webhooks/{id}:ping`, `webhooks/{id}:rotateSigningSecret`. */
  handle(method: string, id: string | undefined, action: string | undefined, body: unknown, query: URLSearchParams): JsonRecord {
    const now = new Date().toISOString();
    if (id === undefined) {
      if (method === 'POST') {
        if (!isRecord(body)) throw invalid('Invalid JSON payload received.');
        if (typeof body['uri'] !== 'string' || !body['uri']) throw invalid('uri is required.');
        const events = body['subscribed_events'];
        if (!Array.isArray(events) || events.length === 0 || !events.every((e) => typeof e === 'string')) throw invalid('subscribed_events must be a non-empty list of strings.');
        const secret = newSecret();
        const hook: StoredWebhook = {
          id: `wh_${(++this.seq).toString(36)}${randomBytes(4).toString('hex')}`,
          uri: body['uri'],
          subscribed_events: events as string[],
          state: 'enabled',
          secrets: [{ secret }],
          create_time: now,
          update_time: now,
          pings: 0,
        };
        if (typeof body['name'] === 'string') hook.name = body['name'];
        this.hooks.set(hook.id, hook);
        return { ...this.view(hook), new_signing_secret: secret };
      }
      if (method === 'GET') {
        const all = [...this.hooks.values()];
        const size = Math.max(1, Number(query.get('page_size') ?? 50) || 50);
        const start = Number(query.get('page_token') ?? 0) || 0;
        const page = all.slice(start, start + size).map((h) => this.view(h));
        const out: JsonRecord = { webhooks: page };
        if (start + size < all.length) out['next_page_token'] = String(start + size);
        return out;
      }
      throw notFound('Method not found.');
    }
    const hook = this.get(id);
    if (action === 'ping' && method === 'POST') {
      hook.pings++;
      return {};
    }
    if (action === 'rotateSigningSecret' && method === 'POST') {
      const secret = newSecret();
      const revoke = isRecord(body) && body['revocation_behavior'] === 'revoke_previous_secrets_immediately';
      const expire = new Date(Date.now() + 24 * 3600_000).toISOString();
      hook.secrets = revoke ? [{ secret }] : [{ secret }, ...hook.secrets.map((s) => ({ ...s, expire_time: s.expire_time ?? expire }))];
      hook.update_time = now;
      return { secret };
    }
    if (action !== undefined) throw notFound('Method not found.');
    if (method === 'GET') return this.view(hook);
    if (method === 'DELETE') {
      this.hooks.delete(id);
      return {};
    }
    if (method === 'PATCH') {
      if (!isRecord(body)) throw invalid('Invalid JSON payload received.');
      const mask = (query.get('update_mask') ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const fields = mask.length > 0 ? mask : Object.keys(body);
      for (const f of fields) {
        if (f === 'uri' && typeof body['uri'] === 'string') hook.uri = body['uri'];
        else if (f === 'name' && typeof body['name'] === 'string') hook.name = body['name'];
        else if (f === 'state' && typeof body['state'] === 'string') hook.state = body['state'];
        else if (f === 'subscribed_events' && Array.isArray(body['subscribed_events'])) hook.subscribed_events = body['subscribed_events'] as string[];
        else throw invalid(`Cannot update field ${JSON.stringify(f)}.`);
      }
      hook.update_time = now;
      return this.view(hook);
    }
    throw notFound('Method not found.');
  }
}
