/**
 * Fault injection: rules that make the emulator misbehave the way the real API has been seen
 * to (see docs §12 of the wire reference). A rule comes from the emulator options, from
 * `Emulator.addFault`, from a request header `x-emulator-fault`, or from a named scenario
 * selected by the create label `emulator-scenario`.
 */
import { invalid } from './errors';
import type { Rng } from './rng';
import type { ScriptOutcome, ScriptShape } from './script';

/** Route names, also used as counter keys. */
export type RouteName = 'create' | 'create_stream' | 'get' | 'stream' | 'cancel' | 'delete' | 'webhooks';

export type FaultKind =
  /** Answer `status` (default 503) with a Google error envelope instead of handling the request. */
  | 'http_error'
  /** Wait `delayMs` emulated milliseconds before handling the request. */
  | 'delay'
  /** End an SSE stream after `afterEvents` events or `afterSeconds` emulated seconds. */
  | 'cut'
  /** Stop sending on an SSE stream after `afterEvents` events but keep the socket open. */
  | 'stall'
  /** Content-filter refusal: bare JSON error line instead of SSE; the interaction is not stored. */
  | 'refusal'
  /** GET (plain or stream) answers 404 (or `status` 403) right after create. */
  | 'get_not_found'
  /** Cancel answers 404 "Method not found"; with `stillCancel` the run is cancelled anyway. */
  | 'cancel_not_found'
  /** Inject unknown event, step and delta types into the run's stream. */
  | 'unknown_events'
  /** Stream the report as many small deltas (`chunkChars`, default 4). */
  | 'slow_report'
  /** Make the report large (`megabytes`, default 1, or `reportBytes`). */
  | 'large_report'
  /** End the run with `outcome` (default `failed`) instead of `completed`. */
  | 'fail_run'
  /** Zombie run: stays `in_progress` forever and plain status GETs never answer (until cancelled). */
  | 'zombie'
  /** `interaction.completed` carries `steps: []`: output must come from the deltas (or a GET). */
  | 'completed_without_steps'
  /** A stream reattach ignores `last_event_id` and replays the run from its start. */
  | 'replay_from_start'
  /** Thought summaries in bursts of 2–3 with long quiet gaps between research rounds. */
  | 'bursty_thoughts'
  /** Non-streamed create refused with HTTP 400 `content_blocked`; nothing is created. */
  | 'content_blocked';

export const FAULT_KINDS: readonly FaultKind[] = [
  'http_error',
  'delay',
  'cut',
  'stall',
  'refusal',
  'get_not_found',
  'cancel_not_found',
  'unknown_events',
  'slow_report',
  'large_report',
  'fail_run',
  'zombie',
  'completed_without_steps',
  'replay_from_start',
  'bursty_thoughts',
  'content_blocked',
];

export interface FaultRule {
  kind: FaultKind;
  /** Routes the rule applies to (default: every route where the kind makes sense). `create` also matches `create_stream`. */
  route?: RouteName | RouteName[];
  /** Only requests about this interaction. */
  interactionId?: string;
  /** Chance (0..1) that a matching request is affected, drawn from the seeded RNG. */
  probability?: number;
  /** Maximum number of times the rule fires (default unlimited). */
  count?: number;
  /** http_error: status to answer (default 503); get_not_found: 404 (default) or 403; cut: code of the raw error. */
  status?: number;
  /** http_error: `Retry-After` header value, in seconds. */
  retryAfterSeconds?: number;
  /** http_error on create: create (and start) the interaction first, then answer the error. */
  afterCreate?: boolean;
  /** Error message to use instead of the default. */
  message?: string;
  /** cut / stall: number of events delivered on this stream before the fault. */
  afterEvents?: number;
  /** cut: emulated seconds after the stream opened. */
  afterSeconds?: number;
  /** cut: append a raw (non-SSE) JSON error envelope, as an object or wrapped in an array. */
  rawError?: boolean | 'object' | 'array';
  /** cut: reset the socket instead of ending the response cleanly. */
  destroy?: boolean;
  /** get_not_found: emulated seconds after create during which GET fails. */
  forSeconds?: number;
  /** get_not_found: number of GETs that fail (default 3 when `forSeconds` is not set). */
  requests?: number;
  /** cancel_not_found: cancel the run even though the answer is 404. */
  stillCancel?: boolean;
  /** delay: emulated milliseconds. */
  delayMs?: number;
  /** slow_report: characters per text delta. */
  chunkChars?: number;
  /** large_report: report size in MiB. */
  megabytes?: number;
  /** large_report: report size in bytes (wins over `megabytes`). */
  reportBytes?: number;
  /** fail_run: the status to end with (terminal, or a waiting one: `requires_continuation`, `idle`). */
  outcome?: Exclude<ScriptOutcome, 'completed'>;
}

