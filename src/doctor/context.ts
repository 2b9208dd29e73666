/**
 * What every probe shares: the client (built with the worker's own settings and the recording
 * dispatcher), the wire recorder, the observer, and the spend ledger (creates, tokens, deletes).
 */
import { backoffMs } from '../common/backoff';
import { sleep } from '../common/sleep';
import { NotFoundError, PermissionDeniedError } from '../interactions/errors';
import type { InteractionsClient } from '../interactions/client';
import type { CreateInteractionRequest, Interaction, InteractionEvent, Usage } from '../interactions/types';
import { Observer } from './observe';
import type { Check, Spend } from './report';
import type { WireRecorder } from './wire';

export interface ProbeSettings {
  /** Model of the model-turn probes. */
  model: string;
  /** Agent of the planning probe. */
  agent: string;
  /** Stop creating interactions once this many tokens were used (sum of `usage.total_tokens`). */
  maxTokens: number;
  /** Longest wait for one background turn to settle, in milliseconds. */
  turnTimeoutMs: number;
  /** Longest wait for a Deep Research plan turn, in milliseconds. */
  planTimeoutMs: number;
  /** Interval between status GETs while waiting, in milliseconds. */
  pollIntervalMs: number;
}

/** How long reads right after a create may answer 404/403 (the worker's `notFoundGraceMs` default), in ms. */
export const NOT_FOUND_GRACE_MS = 60_000;

export class ProbeContext {
  readonly observer = new Observer();
  readonly checks: Check[] = [];
  private readonly usage = new Map<string, Usage>();
  private readonly created: string[] = [];
  private readonly deletedIds = new Set<string>();

  constructor(
    readonly client: InteractionsClient,
    readonly wire: WireRecorder,
    readonly settings: ProbeSettings,
  ) {}

  /** Attribute the following requests to `step` (for transcripts). */
  step(name: string): void {
    this.wire.step = name;
  }

  add(check: Check): Check {
    this.checks.push(check);
    return check;
  }

  /** Tokens used so far by the interactions this run created. */
  tokensUsed(): number {
    let total = 0;
    for (const u of this.usage.values()) total += tokenTotal(u);
    return total;
  }

  /** Aborted when the user asks to stop: no new creates, waits end, cleanup still runs. */
  readonly stop = new AbortController();

  /** Why a new create must not go ahead (spend cap reached, or stopped by the user), else undefined. */
  overBudget(): string | undefined {
    if (this.stop.signal.aborted) return 'stopped by the user';
    const used = this.tokensUsed();
    return used >= this.settings.maxTokens ? `spend cap reached (${used} of ${this.settings.maxTokens} tokens used; raise --max-tokens)` : undefined;
  }

  /** Create an interaction (non-stream) and remember it for the ledger and cleanup. */
  async create(body: CreateInteractionRequest & { stream?: false }, where: string): Promise<Interaction> {
    const i = await this.client.create(body, { maxRetries: 0 });
    this.remember(i.id);
    this.seen(i, where);
    return i;
  }

  /** Remember an interaction this run created (for the ledger and cleanup). */
  remember(id: string | undefined): void {
    if (id && !this.created.includes(id)) this.created.push(id);
  }

  /** Record a resource (status, steps, usage). */
  seen(i: Interaction | undefined, where: string): void {
    if (!i) return;
    this.observer.interaction(i, where);
    if (i.usage && i.id && this.created.includes(i.id)) this.usage.set(i.id, i.usage);
  }

  /** Record an event (types, statuses, the usage of a completed event). */
  event(e: InteractionEvent, where: string): void {
    this.observer.event(e, where);
    const interaction = (e as { interaction?: Interaction }).interaction;
    if (e.event_type === 'interaction.completed' && interaction?.usage && interaction.id && this.created.includes(interaction.id)) {
      this.usage.set(interaction.id, interaction.usage);
    }
  }

  /** Seen right after a create: how long reads of an interaction answered 404/403, per id (ms). */
  readonly notFoundAfterCreateMs = new Map<string, number>();

  /**
   * Run `read` (a GET or a stream open of interaction `id`), tolerating 404/403 for up to
   * {@link NOT_FOUND_GRACE_MS} after the first try, as the worker does right after a create.
   */
  async withGrace<T>(id: string, read: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return await read();
      } catch (err) {
        const missing = err instanceof NotFoundError || err instanceof PermissionDeniedError;
        if (!missing || Date.now() - started > NOT_FOUND_GRACE_MS) throw err;
        this.notFoundAfterCreateMs.set(id, Date.now() - started);
        await sleep(backoffMs(attempt, 200, this.settings.pollIntervalMs));
      }
    }
  }

  /** A note for a line when reads of `id` answered 404/403 for a while after its create. */
  graceNote(id: string | undefined): string {
    const ms = id ? this.notFoundAfterCreateMs.get(id) : undefined;
    return ms ? `; reads answered 404/403 for ${(ms / 1000).toFixed(1)} s after the create (tolerated, as the worker does)` : '';
  }

  /** Poll GET until a settled status or the deadline (ms); returns the last resource read. */
  async waitSettled(id: string, where: string, timeoutMs: number, settled: (status: string) => boolean): Promise<Interaction> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = await this.withGrace(id, () => this.client.get(id));
      this.seen(i, where);
      if (settled(i.status) || Date.now() >= deadline || this.stop.signal.aborted) return i;
      await sleep(this.settings.pollIntervalMs);
    }
  }

  /** Delete one interaction this run created; true when it is gone (or already was). */
  async delete(id: string): Promise<boolean> {
    if (this.deletedIds.has(id)) return true;
    try {
      await this.client.delete(id);
    } catch (err) {
      if (!(err instanceof NotFoundError)) return false;
    }
    this.deletedIds.add(id);
    return true;
  }

  /** Note that `id` was deleted by a probe's own request. */
  markDeleted(id: string): void {
    this.deletedIds.add(id);
  }

  /** Delete everything this run created and has not deleted yet (best effort). */
  async cleanup(): Promise<void> {
    this.step('cleanup');
    for (const id of this.created) if (!this.deletedIds.has(id)) await this.delete(id).catch(() => false);
  }

  spend(): Spend {
    const tokens = { input: 0, output: 0, thought: 0, total: 0 };
    for (const u of this.usage.values()) {
      tokens.input += u.total_input_tokens ?? 0;
      tokens.output += u.total_output_tokens ?? 0;
      tokens.thought += u.total_thought_tokens ?? 0;
      tokens.total += tokenTotal(u);
    }
    return {
      requests: this.wire.requests,
      creates: this.created.length,
      tokens,
      maxTokens: this.settings.maxTokens,
      deleted: this.created.filter((id) => this.deletedIds.has(id)).length,
      leftBehind: this.created.filter((id) => !this.deletedIds.has(id)),
    };
  }
}

/** `usage.total_tokens`, else the sum of its parts. */
export function tokenTotal(u: Usage): number {
  if (typeof u.total_tokens === 'number') return u.total_tokens;
  return (u.total_input_tokens ?? 0) + (u.total_output_tokens ?? 0) + (u.total_thought_tokens ?? 0) + (u.total_tool_use_tokens ?? 0);
}

/** A short, credential-free description of an error: its stable code and message. */
export function describeError(err: unknown): string {
  const e = err as { code?: unknown; status?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : 'error';
  const status = typeof e?.status === 'number' ? ` ${e.status}` : '';
  return `${code}${status}: ${typeof e?.message === 'string' ? e.message : String(err)}`;
}
