/**
 * The emulator's HTTP server: routing for the Gemini API (`/v1`, the SDKs' default, and
 * `/v1beta`, `/v1alpha`), Vertex (`/{v1,v1beta1}/projects/{p}/locations/{l}`) and Vertex express
 * (`/v1beta1`) families, auth,
 * counters, fault hooks and the interaction handlers. Runs live in `run.ts`, scripts in
 * `script.ts`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Interaction, InteractionEvent } from '../interactions/types';
import { modelOutputText } from './accumulate';
import { EmulatorHttpError, invalid, notFound, precondition } from './errors';
import { ActiveRule, BUILTIN_SCENARIOS, FaultBook, parseFaultHeader, shapeFromRules, type FaultPlan, type FaultRule, type RouteName } from './faults';
import { createRng, hash32, randomToken, type Rng } from './rng';
import { Run, type RunCounters, type RunHost } from './run';
import { RunStore } from './state';
import { Scheduler, type EmulatorClock } from './scheduler';
import { buildScript, inputToSteps, stepsText, type PreviousContext, type ScriptShape } from './script';
import { validateCreate } from './validate';
import { WebhookDelivery, eventTypeOf, type DeliveryCounters, type WebhookDeliveryOptions } from './delivery';
import { WebhookStore } from './webhooks';
import { isRecord, type JsonRecord } from './wire';
import { KeyQuota, credentialId, type KeyQuotaCounters, type KeyQuotaOptions } from './key-quota';

/** Options of {@link startEmulator}. Durations are emulated milliseconds unless stated. */
export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Emulated time runs this many times faster than real time (default 1; 600 = 20 emulated minutes in 2 s). */
  timeScale?: number;
  /** If set, only this `x-goog-api-key` (or `?key=`) is accepted; otherwise any non-empty key. */
  apiKey?: string;
  /** If set, only this Vertex `Authorization: Bearer` token is accepted; otherwise any non-empty token. */
  accessToken?: string;
  /** Emulated duration of a Deep Research run (default 20 minutes). */
  deepResearchDurationMs?: number;
  /**
   * Spread of Deep Research run durations, as real runs vary (5 to 60 minutes): each run lasts
   * `deepResearchDurationMs × (1 ± spread)`, drawn per run from the seed and its id (0 to 0.9;
   * default 0: every run exactly `deepResearchDurationMs`).
   */
  deepResearchDurationSpread?: number;
  /** Emulated duration of a model turn (default about 1 second). */
  modelTurnDurationMs?: number;
  /** Emulator-wide fault rules. */
  faults?: FaultRule[];
  /** Named fault plans, selected by the create label `emulator-scenario: <name>` (merged over the built-ins). */
  scenarios?: Record<string, FaultPlan>;
  /**
   * Per-credential create quota (creates per window, runs in flight), answered with 429 and
   * `Retry-After`; see `key-quota.ts`. Separate from the `too_many_requests` fault rule.
   */
  keyQuota?: KeyQuotaOptions;
  /** Seed of all generated content and probabilistic faults (default 0). Also makes interaction ids deterministic when set. */
  seed?: number;
  /** Receives one line per request (never containing credentials). */
  log?: (line: string) => void;
  /** Webhook delivery: signing scheme and delivery faults (duplicates, drops, failures, delays). */
  webhooks?: WebhookDeliveryOptions;
  /** Time source of every emulated delay (default: real time); tests pass a manual clock. */
  clock?: EmulatorClock;
  /**
   * Model ids accepted besides the SDKs' `KNOWN_MODELS` (tests of a new model name). Any other
   * model, and any agent not in `CURRENT_AGENTS` (retired ones included), gets the API's 404.
   */
  extraModels?: string[];
  /** Agent ids accepted besides `CURRENT_AGENTS` (custom agents made with the Agents API). */
  extraAgents?: string[];
  /**
   * Directory where stored interactions are kept (`<stateDir>/runs/`), so an emulator started
   * again on the same directory continues them by their scripts' clock: a run that was going
   * on finishes (or has finished while no emulator ran), streams resume by `last_event_id` with
   * the same event ids, cancelled and deleted runs stay so. Default: memory only.
   */
  stateDir?: string;
}

/** Per-interaction counters (the run keeps them; one type for both views). */
export type InteractionCounters = RunCounters;

