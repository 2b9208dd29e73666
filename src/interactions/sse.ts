/**
 * Incremental Server-Sent Events decoder (WHATWG framing) tuned for the Interactions API.
 *
 * Works on decoded strings with `indexOf`; no per-character loop and no regular expression per
 * line. Handles LF, CRLF and CR line endings (including a CR/LF pair split across two chunks),
 * multi-line `data:` joined with "\n", `:` comments, `[DONE]`, and events without `event_id`.
 *
 * It also tolerates a raw JSON document written into the body without SSE framing (the API has
 * been seen appending a Google error envelope, `{"error":{...}}` or `[{"error":{...}}]`, before
 * cutting a stream, and sending a content-filter refusal as a bare JSON line). Such text is
 * reported through `onRaw` instead of being dropped; {@link EventDecoder} turns it into an error.
 */

import { normalizeEvent } from './normalize';
import type { ErrorEventBody, InteractionEvent } from './types';

const LF = 10;
const COLON = 58;
const SPACE = 32;
const LBRACE = 123;
const LBRACKET = 91;
const RBRACE = 125;
const RBRACKET = 93;

/** Unframed JSON longer than this (characters) is surfaced as-is without waiting for more lines. */
const MAX_RAW_CHARS = 1 << 20;

export interface SSESink {
  /** A complete SSE message: its joined `data`, and its `event` / `id` fields when present. */
  message(data: string, event: string | undefined, id: string | undefined): void;
  /**
   * Unframed text that looked like JSON (a line starting with `{` or `[` outside any message),
   * with the `value` parsed when it parsed.
   */
  raw(text: string, value: unknown, parsed: boolean): void;
}

export interface SSEDecoderOptions {
  /** Read only `data:` fields: `event` and `id` reach the sink as undefined (no string is cut for them). Default false. */
  dataOnly?: boolean;
}

/** Low-level decoder: feed strings with {@link push}, then call {@link end}. */
export class SSEDecoder {
  private pieces: string[] = []; // an unterminated line, split across chunks
  private skipLF = false; // previous chunk ended with CR: a leading LF belongs to it
  private data: string | undefined;
  private event: string | undefined;
  private id: string | undefined;
  private rawText: string | undefined; // unframed JSON being collected
  private readonly dataOnly: boolean;

  constructor(
    private readonly sink: SSESink,
    opts: SSEDecoderOptions = {},
  ) {
    this.dataOnly = opts.dataOnly ?? false;
  }

  /** Feed the next decoded piece of the body. */
  push(chunk: string): void {
    const n = chunk.length;
    if (n === 0) return;
    let pos = 0;
    if (this.skipLF) {
      this.skipLF = false;
      if (chunk.charCodeAt(0) === LF) pos = 1;
    }
    const hasCR = chunk.indexOf('\r', pos) !== -1;
    let nextLF = chunk.indexOf('\n', pos);
    let nextCR = hasCR ? chunk.indexOf('\r', pos) : -1;
    for (;;) {
      let end: number;
      let after: number;
      if (!hasCR) {
        if (nextLF === -1) break;
        end = nextLF;
        after = end + 1;
        nextLF = chunk.indexOf('\n', after);
      } else {
        if (nextLF === -1 && nextCR === -1) break;
        if (nextCR === -1 || (nextLF !== -1 && nextLF < nextCR)) {
          end = nextLF;
          after = end + 1;
        } else {
          end = nextCR;
          after = end + 1;
          if (after === n) this.skipLF = true;
          else if (chunk.charCodeAt(after) === LF) after++;
        }
        if (nextLF !== -1 && nextLF < after) nextLF = chunk.indexOf('\n', after);
        if (nextCR !== -1 && nextCR < after) nextCR = chunk.indexOf('\r', after);
      }
      if (this.pieces.length !== 0) {
        this.pieces.push(chunk.slice(pos, end));
        const line = this.pieces.join('');
        this.pieces.length = 0;
        this.line(line, 0, line.length);
      } else {
        this.line(chunk, pos, end);
      }
      pos = after;
    }
    if (pos < n) this.pieces.push(pos === 0 ? chunk : chunk.slice(pos));
  }

  /** The body ended: flush an unterminated line, a pending message, and unframed JSON. */
  end(): void {
    if (this.pieces.length !== 0) {
      const line = this.pieces.join('');
      this.pieces.length = 0;
      this.line(line, 0, line.length);
    }
    this.skipLF = false;
    this.flushRaw();
    // A message without its terminating blank line is still delivered: the data is complete JSON
    // in practice, and dropping a final `interaction.completed` would turn success into "unknown".
    this.dispatch();
  }

