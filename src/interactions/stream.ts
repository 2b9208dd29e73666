/**
 * Event streams.
 *
 * `InteractionStream` is one SSE connection: an async iterable of typed events that owns its
 * AbortController (leaving the loop aborts the request), enforces the idle deadline itself, and
 * treats a body that ends without a terminal event as `stream_truncated`, never as success.
 *
 * `ResumableStream` survives drops: it reconnects with `last_event_id`, never yields an event
 * twice, and when a resumed connection fails again it asks a plain GET for the true status.
 */

import { InteractionAccumulator } from './accumulator';
import { APITimeoutError, AbortError, InteractionsError, StreamErrorEvent, StreamProtocolError, isAbortError, type RouteInfo } from './errors';
import { isRetryable } from './retry-table';
import { EventDecoder, UndecodedItem } from './sse';
import { abortReason, sleep } from './retry';
import { retryDelay } from '../common/backoff';
import { header, readText, type TransportResponse } from './transport';
import { eventInteractionId, isSettledStatus, isTerminalEvent } from './types';
import { StreamResume } from './resume';
import type { Interaction, InteractionEvent } from './types';

/** After a settled status_update, how long to wait for `interaction.completed`, in milliseconds. */
export const SETTLED_TAIL_MS = 5000;

/** Opens the HTTP response of a stream (with the client's retry policy for idempotent GETs). */
export type StreamOpener = (signal: AbortSignal) => Promise<TransportResponse>;

export interface InteractionStreamOptions {
  /** Longest silence between two body chunks, in milliseconds (0 disables). */
  idleTimeoutMs: number;
  /** Caller's signal; aborting it aborts the stream. */
  signal?: AbortSignal;
  route?: RouteInfo;
  /** Known up front for GET streams. */
  interactionId?: string;
}

/** One SSE connection yielding typed, normalised events. Iterate it once. */
export class InteractionStream implements AsyncIterable<InteractionEvent> {
  /** Aborting it ends the request; `break`ing out of `for await` does the same. */
  readonly controller = new AbortController();
  /** Interaction id, from the first event that carries one (or the GET path). */
  interactionId: string | undefined;
  /** Last `event_id` seen on this connection. */
  lastEventId: string | undefined;
  /** True once an event that may end the stream was seen (completed, error, settled status). */
  sawTerminal = false;
  /** HTTP status and headers, once connected. */
  response: { status: number; headers: Record<string, string | string[] | undefined> } | undefined;

  private iterated = false;

  constructor(
    private readonly open: StreamOpener,
    private readonly opts: InteractionStreamOptions,
  ) {
    this.interactionId = opts.interactionId;
  }