export interface EmulatorCounters {
  /** Requests per route: create, create_stream, get, stream, cancel, delete, webhooks, unknown. */
  requests: Record<string, number>;
  /** Responses per HTTP status code (as a string key, e.g. "200", "429"). */
  statuses: Record<string, number>;
  /** Interactions created (including refused and store:false ones). */
  creates: number;
  /** Cancel requests that cancelled a running interaction. */
  cancels: number;
  /** Interactions deleted. */
  deletes: number;
  streamsOpened: number;
  eventsSent: number;
  /** Faults fired, per kind. */
  faults: Record<string, number>;
  /** Per interaction id. */
  interactions: Record<string, InteractionCounters>;
  /** Per credential id (`k-<hash>`), when `keyQuota` is set: creates admitted and refused, peaks. */
  quota: Record<string, KeyQuotaCounters>;
}

export interface EmulatedInteractionInfo {
  id: string;
  /** The create body as received (credential-like fields redacted). */
  request: JsonRecord;
  status: string;
  /** Events emitted so far. */
  events: number;
  /** ISO-8601 creation time. */
  created: string;
  background: boolean;
  stored: boolean;
  deleted: boolean;
  refused: boolean;
  /** `gemini`, `vertex:{project}/{location}` or `express`. */
  scope: string;
  previousInteractionId?: string;
  /** When the run reached its terminal status (or `requires_action`), ms since epoch. */
  settledAtMs?: number;
  /** Emulated milliseconds from the run's start to its last scripted event (its length if nothing interrupts it). */
  scriptedDurationMs: number;
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:39123` (pass as the SDK/client base URL). */
  readonly url: string;
  readonly port: number;
  /** Stops the server, ends every open stream and stops all runs. */
  close(): Promise<void>;
  counters(): EmulatorCounters;
  resetCounters(): void;
  /** Adds an emulator-wide fault rule; returns a function that removes it. */
  addFault(rule: FaultRule): () => void;
  /** Every interaction created so far, in creation order (deleted ones included, flagged). */
  interactions(): EmulatedInteractionInfo[];
  /** The markdown report the run produces when it completes: the text of its model_output steps. */
  canonicalReport(interactionId: string): string;
  /** The events emitted so far for an interaction, as sent on the wire. */
  eventsFor(interactionId: string): InteractionEvent[];
  /** The final Interaction as a plain GET returns it (undefined if unknown). */
  snapshot(interactionId: string): Interaction | undefined;
  /** Distinct `x-goog-user-project` values seen, in order. */
  userProjects(): string[];
  /** The OKP JWKS that verifies `v1a` (per-request) webhook deliveries (also at `GET /.well-known/jwks.json`). */
  webhookJwks(): { keys: Array<Record<string, unknown>> };
  /** Publishes a new Ed25519 signing key (the oldest of the three leaves the JWKS) and signs with it; returns its kid. */
  rotateWebhookKey(): string;
  /** The `whsec_` secret of per-request deliveries when `webhooks.dynamicSigning` is `v1`. */
  webhookSecret(): string;
  /** Webhook delivery counters. */
  webhookCounters(): DeliveryCounters;
}

interface RouteInfo {
  family: 'gemini' | 'vertex' | 'express';
  scope: string;
  resource: string;
  id?: string;
  action?: string;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Gemini API versions served (the SDKs default to v1; v1beta when asked). */
const GEMINI_VERSIONS = new Set(['v1', 'v1beta', 'v1alpha']);
/** Vertex versions served on the project path. Without a project, `v1beta1` is express mode. */
const VERTEX_VERSIONS = new Set(['v1', 'v1beta1']);

function parsePath(pathname: string): RouteInfo | undefined {
  const parts = pathname.split('/').filter(Boolean);
  let family: RouteInfo['family'];
  let scope: string;
  let rest: string[];
  const version = parts[0] ?? '';
  if (VERTEX_VERSIONS.has(version) && parts[1] === 'projects' && parts[3] === 'locations' && parts.length >= 5) {
    family = 'vertex';
    scope = `vertex:${decodeURIComponent(parts[2]!)}/${decodeURIComponent(parts[4]!)}`;
    rest = parts.slice(5);
  } else if (GEMINI_VERSIONS.has(version)) {
    // One store for every Gemini API version: v1 and v1beta serve the same interactions.
    family = 'gemini';
    scope = 'gemini';
    rest = parts.slice(1);
  } else if (version === 'v1beta1') {
    family = 'express';
    scope = 'express';
    rest = parts.slice(1);
  } else {
    return undefined;
  }
  const [resource, rawId, action, ...extra] = rest;
  if (!resource || extra.length > 0 || (resource !== 'interactions' && resource !== 'webhooks')) return undefined;
  const info: RouteInfo = { family, scope, resource };
  if (rawId !== undefined) {
    let id = decodeURIComponent(rawId);
    let act = action;
    const colon = id.indexOf(':');
    if (colon > 0 && act === undefined) {
      act = id.slice(colon + 1);
      id = id.slice(0, colon);
    }
    info.id = id;
    if (act !== undefined) info.action = act;
  } else if (action !== undefined) {
    return undefined;
  }
  return info;
}

const SECRET_KEYS = /^(api_key|apikey|headers|authorization|access_token|credential|credentials|secret|password)$/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v);
  return out;
}

class EmulatorServer implements Emulator, RunHost {
  readonly scheduler: Scheduler;
  readonly timeScale: number;
  url = '';
  port = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly runs = new Map<string, Run>();
  private readonly order: Run[] = [];
  private readonly faultRng: Rng;
  private readonly idRng: Rng;
  private readonly book: FaultBook;
  private readonly scenarios: Record<string, FaultPlan>;
  private readonly webhooks = new WebhookStore();
  private deliveryInstance: WebhookDelivery | undefined;
  private readonly projects: string[] = [];
  private readonly seed: number;
  private c!: Omit<EmulatorCounters, 'interactions' | 'quota'>;
  private readonly keyQuota: KeyQuota | undefined;
  private readonly store: RunStore | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.scheduler = new Scheduler(options.clock);
    this.timeScale = options.timeScale && options.timeScale > 0 ? options.timeScale : 1;
    this.seed = options.seed ?? 0;
    this.faultRng = createRng(hash32('faults', this.seed));
    this.idRng = createRng(options.seed !== undefined ? hash32('ids', this.seed) : randomBytes(4).readUInt32LE(0));
    this.keyQuota = options.keyQuota ? new KeyQuota(options.keyQuota, this.timeScale, () => this.scheduler.now()) : undefined;
    this.book = new FaultBook(this.faultRng, (kind) => this.countFault(kind));
    this.scenarios = { ...BUILTIN_SCENARIOS, ...(options.scenarios ?? {}) };
    for (const rule of options.faults ?? []) this.book.add(rule);
    this.resetCounters();
    this.store = options.stateDir ? new RunStore(options.stateDir) : undefined;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => this.fail(res, err));
    });
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 0;
    this.server.requestTimeout = 0;
    this.server.on('connection', (socket) => {
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Continues the runs a previous emulator kept in `stateDir`. */
  restore(): void {
    for (const saved of this.store?.load() ?? []) {
      if (this.runs.has(saved.id)) continue;
      const run = new Run({ ...saved, rules: this.scenarioRules(saved.request) }, this);
      this.runs.set(run.id, run);
      this.order.push(run);
      run.resume(saved);
      if (run.background) this.deliverWhenSettled(run);
    }
  }

  /** Keeps a stored run on disk (when `stateDir` is set). */
  private persist(run: Run): void {
    if (this.store && run.store && !run.refused) this.store.save(run.persisted());
  }

  /** The fault rules of the scenario a create's labels name (none when there is none). */
  private scenarioRules(body: JsonRecord): ActiveRule[] {
    const labels = isRecord(body['labels']) ? body['labels'] : {};
    const name = labels['emulator-scenario'];
    return typeof name === 'string' ? (this.scenarios[name]?.faults ?? []).map((r) => new ActiveRule(r)) : [];
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  // ---- public API -------------------------------------------------------------------------

  async close(): Promise<void> {
    this.deliveryInstance?.close();
    this.scheduler.close();
    for (const run of this.order) run.abort();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  counters(): EmulatorCounters {
    const interactions: Record<string, InteractionCounters> = {};
    for (const run of this.order) interactions[run.id] = { ...run.counters };
    return structuredClone({ ...this.c, interactions, quota: this.keyQuota?.counters() ?? {} });
  }

  resetCounters(): void {
    this.c = { requests: {}, statuses: {}, creates: 0, cancels: 0, deletes: 0, streamsOpened: 0, eventsSent: 0, faults: {} };
    this.keyQuota?.reset();
    for (const run of this.order ?? []) Object.assign(run.counters, { gets: 0, streams: 0, cancels: 0, deletes: 0, eventsSent: 0, faults: 0 });
  }

  addFault(rule: FaultRule): () => void {
    return this.book.add(rule);
  }

  interactions(): EmulatedInteractionInfo[] {
    return this.order.map((run) => {
      const info: EmulatedInteractionInfo = {
        id: run.id,
        request: redact(run.request) as JsonRecord,
        status: run.status,
        events: run.log.length,
        created: run.createdIso,
        background: run.background,
        stored: run.store,
        deleted: run.deleted,
        refused: run.refused,
        scope: run.scope,
        scriptedDurationMs: run.script.entries.at(-1)?.at ?? 0,
      };
      if (run.previousId) info.previousInteractionId = run.previousId;
      if (run.settledAtMs !== undefined) info.settledAtMs = run.settledAtMs;
      return info;
    });
  }

  private byId(id: string): Run {
    const run = this.runs.get(id);
    if (!run) throw new Error(`emulator: unknown interaction ${id}`);
    return run;
  }

  canonicalReport(interactionId: string): string {
    return modelOutputText(this.byId(interactionId).finalSteps());
  }

  eventsFor(interactionId: string): InteractionEvent[] {
    return this.byId(interactionId).events() as unknown as InteractionEvent[];
  }

  snapshot(interactionId: string): Interaction | undefined {
    return this.runs.get(interactionId)?.snapshot(true) as Interaction | undefined;
  }

  userProjects(): string[] {
    return [...this.projects];
  }

  /** Created on first use (its signing keys are made then). */
  private get delivery(): WebhookDelivery {
    return (this.deliveryInstance ??= new WebhookDelivery(this.options.webhooks ?? {}, {
      scheduler: this.scheduler,
      timeScale: this.timeScale,
      rng: createRng(hash32('webhooks', this.seed)),
    }));
  }

  webhookJwks(): { keys: Array<Record<string, unknown>> } {
    return this.delivery.jwks();
  }

  rotateWebhookKey(): string {
    return this.delivery.rotateKey();
  }

  webhookSecret(): string {
    return this.delivery.dynamicSecret;
  }

  webhookCounters(): DeliveryCounters {
    return structuredClone(this.delivery.counters);
  }

  /** When a background run settles, its webhooks go out (per-request config and static subscriptions). */
  private deliverWhenSettled(run: Run): void {
    void run.whenSettled().then(() => {
      const eventType = eventTypeOf(run.status);
      if (run.refused || !eventType || !['completed', 'failed', 'incomplete', 'budget_exceeded', 'requires_action'].includes(run.status)) return;
      const config = run.request['webhook_config'] as { uris?: unknown } | undefined;
      const statics = this.webhooks.targetsFor(eventType);
      if ((!Array.isArray(config?.uris) || config!.uris.length === 0) && statics.length === 0) return;
      this.delivery.onSettled({ id: run.id, status: run.status, request: run.request }, statics);
    });
  }

  // ---- RunHost ----------------------------------------------------------------------------

  onEventsSent(run: Run, n: number): void {
    this.c.eventsSent += n;
    run.counters.eventsSent += n;
  }

  onFault(run: Run, kind: string): void {
    run.counters.faults++;
    this.countFault(kind);
  }

  private countFault(kind: string): void {
    this.c.faults[kind] = (this.c.faults[kind] ?? 0) + 1;
  }

  // ---- HTTP plumbing ----------------------------------------------------------------------

  private count(route: string): void {
    this.c.requests[route] = (this.c.requests[route] ?? 0) + 1;
  }

  private status(code: number): void {
    this.c.statuses[String(code)] = (this.c.statuses[String(code)] ?? 0) + 1;
  }

  private json(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    this.status(code);
    const text = JSON.stringify(body);
    res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (err instanceof EmulatorHttpError) {
      this.json(res, err.code, err.envelope(), err.headers);
      return;
    }
    this.options.log?.(`emulator internal error: ${(err as Error)?.stack ?? String(err)}`);
    this.json(res, 500, { error: { code: 500, message: 'Internal error in the emulator.', status: 'INTERNAL' } });
  }

  private readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          reject(new EmulatorHttpError(413, 'Request payload too large.', 'INVALID_ARGUMENT'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  /** Checks the caller's credential; returns its quota key id (scope plus a hash, never the credential). */
  private authenticate(req: IncomingMessage, url: URL, route: RouteInfo): string {
    const project = req.headers['x-goog-user-project'];
    if (typeof project === 'string' && project && !this.projects.includes(project)) this.projects.push(project);
    if (route.family === 'vertex') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers['authorization'] ?? ''));
      if (!m) throw new EmulatorHttpError(401, 'Request is missing a valid OAuth 2 access token (Authorization: Bearer).', 'UNAUTHENTICATED');
      if (this.options.accessToken !== undefined && m[1] !== this.options.accessToken) {
        throw new EmulatorHttpError(403, 'The caller does not have permission: the access token is not accepted.', 'PERMISSION_DENIED');
      }
      // Vertex quotas are per project and location, not per token.
      return credentialId(route.scope);
    }
    const header = req.headers['x-goog-api-key'];
    const key = (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('key') ?? '';
    if (!key) throw new EmulatorHttpError(401, 'Request is missing an API key (x-goog-api-key header).', 'UNAUTHENTICATED');
    if (this.options.apiKey !== undefined && key !== this.options.apiKey) {
      throw new EmulatorHttpError(403, 'The caller does not have permission: the API key is not valid.', 'PERMISSION_DENIED');
    }
    return credentialId(`${route.scope}|${key}`);
  }

  private classify(method: string, route: RouteInfo, url: URL, body: unknown): RouteName | 'unknown' {
    if (route.resource === 'webhooks') return 'webhooks';
    if (route.id === undefined) return method === 'POST' ? (isRecord(body) && body['stream'] === true ? 'create_stream' : 'create') : 'unknown';
    if (route.action === 'cancel') return method === 'POST' ? 'cancel' : 'unknown';
    if (route.action !== undefined) return 'unknown';
    if (method === 'GET') return url.searchParams.get('stream') === 'true' ? 'stream' : 'get';
    if (method === 'DELETE') return 'delete';
    return 'unknown';
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator');
    if (this.options.log) {
      res.on('finish', () => {
        const q = new URLSearchParams(url.searchParams);
        q.delete('key');
        const qs = q.toString();
        this.options.log?.(`${method} ${url.pathname}${qs ? `?${qs}` : ''} -> ${res.statusCode} (${(performance.now() - started).toFixed(1)} ms)`);
      });
    }
    if (method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      // Public keys, unauthenticated like Google's: what a receiver verifies `v1a` deliveries with.
      this.json(res, 200, this.webhookJwks());
      return;
    }
    const route = parsePath(url.pathname);
    const raw = method === 'POST' || method === 'PATCH' || method === 'PUT' ? await this.readBody(req) : '';
    let body: unknown;
    let badJson = false;
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const name = route ? this.classify(method, route, url, body) : 'unknown';
    this.count(name);
    if (!route || name === 'unknown') throw notFound(`Method not found: ${method} ${url.pathname}`);
    const credential = this.authenticate(req, url, route);

    const headerRules = this.headerRules(req, name);
    const runForFaults = route.id !== undefined && route.resource === 'interactions' ? this.runs.get(route.id) : undefined;
    const scoped = [...headerRules, ...(runForFaults?.rules ?? [])];
    const delay = this.book.find('delay', name, route.id, scoped);
    if (delay) await this.scheduler.sleep((this.book.fire(delay).delayMs ?? 1000) / this.timeScale);
    const httpError = this.book.find('http_error', name, route.id, scoped);
    if (httpError && !httpError.rule.afterCreate) {
      this.book.fire(httpError);
      if (runForFaults) runForFaults.counters.faults++;
      throw this.httpFault(httpError.rule);
    }
    if (badJson) throw invalid('Invalid JSON payload received.');

    if (name === 'webhooks') {
      this.json(res, 200, this.webhooks.handle(method, route.id, route.action, body, url.searchParams));
      return;
    }
    switch (name) {
      case 'create':
      case 'create_stream':
        return this.create(res, route, name, body, headerRules, httpError?.rule.afterCreate ? httpError : undefined, credential);
      case 'get':
      case 'stream':
        return this.get(res, route, name, url, scoped);
      case 'cancel':
        return this.cancel(res, route, scoped);
      case 'delete':
        return this.delete(res, route);
    }
  }

  private httpFault(rule: FaultRule): EmulatorHttpError {
    const code = rule.status ?? 503;
    const headers: Record<string, string> = {};
    if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
    const message =
      rule.message ??
      (code === 429
        ? 'Resource has been exhausted (e.g. check quota).'
        : code === 503
          ? 'The service is currently unavailable.'
          : code === 500
            ? 'Internal error encountered.'
            : `Emulated error ${code}.`);
    return new EmulatorHttpError(code, message, undefined, headers);
  }

  /**
   * Rules from the `x-emulator-fault` header. A rule without `route` that applies to this
   * request's route is pinned to it, so e.g. a `cut` sent on a create does not also cut later
   * resumes; kinds that only make sense later (`get_not_found`, `cancel_not_found`) keep
   * applying to the interaction the create makes.
   */
  private headerRules(req: IncomingMessage, route: RouteName | 'unknown'): ActiveRule[] {
    const value = req.headers['x-emulator-fault'];
    if (typeof value !== 'string' || !value.trim()) return [];
    return parseFaultHeader(value).map((rule) => {
      const active = new ActiveRule(rule);
      if (rule.route === undefined && route !== 'unknown' && active.matchesRoute(route)) return new ActiveRule({ ...rule, route });
      return active;
    });
  }

  /** The stored, visible interaction `id` in this route's scope, or 404. */
  private visible(route: RouteInfo, id: string): Run {
    const run = this.runs.get(id);
    if (!run || !run.visible || run.scope !== route.scope) throw notFound(`Interaction ${id} not found.`);
    return run;
  }

  private openSse(res: ServerResponse): void {
    this.status(200);
    this.c.streamsOpened++;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
  }

  private streamFaults(route: RouteName, id: string, scoped: readonly ActiveRule[]): { cut?: FaultRule; stall?: FaultRule } {
    const out: { cut?: FaultRule; stall?: FaultRule } = {};
    const cut = this.book.find('cut', route, id, scoped);
    if (cut) {
      // Counted when it actually cuts (see Run.cutNow); mark it used now so `count` limits streams.
      cut.fired++;
      out.cut = cut.rule;
    }
    const stall = this.book.find('stall', route, id, scoped);
    if (stall) {
      stall.fired++;
      out.stall = stall.rule;
    }
    return out;
  }

  // ---- interactions -----------------------------------------------------------------------

  /** A run's duration under `deepResearchDurationSpread`, drawn from the seed and the run's id. */
  private spreadDuration(durationMs: number, id: string): number {
    const spread = Math.min(0.9, Math.max(0, this.options.deepResearchDurationSpread ?? 0));
    if (spread === 0) return durationMs;
    const u = createRng(hash32(id, this.seed))() * 2 - 1;
    return Math.round(durationMs * (1 + spread * u));
  }

  private newId(): string {
    let id: string;
    do id = `v1_${randomToken(this.idRng, 26)}`;
    while (this.runs.has(id));
    return id;
  }

  private previousContext(route: RouteInfo, body: JsonRecord, inputSteps: JsonRecord[]): PreviousContext | undefined {
    const prevId = body['previous_interaction_id'];
    if (typeof prevId !== 'string') return undefined;
    const prev = this.visible(route, prevId);
    if (!prev.terminal) throw precondition(`Interaction ${prevId} is still in progress; wait for it to finish before continuing it.`);
    const calls = prev.outputSteps.filter((s) => s.type === 'function_call').map((s) => s['id']);
    for (const step of inputSteps) {
      if (step['type'] === 'function_result' && calls.length > 0 && !calls.includes(step['call_id'])) {
        throw invalid(`function_result call_id ${JSON.stringify(step['call_id'])} does not match a function_call of interaction ${prevId}.`);
      }
    }
    const ctx: PreviousContext = { kind: prev.kind, status: prev.status, inputText: stepsText(prev.inputSteps), steps: prev.outputSteps };
    if (prev.script.topic !== undefined) ctx.topic = prev.script.topic;
    return ctx;
  }

  private async create(
    res: ServerResponse,
    route: RouteInfo,
    name: RouteName,
    rawBody: unknown,
    headerRules: ActiveRule[],
    failAfterCreate: ActiveRule | undefined,
    credential: string,
  ): Promise<void> {
    const body = validateCreate(rawBody, {
      ...(this.options.extraModels ? { extraModels: this.options.extraModels } : {}),
      ...(this.options.extraAgents ? { extraAgents: this.options.extraAgents } : {}),
    });
    // Like the real quota: a refused create leaves nothing behind (checked after validation).
    this.keyQuota?.check(credential);
    const labels = isRecord(body['labels']) ? body['labels'] : {};
    const scenarioName = labels['emulator-scenario'];
    let plan: FaultPlan = {};
    if (typeof scenarioName === 'string') {
      const found = this.scenarios[scenarioName];
      if (!found) throw invalid(`Unknown emulator scenario ${JSON.stringify(scenarioName)} (label emulator-scenario).`);
      plan = found;
    }
    const rules = [...headerRules, ...(plan.faults ?? []).map((r) => new ActiveRule(r))];
    const inputSteps = inputToSteps(body['input']);
    const previous = this.previousContext(route, body, inputSteps);

    let shape: ScriptShape = { deepResearchDurationMs: plan.deepResearchDurationMs ?? this.options.deepResearchDurationMs ?? 20 * 60_000 };
    const turn = plan.modelTurnDurationMs ?? this.options.modelTurnDurationMs;
    if (turn !== undefined) shape.modelTurnDurationMs = turn;
    if (plan.reportBytes !== undefined) shape.reportBytes = plan.reportBytes;
    if (plan.deltaChars !== undefined) shape.deltaChars = plan.deltaChars;
    if (plan.injectUnknown) shape.injectUnknown = true;
    if (plan.outcome) shape.outcome = plan.outcome;
    if (plan.queuedMs) shape.queuedMs = plan.queuedMs;
    if (plan.newVariants) shape.newVariants = true;
    shape = shapeFromRules(this.book, name, rules, shape);
    // A continuation hop resumes decoding where the previous one stopped: it runs to the end.
    if (typeof body['continuation_token'] === 'string' && shape.outcome === 'requires_continuation') shape.outcome = 'completed';

    const id = this.newId();
    if (plan.deepResearchDurationMs === undefined) shape.deepResearchDurationMs = this.spreadDuration(shape.deepResearchDurationMs, id);
    const script = buildScript({ body, inputSteps, ...(previous ? { previous } : {}), seed: this.seed }, shape);
    const background = body['background'] === true;
    const run = new Run(
      {
        id,
        scope: route.scope,
        request: body,
        inputSteps,
        script,
        background,
        store: body['store'] !== false,
        ...(typeof body['previous_interaction_id'] === 'string' ? { previousId: body['previous_interaction_id'] } : {}),
        rules,
      },
      this,
    );
    this.runs.set(id, run);
    this.order.push(run);
    this.c.creates++;
    this.keyQuota?.track(credential, run);

    const blocked = name === 'create' ? this.book.find('content_blocked', name, id, rules) : undefined;
    if (blocked) {
      // Reported shape (LiveBench PR #476): a plain HTTP 400 `content_blocked`; nothing is stored.
      this.book.fire(blocked);
      run.counters.faults++;
      run.refused = true;
      run.abort();
      throw new EmulatorHttpError(400, blocked.rule.message ?? 'content_blocked: the request was blocked by the safety filters.', 'INVALID_ARGUMENT', {}, [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'content_blocked', domain: 'generativelanguage.googleapis.com' },
      ]);
    }
    if (this.book.find('completed_without_steps', name, id, rules)) {
      this.book.fire(this.book.find('completed_without_steps', name, id, rules)!);
      run.emptyCompletedSteps = true;
    }
    const refusal = this.book.find('refusal', name, id, rules);
    if (refusal) {
      this.book.fire(refusal);
      run.counters.faults++;
      run.refused = true;
      return this.refuse(res, run, name, refusal.rule);
    }
    if (failAfterCreate) {
      run.start();
      this.persist(run);
      // The run goes on though its create answer was lost: an orphan, whose webhook still comes.
      if (background) this.deliverWhenSettled(run);
      this.book.fire(failAfterCreate);
      run.counters.faults++;
      throw this.httpFault(failAfterCreate.rule);
    }
    if (name === 'create_stream') {
      const faults = this.streamFaults('create_stream', id, rules);
      run.counters.streams++;
      this.openSse(res);
      run.subscribe(res, 0, faults);
      run.start();
      this.persist(run);
      if (background) this.deliverWhenSettled(run);
      return;
    }
    run.start();
    this.persist(run);
    if (background) this.deliverWhenSettled(run);
    if (!background) await run.whenSettled();
    this.json(res, 200, run.snapshot(false));
  }

  /** Content-filter refusal: a bare JSON error instead of (the rest of) the stream; nothing is stored. */
  private refuse(res: ServerResponse, run: Run, name: RouteName, rule: FaultRule): void {
    const body = { error: { code: 400, message: rule.message ?? 'The request was blocked by the content filter.', status: 'INVALID_ARGUMENT' } };
    if (name !== 'create_stream') {
      run.abort();
      if (run.background) {
        // The create looks fine; the interaction then turns out not to exist.
        this.json(res, 200, run.snapshot(false));
        return;
      }
      this.json(res, 400, body);
      return;
    }
    this.openSse(res);
    run.start(); // emits interaction.created + status_update (both at t=0)
    const head = run.log.filter((e) => e.type === 'interaction.created' || e.type === 'interaction.status_update').slice(0, 2);
    run.abort();
    this.onEventsSent(run, head.length);
    res.write(head.map((e) => e.frame).join(''));
    res.end(`${JSON.stringify(body)}\n`);
  }

  private get(res: ServerResponse, route: RouteInfo, name: RouteName, url: URL, scoped: ActiveRule[]): void {
    const id = route.id!;
    const stream = url.searchParams.get('stream');
    if (stream !== null && stream !== 'true' && stream !== 'false') throw invalid('stream must be true or false.');
    const lastEventId = url.searchParams.get('last_event_id');
    if (lastEventId !== null && stream !== 'true') throw invalid('last_event_id is only valid with stream=true.');
    const run = this.visible(route, id);
    if (name === 'stream') run.counters.streams++;
    else run.counters.gets++;

    const nf = this.book.find('get_not_found', name, id, scoped);
    if (nf) {
      const r = nf.rule;
      const sinceMs = (this.scheduler.now() - run.createdPerf) * this.timeScale;
      const served = ((nf as ActiveRule & { perRun?: Map<string, number> }).perRun ??= new Map<string, number>());
      const n = served.get(id) ?? 0;
      const active = r.forSeconds !== undefined ? sinceMs < r.forSeconds * 1000 : n < (r.requests ?? 3);
      if (active) {
        served.set(id, n + 1);
        this.book.fire(nf);
        run.counters.faults++;
        if (r.status === 403) throw new EmulatorHttpError(403, r.message ?? 'The caller does not have permission.', 'PERMISSION_DENIED');
        throw notFound(r.message ?? `Interaction ${id} not found.`);
      }
    }

    if (name === 'get') {
      if (run.script.zombie && !run.terminal) {
        // Zombie: the status GET never answers; the client's own deadline has to end it.
        this.onFault(run, 'zombie');
        return;
      }
      this.json(res, 200, run.snapshot(true, url.searchParams.get('include_input') === 'true'));
      return;
    }
    let cursor = 0;
    if (lastEventId !== null) {
      const at = run.resolveEventId(lastEventId);
      if (at === undefined) throw invalid(`last_event_id ${JSON.stringify(lastEventId)} is not an event of interaction ${id}.`);
      cursor = at;
      const replay = this.book.find('replay_from_start', name, id, scoped);
      if (replay) {
        this.book.fire(replay);
        run.counters.faults++;
        cursor = 0;
      }
    }
    const faults = this.streamFaults('stream', id, scoped);
    this.openSse(res);
    run.subscribe(res, cursor, faults);
  }

  private cancel(res: ServerResponse, route: RouteInfo, scoped: ActiveRule[]): void {
    const id = route.id!;
    const run = this.visible(route, id);
    run.counters.cancels++;
    const nf = this.book.find('cancel_not_found', 'cancel', id, scoped);
    if (nf) {
      const rule = this.book.fire(nf);
      run.counters.faults++;
      if (rule.stillCancel && !run.terminal && run.background) {
        run.cancel();
        this.c.cancels++;
        this.persist(run);
      }
      throw notFound(rule.message ?? 'Method not found.');
    }
    if (!run.terminal) {
      if (!run.background) throw precondition('Only background interactions can be cancelled.');
      run.cancel();
      this.c.cancels++;
      this.persist(run);
    }
    // Cancelling a finished interaction is a no-op that returns it unchanged.
    this.json(res, 200, run.snapshot(true));
  }

  private delete(res: ServerResponse, route: RouteInfo): void {
    const run = this.visible(route, route.id!);
    run.counters.deletes++;
    run.deleted = true;
    this.c.deletes++;
    this.persist(run);
    this.json(res, 200, {});
  }
}

/** Starts an emulator listening on `options.host:options.port` (default 127.0.0.1, a free port). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new EmulatorServer(options);
  emulator.restore();
  await emulator.listen();
  return emulator;
}