  private line(s: string, start: number, end: number): void {
    if (this.rawText !== undefined) {
      if (start === end || !this.continuesRaw(s, start)) {
        this.flushRaw();
      } else {
        this.rawText += '\n' + s.slice(start, end);
        this.maybeFinishRaw(s.charCodeAt(start));
        return;
      }
    }
    if (start === end) {
      this.dispatch();
      return;
    }
    const c = s.charCodeAt(start);
    if (c === COLON) return; // comment
    if (c === 100 /* d */ && s.startsWith('data', start)) {
      const v = this.value(s, start + 4, end);
      if (v === null) return;
      this.data = this.data === undefined ? v : this.data + '\n' + v;
      return;
    }
    // `event` and `id` lines (and unknown fields starting like them, ignored anyway) when only data is read.
    if (this.dataOnly && (c === 101 || c === 105)) return;
    if (c === 101 /* e */ && s.startsWith('event', start)) {
      const v = this.value(s, start + 5, end);
      if (v !== null) this.event = v;
      return;
    }
    if (c === 105 /* i */ && s.startsWith('id', start)) {
      const v = this.value(s, start + 2, end);
      if (v !== null && v.indexOf('\0') === -1) this.id = v;
      return;
    }
    if ((c === LBRACE || c === LBRACKET) && this.data === undefined) {
      this.rawText = s.slice(start, end);
      this.maybeFinishRaw(s.charCodeAt(end - 1));
    }
    // Any other field (`retry`, unknown names) is ignored, as WHATWG requires.
  }

  /** Value of a field whose name ends at `i`; null when the name is longer (e.g. `database:`). */
  private value(s: string, i: number, end: number): string | null {
    if (i === end) return '';
    if (s.charCodeAt(i) !== COLON) return null;
    i++;
    if (i < end && s.charCodeAt(i) === SPACE) i++;
    return s.slice(i, end);
  }

  private dispatch(): void {
    const data = this.data;
    const event = this.event;
    this.data = undefined;
    this.event = undefined;
    if (data !== undefined) this.sink.message(data, event, this.id);
  }

  /** A pretty-printed envelope continues on lines that are not SSE fields. */
  private continuesRaw(s: string, start: number): boolean {
    const c = s.charCodeAt(start);
    if (c === COLON) return false;
    if (c === 100 && s.startsWith('data:', start)) return false;
    if (c === 101 && s.startsWith('event:', start)) return false;
    return true;
  }

  private maybeFinishRaw(c: number): void {
    const text = this.rawText!;
    if (c === RBRACE || c === RBRACKET || text.length > MAX_RAW_CHARS) {
      try {
        const value: unknown = JSON.parse(text);
        this.rawText = undefined;
        this.sink.raw(text, value, true);
      } catch {
        if (text.length > MAX_RAW_CHARS) this.flushRaw();
      }
    }
  }

  private flushRaw(): void {
    const text = this.rawText;
    if (text === undefined) return;
    this.rawText = undefined;
    let value: unknown;
    let parsed = false;
    try {
      value = JSON.parse(text);
      parsed = true;
    } catch {
      /* surfaced unparsed */
    }
    this.sink.raw(text, value, parsed);
  }
}

/** What {@link EventDecoder} produced from one piece of the body. */
export type DecodedItem =
  | { kind: 'event'; event: InteractionEvent }
  /** Unframed JSON: a Google error envelope, or any other bare JSON (e.g. a refusal). */
  | { kind: 'unframed'; error: ErrorEventBody; raw: string }
  /** A `data:` payload that is not JSON. */
  | { kind: 'malformed'; raw: string };

/** Pull `{code, message, status, details}` out of `{"error":…}` / `[{"error":…}]`. */
export function errorFromEnvelope(value: unknown): ErrorEventBody | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === null || typeof v !== 'object') return undefined;
  const e = (v as { error?: unknown }).error;
  if (e === null || typeof e !== 'object') return undefined;
  const err = e as Record<string, unknown>;
  const out: ErrorEventBody = {};
  if (typeof err.code === 'number' || typeof err.code === 'string') out.code = err.code;
  if (typeof err.message === 'string') out.message = err.message;
  if (typeof err.status === 'string') out.status = err.status;
  if (Array.isArray(err.details)) out.details = err.details;
  return out;
}

