/**
 * Stream progress of one interaction, small and JSON-serializable so it fits in a heartbeat.
 *
 * The follow activity keeps two copies: `live` (every event applied) and `committed` (a snapshot
 * taken only at events that carry an `event_id`). Only `committed` is heartbeated, because a stream
 * resumed with `last_event_id=X` replays every event after X, including the id-less ones already
 * applied to `live`: checkpointing `live` would count those twice.
 */
import type { InteractionEvent, Step, Usage } from '../src/interactions/types';
import type { StreamProgress } from './types';

/** FNV-1a 32-bit offset basis, as 8 hex digits. */
export const FNV_OFFSET = '811c9dc5';

/** Continues an FNV-1a 32-bit hash (hex state) over the UTF-16 code units of `text`. */
export function fnv1a(text: string, state: string = FNV_OFFSET): string {
  let h = parseInt(state, 16) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Latest thought summary kept in progress (characters). */
export const THOUGHT_CHARS = 240;

/**
 * The latest part of a thought summary, at most THOUGHT_CHARS, starting at a word boundary (the
 * head is dropped: the newest sentence is the one worth showing), never in the middle of a word.
 */
export function thoughtTail(text: string): string {
  if (text.length <= THOUGHT_CHARS) return text;
  const tail = text.slice(-THOUGHT_CHARS);
  // The character before the cut is part of the text: if it is not a space we are mid-word.
  if (/\s/.test(text[text.length - THOUGHT_CHARS - 1]!)) return tail.trimStart();
  const space = tail.search(/\s/);
  return space >= 0 ? tail.slice(space).trimStart() : tail;
}

/** Mutable progress plus the open steps' types (needed to attribute a delta after a resume). */
export interface ProgressState extends StreamProgress {
  openSteps: Record<string, string>;
  usage?: Usage;
}

export function emptyProgress(): ProgressState {
  return { eventsApplied: 0, outputChars: 0, outputHash: FNV_OFFSET, openSteps: {}, stepsStarted: 0 };
}

export function cloneProgress(p: ProgressState): ProgressState {
  return JSON.parse(JSON.stringify(p)) as ProgressState;
}

/**
 * Applies one stream event. Output text = the `text` deltas of `model_output` steps, which is
 * what `streamedTextOf(steps)` reads from a GET, so the two can be compared at the end.
 */
export function applyEvent(p: ProgressState, ev: InteractionEvent, nowIso: string): void {
  p.eventsApplied++;
  p.lastEventAt = nowIso;
  const e = ev as Record<string, unknown>;
  const meta = e['metadata'] as { total_usage?: Usage } | undefined;
  if (meta?.total_usage) p.usage = meta.total_usage;
  switch (ev.event_type) {
    case 'interaction.created':
    case 'interaction.completed': {
      const interaction = e['interaction'] as { status?: string; usage?: Usage } | undefined;
      if (interaction?.status) p.status = interaction.status;
      if (interaction?.usage) p.usage = interaction.usage;
      return;
    }
    case 'interaction.status_update': {
      if (typeof e['status'] === 'string') p.status = e['status'] as string;
      if (e['usage']) p.usage = e['usage'] as Usage;
      return;
    }
    case 'step.start': {
      if (p.stepsStarted !== undefined) p.stepsStarted++; // unknown after an old checkpoint: stays unknown
      const step = e['step'] as { type?: string } | undefined;
      p.openSteps[String(e['index'])] = step?.type ?? 'unknown';
      if (step?.type?.endsWith('_call')) p.toolCalls = (p.toolCalls ?? 0) + 1;
      return;
    }
    case 'step.stop': {
      delete p.openSteps[String(e['index'])];
      return;
    }
    case 'step.delta': {
      const delta = e['delta'] as { type?: string; text?: unknown; content?: { type?: string; text?: unknown } } | undefined;
      const stepType = p.openSteps[String(e['index'])];
      if (delta?.type === 'text' && typeof delta.text === 'string' && (stepType === 'model_output' || stepType === undefined)) {
        p.outputChars += delta.text.length;
        p.outputHash = fnv1a(delta.text, p.outputHash);
      } else if (delta?.type === 'thought_summary' && typeof delta.content?.text === 'string') {
        const index = String(e['index']);
        const joined = p.thoughtStep === index && p.latestThought !== undefined ? p.latestThought + delta.content.text : delta.content.text;
        p.latestThought = thoughtTail(joined);
        p.thoughtStep = index;
      }
      return;
    }
    default:
      return;
  }
}

/** The text a complete stream would have produced: all `text` content of `model_output` steps. */
export function streamedTextOf(steps: readonly Step[] | undefined): string {
  let out = '';
  for (const step of steps ?? []) {
    if (step?.type !== 'model_output') continue;
    for (const c of (step as { content?: Array<{ type?: string; text?: unknown }> }).content ?? []) {
      if (c?.type === 'text' && typeof c.text === 'string') out += c.text;
    }
  }
  return out;
}