/** A named bundle of rules and run-shape overrides, selected per interaction by label. */
export interface FaultPlan {
  faults?: FaultRule[];
  /** Deep Research report size, in bytes. */
  reportBytes?: number;
  /** Characters per text delta. */
  deltaChars?: number;
  /** Emulated Deep Research duration, in milliseconds. */
  deepResearchDurationMs?: number;
  /** Emulated model-turn duration, in milliseconds. */
  modelTurnDurationMs?: number;
  injectUnknown?: boolean;
  outcome?: ScriptOutcome;
  /** Emulated milliseconds the run reports `queued` first. */
  queuedMs?: number;
  /** Add the newest step/annotation variants (tool_search, code_execution_result content, speech_metadata). */
  newVariants?: boolean;
}

/** Scenarios every emulator knows; `options.scenarios` may override them by name. */
export const BUILTIN_SCENARIOS: Readonly<Record<string, FaultPlan>> = {
  'stream-cut': { faults: [{ kind: 'cut', afterEvents: 5, rawError: 'array', count: 1 }] },
  stall: { faults: [{ kind: 'stall', afterEvents: 3, count: 1 }] },
  refusal: { faults: [{ kind: 'refusal' }] },
  'get-404': { faults: [{ kind: 'get_not_found', requests: 2 }] },
  'cancel-404': { faults: [{ kind: 'cancel_not_found', stillCancel: true }] },
  'unknown-events': { injectUnknown: true },
  'slow-report': { deltaChars: 4 },
  'large-report': { reportBytes: 1 << 20, deltaChars: 4096 },
  fail: { outcome: 'failed' },
  // Every status and the newest variants, each produced by some scripted run.
  queued: { queuedMs: 30_000 },
  'requires-continuation': { outcome: 'requires_continuation' },
  idle: { outcome: 'idle' },
  'budget-exceeded': { outcome: 'budget_exceeded' },
  'new-variants': { newVariants: true },
  // User-reported failure shapes (wire reference §12.x).
  'token-exhaustion': { outcome: 'incomplete' },
  zombie: { faults: [{ kind: 'zombie' }] },
  'completed-without-steps': { faults: [{ kind: 'completed_without_steps' }] },
  'replay-from-start': {
    faults: [
      { kind: 'replay_from_start', count: 1 },
      { kind: 'cut', afterEvents: 12, count: 1 },
    ],
  },
  'bursty-thoughts': { faults: [{ kind: 'bursty_thoughts' }] },
  'content-blocked': { faults: [{ kind: 'content_blocked' }] },
};

const DEFAULT_ROUTES: Record<FaultKind, readonly RouteName[] | 'all'> = {
  http_error: 'all',
  delay: 'all',
  cut: ['create_stream', 'stream'],
  stall: ['create_stream', 'stream'],
  refusal: ['create', 'create_stream'],
  get_not_found: ['get', 'stream'],
  cancel_not_found: ['cancel'],
  unknown_events: ['create', 'create_stream'],
  slow_report: ['create', 'create_stream'],
  large_report: ['create', 'create_stream'],
  fail_run: ['create', 'create_stream'],
  zombie: ['create', 'create_stream'],
  completed_without_steps: ['create', 'create_stream'],
  replay_from_start: ['stream'],
  bursty_thoughts: ['create', 'create_stream'],
  content_blocked: ['create'],
};

/** A rule plus its firing state. */
export class ActiveRule {
  fired = 0;
  removed = false;
  constructor(readonly rule: FaultRule) {}

  exhausted(): boolean {
    return this.removed || (this.rule.count !== undefined && this.fired >= this.rule.count);
  }

  matchesRoute(route: RouteName): boolean {
    const routes = this.rule.route === undefined ? undefined : Array.isArray(this.rule.route) ? this.rule.route : [this.rule.route];
    const allowed = DEFAULT_ROUTES[this.rule.kind];
    if (allowed !== 'all' && !allowed.includes(route)) return false;
    if (!routes) return true;
    return routes.includes(route) || (route === 'create_stream' && routes.includes('create'));
  }
}

