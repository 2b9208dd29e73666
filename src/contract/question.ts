/**
 * The question a job asks, as every face shows it: the first text of the request's input, with
 * white space folded and shortened to QUESTION_CHARS (the full input stays in the job's history).
 * Pure: the workflow publishes it as a search attribute, the jobs client reads it back.
 */

/** Longest question kept for listings and the `GeminiJobQuestion` search attribute, in characters. */
export const QUESTION_CHARS = 200;

/** The first text of a request input (a string, content parts or steps), or undefined. */
function firstText(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return undefined;
  for (const part of input as Array<Record<string, unknown> | null>) {
    if (typeof part?.text === 'string') return part.text;
    const content = part?.content;
    if (typeof content === 'string') return content;
    if (Array.isArray(content)) {
      const text = (content as Array<{ text?: unknown } | null>).find((c) => typeof c?.text === 'string')?.text;
      if (typeof text === 'string') return text;
    }
  }
  return undefined;
}

/** The question of a request (`{ input }`), shortened with an ellipsis; undefined when it has no text. */
export function questionOf(request: { input?: unknown } | Record<string, unknown>): string | undefined {
  const text = firstText((request as { input?: unknown }).input);
  if (text === undefined) return undefined;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat === '') return undefined;
  return flat.length > QUESTION_CHARS ? flat.slice(0, QUESTION_CHARS - 1) + '…' : flat;
}