  /** Abort the request (idempotent). */
  abort(reason?: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason ?? new AbortError());
  }

  [Symbol.asyncIterator](): AsyncIterator<InteractionEvent> {
    if (this.iterated) throw new InteractionsError('invalid_request', 'an InteractionStream can be iterated only once');
    this.iterated = true;
    return new EventIterator(this.chunks(), this);
  }

  /** Consume the rest of the stream and fold it into an Interaction. */
  async finalInteraction(): Promise<Interaction> {
    const acc = new InteractionAccumulator();
    for await (const e of this) acc.apply(e);
    return acc.snapshot();
  }

  private ctx() {
    return { route: this.opts.route, interactionId: this.interactionId, lastEventId: this.lastEventId };
  }

  /**
   * The connection, one body chunk at a time: the decoded items of each chunk (up to the event
   * nothing follows), with every deadline, error mapping and clean-up of the stream. Per-event
   * work happens in {@link EventIterator}, without a generator step per event.
   */
  private async *chunks(): AsyncGenerator<readonly Item[], void, undefined> {
    const signal = this.controller.signal;
    const outer = this.opts.signal;
    const onOuterAbort = () => this.abort(new AbortError());
    if (outer) {
      if (outer.aborted) throw new AbortError();
      outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    let body: TransportResponse['body'] | undefined;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    try {
      const res = await this.open(signal);
      body = res.body;
      this.response = { status: res.status, headers: res.headers };
      const ctype = header(res.headers, 'content-type') ?? '';
      if (ctype.includes('application/json')) {
        const text = await readText(res.body, 64 * 1024);
        throw new StreamProtocolError(`expected an event stream, got JSON (${text.length} chars)`, this.ctx());
      }

      // Idle watchdog: one timer re-armed lazily instead of a clear/set per chunk.
      const idleMs = this.opts.idleTimeoutMs;
      let last = Date.now();
      if (idleMs > 0) {
        const check = () => {
          // Once settled, only `interaction.completed` can follow: wait for it briefly.
          const limit = this.sawTerminal ? Math.min(idleMs, SETTLED_TAIL_MS) : idleMs;
          const quiet = Date.now() - last;
          if (quiet >= limit) this.abort(new APITimeoutError('idle', limit, this.ctx()));
          else timer = setTimeout(check, Math.min(limit - quiet, SETTLED_TAIL_MS)).unref();
        };
        timer = setTimeout(check, idleMs).unref();
      }

      const decoder = new EventDecoder();
      let finalSeen = false;
      for await (const chunk of res.body) {
        last = Date.now();
        const items = decoder.writeEvents(chunk as Uint8Array);
        const end = finalIndex(items);
        finalSeen = end < items.length;
        if (items.length > 0) yield finalSeen ? items.slice(0, end + 1) : items;
        if (finalSeen || decoder.done) break;
      }
      if (!finalSeen) {
        const tail = decoder.writeEvents(undefined);
        if (tail.length > 0) yield tail;
      }
      finished = true;
      if (!this.sawTerminal) {
        throw new StreamProtocolError('stream ended without interaction.completed, an error event or a terminal status: outcome unknown, read it with get()', this.ctx());
      }
    } catch (err) {
      if (err instanceof InteractionsError && !(err instanceof AbortError) && !signal.aborted) {
        throw err;
      }
      if (signal.aborted) {
        const reason = abortReason(signal);
        // After a terminal event, a stall or drop is just the server not closing promptly.
        if (this.sawTerminal && !(reason instanceof AbortError)) return;
        if (reason instanceof APITimeoutError && reason.phase === 'idle') {
          throw new APITimeoutError('idle', this.opts.idleTimeoutMs, this.ctx());
        }
        throw reason;
      }
      if (this.sawTerminal) return;
      throw new StreamProtocolError(`stream interrupted: ${err instanceof Error ? err.message : String(err)}`, {
        ...this.ctx(),
        cause: err,
      });
    } finally {
      if (timer) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
      if (!finished && !signal.aborted) this.controller.abort(new AbortError('stream closed by consumer'));
      if (body && !body.destroyed) body.destroy();
    }
  }

  /** @internal An event as it is handed to the consumer: the connection's bookkeeping. */
  noteHanded(e: InteractionEvent): void {
    if (this.interactionId === undefined) {
      const id = eventInteractionId(e);
      if (id) this.interactionId = id;
    }
    if (typeof e.event_id === 'string') this.lastEventId = e.event_id;
    if (isTerminalEvent(e)) this.sawTerminal = true;
  }

  /** @internal The error an undecodable item stands for. */
  problemOf({ item }: UndecodedItem): Error {
    if (item.kind === 'unframed') return new StreamErrorEvent(item.error, this.ctx());
    return new StreamProtocolError(`malformed event data (${item.raw.length} chars, not JSON)`, this.ctx());
  }
}

/**
 * Index of the event nothing follows (`interaction.completed` or `error`) in `items`, or
 * `items.length`. After a settled status_update the `interaction.completed` usually follows, so
 * reading goes on (a stall then ends the stream quietly).
 */
