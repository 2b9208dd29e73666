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

/** Longest latest-thought summary kept in progress (characters). */
export const THOUGHT_CHARS = 240;
/** Raw text of the current thought section kept to summarise it (characters): far more than a heading and a first sentence need. */
export const THOUGHT_RAW_CHARS = 1_200;

/** Where a heading starts a line: `**Title**`, `__Title__` or `# Title`. */
const HEADING_START = /(^|\n)[ \t]*(?:\*\*|__|#{1,6}[ \t])/g;
/** A heading line (its text in group 1, 2 or 3); an unfinished `**Title` counts, it is still streaming. */
const HEADING_LINE = /^[ \t]*(?:\*\*([^\n*]*?)(?:\*\*|$)|__([^\n_]*?)(?:__|$)|#{1,6}[ \t]+([^\n]*))[ \t]*(?:\n|$)/;
/** A sentence end: `.`, `!` or `?` (closing quotes and brackets included) before whitespace or the end. */
const SENTENCE_END = /[.!?]["'”’)\]]*(?=\s|$)/g;
/** Abbreviations whose dot does not end a sentence. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx|Dr|Mr|Mrs|Ms|St|No|Fig|U\.S)$/i;

/** Start offsets of the sections of a thought text (each heading starts one; the text's start is one too). */
function sectionStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(HEADING_START)) {
    const at = m.index + m[1]!.length;
    if (at > 0) starts.push(at);
  }
  return starts;
}

/**
 * The first sentence of `body`, or all of it when no sentence has ended yet; while the text is
 * still streaming (`complete` false) without a word that may be cut.
 */
function firstSentence(body: string, complete: boolean): string {
  for (const m of body.matchAll(SENTENCE_END)) {
    if (!ABBREVIATION.test(body.slice(0, m.index + 1).replace(/\.$/, ''))) return body.slice(0, m.index + m[0].length);
  }
  return complete ? body : wholeWords(body);
}

/** Plain text on one line: emphasis markers dropped, whitespace collapsed. */
function plain(text: string): string {
  return text
    .replace(/\*\*|__/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `text` cut to `max` characters at a word boundary, with an ellipsis when cut. */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Drops a trailing word that may still be growing. */
function wholeWords(text: string): string {
  const lastSpace = text.search(/\s\S*$/);
  return lastSpace > 0 ? text.slice(0, lastSpace) : text;
}

/** One section as "Heading: first sentence." (either part alone when the other is missing). */
function summariseSection(section: string, complete: boolean): string {
  const m = HEADING_LINE.exec(section);
  // A heading line without its end (no newline yet, and for bold no closing marker) may still grow.
  const line = m ? m[0].trim() : '';
  const closed = m !== null && (m[0].endsWith('\n') || (m[3] === undefined && line.length >= 4 && /(\*\*|__)$/.test(line)));
  const headingOpen = m !== null && !complete && !closed;
  const headingText = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  const heading = plain(headingOpen ? wholeWords(headingText) : headingText);
  const sentence = plain(firstSentence((m ? section.slice(m[0].length) : section).trimStart(), complete));
  if (!heading) return fit(sentence, THOUGHT_CHARS);
  if (!sentence) return fit(heading, THOUGHT_CHARS);
  const joined = /[.!?:]$/.test(heading) ? `${heading} ${sentence}` : `${heading}: ${sentence}`;
  return fit(joined, THOUGHT_CHARS);
}

/**
 * What a reader sees of a thought summary: the heading and the first sentence of its LATEST
 * section ("Heading: first sentence."), as plain text of at most THOUGHT_CHARS, never ending
 * in the middle of a word, never with a stray emphasis marker. A section whose heading has only
 * just begun leaves the previous section showing. `complete`: the step ended (its last words are
 * whole); otherwise a trailing word without a sentence end may still be growing and is left out.
 */
export function thoughtSummary(text: string, complete = false): string {
  const starts = sectionStarts(text);
  for (let i = starts.length - 1; i >= 0; i--) {
    const summary = summariseSection(text.slice(starts[i]), complete);
    if (summary) return summary;
  }
  return '';
}

/**
 * The raw text kept of a thought step after one more summary delta: from the start of its latest
 * section that says anything, at most THOUGHT_RAW_CHARS (the head is what the summary reads; a
 * longer section only waits for a new heading).
 */
export function foldThought(raw: string, delta: string): string {
  if (raw.length >= THOUGHT_RAW_CHARS) {
    const heading = sectionStarts(`\n${delta}`).at(-1)!;
    return heading > 0 ? delta.slice(heading - 1, heading - 1 + THOUGHT_RAW_CHARS) : raw;
  }
  const joined = raw + delta;
  const starts = sectionStarts(joined);
  let from = starts.at(-1)!;
  if (from > 0 && !summariseSection(joined.slice(from), false)) from = starts.at(-2) ?? 0;
  return joined.slice(from, from + THOUGHT_RAW_CHARS);
}

/** Mutable progress plus the open steps' types (needed to attribute a delta after a resume). */
export interface ProgressState extends StreamProgress {
  openSteps: Record<string, string>;
  usage?: Usage;
  /** Raw text of the latest thought section (see foldThought); absent in checkpoints of older workers. */
  thoughtRaw?: string;
}

export function emptyProgress(): ProgressState {
  return { eventsApplied: 0, outputChars: 0, outputHash: FNV_OFFSET, openSteps: {}, stepsStarted: 0 };
}

/** A copy that later events cannot change: `openSteps` is the only part changed in place (usage objects are replaced, never edited). */
export function cloneProgress(p: ProgressState): ProgressState {
  return { ...p, openSteps: { ...p.openSteps } };
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
      const index = String(e['index']);
      delete p.openSteps[index];
      // The newest SDKs put the interaction's usage so far on step.stop (a step without deltas has no other).
      if (e['usage']) p.usage = e['usage'] as Usage;
      // The thought's last words are whole now.
      if (p.thoughtStep === index && p.thoughtRaw !== undefined) p.latestThought = thoughtSummary(p.thoughtRaw, true);
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
        // A checkpoint of an older worker kept only its shortened thought: continue from that.
        const raw = p.thoughtStep === index ? (p.thoughtRaw ?? p.latestThought ?? '') : '';
        p.thoughtRaw = foldThought(raw, delta.content.text);
        p.latestThought = thoughtSummary(p.thoughtRaw);
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