/** @internal An item that is not an event, as {@link EventDecoder.writeEvents} hands it out. */
export class UndecodedItem {
  constructor(readonly item: Exclude<DecodedItem, { kind: 'event' }>) {}
}

/**
 * Bytes → typed, normalised Interactions events. Call {@link write} with each body chunk and read
 * the items it returns (the same array is reused: consume it before the next call).
 */
export class EventDecoder implements SSESink {
  // The JSON's `event_type` is what counts (as in every SDK): the SSE `event:` and `id:` lines are not read.
  private readonly sse = new SSEDecoder(this, { dataOnly: true });
  private readonly text = new TextDecoder('utf-8');
  private out: DecodedItem[] = [];
  /** writeEvents mode: events go into `bare` as they are, anything else wrapped in an UndecodedItem. */
  private bare: Array<InteractionEvent | UndecodedItem> | undefined;
  /** True once a `data: [DONE]` sentinel was read; later input is ignored. */
  done = false;

  /** Decode one body chunk; returns the items completed by it. */
  write(chunk: Uint8Array): DecodedItem[] {
    this.out.length = 0;
    if (!this.done) this.sse.push(this.text.decode(chunk, { stream: true }));
    return this.out;
  }

  /**
   * @internal Decode one body chunk into the events themselves (no wrapper per event; the stream's
   * hot path), with anything else as an UndecodedItem; `end` true decodes the end of input.
   * Use one of write/writeEvents for a whole body.
   */
  writeEvents(chunk: Uint8Array | undefined): Array<InteractionEvent | UndecodedItem> {
    const bare = (this.bare ??= []);
    bare.length = 0;
    if (this.done) return bare;
    if (chunk) this.sse.push(this.text.decode(chunk, { stream: true }));
    else {
      this.sse.push(this.text.decode());
      this.sse.end();
    }
    return bare;
  }

  private emit(item: DecodedItem): void {
    if (this.bare) this.bare.push(item.kind === 'event' ? item.event : new UndecodedItem(item));
    else this.out.push(item);
  }

  private emitEvent(event: InteractionEvent): void {
    if (this.bare) this.bare.push(event);
    else this.out.push({ kind: 'event', event });
  }

  /** Decode a string piece (tests, benchmarks). */
  writeString(chunk: string): DecodedItem[] {
    this.out.length = 0;
    if (!this.done) this.sse.push(chunk);
    return this.out;
  }

  /** The body ended; returns the items completed by the end of input. */
  end(): DecodedItem[] {
    this.out.length = 0;
    if (!this.done) {
      this.sse.push(this.text.decode());
      this.sse.end();
    }
    return this.out;
  }

  message(data: string, _event: string | undefined, _id: string | undefined): void {
    if (this.done) return;
    // Dispatch on the JSON `event_type`, as every SDK does; the SSE `event:` line is redundant.
    const c = data.charCodeAt(0);
    if (c === LBRACKET && data.startsWith('[DONE]')) {
      this.done = true;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      this.emit({ kind: 'malformed', raw: data });
      return;
    }
    this.accept(value, data);
  }

  raw(text: string, value: unknown, parsed: boolean): void {
    if (this.done) return;
    if (parsed) {
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { event_type?: unknown }).event_type === 'string') {
        // An event written without `data:` framing: keep it.
        this.accept(value, text);
        return;
      }
      const env = errorFromEnvelope(value);
      if (env) {
        this.emit({ kind: 'unframed', error: env, raw: text });
        return;
      }
    }
    const snippet = text.length > 500 ? text.slice(0, 500) + '…' : text;
    this.emit({
      kind: 'unframed',
      error: { code: 'unframed_json', message: `unframed ${parsed ? 'JSON' : 'text'} in event stream: ${snippet}` },
      raw: text,
    });
  }

  private accept(value: unknown, raw: string): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.emit({ kind: 'malformed', raw });
      return;
    }
    const obj = value as Record<string, unknown>;
    if (typeof obj.event_type !== 'string') {
      const env = errorFromEnvelope(obj);
      if (env) {
        // `data: {"error":{...}}` without event_type: an error event in all but name.
        this.emitEvent({ event_type: 'error', error: env });
        return;
      }
      this.emit({ kind: 'malformed', raw });
      return;
    }
    this.emitEvent(normalizeEvent(obj as InteractionEvent));
  }
}