function finalIndex(items: readonly Item[]): number {
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (!(item instanceof UndecodedItem) && (item.event_type === 'interaction.completed' || item.event_type === 'error')) return i;
  }
  return items.length;
}

/** What the decoder hands the stream: an event, or what stands in for an error. */
type Item = InteractionEvent | UndecodedItem;

const NO_ITEMS: readonly Item[] = [];
const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Hands out the items of each chunk one by one with an already-settled promise (a generator step
 * per event costs more than the decoding); pulls the next chunk only when they are used up. An
 * item that stands for an error is thrown into the chunk generator, so its mapping and clean-up
 * apply, after every event before it was handed out.
 */
class EventIterator implements AsyncIterator<InteractionEvent> {
  private items: readonly Item[] = NO_ITEMS;
  private next_ = 0;

  constructor(
    private readonly source: AsyncGenerator<readonly Item[], void, undefined>,
    private readonly stream: InteractionStream,
  ) {}

  next(): Promise<IteratorResult<InteractionEvent>> {
    const i = this.next_;
    if (i < this.items.length) {
      this.next_ = i + 1;
      return this.hand(this.items[i]!);
    }
    return this.pull();
  }

  return(): Promise<IteratorResult<InteractionEvent>> {
    this.items = NO_ITEMS;
    return this.source.return(undefined).then(() => DONE);
  }

  private hand(item: Item): Promise<IteratorResult<InteractionEvent>> {
    if (!(item instanceof UndecodedItem)) {
      this.stream.noteHanded(item);
      return Promise.resolve({ value: item, done: false });
    }
    this.items = NO_ITEMS;
    return this.source.throw(this.stream.problemOf(item)).then(() => DONE);
  }

  private async pull(): Promise<IteratorResult<InteractionEvent>> {
    for (;;) {
      const r = await this.source.next();
      if (r.done) return DONE;
      if (r.value.length === 0) continue;
      this.items = r.value;
      this.next_ = 1;
      return this.hand(r.value[0]!);
    }
  }
}

export interface ReconnectInfo {
  /** 1-based number of this reconnect. */
  attempt: number;
  /** Cursor the reconnect resumes from (undefined = from the start). */
  lastEventId: string | undefined;
  /** Why the previous connection ended. */
  error: unknown;
}

export interface ResumeOptions {
  /** Resume after this event id (undefined = replay from the start). */
  lastEventId?: string;
  /** Longest silence on a connection before reconnecting, in milliseconds (default: client's, 90000). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Called before each reconnect. */
  onReconnect?: (info: ReconnectInfo) => void;
  /** Consecutive reconnects without a new event before giving up (default 5). */
  maxReconnects?: number;
  /** First reconnect backoff in milliseconds, doubled per consecutive failure (default 500, cap 8000). */
  reconnectDelayMs?: number;
}

export interface ResumableDeps {
  interactionId: string;
  route?: RouteInfo;
  /** Opens `GET …/{id}?stream=true[&last_event_id=…]`. */
  openStream(lastEventId: string | undefined, signal: AbortSignal, idleTimeoutMs: number): InteractionStream;
  /** Plain `GET …/{id}`. */
  getInteraction(signal: AbortSignal): Promise<Interaction>;
  defaultIdleTimeoutMs: number;
}

/**
 * An event stream that reconnects across drops, stalls and truncation.
 *
 * Which events of a (re)connection are new is decided by {@link StreamResume} (the algorithm the
 * follow activity uses too): ids are yielded once, replayed id-less events and a replay from the
 * start are dropped; the cursor is the last `event_id` yielded.
 *
 * Ending: after a terminal event (`interaction.completed`, `error`, settled `status_update`), or,
 * when a resumed connection fails again, after a plain GET reports a settled status: then
 * {@link interaction} holds that resource and nothing is yielded for it.
 */
