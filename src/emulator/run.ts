/**
 * One interaction at run time: replays its script against the shared scheduler, keeps the log
 * of emitted events (each serialized once as an SSE frame) and fans it out to stream
 * subscribers. Each subscriber only holds a cursor into the log, so a slow reader, a resumed
 * stream and a live stream all see exactly the same bytes.
 */
import type { ServerResponse } from 'node:http';
import { StepFold } from './accumulate';
import type { ActiveRule, FaultRule } from './faults';
import type { Scheduler, Task } from './scheduler';
import { usageFor, type RunKind, type Script } from './script';
import type { JsonRecord, WireEvent, WireStep } from './wire';
import { statusClass } from '../interactions/types';

export interface LoggedEvent {
  /** `event_id`, absent on some deltas like the real API. */
  id: string | undefined;
  type: string;
  /** The complete SSE frame: `event: <type>\ndata: <json>\n\n`. */
  frame: string;
}

export interface RunCounters {
  gets: number;
  streams: number;
  cancels: number;
  deletes: number;
  eventsSent: number;
  faults: number;
}

/** Stream delivery hooks the server provides (counting, faults). */
export interface RunHost {
  scheduler: Scheduler;
  timeScale: number;
  onEventsSent(run: Run, n: number): void;
  onFault(run: Run, kind: string): void;
}

export interface Subscriber {
  res: ServerResponse;
  cursor: number;
  sent: number;
  blocked: boolean;
  done: boolean;
  stalled: boolean;
  cut?: FaultRule;
  stall?: FaultRule;
  cutTask?: Task;
}

export interface RunInit {
  id: string;
  scope: string;
  request: JsonRecord;
  inputSteps: WireStep[];
  script: Script;
  background: boolean;
  store: boolean;
  previousId?: string;
  rules: ActiveRule[];
  /** Restoring a persisted run: its original creation time. */
  createdIso?: string;
}

/**
 * What a run needs to continue in another emulator process (`EmulatorOptions.stateDir`): its
 * request and script, when it started (wall clock) and what the clients did to it. The events
 * it emitted are not stored: replaying the script up to now gives the same events and ids.
 */
export interface PersistedRun extends Omit<RunInit, 'rules' | 'createdIso'> {
  createdIso: string;
  /** When the script started, ms since epoch. */
  startedAtMs: number;
  /** Script entries emitted before a cancel, and when the cancel came (ms since epoch), when the run was cancelled. */
  cancelledAfterEntries?: number;
  cancelledAtMs?: number;
  deleted: boolean;
  emptyCompletedSteps: boolean;
}

/** A copy of `ev` with `event_type` moved last, the key order the real API uses. */
function reorder(ev: WireEvent): WireEvent {
  const { event_type, ...rest } = ev;
  return { ...rest, event_type } as WireEvent;
}

/** A run settles on a terminal or waiting status (the one classification lives in the client's types). */
function settles(status: string): boolean {
  const kind = statusClass(status);
  return kind === 'terminal' || kind === 'waiting';
}

export class Run {
  readonly id: string;
  readonly scope: string;
  readonly request: JsonRecord;
  readonly inputSteps: WireStep[];
  readonly script: Script;
  readonly background: boolean;
  readonly store: boolean;
  readonly previousId: string | undefined;
  /** Fault rules from the create header or scenario, applied to later requests about this run. */
  readonly rules: ActiveRule[];
  readonly createdIso: string;
  readonly createdPerf: number;
  readonly counters: RunCounters = { gets: 0, streams: 0, cancels: 0, deletes: 0, eventsSent: 0, faults: 0 };
  updatedIso: string;
  status = 'in_progress';
  terminal = false;
  /** When the run settled (Date.now() ms), once it has. */
  settledAtMs: number | undefined;
  deleted = false;
  /** Refused by the content filter: never visible. */
  refused = false;
  usage: JsonRecord | undefined;
  errors: JsonRecord[] | undefined;
  /** Set when the run stopped at `requires_continuation`. */
  continuationToken: string | undefined;
  /** Fault `completed_without_steps`: `interaction.completed` carries `steps: []`. */
  emptyCompletedSteps = false;
  readonly log: LoggedEvent[] = [];
  readonly subscribers = new Set<Subscriber>();
  private readonly fold = new StepFold();
  private readonly openSteps = new Set<number>();
  private next = 0;
  private deltas = 0;
  private startPerf = 0;
  /** When the script started, ms since epoch (what survives a restart). */
  private startedAtMs = 0;
  private cancelledAfterEntries: number | undefined;
  private cancelledAtMs: number | undefined;
  private task: Task | undefined;
  private waiters: Array<() => void> = [];
  private finalStepsCache: WireStep[] | undefined;

