/**
 * What the Temporal Web UI shows for a job (workflow user metadata, set once at start): the
 * summary is the question itself, the details name the agent or model, thread and options.
 * Pure: no I/O. Job input never holds credentials (validated before start), so neither does this.
 */
import type { JobOptions, JobRequest } from '../contract';

/** Longest summary, in characters: the UI shows one line; the server caps user metadata in bytes. */
export const SUMMARY_MAX_CHARS = 200;

/** `text` cut to `max` characters at a word boundary, with an ellipsis when cut. */
export function cutAtWord(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const slice = flat.slice(0, max - 1);
  if (flat[slice.length] === ' ') return slice.trimEnd() + '…';
  const space = slice.lastIndexOf(' ');
  return (space > max / 2 ? slice.slice(0, space) : slice).trimEnd() + '…';
}

/** The first text of a request's input: a string, or the first text content / user step. */
export function questionText(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (Array.isArray(input)) {
    for (const item of input) {
      const found = questionText(item);
      if (found) return found;
    }
    return undefined;
  }
  if (input && typeof input === 'object') {
    const o = input as { text?: unknown; content?: unknown };
    if (typeof o.text === 'string') return o.text;
    if (o.content !== undefined) return questionText(o.content);
  }
  return undefined;
}

/** The workflow's `staticSummary`: the question (cut at a word), else the agent or model. */
export function jobStaticSummary(request: JobRequest): string {
  const question = questionText((request as { input?: unknown }).input);
  if (question && question.trim()) return cutAtWord(question, SUMMARY_MAX_CHARS);
  const r = request as { agent?: string; model?: string };
  return `gemini-jobs ${r.agent ?? r.model ?? 'job'}`;
}

/** The workflow's `staticDetails` (markdown): agent/model, thread and the options given. */
export function jobStaticDetails(request: JobRequest, options: JobOptions): string {
  const r = request as { agent?: string; model?: string };
  const lines = [r.agent ? `**Agent:** ${r.agent}` : `**Model:** ${r.model ?? 'unknown'}`];
  if (options.thread) lines.push(`**Thread:** ${options.thread}`);
  const given = Object.entries(options).filter(([k, v]) => k !== 'thread' && v !== undefined);
  if (given.length > 0) lines.push(`**Options:** ${given.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
  lines.push('Job status: search attribute `GeminiJobStatus` (add it as a column); live progress: `gemini-jobs status <jobId>`.');
  return lines.join('\n\n');
}