export class ResumableStream implements AsyncIterable<InteractionEvent> {
  readonly controller = new AbortController();
  readonly interactionId: string;
  /** Cursor: the last `event_id` yielded. */
  lastEventId: string | undefined;
  /** Number of reconnects made so far. */
  reconnects = 0;
  /** The resource from the fallback GET, when the stream ended that way. */
  interaction: Interaction | undefined;
  /** How the stream ended: a terminal event, or a fallback GET showing a settled status. */
  endedBy: 'event' | 'get' | undefined;

  /** The resume algorithm (cursor, replay dropping, id-less skipping): src/interactions/resume.ts. */
  private readonly resume: StreamResume;
  private iterated = false;

  constructor(
    private readonly deps: ResumableDeps,
    private readonly opts: ResumeOptions = {},
  ) {
    this.interactionId = deps.interactionId;
    this.lastEventId = opts.lastEventId;
    this.resume = new StreamResume({ lastEventId: opts.lastEventId, state: undefined });
  }

  abort(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new AbortError());
  }

  [Symbol.asyncIterator](): AsyncIterator<InteractionEvent> {
    if (this.iterated) throw new InteractionsError('invalid_request', 'a ResumableStream can be iterated only once');
    this.iterated = true;
    return this.run();
  }

  /**
   * Consume the rest and return the final Interaction: the fallback GET's resource when the stream
   * ended that way (the server's truth), else the events folded by the accumulator.
   */
  async finalInteraction(): Promise<Interaction> {
    const acc = new InteractionAccumulator();
    for await (const e of this) acc.apply(e);
    return this.interaction ?? acc.snapshot();
  }

  private async *run(): AsyncGenerator<InteractionEvent, void, undefined> {
    const signal = this.controller.signal;
    const outer = this.opts.signal;
    const onOuterAbort = () => this.abort();
    if (outer) {
      if (outer.aborted) throw new AbortError();
      outer.addEventListener('abort', onOuterAbort, { once: true });
    }
    const maxReconnects = this.opts.maxReconnects ?? 5;
    const baseDelay = this.opts.reconnectDelayMs ?? 500;
    const idleMs = this.opts.idleTimeoutMs ?? this.deps.defaultIdleTimeoutMs;
    let failures = 0;
    let connection = 0;
    try {
      for (;;) {
        const stream = this.deps.openStream(this.resume.lastEventId, signal, idleMs);
        let progressed = false;
        let failure: unknown;
        try {
          for await (const e of this.resume.connection(stream)) {
            this.lastEventId = this.resume.lastEventId;
            progressed = true;
            yield e;
          }
          // The inner stream returns normally only after it saw a terminal event.
          this.endedBy = 'event';
          return;
        } catch (err) {
          failure = err;
        }
        if (signal.aborted || isAbortError(failure)) throw signal.aborted ? abortReason(signal) : failure;
        if (!isReconnectable(failure)) throw failure;

        if (progressed) failures = 0;
        failures++;
        if (connection > 0) {
          // A resumed connection failed again: ask the server for the truth.
          const current = await this.deps.getInteraction(signal);
          if (isSettledStatus(current.status)) {
            this.interaction = current;
            this.endedBy = 'get';
            return;
          }
        }
        if (failures > maxReconnects) {
          throw new StreamProtocolError(`gave up after ${failures - 1} reconnects without progress`, {
            route: this.deps.route,
            interactionId: this.interactionId,
            lastEventId: this.lastEventId,
            cause: failure,
          });
        }
        connection++;
        this.reconnects++;
        this.opts.onReconnect?.({ attempt: this.reconnects, lastEventId: this.lastEventId, error: failure });
        await sleep(retryDelay(failures - 1, { initialMs: baseDelay, maxMs: 8000, jitter: 0.25, spread: 'down' }), signal);
      }
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }
}

/** Errors after which reconnecting may help: the retry table's verdict (retry-table.ts). */
export function isReconnectable(err: unknown): boolean {
  return isRetryable(err);
}