  constructor(
    init: RunInit,
    private readonly host: RunHost,
  ) {
    this.id = init.id;
    this.scope = init.scope;
    this.request = init.request;
    this.inputSteps = init.inputSteps;
    this.script = init.script;
    this.background = init.background;
    this.store = init.store;
    this.previousId = init.previousId;
    this.rules = init.rules;
    this.createdIso = init.createdIso ?? new Date().toISOString();
    this.updatedIso = this.createdIso;
    this.createdPerf = this.host.scheduler.now();
  }

  get kind(): RunKind {
    return this.script.kind;
  }

  get visible(): boolean {
    return this.store && !this.deleted && !this.refused;
  }

  /** Steps produced so far (the response part, without the input steps). */
  get outputSteps(): WireStep[] {
    return this.fold.steps.filter(Boolean);
  }

  /** Steps the run produces when it runs to its natural end (for `canonicalReport`). */
  finalSteps(): WireStep[] {
    if (!this.finalStepsCache) {
      const fold = new StepFold();
      for (const e of this.script.entries) fold.apply(e.ev);
      this.finalStepsCache = fold.steps.filter(Boolean);
    }
    return this.finalStepsCache;
  }

  start(): void {
    this.startPerf = this.host.scheduler.now();
    this.startedAtMs = Date.now();
    this.tick();
  }

  /**
   * Continues a run persisted by another emulator process: the script is replayed from its
   * original start, so every event due while no emulator ran is emitted now (same events, same
   * ids) and the rest at their times; a run that was cancelled is replayed up to its cancel.
   */
  resume(saved: PersistedRun): void {
    this.startedAtMs = saved.startedAtMs;
    this.startPerf = this.host.scheduler.now() - Math.max(0, Date.now() - saved.startedAtMs);
    this.deleted = saved.deleted;
    this.emptyCompletedSteps = saved.emptyCompletedSteps;
    if (saved.cancelledAfterEntries === undefined) return this.tick();
    while (this.next < Math.min(saved.cancelledAfterEntries, this.script.entries.length) && !this.terminal) this.emitNext();
    this.cancel(saved.cancelledAtMs);
  }

  /** The state another emulator process needs to continue this run. */
  persisted(): PersistedRun {
    const out: PersistedRun = {
      id: this.id,
      scope: this.scope,
      request: this.request,
      inputSteps: this.inputSteps,
      script: this.script,
      background: this.background,
      store: this.store,
      createdIso: this.createdIso,
      startedAtMs: this.startedAtMs,
      deleted: this.deleted,
      emptyCompletedSteps: this.emptyCompletedSteps,
    };
    if (this.previousId !== undefined) out.previousId = this.previousId;
    if (this.cancelledAfterEntries !== undefined) out.cancelledAfterEntries = this.cancelledAfterEntries;
    if (this.cancelledAtMs !== undefined) out.cancelledAtMs = this.cancelledAtMs;
    return out;
  }

