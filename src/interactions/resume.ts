/**
 * The one stream-resume algorithm of gemini-jobs, shared by the public `ResumableStream` and the
 * worker's follow activity: given a checkpoint (the last `event_id` and the state folded up to
 * it), it decides which events of each (re)connection are new, folds them into the live state, and
 * reports a new checkpoint at every event that carries an `event_id`.
 *
 * Facts it relies on (docs/interactions-api.md §5, and users' reports of §12):
 * - A stream reattached with `last_event_id` resumes after that event; id-less events that
 *   followed the cursor (text deltas between two ids) are sent again, so as many id-less events
 *   at the head of a resumed connection as were already delivered are skipped.
 * - Some servers ignore the cursor and replay the run from its start: recognised by
 *   `interaction.created` opening a resumed connection. Everything up to and including the cursor
 *   event is then dropped (id-less events too), so a consumer's output is replaced, never appended
 *   to twice. A replay that never reaches the cursor lets its terminal event through (a GET decides).
 * - An event id is delivered once, whatever the server resends.
 * - A connection that ends without a terminal event (`interaction.completed`, `error`, or a
 *   `status_update` away from an active status) is `stream_truncated`: outcome unknown, never success.
 *
 * Wire-free and Temporal-free: the caller opens connections, decides when to reconnect, and stores
 * the checkpoint (in memory, or as a heartbeat).
 */
import { StreamProtocolError } from './errors';
import { statusClass, type InteractionEvent } from './types';

/** Called at every event with an `event_id`, after it was folded in: the new resume point. */
export type CheckpointCallback<S> = (lastEventId: string, state: S) => void;

export interface StreamResumeOptions<S> {
  /** Resume after this event id (undefined = from the start). */
  lastEventId?: string | undefined;
  /** State folded up to `lastEventId` (e.g. the follow activity's progress). */
  state: S;
  /** Folds one new event into the state (mutating it). */
  apply?: (state: S, event: InteractionEvent) => void;
  /** Copies a state (the checkpoint must not change when the live state does). */
  clone?: (state: S) => S;
  onCheckpoint?: CheckpointCallback<S>;
}

/** True for an event after which the stream claims the run ended (a GET still confirms it). */
export function claimsEnd(event: InteractionEvent): boolean {
  if (event.event_type === 'interaction.completed' || event.event_type === 'error') return true;
  if (event.event_type === 'interaction.status_update') return statusClass(String((event as { status?: unknown }).status)) !== 'active';
  return false;
}

/** Resume state of one event stream across connections; see the module comment for the rules. */
export class StreamResume<S = undefined> {
  /** The checkpoint: the last `event_id` delivered. */
  lastEventId: string | undefined;
  /** State with every delivered event folded in (id-less ones after the checkpoint included). */
  live: S;
  /** True once an event delivered on the current connection claimed the end of the run (see {@link claimsEnd}). */
  sawEnd = false;
  /** Connections filtered so far. */
  connections = 0;

  private readonly seen = new Set<string>();
  /** Id-less events delivered since the checkpoint: a resumed connection sends them again. */
  private idlessSinceCursor = 0;
  // The current connection: where it was opened, and what of its head is still to be skipped.
  private cursor: string | undefined;
  private skipIdless = 0;
  private first = true;
  private replaying = false;

  constructor(private readonly opts: StreamResumeOptions<S>) {
    this.lastEventId = opts.lastEventId;
    this.live = opts.state;
  }

  /**
   * Filters one connection opened at {@link lastEventId}: yields only events not delivered before,
   * after folding each into {@link live}; checkpoints at id'd events. Stops after
   * `interaction.completed` (nothing follows it). Throws `stream_truncated` (StreamProtocolError)
   * when `source` ends without an event that claims the end.
   */
  async *connection(source: AsyncIterable<InteractionEvent>): AsyncGenerator<InteractionEvent, void, undefined> {
    this.beginConnection();
    for await (const e of source) {
      if (!this.accept(e)) continue;
      yield e;
      // The last event of a run: do not wait for the server to close the connection.
      if (e.event_type === 'interaction.completed') return;
    }
    this.endConnection();
  }

  /** A new connection opened at {@link lastEventId}: what {@link connection} does first, for callers that iterate themselves. */
  beginConnection(): void {
    this.cursor = this.lastEventId;
    this.connections++;
    this.sawEnd = false;
    this.skipIdless = this.idlessSinceCursor;
    this.first = true;
    this.replaying = false;
  }

  /**
   * One event of the current connection: true when it is new (then it was folded into
   * {@link live} and, with an id, checkpointed), false when it was delivered before.
   */
  accept(e: InteractionEvent): boolean {
    const id = typeof e.event_id === 'string' && e.event_id !== '' ? e.event_id : undefined;
    if (this.first) {
      this.first = false;
      this.replaying = this.cursor !== undefined && e.event_type === 'interaction.created' && id !== this.cursor;
    }
    if (this.replaying) {
      if (id === this.cursor) {
        this.replaying = false;
        this.skipIdless = this.idlessSinceCursor;
        return false;
      }
      if (!claimsEnd(e)) return false;
      this.replaying = false;
    }
    if (id !== undefined) {
      this.skipIdless = 0;
      if (this.seen.has(id)) return false;
      this.seen.add(id);
    } else if (this.skipIdless > 0) {
      this.skipIdless--;
      return false;
    }
    this.opts.apply?.(this.live, e);
    if (claimsEnd(e)) this.sawEnd = true;
    if (id !== undefined) {
      this.lastEventId = id;
      this.idlessSinceCursor = 0;
      this.opts.onCheckpoint?.(id, this.opts.clone ? this.opts.clone(this.live) : this.live);
    } else {
      this.idlessSinceCursor++;
    }
    return true;
  }

  /** The current connection's source ended: throws `stream_truncated` unless an event on it claimed the end. */
  endConnection(): void {
    if (!this.sawEnd) throw new StreamProtocolError('stream ended without a terminal event', { lastEventId: this.lastEventId });
  }
}