export function validateRule(rule: FaultRule): FaultRule {
  if (!rule || typeof rule !== 'object' || !FAULT_KINDS.includes(rule.kind)) {
    throw invalid(`Unknown emulator fault kind ${JSON.stringify((rule as { kind?: unknown })?.kind)}; expected one of ${FAULT_KINDS.join(', ')}.`);
  }
  return rule;
}

function parseValue(raw: string): unknown {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw.includes('|')) return raw.split('|');
  return raw;
}

/**
 * Parses the `x-emulator-fault` header: JSON (a rule or an array of rules), or the compact
 * form `kind key=value key=value; kind2 ...` (values: numbers, true/false, `a|b` lists).
 * Example: `cut afterEvents=5 rawError=array; unknown_events`.
 */
export function parseFaultHeader(value: string): FaultRule[] {
  const text = value.trim();
  if (!text) return [];
  if (text.startsWith('{') || text.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw invalid('x-emulator-fault: invalid JSON.');
    }
    return (Array.isArray(parsed) ? parsed : [parsed]).map((r) => validateRule(r as FaultRule));
  }
  return text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [kind, ...params] = part.split(/[\s,]+/);
      const rule: Record<string, unknown> = { kind };
      for (const p of params) {
        const eq = p.indexOf('=');
        if (eq <= 0) throw invalid(`x-emulator-fault: expected key=value, got ${JSON.stringify(p)}.`);
        const key = p.slice(0, eq);
        rule[key] =
          key === 'route' || key === 'interactionId' || key === 'message' ? (key === 'route' ? p.slice(eq + 1).split('|') : p.slice(eq + 1)) : parseValue(p.slice(eq + 1));
      }
      return validateRule(rule as unknown as FaultRule);
    });
}

/** The fault rules of the emulator plus helpers to find the one that applies to a request. */
export class FaultBook {
  readonly global: ActiveRule[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly onFire: (kind: FaultKind) => void,
  ) {}

  add(rule: FaultRule): () => void {
    const active = new ActiveRule(validateRule(rule));
    this.global.push(active);
    return () => {
      active.removed = true;
      const i = this.global.indexOf(active);
      if (i >= 0) this.global.splice(i, 1);
    };
  }

  /**
   * First rule of `kind` that applies to this request, drawn from the emulator-wide rules and
   * `scoped` (rules from the request header or the interaction's scenario). Does not fire it.
   */
  find(kind: FaultKind, route: RouteName, interactionId: string | undefined, scoped: readonly ActiveRule[] = []): ActiveRule | undefined {
    for (const list of [scoped, this.global]) {
      for (const active of list) {
        const r = active.rule;
        if (r.kind !== kind || active.exhausted() || !active.matchesRoute(route)) continue;
        if (r.interactionId !== undefined && r.interactionId !== interactionId) continue;
        if (r.probability !== undefined && !(this.rng() < r.probability)) continue;
        return active;
      }
    }
    return undefined;
  }

  /** Marks a rule as fired once and counts it. */
  fire(active: ActiveRule): FaultRule {
    active.fired++;
    this.onFire(active.rule.kind);
    return active.rule;
  }
}

/** Applies the shape-changing rules (`unknown_events`, `slow_report`, `large_report`, `fail_run`) of a create. */
export function shapeFromRules(book: FaultBook, route: RouteName, scoped: readonly ActiveRule[], shape: ScriptShape): ScriptShape {
  const out = { ...shape };
  const unknown = book.find('unknown_events', route, undefined, scoped);
  if (unknown) {
    book.fire(unknown);
    out.injectUnknown = true;
  }
  const slow = book.find('slow_report', route, undefined, scoped);
  if (slow) out.deltaChars = book.fire(slow).chunkChars ?? 4;
  const large = book.find('large_report', route, undefined, scoped);
  if (large) {
    const r = book.fire(large);
    out.reportBytes = r.reportBytes ?? Math.round((r.megabytes ?? 1) * 1024 * 1024);
    if (!slow) out.deltaChars = Math.max(out.deltaChars ?? 0, 4096);
  }
  const fail = book.find('fail_run', route, undefined, scoped);
  if (fail) out.outcome = book.fire(fail).outcome ?? 'failed';
  const zombie = book.find('zombie', route, undefined, scoped);
  if (zombie) {
    book.fire(zombie);
    out.zombie = true;
  }
  const bursty = book.find('bursty_thoughts', route, undefined, scoped);
  if (bursty) {
    book.fire(bursty);
    out.burstyThoughts = true;
  }
  return out;
}