  /** Resolves when the run reaches a terminal status (or `requires_action`). */
  whenSettled(): Promise<void> {
    if (this.terminal) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Emits every script entry that is due, then schedules the next one. One scheduler task per run at a time. */
  private tick(): void {
    this.task = undefined;
    if (this.terminal) return;
    const entries = this.script.entries;
    const scale = this.host.timeScale;
    const now = this.host.scheduler.now() + 0.5;
    let emitted = false;
    while (this.next < entries.length && this.startPerf + entries[this.next]!.at / scale <= now) {
      this.emitNext();
      emitted = true;
    }
    if (emitted) this.broadcast();
    if (!this.terminal && this.next < entries.length) {
      this.task = this.host.scheduler.at(this.startPerf + entries[this.next]!.at / scale, () => this.tick());
    }
  }

  /** Emits the next script entry. */
  private emitNext(): void {
    const entries = this.script.entries;
    const { ev, at } = entries[this.next++]!;
    const following = entries[this.next]?.ev;
    const lastDelta = ev.event_type === 'step.delta' && following?.event_type === 'step.stop' && following['index'] === ev['index'];
    // Stamped with the time the script says, so a run replayed after a restart reads the same.
    this.emit(ev, lastDelta, this.startedAtMs + at / this.host.timeScale);
  }

  /** Stops the script and ends the run `cancelled`, closing any open step first. */
  cancel(atMs = Date.now()): void {
    if (this.terminal) return;
    this.cancelledAfterEntries = this.next;
    this.cancelledAtMs = atMs;
    this.host.scheduler.cancel(this.task);
    this.task = undefined;
    this.next = this.script.entries.length;
    for (const index of [...this.openSteps].sort((a, b) => a - b)) this.emit({ event_type: 'step.stop', index }, false, atMs);
    this.emit({ event_type: 'interaction.status_update', status: 'cancelled' }, false, atMs);
    this.emit({ event_type: 'interaction.completed', status: 'cancelled' }, false, atMs);
    this.broadcast();
  }

  /** Stops without emitting anything more (content-filter refusal, emulator shutdown). */
  abort(): void {
    this.host.scheduler.cancel(this.task);
    this.task = undefined;
    this.next = this.script.entries.length;
    this.settle();
  }

  private identity(): JsonRecord {
    const out: JsonRecord = {};
    if (this.request['model'] !== undefined) out['model'] = this.request['model'];
    if (this.request['agent'] !== undefined) out['agent'] = this.request['agent'];
    return out;
  }

  /**
   * The SSE lifecycle payload: @google/genai 3.3.0's `InteractionSseEventInteraction` (id, status,
   * object, model/agent, created, updated, usage, continuation_token, steps?) and no `errors`:
   * errors travel as `error` events and on the resource a GET returns.
   */
  private lifecycleInteraction(status: string): JsonRecord {
    const out: JsonRecord = { id: this.id, status, object: 'interaction', ...this.identity(), created: this.createdIso, updated: this.updatedIso };
    if (this.usage) out['usage'] = this.usage;
    if (this.continuationToken) out['continuation_token'] = this.continuationToken;
    return out;
  }

  /** Emits one script event; `lastDelta`: the last delta of its step (it carries the running usage). */
  private emit(ev: WireEvent, lastDelta: boolean, atMs: number): void {
    let out: WireEvent;
    this.updatedIso = new Date(atMs).toISOString();
    switch (ev.event_type) {
      case 'interaction.created':
        out = { interaction: this.lifecycleInteraction('in_progress'), event_type: ev.event_type };
        break;
      case 'interaction.status_update':
        this.status = String(ev['status']);
        if (typeof ev['continuation_token'] === 'string') this.continuationToken = ev['continuation_token'];
        out = { interaction_id: this.id, status: this.status, event_type: ev.event_type };
        if (this.continuationToken && this.status === 'requires_continuation')
          out = { interaction_id: this.id, status: this.status, continuation_token: this.continuationToken, event_type: ev.event_type };
        break;
      case 'interaction.completed': {
        this.status = String(ev['status']);
        this.usage = this.usageSoFar();
        const interaction = this.lifecycleInteraction(this.status);
        if (this.emptyCompletedSteps) interaction['steps'] = [];
        out = { interaction, event_type: ev.event_type };
        break;
      }
      case 'error': {
        const err = ev['error'] as JsonRecord;
        this.errors = [{ code: String(err['code'] ?? 'unknown'), message: String(err['message'] ?? '') }];
        out = reorder(ev);
        break;
      }
      default:
        out = reorder(ev);
        if (ev.event_type === 'step.start') this.openSteps.add(ev['index'] as number);
        else if (ev.event_type === 'step.stop') this.openSteps.delete(ev['index'] as number);
        this.fold.apply(ev);
        // Usage as the SDKs declare it: the running total as `metadata.total_usage` on a
        // `step.delta` (here the last delta of each step), and `usage` (the total so far) with
        // `step_usage` (this step's) on `step.stop`, which declares no `metadata`.
        if (lastDelta) out = { ...reorder({ ...ev, metadata: { total_usage: this.usageSoFar() } }) } as WireEvent;
        else if (ev.event_type === 'step.stop') out = reorder({ ...ev, usage: this.usageSoFar(), step_usage: this.stepUsage(ev['index'] as number) });
    }
    let id: string | undefined = `evt_${this.log.length + 1}`;
    // Like the real API, not every event carries an id: every 7th delta has none.
    if (ev.event_type === 'step.delta' && ++this.deltas % 7 === 0) id = undefined;
    if (id !== undefined) out.event_id = id;
    this.log.push({ id, type: ev.event_type, frame: `event: ${ev.event_type}\ndata: ${JSON.stringify(out)}\n\n` });
    if (ev.event_type === 'interaction.completed' && settles(this.status)) this.settle(atMs);
  }

  /** Usage of one produced step alone (no input tokens). */
  private stepUsage(index: number): JsonRecord {
    const step = this.fold.steps[index];
    return usageFor([], step ? [step] : [], undefined);
  }

  /** Usage of everything produced so far (the final usage once the run is over). */
  private usageSoFar(): JsonRecord {
    return usageFor(this.inputSteps, this.outputSteps, this.request['system_instruction'], this.previousId !== undefined);
  }

  private settle(atMs = Date.now()): void {
    this.terminal = true;
    this.settledAtMs ??= atMs;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Index just after the event with `eventId`, or undefined if no emitted event has that id. */
  resolveEventId(eventId: string): number | undefined {
    const m = /^evt_(\d+)$/.exec(eventId);
    if (!m) return undefined;
    const index = Number(m[1]) - 1;
    return this.log[index]?.id === eventId ? index + 1 : undefined;
  }

  /** The Interaction resource: `full` adds the input steps (GET), otherwise only produced steps (create). */
  snapshot(full: boolean, includeInput = false): JsonRecord {
    const out: JsonRecord = { id: this.id, status: this.status, ...this.identity(), created: this.createdIso, updated: this.updatedIso };
    if (this.previousId) out['previous_interaction_id'] = this.previousId;
    for (const key of [
      'system_instruction',
      'tools',
      'generation_config',
      'agent_config',
      'response_format',
      'response_mime_type',
      'response_modalities',
      'service_tier',
      'labels',
      'safety_settings',
      'webhook_config',
      'environment',
    ]) {
      if (this.request[key] !== undefined) out[key] = this.request[key];
    }
    if (includeInput) out['input'] = this.request['input'];
    out['steps'] = full ? [...this.inputSteps, ...this.outputSteps] : this.outputSteps;
    if (this.usage) out['usage'] = this.usage;
    if (this.errors) out['errors'] = this.errors;
    if (this.continuationToken) out['continuation_token'] = this.continuationToken;
    return out;
  }

  /** Parsed events emitted so far. */
  events(): WireEvent[] {
    return this.log.map((e) => JSON.parse(e.frame.slice(e.frame.indexOf('\ndata: ') + 7)) as WireEvent);
  }

  // ---- subscribers ------------------------------------------------------------------------

  subscribe(res: ServerResponse, cursor: number, faults: { cut?: FaultRule; stall?: FaultRule }): Subscriber {
    const sub: Subscriber = { res, cursor, sent: 0, blocked: false, done: false, stalled: false };
    if (faults.cut) sub.cut = faults.cut;
    if (faults.stall) sub.stall = faults.stall;
    this.subscribers.add(sub);
    res.on('close', () => this.drop(sub));
    if (sub.cut?.afterSeconds !== undefined) {
      sub.cutTask = this.host.scheduler.after((sub.cut.afterSeconds * 1000) / this.host.timeScale, () => {
        this.pump(sub);
        this.cutNow(sub);
      });
    }
    this.pump(sub);
    return sub;
  }

  private drop(sub: Subscriber): void {
    sub.done = true;
    this.host.scheduler.cancel(sub.cutTask);
    this.subscribers.delete(sub);
  }

  broadcast(): void {
    for (const sub of this.subscribers) this.pump(sub);
  }

  /** Writes the subscriber's backlog, honouring backpressure, cut and stall faults. */
  pump(sub: Subscriber): void {
    if (sub.done || sub.blocked || sub.stalled) return;
    const log = this.log;
    let buf = '';
    let n = 0;
    const flush = (): boolean => {
      if (n > 0) this.host.onEventsSent(this, n);
      n = 0;
      if (!buf) return true;
      const ok = sub.res.write(buf);
      buf = '';
      if (!ok) {
        sub.blocked = true;
        sub.res.once('drain', () => {
          sub.blocked = false;
          this.pump(sub);
        });
      }
      return ok;
    };
    while (sub.cursor < log.length) {
      if (sub.cut?.afterEvents !== undefined && sub.sent >= sub.cut.afterEvents) {
        flush();
        this.cutNow(sub);
        return;
      }
      if (sub.stall?.afterEvents !== undefined && sub.sent >= sub.stall.afterEvents) {
        flush();
        sub.stalled = true;
        this.host.onFault(this, 'stall');
        return;
      }
      buf += log[sub.cursor++]!.frame;
      sub.sent++;
      n++;
      if (buf.length >= 64 * 1024 && !flush()) return;
    }
    if (!flush()) return;
    if (this.terminal && sub.cursor >= log.length) {
      sub.done = true;
      this.subscribers.delete(sub);
      this.host.scheduler.cancel(sub.cutTask);
      sub.res.end();
    }
  }

  /** Ends a subscriber's stream early (a `cut` fault), optionally after a raw JSON error envelope. */
  cutNow(sub: Subscriber): void {
    if (sub.done) return;
    const rule = sub.cut;
    this.drop(sub);
    this.host.onFault(this, 'cut');
    if (rule?.rawError) {
      const code = rule.status ?? 503;
      const body = {
        error: { code, message: rule.message ?? 'The service is currently unavailable.', status: code === 504 ? 'DEADLINE_EXCEEDED' : code === 500 ? 'INTERNAL' : 'UNAVAILABLE' },
      };
      sub.res.write(`${JSON.stringify(rule.rawError === 'array' ? [body] : body)}\n`);
    }
    if (rule?.destroy) sub.res.destroy();
    else sub.res.end();
  }
}
